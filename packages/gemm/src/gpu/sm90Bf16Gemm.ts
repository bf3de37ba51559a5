// Launcher of the SM90 BF16 GEMM (cuda/dg/kernels/sm90_bf16_gemm.cuh): layout, config, tensor maps, parameter blob
// and launch. Everything derived from (config, pointers, shapes, strides) is kept in a launch plan, so a warm call
// is a key lookup and one native launch (plus, for f32 output with a separate C, the copy of C into D).

import {
  BF16_GEMM_BLOCK_K,
  checkSm90Bf16GemmTile,
  renderSm90Bf16Gemm,
  type Sm90Bf16GemmConfig,
  type Sm90Bf16GemmLayout,
  type Sm90Bf16GemmShape,
  sm90Bf16GemmKernelName,
  sm90Bf16GemmMaxStages,
  sm90Bf16GemmOutputSwizzleBytes,
  sm90Bf16GemmShapeProblem,
  streamedOperand,
} from '@dg/kernels';
import { encodeTensorMapTiled, ParamBuilder, type Tensor } from '@dg/runtime';
import { DgArgumentError } from '../errors.js';
import { printBf16ConfigOnce, selectBf16GemmNtConfig } from '../heuristics/index.js';
import { getPdl } from '../knobs.js';
import { copyInto } from '../kZero.js';
import type { Bf16GemmNtOptions } from '../options.js';
import { isSameView } from '../overlap.js';
import type { Bf16GemmNtProblem } from '../problem.js';
import { gemmDeviceInfo } from './deviceInfo.js';
import { loadKernel, preparedKernel } from './kernels.js';
import { type LaunchPlan, launchPlan, makeLaunchPlan, memoizedKernelName, swizzleName } from './launchPlan.js';
import { LaunchPlanCache } from './planCache.js';

const plans = new LaunchPlanCache<LaunchPlan>();
/** The plan of the last call per validated problem object (see sm90Fp8Gemm1d2d.ts: the same tensors, no key). */
const lastPlan = new WeakMap<
  Bf16GemmNtProblem,
  { config: Sm90Bf16GemmConfig; streamed: number; pdl: boolean; plan: LaunchPlan }
>();
const kernelNameOf = memoizedKernelName(sm90Bf16GemmKernelName);

/** The four layouts a problem can have, each one frozen object (so configs and names can be cached per object). */
const LAYOUTS = new Map<number, Sm90Bf16GemmLayout>();

function layoutOf(p: Bf16GemmNtProblem): Sm90Bf16GemmLayout {
  const output = p.d.dtype === 'f32' ? 'f32' : 'bf16';
  const accumulate = p.c !== null;
  const code =
    (p.aMajor === 'mn' ? 1 : 0) | (p.bMajor === 'mn' ? 2 : 0) | (output === 'f32' ? 4 : 0) | (accumulate ? 8 : 0);
  let layout = LAYOUTS.get(code);
  if (layout === undefined) {
    layout = Object.freeze({ aMajor: p.aMajor, bMajor: p.bMajor, output, accumulate });
    LAYOUTS.set(code, layout);
  }
  return layout;
}

/** A forced tile (opts.config), checked against the kernel's rules, this device and this shape. */
function forcedConfig(
  raw: unknown,
  layout: Sm90Bf16GemmLayout,
  shape: Sm90Bf16GemmShape,
  maxSmemBytes: number,
): Sm90Bf16GemmConfig {
  let tile: ReturnType<typeof checkSm90Bf16GemmTile>;
  try {
    tile = checkSm90Bf16GemmTile(raw, 'opts.config');
  } catch (e) {
    throw new DgArgumentError('bf16GemmNt', 'opts.config', 'a valid Sm90Bf16GemmTile', (e as Error).message);
  }
  const maxStages = sm90Bf16GemmMaxStages(tile.blockM, tile.blockN, layout, maxSmemBytes);
  if (tile.numStages > maxStages) {
    throw new DgArgumentError(
      'bf16GemmNt',
      'opts.config.numStages',
      `at most ${maxStages} for ${tile.blockM}x${tile.blockN} with ${layout.output} output${layout.bMajor === 'mn' ? ' and MN-major B' : ''} on this device (${maxSmemBytes} bytes of shared memory per block)`,
      String(tile.numStages),
    );
  }
  const problem = sm90Bf16GemmShapeProblem(tile, shape);
  if (problem !== null) {
    throw new DgArgumentError('bf16GemmNt', 'opts.config.multicast', 'usable for this shape', problem);
  }
  return { ...tile, ...layout };
}

/**
 * A bf16 operand [rows, k]. K-major (strides [ld, 1]): boxes {64 K, boxRows}, one 128-byte swizzle row per row.
 * MN-major (strides [1, ld]): the map runs along MN first, boxes {64 MN, 64 K}; the kernel loads boxRows / 64 of them.
 */
