// Launcher of the SM90 FP8 1D1D GEMM (cuda/dg/kernels/sm90_fp8_gemm_1d1d.cuh), the GPU side of fp8GemmNtAccumulate:
// D (f32) = C + A · Bᵀ. The kernel adds onto D with TMA reduce-add, so D must hold C first: when C is a distinct
// tensor it is copied into D on the call's stream before the launch (stream order makes the kernel see the copy).
// Everything derived from (config, pointers, shapes, strides) is kept in a launch plan, so a warm call is a key
// lookup and one native launch.

import {
  checkSm90Fp8Gemm1d1dConfig,
  FP8_GEMM_BLOCK_K,
  renderSm90Fp8Gemm1d1d,
  SM90_FP8_GEMM_1D1D_STORE_BLOCK_M,
  type Sm90Fp8Gemm1d1dConfig,
  type Sm90Fp8Gemm1d1dShape,
  sm90Fp8Gemm1d1dKernelName,
  sm90Fp8Gemm1d1dMaxStages,
  sm90Fp8Gemm1d1dShapeProblem,
  streamedOperand,
} from '@dg/kernels';
import { encodeTensorMapTiled, ParamBuilder, type Tensor } from '@dg/runtime';
import { DgArgumentError } from '../errors.js';
import { printAccumulateConfigOnce, selectFp8GemmNtAccumulateConfig } from '../heuristics/index.js';
import { getPdl } from '../knobs.js';
import { copyInto } from '../kZero.js';
import { isSameView } from '../overlap.js';
import type { Fp8GemmNtAccumulateOptions, Fp8GemmNtAccumulateProblem } from '../problem.js';
import { gemmDeviceInfo } from './deviceInfo.js';
import { loadKernel, preparedKernel } from './kernels.js';
import { type LaunchPlan, launchPlan, makeLaunchPlan, memoizedKernelName } from './launchPlan.js';
import { LaunchPlanCache } from './planCache.js';
import { checkScalesCapturable, mnMajorColumnStride, mnMajorTmaAlignedScales } from './scaleLayout.js';

const FN = 'fp8GemmNtAccumulate';

const plans = new LaunchPlanCache<LaunchPlan>();
/** The plan of the last call per validated problem object (see sm90Fp8Gemm1d2d.ts: the same tensors, no key). */
const lastPlan = new WeakMap<
  Fp8GemmNtAccumulateProblem,
  { config: Sm90Fp8Gemm1d1dConfig; sfa: Tensor; sfb: Tensor; pdl: boolean; plan: LaunchPlan }
>();
const kernelNameOf = memoizedKernelName(sm90Fp8Gemm1d1dKernelName);

/** A forced config (opts.config), checked against the kernel's rules, this device and this shape. */
function forcedConfig(raw: unknown, shape: Sm90Fp8Gemm1d1dShape, maxSmemBytes: number): Sm90Fp8Gemm1d1dConfig {
  let c: Sm90Fp8Gemm1d1dConfig;
  try {
    c = checkSm90Fp8Gemm1d1dConfig(raw);
  } catch (e) {
    throw new DgArgumentError(FN, 'opts.config', 'a valid Sm90Fp8Gemm1d1dConfig', (e as Error).message);
  }
  const maxStages = sm90Fp8Gemm1d1dMaxStages(c.blockM, c.blockN, maxSmemBytes);
  if (c.numStages > maxStages) {
    throw new DgArgumentError(
      FN,
      'opts.config.numStages',
      `at most ${maxStages} on this device (${maxSmemBytes} bytes of shared memory per block)`,
      String(c.numStages),
    );
  }
  const problem = sm90Fp8Gemm1d1dShapeProblem(c, shape);
  if (problem !== null) throw new DgArgumentError(FN, 'opts.config.multicast', 'usable for this shape', problem);
  return c;
}

/** A K-major e4m3 operand [rows, k]: boxes of 128 K-bytes (one 128B swizzle row) by `boxRows`. */
function kMajorFp8TensorMap(t: Tensor, k: number, rows: number, boxRows: number): Uint8Array {
  return encodeTensorMapTiled({
    dataType: 'uint8',
    globalAddress: t.dataPtr,
    globalDims: [k, rows],
    globalStridesBytes: [t.strides[0] ?? k],
    boxDims: [FP8_GEMM_BLOCK_K, boxRows],
    swizzle: '128b',
    l2Promotion: '256b',
  });
}

