// Launcher of the SM90 FP8 1D2D GEMM (cuda/dg/kernels/sm90_fp8_gemm_1d2d.cuh): config, tensor maps, parameter blob
// and launch. Everything derived from (config, pointers, shapes, strides) is kept in a launch plan, so a warm call
// is a key lookup and one native launch.

import {
  checkSm90Fp8Gemm1d2dConfig,
  FP8_GEMM_BLOCK_K,
  renderSm90Fp8Gemm1d2d,
  type Sm90Fp8Gemm1d2dConfig,
  type Sm90Fp8Gemm1d2dShape,
  sm90Fp8Gemm1d2dExactKUnrollProblem,
  sm90Fp8Gemm1d2dKernelName,
  sm90Fp8Gemm1d2dMaxStages,
  sm90Fp8Gemm1d2dScaleBBox,
  sm90Fp8Gemm1d2dShapeProblem,
  sm90Fp8Gemm1d2dStoreBox,
  sm90Fp8Gemm1d2dWantsExactKUnroll,
  streamedOperand,
  withExactKUnroll,
} from '@dg/kernels';
import { encodeTensorMapTiled, ParamBuilder, type Tensor } from '@dg/runtime';
import { DgArgumentError } from '../errors.js';
import { printConfigOnce, selectFp8GemmNtConfig } from '../heuristics/index.js';
import { getPdl } from '../knobs.js';
import type { Fp8GemmNtOptions, Fp8GemmNtProblem } from '../problem.js';
import { gemmDeviceInfo } from './deviceInfo.js';
import { loadKernel, preparedKernel } from './kernels.js';
import { type LaunchPlan, launchPlan, makeLaunchPlan, memoizedKernelName, swizzleName } from './launchPlan.js';
import { LaunchPlanCache } from './planCache.js';
import {
  checkScalesCapturable,
  kMajorRowStride,
  kMajorTmaAlignedScales,
  mnMajorColumnStride,
  mnMajorTmaAlignedScales,
} from './scaleLayout.js';

const plans = new LaunchPlanCache<LaunchPlan>();
/**
 * The plan of the last call per validated problem object: validation hands back the same object while the same
 * tensors come back (validationMemo.ts), so a warm loop finds its plan without building the string key.
 */
const lastPlan = new WeakMap<
  Fp8GemmNtProblem,
  { config: Sm90Fp8Gemm1d2dConfig; sfa: Tensor; sfb: Tensor; pdl: boolean; plan: LaunchPlan }
>();
const kernelNameOf = memoizedKernelName(sm90Fp8Gemm1d2dKernelName);

// The exact-K-unroll copy of each (memoized, frozen) picked config, kept so a warm call finds the same object and
// its plan by identity without allocating.
const exactCopies = new WeakMap<Sm90Fp8Gemm1d2dConfig, Sm90Fp8Gemm1d2dConfig>();

/** The config the kernel is built from: `c` with exactKUnroll where K allows it (withExactKUnroll). */
function kernelConfig(c: Sm90Fp8Gemm1d2dConfig, k: number): Sm90Fp8Gemm1d2dConfig {
  if (!sm90Fp8Gemm1d2dWantsExactKUnroll(c, k)) return c;
  let kept = exactCopies.get(c);
  if (kept === undefined) {
    kept = Object.freeze(withExactKUnroll(c, k));
    exactCopies.set(c, kept);
  }
  return kept;
}