function operandTensorMap(t: Tensor, major: 'k' | 'mn', k: number, rows: number, boxRows: number): Uint8Array {
  const kMajor = major === 'k';
  return encodeTensorMapTiled({
    dataType: 'bfloat16',
    globalAddress: t.dataPtr,
    globalDims: kMajor ? [k, rows] : [rows, k],
    globalStridesBytes: [(kMajor ? (t.strides[0] ?? k) : (t.strides[1] ?? rows)) * 2],
    boxDims: kMajor ? [BF16_GEMM_BLOCK_K, boxRows] : [64, BF16_GEMM_BLOCK_K],
    swizzle: '128b',
    l2Promotion: '256b',
  });
}

function buildPlan(
  device: number,
  c: Sm90Bf16GemmConfig,
  p: Bf16GemmNtProblem,
  streamed: number,
  pdl: boolean,
): LaunchPlan {
  const { m, n, k } = p;
  const kernel = preparedKernel(kernelNameOf(c), () => renderSm90Bf16Gemm(c));
  const r = kernel.rendered;
  const fn = loadKernel(kernel, device);
  const swizzleD = sm90Bf16GemmOutputSwizzleBytes(c.blockN, c.output);
  const outBytes = c.output === 'f32' ? 4 : 2;
  const tmapA = operandTensorMap(p.a, p.aMajor, k, m, c.blockM);
  const tmapB = operandTensorMap(p.b, p.bMajor, k, n, c.blockN);
  const tmapD = encodeTensorMapTiled({
    dataType: c.output === 'f32' ? 'float32' : 'bfloat16',
    globalAddress: p.d.dataPtr,
    globalDims: [n, m],
    globalStridesBytes: [(p.d.strides[0] ?? n) * outBytes],
    // Each math warpgroup stores its own 64-row slabs.
    boxDims: [swizzleD / outBytes, 64],
    swizzle: swizzleName(swizzleD),
  });
  // Only bf16 output reads C in the kernel; f32 output reduce-adds onto D, which already holds C.
  const readsC = c.accumulate && c.output === 'bf16' && p.c !== null;
  const params = new ParamBuilder()
    .ptr(readsC ? (p.c?.dataPtr ?? 0n) : 0n)
    .u32(readsC ? (p.c?.strides[0] ?? n) : 0)
    .u32(m)
    .u32(n)
    .u32(k)
    .u32(streamed)
    .tensorMap(tmapA)
    .tensorMap(tmapB)
    .tensorMap(tmapD)
    .bytes();
  return makeLaunchPlan(fn, r, { m, n, k }, params, pdl);
}

/** bf16GemmNt on a CUDA device: validation has run, m, n > 0 and k > 0. */
export function launchSm90Bf16Gemm(p: Bf16GemmNtProblem, opts: Bf16GemmNtOptions): void {
  const device = p.device as number;
  const shape = { m: p.m, n: p.n, k: p.k };
  const info = gemmDeviceInfo(device);
  const layout = layoutOf(p);
  const config =
    opts.config === undefined
      ? selectBf16GemmNtConfig(shape, layout, info)
      : forcedConfig(opts.config, layout, shape, info.maxSmemBytes);
  printBf16ConfigOnce(shape, config);
  // f32 output with C: the kernel adds onto D in place, so D must hold C first.
  if (p.c !== null && layout.output === 'f32' && !isSameView(p.c, p.d)) copyInto(p.d, p.c, opts.stream);
  const pdl = getPdl();
  const streamed = streamedOperand(config, shape);
  const last = lastPlan.get(p);
  let plan: LaunchPlan;
  if (last !== undefined && last.config === config && last.streamed === streamed && last.pdl === pdl) {
    plan = last.plan;
  } else {
    plan = planFor(device, config, p, streamed, pdl);
    lastPlan.set(p, { config, streamed, pdl, plan });
  }
  launchPlan(plan, opts.stream);
}

/** The cached plan of (config, pointers, shapes), built on a miss. */
function planFor(
  device: number,
  config: Sm90Bf16GemmConfig,
  p: Bf16GemmNtProblem,
  streamed: number,
  pdl: boolean,
): LaunchPlan {
  const cPart = p.c === null ? '' : `${p.c.dataPtr}|${p.c.strides[0]}`;
  const key = `${device}|${kernelNameOf(config)}|${config.numSms}|${streamed}|${pdl}|${p.m}|${p.n}|${p.k}|${p.a.dataPtr}|${p.a.strides[0]}|${p.a.strides[1]}|${p.b.dataPtr}|${p.b.strides[0]}|${p.b.strides[1]}|${p.d.dataPtr}|${p.d.strides[0]}|${cPart}`;
  return plans.get(key) ?? plans.set(key, buildPlan(device, config, p, streamed, pdl));
}
