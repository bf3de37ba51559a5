import { alignUp, ceilDiv, checkBoolean, checkInt, checkOneOf, checkRecord, U32_MAX } from './checks.js';
import type { Dim3, KernelFamily, KernelParam, RenderedKernel } from './kernel.js';
import { cudaIncludeDir } from './paths.js';
import { persistentGridSize } from './persistentGrid.js';
import { FP8_GEMM_BLOCK_K, SM90_MAX_SMEM_BYTES, sm90RasterGroup } from './sm90Fp8Gemm1d2d.js';

/**
 * The SM90 FP8 GEMM with 1D scales on both operands (cuda/dg/kernels/sm90_fp8_gemm_1d1d.cuh), the weight-gradient
 * GEMM: D (f32 [M, N]) += A (e4m3 [M, K]) · B (e4m3 [N, K])ᵀ, A scaled per token and B per channel (1x128 along K,
 * FP32, both MN-major TMA-aligned). D must already hold C; the kernel adds onto it with TMA reduce-add. Persistent
 * (one CTA per SM, `numSms` CTAs at most), warp-specialized (one TMA producer warpgroup, one or two math warpgroups),
 * FP32 promotion after every 128-wide K block.
 */
export interface Sm90Fp8Gemm1d1dConfig {
  /** Rows per tile: 64 (one math warpgroup) or 128 (two). */
  readonly blockM: 64 | 128;
  /**
   * Columns per tile: a multiple of 8 in [16, 152]. Values = 8 (mod 16) keep the FP32 epilogue stores free of smem
   * bank conflicts (the heuristic only picks those, and 16).
   */
  readonly blockN: number;
  /** Depth of the shared-memory ring of (A, B, A-scale, B-scale) stages. */
  readonly numStages: number;
  /**
   * TMA multicast across a 2-CTA cluster: 'a' = the pair shares an A tile (same M block, adjacent N blocks; needs an
   * even number of N blocks), 'b' = shares a B tile (adjacent M blocks; needs an even number of M blocks).
   */
  readonly multicast: 'none' | 'a' | 'b';
  /** Most CTAs launched (the persistent grid); even when multicasting. */
  readonly numSms: number;
  /**
   * L2 cache policies on the operand loads (default true): an operand read once is loaded EVICT_FIRST, the other
   * EVICT_LAST (see streamedOperand). A launch parameter, not compiled in.
   */
  readonly l2Hints?: boolean;
}

/** Launch shape. */
export interface Sm90Fp8Gemm1d1dShape {
  readonly m: number;
  readonly n: number;
  readonly k: number;
}

export const SM90_FP8_GEMM_1D1D_BLOCK_MS = [64, 128] as const;
export const SM90_FP8_GEMM_1D1D_MULTICASTS = ['none', 'a', 'b'] as const;
/**
 * Widest tile: accumulators (blockN / 2), promoted accumulators (blockN / 2) and column scales (blockN / 4) per thread
 * within 232 registers. 160 spills (20 bytes, nvcc 13.0) once the math warpgroups alternate their WGMMA issue.
 */
export const SM90_FP8_GEMM_1D1D_MAX_BLOCK_N = 152;
/** The TMA reduce-add box height: each math warpgroup adds its own 64 rows. */
export const SM90_FP8_GEMM_1D1D_STORE_BLOCK_M = 64;
const MAX_STAGES = 16;
const TMA_THREADS = 128;

/** Parameters of every entry of the family, in order. */
export const SM90_FP8_GEMM_1D1D_PARAMS: readonly KernelParam[] = [
  { name: 'm', type: 'u32' },
  { name: 'n', type: 'u32' },
  { name: 'k', type: 'u32' },
  { name: 'streamed', type: 'u32' },
  { name: 'tmapA', type: 'tensorMap' },
  { name: 'tmapB', type: 'tensorMap' },
  { name: 'tmapD', type: 'tensorMap' },
  { name: 'tmapSfa', type: 'tensorMap' },
  { name: 'tmapSfb', type: 'tensorMap' },
];

/** Bytes of one pipeline stage: A tile, B tile, and the A- and B-scale slots (each padded to 128 B for TMA). */
export function sm90Fp8Gemm1d1dStageBytes(blockM: number, blockN: number): number {
  return (blockM + blockN) * FP8_GEMM_BLOCK_K + alignUp(blockM * 4, 128) + alignUp(blockN * 4, 128);
}

