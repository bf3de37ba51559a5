import { alignUp, ceilDiv, checkBoolean, checkInt, checkOneOf, checkRecord, U32_MAX } from './checks.js';
import { type Dim3, GEMM_COMPILER_FLAGS, type KernelFamily, type KernelParam, type RenderedKernel } from './kernel.js';
import { cudaIncludeDir } from './paths.js';
import { persistentGridSize } from './persistentGrid.js';

/**
 * The SM90 FP8 GEMM with 1D (per-token 1x128) A scales and 2D (128x128 block) B scales
 * (cuda/dg/kernels/sm90_fp8_gemm_1d2d.cuh): D (bf16 [M, N]) = A (e4m3 [M, K]) · B (e4m3 [N, K])ᵀ.
 * Persistent (one CTA per SM, `numSms` CTAs at most), warp-specialized (one TMA producer warpgroup, one or two math
 * warpgroups), FP32 promotion after every 128-wide K block.
 */
export interface Sm90Fp8Gemm1d2dConfig {
  /** Rows per tile: 64 (one math warpgroup), 128 (two), 256 (two, each covering two 64-row slabs). */
  readonly blockM: 64 | 128 | 256;
  /** Columns per tile: a multiple of 8 in [16, 192] (at most 128 with blockM 256); see checkSm90Fp8Gemm1d2dConfig. */
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
  /**
   * The pipelined K loop (see sm90Fp8Gemm1d2dPipelined): default on wherever the tile allows it; false runs the
   * plain loop (for measurements). Part of the kernel name.
   */
  readonly pipeline?: boolean;
  /**
   * Who stores a finished tile (blockM 128 and 256 only): 'joint' (default) = all math threads meet at one barrier
   * and one thread stores the tile; 'warpgroup' = each math warpgroup stages and stores its own rows under its own
   * barrier, so one warpgroup's epilogue overlaps the other's WGMMAs (worth it where K is short). Part of the kernel
   * name.
   */
  readonly epilogue?: 'joint' | 'warpgroup';
  /**
   * The plain K loop (tiles that do not pipeline) runs whole groups of sm90Fp8Gemm1d2dKUnroll K blocks with no
   * remainder loop. Only for shapes whose ceil(K / 128) that unroll divides (sm90Fp8Gemm1d2dShapeProblem says so
   * otherwise). Without it, 256-row tiles run a rotated loop (about 1% slower at M = 4096, half the code to compile)
   * and the others the 4x loop with a remainder. @dg/gemm sets it wherever the shape allows unless the config says
   * false. Part of the kernel name.
   */
  readonly exactKUnroll?: boolean;
}

/** Launch shape. */
export interface Sm90Fp8Gemm1d2dShape {
  readonly m: number;
  readonly n: number;
  readonly k: number;
}

/** The scale and accumulator granularity along K, and the K extent of one stage (128 e4m3 = one 128B swizzle row). */
export const FP8_GEMM_BLOCK_K = 128;
export const SM90_FP8_GEMM_1D2D_BLOCK_MS = [64, 128, 256] as const;
export const SM90_FP8_GEMM_1D2D_MULTICASTS = ['none', 'a', 'b'] as const;
export const SM90_FP8_GEMM_1D2D_EPILOGUES = ['joint', 'warpgroup'] as const;
/** H100/H800 opt-in shared memory per block (227 KiB); the heuristic uses the device's own figure. */
export const SM90_MAX_SMEM_BYTES = 232_448;
const MAX_STAGES = 16;
const TMA_THREADS = 128;

