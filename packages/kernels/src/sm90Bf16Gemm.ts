import { alignUp, ceilDiv, checkBoolean, checkInt, checkOneOf, checkRecord, U32_MAX } from './checks.js';
import type { Dim3, KernelFamily, KernelParam, RenderedKernel } from './kernel.js';
import { cudaIncludeDir } from './paths.js';
import { persistentGridSize } from './persistentGrid.js';
import { SM90_MAX_SMEM_BYTES, sm90OutputSwizzleBytes, sm90RasterGroup } from './sm90Fp8Gemm1d2d.js';

/**
 * The SM90 BF16 GEMM (cuda/dg/kernels/sm90_bf16_gemm.cuh): D (bf16 or f32 [M, N]) = A (bf16 [M, K]) · B (bf16
 * [N, K])ᵀ (+ C), A and B each K-major or MN-major. Persistent (one CTA per SM, `numSms` CTAs at most),
 * warp-specialized (one TMA producer warpgroup, one or two math warpgroups), FP32 accumulation in the tensor core.
 *
 * A config is a tile (what the heuristic picks, or a caller forces) plus a layout (what the problem dictates).
 */
export interface Sm90Bf16GemmTile {
  /** Rows per tile: 64 (one math warpgroup), 128 (two), 256 (two, each covering two 64-row slabs). */
  readonly blockM: 64 | 128 | 256;
  /** Columns per tile: a multiple of 8 in [16, 256], at most 128 with blockM 256 (registers). */
  readonly blockN: number;
  /** Depth of the shared-memory ring of (A, B) stages, 64 along K each: at least 2. */
  readonly numStages: number;
  /**
   * TMA multicast across a 2-CTA cluster: 'a' = the pair shares an A tile (same M block, adjacent N blocks; needs an
   * even number of N blocks), 'b' = shares a B tile (adjacent M blocks; needs an even number of M blocks).
   */
  readonly multicast: 'none' | 'a' | 'b';
  /** Most CTAs launched (the persistent grid); even when multicasting. */
  readonly numSms: number;
  /**
   * L2 cache policies on the operand loads (default true): an operand read once (see streamedOperand) is loaded
   * EVICT_FIRST, the other EVICT_LAST. A launch parameter, not compiled in.
   */
  readonly l2Hints?: boolean;
}

/** What the problem fixes: operand majors, the output dtype, and whether C is added. */
export interface Sm90Bf16GemmLayout {
  /** 'k': A [M, K] with strides [lda, 1]; 'mn': strides [1, lda]. */
  readonly aMajor: 'k' | 'mn';
  /** 'k': B [N, K] with strides [ldb, 1]; 'mn': strides [1, ldb]. */
  readonly bMajor: 'k' | 'mn';
  readonly output: 'bf16' | 'f32';
  /**
   * D = A · Bᵀ + C. f32 output: the kernel reduce-adds onto D, which must already hold C. bf16 output: the kernel
   * reads C (the `c` / `ldc` parameters; may be D itself) and adds it in FP32 before rounding.
   */
  readonly accumulate: boolean;
}

export type Sm90Bf16GemmConfig = Sm90Bf16GemmTile & Sm90Bf16GemmLayout;

/** Launch shape. */
export interface Sm90Bf16GemmShape {
  readonly m: number;
  readonly n: number;
  readonly k: number;
}

/** K extent of one stage: 64 bf16 = one 128-byte swizzle row of a K-major tile. */
export const BF16_GEMM_BLOCK_K = 64;
export const SM90_BF16_GEMM_BLOCK_MS = [64, 128, 256] as const;
export const SM90_BF16_GEMM_MULTICASTS = ['none', 'a', 'b'] as const;
export const SM90_BF16_GEMM_MAJORS = ['k', 'mn'] as const;
export const SM90_BF16_GEMM_OUTPUTS = ['bf16', 'f32'] as const;
const MAX_STAGES = 16;
const TMA_THREADS = 128;

/**
 * Parameters of every entry of the family, in order. `c`/`ldc` are read only with bf16 output and accumulate.
 * `streamed`: the L2 policy of the operand loads, see streamedOperand.
 */
export const SM90_BF16_GEMM_PARAMS: readonly KernelParam[] = [
  { name: 'c', type: 'ptr' },
  { name: 'ldc', type: 'u32' },
  { name: 'm', type: 'u32' },
  { name: 'n', type: 'u32' },
  { name: 'k', type: 'u32' },
  { name: 'streamed', type: 'u32' },
  { name: 'tmapA', type: 'tensorMap' },
  { name: 'tmapB', type: 'tensorMap' },
  { name: 'tmapD', type: 'tensorMap' },
];