/** The FP32 output staging tile, 1024-aligned so the stages behind it keep the alignment 128B swizzle needs. */
function outputTileBytes(blockM: number, blockN: number): number {
  return alignUp(blockM * blockN * 4, 1024);
}

/** Dynamic shared memory of a config: FP32 output tile, the stages, and a full + empty mbarrier per stage. */
export function sm90Fp8Gemm1d1dSmemBytes(blockM: number, blockN: number, numStages: number): number {
  return outputTileBytes(blockM, blockN) + numStages * (sm90Fp8Gemm1d1dStageBytes(blockM, blockN) + 16);
}

/** The most stages that fit in `maxSmemBytes` (capped at 16); 0 when not even one does. */
export function sm90Fp8Gemm1d1dMaxStages(blockM: number, blockN: number, maxSmemBytes = SM90_MAX_SMEM_BYTES): number {
  const perStage = sm90Fp8Gemm1d1dStageBytes(blockM, blockN) + 16;
  const left = maxSmemBytes - outputTileBytes(blockM, blockN);
  return Math.max(0, Math.min(MAX_STAGES, Math.floor(left / perStage)));
}

/**
 * Validates a config (TypeError for a wrong type, RangeError for a wrong value) and returns a normalised copy.
 * Rules: blockM 64 or 128; blockN a multiple of 8 in [16, 152] (registers); the stages fit SM90_MAX_SMEM_BYTES;
 * numSms even when multicasting.
 */
export function checkSm90Fp8Gemm1d1dConfig(config: unknown): Sm90Fp8Gemm1d1dConfig {
  const what = 'sm90Fp8Gemm1d1d config';
  checkRecord(what, config);
  const blockM = checkInt(`${what}.blockM`, config.blockM, 64, 128);
  if (!(SM90_FP8_GEMM_1D1D_BLOCK_MS as readonly number[]).includes(blockM)) {
    throw new RangeError(`${what}.blockM: expected 64 | 128, got ${blockM}`);
  }
  const blockN = checkInt(`${what}.blockN`, config.blockN, 16, SM90_FP8_GEMM_1D1D_MAX_BLOCK_N);
  if (blockN % 8 !== 0) throw new RangeError(`${what}.blockN: expected a multiple of 8, got ${blockN}`);
  const maxStages = sm90Fp8Gemm1d1dMaxStages(blockM, blockN);
  const numStages = checkInt(`${what}.numStages`, config.numStages, 1, MAX_STAGES);
  if (numStages > maxStages) {
    throw new RangeError(
      `${what}.numStages: expected at most ${maxStages} for blockM ${blockM}, blockN ${blockN} (${SM90_MAX_SMEM_BYTES} bytes of shared memory), got ${numStages}`,
    );
  }
  const multicast = checkOneOf(`${what}.multicast`, config.multicast, SM90_FP8_GEMM_1D1D_MULTICASTS);
  const numSms = checkInt(`${what}.numSms`, config.numSms, 1, 1024);
  if (multicast !== 'none' && numSms % 2 !== 0) {
    throw new RangeError(`${what}.numSms: expected an even number with multicast "${multicast}", got ${numSms}`);
  }
  const out = { blockM: blockM as 64 | 128, blockN, numStages, multicast, numSms };
  if (config.l2Hints === undefined) return out;
  return { ...out, l2Hints: checkBoolean(`${what}.l2Hints`, config.l2Hints) };
}

/** Why a config cannot run a shape (multicast pairing), or null when it can. */
export function sm90Fp8Gemm1d1dShapeProblem(c: Sm90Fp8Gemm1d1dConfig, shape: Sm90Fp8Gemm1d1dShape): string | null {
  if (c.multicast === 'a' && ceilDiv(shape.n, c.blockN) % 2 !== 0) {
    return `multicast "a" needs an even number of N blocks; ceil(${shape.n} / ${c.blockN}) = ${ceilDiv(shape.n, c.blockN)}`;
  }
  if (c.multicast === 'b' && ceilDiv(shape.m, c.blockM) % 2 !== 0) {
    return `multicast "b" needs an even number of M blocks; ceil(${shape.m} / ${c.blockM}) = ${ceilDiv(shape.m, c.blockM)}`;
  }
  return null;
}