/** Parameters of every entry of the family, in order. */
export const SM90_FP8_GEMM_1D2D_PARAMS: readonly KernelParam[] = [
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

/**
 * The B-scale TMA box of a config, {K blocks, scale rows}: 4 K blocks (16 bytes, the narrowest box row TMA moves,
 * loaded at K block kb & ~3 because a box row must start 16-byte aligned; the kernel reads column kb % 4) by the
 * scale rows one N tile touches, 1 when blockN divides 128, else 2 (the tile may straddle two 128-row scale blocks).
 * The B scales must be K-major with 16-byte aligned rows.
 */
export function sm90Fp8Gemm1d2dScaleBBox(blockN: number): readonly [4, 1 | 2] {
  return [4, FP8_GEMM_BLOCK_K % blockN === 0 ? 1 : 2];
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/** Math warpgroups and 64-row slabs ("waves") per warpgroup for a block M. */
export function sm90Fp8Gemm1d2dWarpgroups(blockM: 64 | 128 | 256): { mathWarpgroups: 1 | 2; waves: 1 | 2 } {
  if (blockM === 64) return { mathWarpgroups: 1, waves: 1 };
  return { mathWarpgroups: 2, waves: blockM === 256 ? 2 : 1 };
}

/**
 * Swizzle of the BF16 output staging tile in bytes: the widest of 128/64/32 dividing a tile row (blockN * 2 bytes),
 * else 16 (no swizzle; the FP8 1D2D kernel then stores whole rows, see sm90Fp8Gemm1d2dStoreBox, the BF16 kernel
 * 8-column boxes).
 */
export function sm90OutputSwizzleBytes(blockN: number): 16 | 32 | 64 | 128 {
  const rowBytes = blockN * 2;
  for (const s of [128, 64, 32] as const) if (rowBytes % s === 0) return s;
  return 16;
}

/**
 * The output TMA store box of a config: 64 rows (one math warpgroup's slab; the tile is stored slab by slab) by one
 * swizzle atom (swizzleBytes / 2 columns) or, when the tile is unswizzled (swizzleBytes 16), by the whole tile row:
 * a box of 16-byte rows would write partial 32-byte sectors.
 */
export function sm90Fp8Gemm1d2dStoreBox(blockN: number): {
  readonly boxDims: readonly [number, 64];
  readonly swizzleBytes: 16 | 32 | 64 | 128;
} {
  const swizzleBytes = sm90OutputSwizzleBytes(blockN);
  return { boxDims: [swizzleBytes === 16 ? blockN : swizzleBytes / 2, 64], swizzleBytes };
}

/** Bytes of one pipeline stage: the A tile, the B tile and the A-scale slot (padded to 128 B for TMA). */
export function sm90Fp8Gemm1d2dStageBytes(blockM: number, blockN: number): number {
  return blockM * FP8_GEMM_BLOCK_K + blockN * FP8_GEMM_BLOCK_K + alignUp(blockM * 4, 128);
}

/**
 * Per-stage bytes besides the tiles and the A-scale slot: the B-scale slot (a TMA destination, so a 128-byte slot;
 * the kernel keeps it next to the A-scale slot) and two mbarriers.
 */
const STAGE_TAIL_BYTES = 128 + 16;

/**
 * Dynamic shared memory of a config: the output staging tile (1024-aligned so the stages behind it keep the 1024-byte
 * alignment 128B swizzle needs), the stages, and per stage two mbarriers and the B-scale slot.
 */
export function sm90Fp8Gemm1d2dSmemBytes(blockM: number, blockN: number, numStages: number): number {
  return (
    alignUp(blockM * blockN * 2, 1024) + numStages * (sm90Fp8Gemm1d2dStageBytes(blockM, blockN) + STAGE_TAIL_BYTES)
  );
}

/** The most stages that fit in `maxSmemBytes` (capped at 16); 0 when not even one does. */
export function sm90Fp8Gemm1d2dMaxStages(blockM: number, blockN: number, maxSmemBytes = SM90_MAX_SMEM_BYTES): number {
  const fixed = alignUp(blockM * blockN * 2, 1024);
  const perStage = sm90Fp8Gemm1d2dStageBytes(blockM, blockN) + STAGE_TAIL_BYTES;
  return Math.max(0, Math.min(MAX_STAGES, Math.floor((maxSmemBytes - fixed) / perStage)));
}

/**
 * Tile order: consecutive tile indices walk `rasterGroup` blocks along the primary dimension (N when multicasting A,
 * else M) before moving along the other, so one wave of CTAs touches few distinct A and B rows (L2 reuse). 8 or 16,
 * whichever touches fewer operand rows per wave.
 */
export function sm90RasterGroup(c: Pick<Sm90Fp8Gemm1d2dConfig, 'blockM' | 'blockN' | 'multicast' | 'numSms'>): 8 | 16 {
  const [primary, secondary] = c.multicast === 'a' ? [c.blockN, c.blockM] : [c.blockM, c.blockN];
  const rows = (g: number) => g * primary + ceilDiv(c.numSms, g) * secondary;
  return rows(16) < rows(8) ? 16 : 8;
}

/**
 * Validates a config (TypeError for a wrong type, RangeError for a wrong value) and returns a normalised copy.
 * Rules: blockN a multiple of 8 in [16, 192] (accumulator + promoted registers must fit 232 per math thread), at
 * most 128 with blockM 256 (two slabs double the promoted registers); an N tile may straddle at most two 128-wide
 * B-scale blocks (blockN <= 128 + gcd(blockN, 128)); the stages fit SM90_MAX_SMEM_BYTES; numSms even when
 * multicasting; `pipeline: true` only where the tile allows it; `epilogue: 'warpgroup'` only with two math
 * warpgroups (blockM 128 or 256). The copy carries `l2Hints`, `pipeline` and `epilogue` only when they were given.
 */
export function checkSm90Fp8Gemm1d2dConfig(config: unknown): Sm90Fp8Gemm1d2dConfig {
  const what = 'sm90Fp8Gemm1d2d config';
  checkRecord(what, config);
  const blockM = checkInt(`${what}.blockM`, config.blockM, 64, 256);
  if (!(SM90_FP8_GEMM_1D2D_BLOCK_MS as readonly number[]).includes(blockM)) {
    throw new RangeError(`${what}.blockM: expected 64 | 128 | 256, got ${blockM}`);
  }
  const blockN = checkInt(`${what}.blockN`, config.blockN, 16, 192);
  if (blockN % 8 !== 0) throw new RangeError(`${what}.blockN: expected a multiple of 8, got ${blockN}`);
  if (blockM === 256 && blockN > 128) {
    throw new RangeError(`${what}.blockN: expected <= 128 with blockM 256 (registers), got ${blockN}`);
  }
  if (blockN > 128 + gcd(blockN, 128)) {
    throw new RangeError(
      `${what}.blockN: expected a tile to straddle at most two 128-wide scale blocks (blockN <= 128 + gcd(blockN, 128)), got ${blockN}`,
    );
  }
  const maxStages = sm90Fp8Gemm1d2dMaxStages(blockM, blockN);
  const numStages = checkInt(`${what}.numStages`, config.numStages, 1, MAX_STAGES);
  if (numStages > maxStages) {
    throw new RangeError(
      `${what}.numStages: expected at most ${maxStages} for blockM ${blockM}, blockN ${blockN} (${SM90_MAX_SMEM_BYTES} bytes of shared memory), got ${numStages}`,
    );
  }
  const multicast = checkOneOf(`${what}.multicast`, config.multicast, SM90_FP8_GEMM_1D2D_MULTICASTS);
  const numSms = checkInt(`${what}.numSms`, config.numSms, 1, 1024);
  if (multicast !== 'none' && numSms % 2 !== 0) {
    throw new RangeError(`${what}.numSms: expected an even number with multicast "${multicast}", got ${numSms}`);
  }
  const l2Hints = config.l2Hints === undefined ? undefined : checkBoolean(`${what}.l2Hints`, config.l2Hints);
  const pipeline = config.pipeline === undefined ? undefined : checkBoolean(`${what}.pipeline`, config.pipeline);
  if (pipeline === true && !sm90Fp8Gemm1d2dCanPipeline({ blockM: blockM as 64 | 128 | 256, blockN })) {
    throw new RangeError(
      `${what}.pipeline: expected false or unset for blockM ${blockM}, blockN ${blockN} (needs blockM 64 or 128 and blockN <= 128), got true`,
    );
  }
  const epilogue =
    config.epilogue === undefined
      ? undefined
      : checkOneOf(`${what}.epilogue`, config.epilogue, SM90_FP8_GEMM_1D2D_EPILOGUES);
  if (epilogue === 'warpgroup' && blockM === 64) {
    throw new RangeError(
      `${what}.epilogue: expected "joint" or unset for blockM 64 (one math warpgroup), got "warpgroup"`,
    );
  }
  const exactKUnroll =
    config.exactKUnroll === undefined ? undefined : checkBoolean(`${what}.exactKUnroll`, config.exactKUnroll);
  if (exactKUnroll === true && sm90Fp8Gemm1d2dPipelined({ blockM: blockM as 64 | 128 | 256, blockN, pipeline })) {
    throw new RangeError(
      `${what}.exactKUnroll: expected false or unset for a tile that runs the pipelined K loop (blockM ${blockM}, blockN ${blockN}; set pipeline: false for the plain one), got true`,
    );
  }
  return {
    blockM: blockM as 64 | 128 | 256,
    blockN,
    numStages,
    multicast,
    numSms,
    ...(l2Hints === undefined ? {} : { l2Hints }),
    ...(pipeline === undefined ? {} : { pipeline }),
    ...(epilogue === undefined ? {} : { epilogue }),
    ...(exactKUnroll === undefined ? {} : { exactKUnroll }),
  };
}

/** Why a config cannot run a shape (multicast pairing), or null when it can. */
export function sm90Fp8Gemm1d2dShapeProblem(c: Sm90Fp8Gemm1d2dConfig, shape: Sm90Fp8Gemm1d2dShape): string | null {
  if (c.multicast === 'a' && ceilDiv(shape.n, c.blockN) % 2 !== 0) {
    return `multicast "a" needs an even number of N blocks; ceil(${shape.n} / ${c.blockN}) = ${ceilDiv(shape.n, c.blockN)}`;
  }
  if (c.multicast === 'b' && ceilDiv(shape.m, c.blockM) % 2 !== 0) {
    return `multicast "b" needs an even number of M blocks; ceil(${shape.m} / ${c.blockM}) = ${ceilDiv(shape.m, c.blockM)}`;
  }
  return sm90Fp8Gemm1d2dExactKUnrollProblem(c, shape.k);
}

/** The plain K loop's unroll: 4 K blocks, 2 for two-slab tiles that straddle B-scale blocks (4 spills there). */
export function sm90Fp8Gemm1d2dKUnroll(c: Pick<Sm90Fp8Gemm1d2dConfig, 'blockM' | 'blockN'>): 2 | 4 {
  return c.blockM === 256 && FP8_GEMM_BLOCK_K % c.blockN !== 0 ? 2 : 4;
}

/** Why a config's `exactKUnroll` cannot run K, or null (also when the config does not ask for it). */
export function sm90Fp8Gemm1d2dExactKUnrollProblem(
  c: Pick<Sm90Fp8Gemm1d2dConfig, 'blockM' | 'blockN' | 'exactKUnroll'>,
  k: number,
): string | null {
  if (c.exactKUnroll !== true || kUnrollDivides(c, k)) return null;
  return `exactKUnroll needs ceil(K / ${FP8_GEMM_BLOCK_K}) to be a multiple of ${sm90Fp8Gemm1d2dKUnroll(c)}; ceil(${k} / ${FP8_GEMM_BLOCK_K}) = ${ceilDiv(k, FP8_GEMM_BLOCK_K)}`;
}

function kUnrollDivides(c: Pick<Sm90Fp8Gemm1d2dConfig, 'blockM' | 'blockN'>, k: number): boolean {
  return ceilDiv(k, FP8_GEMM_BLOCK_K) % sm90Fp8Gemm1d2dKUnroll(c) === 0;
}

/**
 * Whether withExactKUnroll would set exactKUnroll: unset in `c`, K > 0, a tile that runs the plain K loop, and K
 * blocks the unroll divides. No allocation (the launch path asks on every call).
 */
export function sm90Fp8Gemm1d2dWantsExactKUnroll(c: Sm90Fp8Gemm1d2dConfig, k: number): boolean {
  return c.exactKUnroll === undefined && k > 0 && !sm90Fp8Gemm1d2dPipelined(c) && kUnrollDivides(c, k);
}

/**
 * `c` with exactKUnroll set where it is unset and K allows it on a tile that runs the plain K loop; otherwise `c`
 * itself (so an explicit false, a pipelined tile or a K with a remainder keeps the general loop).
 */
export function withExactKUnroll(c: Sm90Fp8Gemm1d2dConfig, k: number): Sm90Fp8Gemm1d2dConfig {
  return sm90Fp8Gemm1d2dWantsExactKUnroll(c, k) ? { ...c, exactKUnroll: true } : c;
}

export function sm90Fp8Gemm1d2dKernelName(c: Sm90Fp8Gemm1d2dConfig): string {
  const mc = c.multicast === 'none' ? '' : `_mc${c.multicast}`;
  const pipe = sm90Fp8Gemm1d2dPipelined(c) ? '_p' : '';
  const epilogue = c.epilogue === 'warpgroup' ? '_ewg' : '';
  const exact = c.exactKUnroll === true ? `_xk${sm90Fp8Gemm1d2dKUnroll(c)}` : '';
  return `dg_sm90_fp8_gemm_1d2d_m${c.blockM}_n${c.blockN}_s${c.numStages}${mc}${pipe}${epilogue}${exact}_g${sm90RasterGroup(c)}`;
}

/**
 * Whether the kernel runs its pipelined K loop (two accumulator sets, K block kb + 1's WGMMAs in flight while kb is
 * promoted): with one 64-row slab per warpgroup (blockM 64 or 128) and blockN <= 128, where the third set of
 * accumulators still fits the registers, unless the config says `pipeline: false`. Part of the kernel name.
 */
export function sm90Fp8Gemm1d2dPipelined(c: Pick<Sm90Fp8Gemm1d2dConfig, 'blockM' | 'blockN' | 'pipeline'>): boolean {
  return c.pipeline !== false && sm90Fp8Gemm1d2dCanPipeline(c);
}

function sm90Fp8Gemm1d2dCanPipeline(c: Pick<Sm90Fp8Gemm1d2dConfig, 'blockM' | 'blockN'>): boolean {
  return c.blockM !== 256 && c.blockN <= 128;
}

export function renderSm90Fp8Gemm1d2d(config: Sm90Fp8Gemm1d2dConfig): RenderedKernel<Sm90Fp8Gemm1d2dShape> {
  const c = checkSm90Fp8Gemm1d2dConfig(config);
  const name = sm90Fp8Gemm1d2dKernelName(c);
  const { mathWarpgroups, waves } = sm90Fp8Gemm1d2dWarpgroups(c.blockM);
  const threads = TMA_THREADS + 128 * mathWarpgroups;
  const cluster = c.multicast === 'none' ? 1 : 2;
  const rasterGroup = sm90RasterGroup(c);
  const template = [
    c.blockM,
    c.blockN,
    c.numStages,
    mathWarpgroups,
    waves,
    cluster,
    c.multicast === 'a' ? 'true' : 'false',
    rasterGroup,
    sm90OutputSwizzleBytes(c.blockN),
    sm90Fp8Gemm1d2dPipelined(c) ? 'true' : 'false',
    c.epilogue === 'warpgroup' ? 'true' : 'false',
    c.exactKUnroll === true ? 'true' : 'false',
  ].join(', ');
  const source = [
    `// ${name}: rendered by @dg/kernels sm90Fp8Gemm1d2d ${JSON.stringify(c)}`,
    '#include <dg/kernels/sm90_fp8_gemm_1d2d.cuh>',
    '',
    `extern "C" __global__ void __launch_bounds__(${threads}, 1)`,
    `${name}(dg::u32 m, dg::u32 n, dg::u32 k, dg::u32 streamed, const __grid_constant__ dg::CUtensorMap tmap_a,`,
    `    const __grid_constant__ dg::CUtensorMap tmap_b, const __grid_constant__ dg::CUtensorMap tmap_d,`,
    `    const __grid_constant__ dg::CUtensorMap tmap_sfa, const __grid_constant__ dg::CUtensorMap tmap_sfb) {`,
    `  dg::sm90_fp8_gemm_1d2d<${template}>(m, n, k, streamed, tmap_a, tmap_b, tmap_d, tmap_sfa, tmap_sfb);`,
    '}',
    '',
  ].join('\n');
  return {
    name,
    source,
    includeDirs: [cudaIncludeDir],
    compilerFlags: GEMM_COMPILER_FLAGS,
    blockDim: [threads, 1, 1],
    clusterDim: [cluster, 1, 1],
    dynamicSmemBytes: sm90Fp8Gemm1d2dSmemBytes(c.blockM, c.blockN, c.numStages),
    launchBounds: { maxThreads: threads, minBlocksPerSm: 1 },
    params: SM90_FP8_GEMM_1D2D_PARAMS,
    pdl: true,
    gridFor(shape: Sm90Fp8Gemm1d2dShape): Dim3 {
      checkRecord(`${name} shape`, shape);
      const m = checkInt(`${name} shape.m`, shape.m, 1, U32_MAX);
      const n = checkInt(`${name} shape.n`, shape.n, 8, U32_MAX);
      checkInt(`${name} shape.k`, shape.k, 16, U32_MAX);
      const problem = sm90Fp8Gemm1d2dShapeProblem(c, { m, n, k: shape.k });
      if (problem !== null) throw new RangeError(`${name} shape: ${problem}`);
      return [persistentGridSize(c, { m, n }), 1, 1];
    },
  };
}

/**
 * Every config the compile test builds: each legal (blockM, blockN) at its largest stage count, both multicasts, the
 * plain K loop (`pipeline: false`) of every tile that would otherwise run the pipelined one, the per-warpgroup
 * epilogue of every two-warpgroup tile (each multicast), and the exact-K-unroll loop of every tile that runs the
 * plain loop (each multicast and epilogue).
 */
export function listSm90Fp8Gemm1d2dVariants(numSms = 132): Sm90Fp8Gemm1d2dConfig[] {
  const out: Sm90Fp8Gemm1d2dConfig[] = [];
  for (const blockM of SM90_FP8_GEMM_1D2D_BLOCK_MS) {
    for (let blockN = 16; blockN <= 192; blockN += 8) {
      if (blockM === 256 && blockN > 128) continue;
      if (blockN > 128 + gcd(blockN, 128)) continue;
      const numStages = sm90Fp8Gemm1d2dMaxStages(blockM, blockN);
      for (const multicast of SM90_FP8_GEMM_1D2D_MULTICASTS) out.push({ blockM, blockN, numStages, multicast, numSms });
      if (sm90Fp8Gemm1d2dCanPipeline({ blockM, blockN })) {
        out.push({ blockM, blockN, numStages, multicast: 'none', numSms, pipeline: false });
      }
      if (blockM !== 64) {
        for (const multicast of SM90_FP8_GEMM_1D2D_MULTICASTS) {
          out.push({ blockM, blockN, numStages, multicast, numSms, epilogue: 'warpgroup' });
        }
      }
      if (!sm90Fp8Gemm1d2dCanPipeline({ blockM, blockN })) {
        for (const multicast of SM90_FP8_GEMM_1D2D_MULTICASTS) {
          out.push({ blockM, blockN, numStages, multicast, numSms, exactKUnroll: true });
          if (blockM !== 64) {
            out.push({ blockM, blockN, numStages, multicast, numSms, epilogue: 'warpgroup', exactKUnroll: true });
          }
        }
      }
    }
  }
  return out;
}

export const sm90Fp8Gemm1d2d: KernelFamily<Sm90Fp8Gemm1d2dConfig, Sm90Fp8Gemm1d2dShape> = {
  family: 'sm90Fp8Gemm1d2d',
  render: renderSm90Fp8Gemm1d2d,
  listVariants: () => listSm90Fp8Gemm1d2dVariants(),
};