/** Math warpgroups and 64-row slabs ("waves") per warpgroup for a block M. */
export function sm90Bf16GemmWarpgroups(blockM: 64 | 128 | 256): { mathWarpgroups: 1 | 2; waves: 1 | 2 } {
  if (blockM === 64) return { mathWarpgroups: 1, waves: 1 };
  return { mathWarpgroups: 2, waves: blockM === 256 ? 2 : 1 };
}

/**
 * Swizzle of the output staging tile in bytes, i.e. the bytes per row of one TMA store box: bf16 as for the FP8
 * kernel (widest of 128/64/32 dividing a tile row, else 16 = unswizzled); f32 the widest of 128/64/32 dividing a row
 * (blockN is a multiple of 8, so 32 bytes always does: a quad of lanes writes 8 floats = one 32-byte atom row).
 */
export function sm90Bf16GemmOutputSwizzleBytes(blockN: number, output: 'bf16' | 'f32'): 16 | 32 | 64 | 128 {
  if (output === 'bf16') return sm90OutputSwizzleBytes(blockN);
  const rowBytes = blockN * 4;
  for (const s of [128, 64] as const) if (rowBytes % s === 0) return s;
  return 32;
}

/** Rows of B held per stage: an MN-major B tile is whole 64-column TMA boxes. */
export function sm90Bf16GemmBRows(blockN: number, bMajor: 'k' | 'mn'): number {
  return bMajor === 'mn' ? alignUp(blockN, 64) : blockN;
}

/** Bytes of one pipeline stage: the A tile and the B tile, 64 bf16 (128 bytes) along K per row. */
export function sm90Bf16GemmStageBytes(blockM: number, blockN: number, bMajor: 'k' | 'mn' = 'k'): number {
  return (blockM + sm90Bf16GemmBRows(blockN, bMajor)) * BF16_GEMM_BLOCK_K * 2;
}

type SmemLayout = Pick<Sm90Bf16GemmLayout, 'bMajor' | 'output'>;

/**
 * Dynamic shared memory of a config: the output staging tile (bf16 or f32, 1024-aligned so the stages behind it keep
 * the 1024-byte alignment 128B swizzle needs), the stages, and a full + empty mbarrier per stage.
 */
export function sm90Bf16GemmSmemBytes(blockM: number, blockN: number, numStages: number, layout: SmemLayout): number {
  const outBytes = layout.output === 'f32' ? 4 : 2;
  return (
    alignUp(blockM * blockN * outBytes, 1024) +
    numStages * sm90Bf16GemmStageBytes(blockM, blockN, layout.bMajor) +
    numStages * 16
  );
}

/** The most stages that fit in `maxSmemBytes` (capped at 16); 0 when fewer than 2 do (the kernel needs 2). */
export function sm90Bf16GemmMaxStages(
  blockM: number,
  blockN: number,
  layout: SmemLayout,
  maxSmemBytes = SM90_MAX_SMEM_BYTES,
): number {
  const fixed = sm90Bf16GemmSmemBytes(blockM, blockN, 0, layout);
  const perStage = sm90Bf16GemmStageBytes(blockM, blockN, layout.bMajor) + 16;
  const stages = Math.min(MAX_STAGES, Math.floor((maxSmemBytes - fixed) / perStage));
  return stages >= 2 ? stages : 0;
}

/**
 * Validates a tile (TypeError for a wrong type, RangeError for a wrong value) and returns a normalised copy. Rules:
 * blockM 64 | 128 | 256; blockN a multiple of 8 in [16, 256], at most 128 with blockM 256 (two slabs double the
 * accumulators); numSms even when multicasting. Stage counts depend on the layout: see checkSm90Bf16GemmConfig.
 */