/** A forced config (opts.config), checked against the kernel's rules, this device and this shape. */
function forcedConfig(raw: unknown, shape: Sm90Fp8Gemm1d2dShape, maxSmemBytes: number): Sm90Fp8Gemm1d2dConfig {
  let c: Sm90Fp8Gemm1d2dConfig;
  try {
    c = checkSm90Fp8Gemm1d2dConfig(raw);
  } catch (e) {
    throw new DgArgumentError('fp8GemmNt', 'opts.config', 'a valid Sm90Fp8Gemm1d2dConfig', (e as Error).message);
  }
  const maxStages = sm90Fp8Gemm1d2dMaxStages(c.blockM, c.blockN, maxSmemBytes);
  if (c.numStages > maxStages) {
    throw new DgArgumentError(
      'fp8GemmNt',
      'opts.config.numStages',
      `at most ${maxStages} on this device (${maxSmemBytes} bytes of shared memory per block)`,
      String(c.numStages),
    );
  }
  const kProblem = sm90Fp8Gemm1d2dExactKUnrollProblem(c, shape.k);
  if (kProblem !== null)
    throw new DgArgumentError('fp8GemmNt', 'opts.config.exactKUnroll', 'false or unset for this K', kProblem);
  const problem = sm90Fp8Gemm1d2dShapeProblem(c, shape);
  if (problem !== null)
    throw new DgArgumentError('fp8GemmNt', 'opts.config.multicast', 'usable for this shape', problem);
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

function buildPlan(
  device: number,
  c: Sm90Fp8Gemm1d2dConfig,
  p: Fp8GemmNtProblem,
  sfa: Tensor,
  sfb: Tensor,
  pdl: boolean,
): LaunchPlan {
  const { m, n, k } = p;
  const kernel = preparedKernel(kernelNameOf(c), () => renderSm90Fp8Gemm1d2d(c));
  const r = kernel.rendered;
  const fn = loadKernel(kernel, device);
  const sfk = Math.ceil(k / FP8_GEMM_BLOCK_K);
  const store = sm90Fp8Gemm1d2dStoreBox(c.blockN);
  const tmapA = kMajorFp8TensorMap(p.a, k, m, c.blockM);
  const tmapB = kMajorFp8TensorMap(p.b, k, n, c.blockN);
  const tmapD = encodeTensorMapTiled({
    dataType: 'bfloat16',
    globalAddress: p.d.dataPtr,
    globalDims: [n, m],
    globalStridesBytes: [(p.d.strides[0] ?? n) * 2],
    boxDims: store.boxDims,
    swizzle: swizzleName(store.swizzleBytes),
  });
  const tmapSfa = encodeTensorMapTiled({
    dataType: 'float32',
    globalAddress: sfa.dataPtr,
    globalDims: [m, sfk],
    globalStridesBytes: [mnMajorColumnStride(sfa) * 4],
    boxDims: [c.blockM, 1],
  });
  const tmapSfb = encodeTensorMapTiled({
    dataType: 'float32',
    globalAddress: sfb.dataPtr,
    globalDims: [sfk, Math.ceil(n / FP8_GEMM_BLOCK_K)],
    globalStridesBytes: [kMajorRowStride(sfb) * 4],
    boxDims: sm90Fp8Gemm1d2dScaleBBox(c.blockN),
  });
  const params = new ParamBuilder()
    .u32(m)
    .u32(n)
    .u32(k)
    .u32(streamedOperand(c, { m, n }))
    .tensorMap(tmapA)
    .tensorMap(tmapB)
    .tensorMap(tmapD)
    .tensorMap(tmapSfa)
    .tensorMap(tmapSfb)
    .bytes();
  return makeLaunchPlan(fn, r, { m, n, k }, params, pdl);
}

/** fp8GemmNt on a CUDA device: validation has run, m, n > 0 and k > 0. */
export function launchSm90Fp8Gemm1d2d(p: Fp8GemmNtProblem, opts: Fp8GemmNtOptions): void {
  const device = p.device as number;
  const shape = { m: p.m, n: p.n, k: p.k };
  const info = gemmDeviceInfo(device);
  const config = kernelConfig(
    opts.config === undefined
      ? selectFp8GemmNtConfig(shape, info)
      : forcedConfig(opts.config, shape, info.maxSmemBytes),
    p.k,
  );
  printConfigOnce('fp8GemmNt', shape, config);
  checkScalesCapturable('fp8GemmNt', opts.stream, [
    ['a.scale', p.sfa, 'mn'],
    ['b.scale', p.sfb, 'k'],
  ]);
  const sfa = mnMajorTmaAlignedScales(p.sfa, opts.stream, 'a');
  const sfb = kMajorTmaAlignedScales(p.sfb, opts.stream, 'b');
  const pdl = getPdl();
  const last = lastPlan.get(p);
  let plan: LaunchPlan;
  if (last !== undefined && last.config === config && last.sfa === sfa && last.sfb === sfb && last.pdl === pdl) {
    plan = last.plan;
  } else {
    const key = `${device}|${kernelNameOf(config)}|${config.numSms}|${config.l2Hints !== false}|${pdl}|${p.m}|${p.n}|${p.k}|${p.a.dataPtr}|${p.a.strides[0]}|${p.b.dataPtr}|${p.b.strides[0]}|${p.d.dataPtr}|${p.d.strides[0]}|${sfa.dataPtr}|${mnMajorColumnStride(sfa)}|${sfb.dataPtr}|${kMajorRowStride(sfb)}`;
    plan = plans.get(key) ?? plans.set(key, buildPlan(device, config, p, sfa, sfb, pdl));
    lastPlan.set(p, { config, sfa, sfb, pdl, plan });
  }
  launchPlan(plan, opts.stream);
}