/** MN-major TMA-readable scales [mn, sfk]: one box {boxMn, 1} per (tile, K block). */
function scaleTensorMap(sf: Tensor, mn: number, sfk: number, boxMn: number): Uint8Array {
  return encodeTensorMapTiled({
    dataType: 'float32',
    globalAddress: sf.dataPtr,
    globalDims: [mn, sfk],
    globalStridesBytes: [mnMajorColumnStride(sf) * 4],
    boxDims: [boxMn, 1],
  });
}

function buildPlan(
  device: number,
  c: Sm90Fp8Gemm1d1dConfig,
  p: Fp8GemmNtAccumulateProblem,
  sfa: Tensor,
  sfb: Tensor,
  pdl: boolean,
): LaunchPlan {
  const { m, n, k } = p;
  const kernel = preparedKernel(kernelNameOf(c), () => renderSm90Fp8Gemm1d1d(c));
  const r = kernel.rendered;
  const fn = loadKernel(kernel, device);
  const sfk = Math.ceil(k / FP8_GEMM_BLOCK_K);
  // D is read and written by TMA reduce-adds of {blockN, 64} FP32 boxes (one per math warpgroup), unswizzled.
  const tmapD = encodeTensorMapTiled({
    dataType: 'float32',
    globalAddress: p.d.dataPtr,
    globalDims: [n, m],
    globalStridesBytes: [(p.d.strides[0] ?? n) * 4],
    boxDims: [c.blockN, SM90_FP8_GEMM_1D1D_STORE_BLOCK_M],
  });
  const params = new ParamBuilder()
    .u32(m)
    .u32(n)
    .u32(k)
    .u32(streamedOperand(c, { m, n }))
    .tensorMap(kMajorFp8TensorMap(p.a, k, m, c.blockM))
    .tensorMap(kMajorFp8TensorMap(p.b, k, n, c.blockN))
    .tensorMap(tmapD)
    .tensorMap(scaleTensorMap(sfa, m, sfk, c.blockM))
    .tensorMap(scaleTensorMap(sfb, n, sfk, c.blockN))
    .bytes();
  return makeLaunchPlan(fn, r, { m, n, k }, params, pdl);
}

/** fp8GemmNtAccumulate on a CUDA device: validation has run, m, n > 0 and k > 0. */
export function launchSm90Fp8Gemm1d1d(p: Fp8GemmNtAccumulateProblem, opts: Fp8GemmNtAccumulateOptions): void {
  const device = p.device as number;
  const shape = { m: p.m, n: p.n, k: p.k };
  const info = gemmDeviceInfo(device);
  // Every check (the forced config included) before the first device operation.
  const config =
    opts.config === undefined
      ? selectFp8GemmNtAccumulateConfig(shape, info)
      : forcedConfig(opts.config, shape, info.maxSmemBytes);
  printAccumulateConfigOnce(shape, config);
  checkScalesCapturable(FN, opts.stream, [
    ['a.scale', p.sfa, 'mn'],
    ['b.scale', p.sfb, 'mn'],
  ]);
  const sfa = mnMajorTmaAlignedScales(p.sfa, opts.stream, 'a');
  const sfb = mnMajorTmaAlignedScales(p.sfb, opts.stream, 'b');
  if (p.c !== null && !isSameView(p.c, p.d)) copyInto(p.d, p.c, opts.stream);
  const pdl = getPdl();
  const last = lastPlan.get(p);
  let plan: LaunchPlan;
  if (last !== undefined && last.config === config && last.sfa === sfa && last.sfb === sfb && last.pdl === pdl) {
    plan = last.plan;
  } else {
    const key = `${device}|${kernelNameOf(config)}|${config.numSms}|${config.l2Hints !== false}|${pdl}|${p.m}|${p.n}|${p.k}|${p.a.dataPtr}|${p.a.strides[0]}|${p.b.dataPtr}|${p.b.strides[0]}|${p.d.dataPtr}|${p.d.strides[0]}|${sfa.dataPtr}|${mnMajorColumnStride(sfa)}|${sfb.dataPtr}|${mnMajorColumnStride(sfb)}`;
    plan = plans.get(key) ?? plans.set(key, buildPlan(device, config, p, sfa, sfb, pdl));
    lastPlan.set(p, { config, sfa, sfb, pdl, plan });
  }
  launchPlan(plan, opts.stream);
}