export function sm90Fp8Gemm1d1dKernelName(c: Sm90Fp8Gemm1d1dConfig): string {
  const mc = c.multicast === 'none' ? '' : `_mc${c.multicast}`;
  return `dg_sm90_fp8_gemm_1d1d_m${c.blockM}_n${c.blockN}_s${c.numStages}${mc}_g${sm90RasterGroup(c)}`;
}

export function renderSm90Fp8Gemm1d1d(config: Sm90Fp8Gemm1d1dConfig): RenderedKernel<Sm90Fp8Gemm1d1dShape> {
  const c = checkSm90Fp8Gemm1d1dConfig(config);
  const name = sm90Fp8Gemm1d1dKernelName(c);
  const mathWarpgroups = c.blockM / 64;
  const threads = TMA_THREADS + 128 * mathWarpgroups;
  const cluster = c.multicast === 'none' ? 1 : 2;
  const template = [
    c.blockM,
    c.blockN,
    c.numStages,
    mathWarpgroups,
    cluster,
    c.multicast === 'a' ? 'true' : 'false',
    sm90RasterGroup(c),
  ].join(', ');
  const source = [
    `// ${name}: rendered by @dg/kernels sm90Fp8Gemm1d1d ${JSON.stringify(c)}`,
    '#include <dg/kernels/sm90_fp8_gemm_1d1d.cuh>',
    '',
    `extern "C" __global__ void __launch_bounds__(${threads}, 1)`,
    `${name}(dg::u32 m, dg::u32 n, dg::u32 k, dg::u32 streamed, const __grid_constant__ dg::CUtensorMap tmap_a,`,
    `    const __grid_constant__ dg::CUtensorMap tmap_b, const __grid_constant__ dg::CUtensorMap tmap_d,`,
    `    const __grid_constant__ dg::CUtensorMap tmap_sfa, const __grid_constant__ dg::CUtensorMap tmap_sfb) {`,
    `  dg::sm90_fp8_gemm_1d1d<${template}>(m, n, k, streamed, tmap_a, tmap_b, tmap_d, tmap_sfa, tmap_sfb);`,
    '}',
    '',
  ].join('\n');
  return {
    name,
    source,
    includeDirs: [cudaIncludeDir],
    blockDim: [threads, 1, 1],
    clusterDim: [cluster, 1, 1],
    dynamicSmemBytes: sm90Fp8Gemm1d1dSmemBytes(c.blockM, c.blockN, c.numStages),
    launchBounds: { maxThreads: threads, minBlocksPerSm: 1 },
    params: SM90_FP8_GEMM_1D1D_PARAMS,
    pdl: true,
    gridFor(shape: Sm90Fp8Gemm1d1dShape): Dim3 {
      checkRecord(`${name} shape`, shape);
      const m = checkInt(`${name} shape.m`, shape.m, 1, U32_MAX);
      const n = checkInt(`${name} shape.n`, shape.n, 8, U32_MAX);
      checkInt(`${name} shape.k`, shape.k, 16, U32_MAX);
      const problem = sm90Fp8Gemm1d1dShapeProblem(c, { m, n, k: shape.k });
      if (problem !== null) throw new RangeError(`${name} shape: ${problem}`);
      return [persistentGridSize(c, { m, n }), 1, 1];
    },
  };
}

/**
 * Every config the compile test builds: each legal (blockM, blockN) at its largest stage count, with all three
 * multicasts.
 */
export function listSm90Fp8Gemm1d1dVariants(numSms = 132): Sm90Fp8Gemm1d1dConfig[] {
  const out: Sm90Fp8Gemm1d1dConfig[] = [];
  for (const blockM of SM90_FP8_GEMM_1D1D_BLOCK_MS) {
    for (let blockN = 16; blockN <= SM90_FP8_GEMM_1D1D_MAX_BLOCK_N; blockN += 8) {
      const numStages = sm90Fp8Gemm1d1dMaxStages(blockM, blockN);
      for (const multicast of SM90_FP8_GEMM_1D1D_MULTICASTS) out.push({ blockM, blockN, numStages, multicast, numSms });
    }
  }
  return out;
}

export const sm90Fp8Gemm1d1d: KernelFamily<Sm90Fp8Gemm1d1dConfig, Sm90Fp8Gemm1d1dShape> = {
  family: 'sm90Fp8Gemm1d1d',
  render: renderSm90Fp8Gemm1d1d,
  listVariants: () => listSm90Fp8Gemm1d1dVariants(),
};