export function checkSm90Bf16GemmTile(tile: unknown, what = 'sm90Bf16Gemm config'): Sm90Bf16GemmTile {
  checkRecord(what, tile);
  const blockM = checkInt(`${what}.blockM`, tile.blockM, 64, 256);
  if (!(SM90_BF16_GEMM_BLOCK_MS as readonly number[]).includes(blockM)) {
    throw new RangeError(`${what}.blockM: expected 64 | 128 | 256, got ${blockM}`);
  }
  const blockN = checkInt(`${what}.blockN`, tile.blockN, 16, 256);
  if (blockN % 8 !== 0) throw new RangeError(`${what}.blockN: expected a multiple of 8, got ${blockN}`);
  if (blockM === 256 && blockN > 128) {
    throw new RangeError(`${what}.blockN: expected <= 128 with blockM 256 (registers), got ${blockN}`);
  }
  const numStages = checkInt(`${what}.numStages`, tile.numStages, 2, MAX_STAGES);
  const multicast = checkOneOf(`${what}.multicast`, tile.multicast, SM90_BF16_GEMM_MULTICASTS);
  const numSms = checkInt(`${what}.numSms`, tile.numSms, 1, 1024);
  if (multicast !== 'none' && numSms % 2 !== 0) {
    throw new RangeError(`${what}.numSms: expected an even number with multicast "${multicast}", got ${numSms}`);
  }
  const out = { blockM: blockM as 64 | 128 | 256, blockN, numStages, multicast, numSms };
  if (tile.l2Hints === undefined) return out;
  return { ...out, l2Hints: checkBoolean(`${what}.l2Hints`, tile.l2Hints) };
}

/** Validates the layout part of a config. */
export function checkSm90Bf16GemmLayout(layout: unknown, what = 'sm90Bf16Gemm config'): Sm90Bf16GemmLayout {
  checkRecord(what, layout);
  return {
    aMajor: checkOneOf(`${what}.aMajor`, layout.aMajor, SM90_BF16_GEMM_MAJORS),
    bMajor: checkOneOf(`${what}.bMajor`, layout.bMajor, SM90_BF16_GEMM_MAJORS),
    output: checkOneOf(`${what}.output`, layout.output, SM90_BF16_GEMM_OUTPUTS),
    accumulate: checkBoolean(`${what}.accumulate`, layout.accumulate),
  };
}

/**
 * Validates a whole config (tile + layout) and returns a normalised copy; additionally the stages must fit
 * SM90_MAX_SMEM_BYTES with the layout's output tile and B rows.
 */
export function checkSm90Bf16GemmConfig(config: unknown): Sm90Bf16GemmConfig {
  const what = 'sm90Bf16Gemm config';
  const tile = checkSm90Bf16GemmTile(config, what);
  const layout = checkSm90Bf16GemmLayout(config, what);
  const maxStages = sm90Bf16GemmMaxStages(tile.blockM, tile.blockN, layout);
  if (tile.numStages > maxStages) {
    throw new RangeError(
      `${what}.numStages: expected at most ${maxStages} for blockM ${tile.blockM}, blockN ${tile.blockN}, ${layout.output} output${layout.bMajor === 'mn' ? ', MN-major B' : ''} (${SM90_MAX_SMEM_BYTES} bytes of shared memory), got ${tile.numStages}`,
    );
  }
  return { ...tile, ...layout };
}

/** Why a tile cannot run a shape (multicast pairing), or null when it can. */
export function sm90Bf16GemmShapeProblem(c: Sm90Bf16GemmTile, shape: Sm90Bf16GemmShape): string | null {
  if (c.multicast === 'a' && ceilDiv(shape.n, c.blockN) % 2 !== 0) {
    return `multicast "a" needs an even number of N blocks; ceil(${shape.n} / ${c.blockN}) = ${ceilDiv(shape.n, c.blockN)}`;
  }
  if (c.multicast === 'b' && ceilDiv(shape.m, c.blockM) % 2 !== 0) {
    return `multicast "b" needs an even number of M blocks; ceil(${shape.m} / ${c.blockM}) = ${ceilDiv(shape.m, c.blockM)}`;
  }
  return null;
}

export function sm90Bf16GemmKernelName(c: Sm90Bf16GemmConfig): string {
  const mc = c.multicast === 'none' ? '' : `_mc${c.multicast}`;
  const acc = c.accumulate ? '_acc' : '';
  return `dg_sm90_bf16_gemm_${c.aMajor}${c.bMajor}_${c.output}${acc}_m${c.blockM}_n${c.blockN}_s${c.numStages}${mc}_g${sm90RasterGroup(c)}`;
}

export function renderSm90Bf16Gemm(config: Sm90Bf16GemmConfig): RenderedKernel<Sm90Bf16GemmShape> {
  const c = checkSm90Bf16GemmConfig(config);
  const name = sm90Bf16GemmKernelName(c);
  const { mathWarpgroups, waves } = sm90Bf16GemmWarpgroups(c.blockM);
  const threads = TMA_THREADS + 128 * mathWarpgroups;
  const cluster = c.multicast === 'none' ? 1 : 2;
  const bool = (v: boolean) => (v ? 'true' : 'false');
  const template = [
    c.blockM,
    c.blockN,
    c.numStages,
    mathWarpgroups,
    waves,
    cluster,
    bool(c.multicast === 'a'),
    sm90RasterGroup(c),
    bool(c.aMajor === 'mn'),
    bool(c.bMajor === 'mn'),
    bool(c.output === 'f32'),
    bool(c.accumulate),
    sm90Bf16GemmOutputSwizzleBytes(c.blockN, c.output),
  ].join(', ');
  const source = [
    `// ${name}: rendered by @dg/kernels sm90Bf16Gemm ${JSON.stringify(c)}`,
    '#include <dg/kernels/sm90_bf16_gemm.cuh>',
    '',
    `extern "C" __global__ void __launch_bounds__(${threads}, 1)`,
    `${name}(const dg::bf16* __restrict__ c, dg::u32 ldc, dg::u32 m, dg::u32 n, dg::u32 k, dg::u32 streamed,`,
    '    const __grid_constant__ dg::CUtensorMap tmap_a, const __grid_constant__ dg::CUtensorMap tmap_b,',
    '    const __grid_constant__ dg::CUtensorMap tmap_d) {',
    `  dg::sm90_bf16_gemm<${template}>(c, ldc, m, n, k, streamed, tmap_a, tmap_b, tmap_d);`,
    '}',
    '',
  ].join('\n');
  return {
    name,
    source,
    includeDirs: [cudaIncludeDir],
    blockDim: [threads, 1, 1],
    clusterDim: [cluster, 1, 1],
    dynamicSmemBytes: sm90Bf16GemmSmemBytes(c.blockM, c.blockN, c.numStages, c),
    launchBounds: { maxThreads: threads, minBlocksPerSm: 1 },
    params: SM90_BF16_GEMM_PARAMS,
    pdl: true,
    gridFor(shape: Sm90Bf16GemmShape): Dim3 {
      checkRecord(`${name} shape`, shape);
      const m = checkInt(`${name} shape.m`, shape.m, 1, U32_MAX);
      const n = checkInt(`${name} shape.n`, shape.n, 8, U32_MAX);
      checkInt(`${name} shape.k`, shape.k, 1, U32_MAX);
      const problem = sm90Bf16GemmShapeProblem(c, { m, n, k: shape.k });
      if (problem !== null) throw new RangeError(`${name} shape: ${problem}`);
      return [persistentGridSize(c, { m, n }), 1, 1];
    },
  };
}

const LAYOUTS: readonly Sm90Bf16GemmLayout[] = (() => {
  const out: Sm90Bf16GemmLayout[] = [];
  for (const output of SM90_BF16_GEMM_OUTPUTS) {
    for (const accumulate of [false, true]) {
      for (const aMajor of SM90_BF16_GEMM_MAJORS) {
        for (const bMajor of SM90_BF16_GEMM_MAJORS) out.push({ aMajor, bMajor, output, accumulate });
      }
    }
  }
  return out;
})();

/**
 * Every config the compile test can build: each legal (blockM, blockN in steps of 8) at its largest stage count, for
 * every layout and multicast (blockN where the largest stage count is below 2 is left out).
 */
export function listSm90Bf16GemmVariants(numSms = 132): Sm90Bf16GemmConfig[] {
  const out: Sm90Bf16GemmConfig[] = [];
  for (const layout of LAYOUTS) {
    for (const blockM of SM90_BF16_GEMM_BLOCK_MS) {
      for (let blockN = 16; blockN <= 256; blockN += 8) {
        if (blockM === 256 && blockN > 128) continue;
        const numStages = sm90Bf16GemmMaxStages(blockM, blockN, layout);
        if (numStages < 2) continue;
        for (const multicast of SM90_BF16_GEMM_MULTICASTS) {
          out.push({ blockM, blockN, numStages, multicast, numSms, ...layout });
        }
      }
    }
  }
  return out;
}

export const sm90Bf16Gemm: KernelFamily<Sm90Bf16GemmConfig, Sm90Bf16GemmShape> = {
  family: 'sm90Bf16Gemm',
  render: renderSm90Bf16Gemm,
  listVariants: () => listSm90Bf16GemmVariants(),
};
