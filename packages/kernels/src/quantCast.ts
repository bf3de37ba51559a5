import {
  alignUp,
  ceilDiv,
  checkBoolean,
  checkInt,
  checkOneOf,
  checkRecord,
  GRID_X_MAX,
  GRID_YZ_MAX,
  U32_MAX,
} from './checks.js';
import type { Dim3, KernelFamily, KernelParam, RenderedKernel } from './kernel.js';
import { cudaIncludeDir } from './paths.js';

/**
 * FP8 e4m3fn casts with FP32 scales (cuda/dg/kernels/quant_cast.cuh), bit-identical to @dg/quant's CPU casts.
 * - `perToken`: one scale per 1 x `granularity` group along K; scales row-major `[M, ceil(K/G)]` or directly in the
 *   MN-major TMA-aligned layout (`ceil(K/G)` columns of `align(M, 4)` floats, padding rows 0).
 * - `perBlock`: one scale per 128 x 128 tile, row-major `[ceil(M/128), ceil(K/128)]`.
 */
export interface QuantCastConfig {
  readonly kind: 'perToken' | 'perBlock';
  readonly input: 'bf16' | 'f32';
  /** Elements per group along K: 128 for `perBlock`; for `perToken` one of QUANT_CAST_GRANULARITIES. */
  readonly granularity: number;
  /** Round each scale up to a power of two (UE8M0). */
  readonly ue8m0: boolean;
  readonly scaleLayout: 'rowMajor' | 'mnMajorTmaAligned';
}

/** Launch shape: x is `[m, k]`; `numSms` sizes the persistent per-token grid (ignored by `perBlock`). */
export interface QuantCastShape {
  readonly m: number;
  readonly k: number;
  readonly numSms: number;
}

export const QUANT_CAST_KINDS = ['perToken', 'perBlock'] as const;
export const QUANT_CAST_INPUTS = ['bf16', 'f32'] as const;
export const QUANT_CAST_SCALE_LAYOUTS = ['rowMajor', 'mnMajorTmaAligned'] as const;
/**
 * Per-token group sizes: G/16 lanes of one warp share a group (16 elements each) and reduce its amax with a shuffle
 * tree, so G/16 must be a power of two of at most 32.
 */
export const QUANT_CAST_GRANULARITIES: readonly number[] = [16, 32, 64, 128, 256, 512];

/** Parameters of every quant-cast entry, in order. */
export const QUANT_CAST_PARAMS: readonly KernelParam[] = [
  { name: 'x', type: 'ptr' },
  { name: 'out', type: 'ptr' },
  { name: 'sf', type: 'ptr' },
  { name: 'm', type: 'u32' },
  { name: 'k', type: 'u32' },
];

const THREADS = 256;
const PER_BLOCK = 128;
/**
 * Resident CTAs per SM the per-token kernel is register-capped for (`__launch_bounds__(256, 3)`: <= 80 registers).
 * 768 threads x 128 bytes of loads in flight is several times what an SM needs to saturate HBM; at 4 CTAs (64
 * registers) the 16-element groups spill.
 */
const PER_TOKEN_CTAS_PER_SM = 3;

/** Validates a config (TypeError for a wrong type, RangeError for a wrong value) and returns a normalised copy. */
export function checkQuantCastConfig(config: unknown): QuantCastConfig {
  checkRecord('quantCast config', config);
  const kind = checkOneOf('quantCast config.kind', config.kind, QUANT_CAST_KINDS);
  const input = checkOneOf('quantCast config.input', config.input, QUANT_CAST_INPUTS);
  const granularity = checkInt('quantCast config.granularity', config.granularity, 1, 1024);
  const ue8m0 = checkBoolean('quantCast config.ue8m0', config.ue8m0);
  const scaleLayout = checkOneOf('quantCast config.scaleLayout', config.scaleLayout, QUANT_CAST_SCALE_LAYOUTS);
  if (kind === 'perBlock') {
    if (granularity !== PER_BLOCK) {
      throw new RangeError(`quantCast config.granularity: expected 128 for kind "perBlock", got ${granularity}`);
    }
    if (scaleLayout !== 'rowMajor') {
      throw new RangeError(
        `quantCast config.scaleLayout: expected "rowMajor" for kind "perBlock", got "${scaleLayout}"`,
      );
    }
  } else if (!QUANT_CAST_GRANULARITIES.includes(granularity)) {
    throw new RangeError(
      `quantCast config.granularity: expected one of ${QUANT_CAST_GRANULARITIES.join(', ')}, got ${granularity}`,
    );
  }
  return { kind, input, granularity, ue8m0, scaleLayout };
}

/** Mirrors the constexpr split in quant_cast_per_token: groups one warp handles per grid-stride step. */
function perTokenGroupsPerWarpStep(config: QuantCastConfig): number {
  const lanesPerGroup = config.granularity / 16;
  const unroll = config.input === 'bf16' ? 4 : 2;
  return (32 / lanesPerGroup) * unroll;
}

export function quantCastKernelName(config: QuantCastConfig): string {
  const kind = config.kind === 'perToken' ? 'per_token' : 'per_block';
  const layout = config.scaleLayout === 'rowMajor' ? 'rowmajor' : 'mnmajor';
  return `dg_quant_cast_${kind}_${config.input}_g${config.granularity}${config.ue8m0 ? '_ue8m0' : ''}_${layout}`;
}

function checkShape(name: string, shape: unknown, granularity: number): QuantCastShape {
  checkRecord(`${name} shape`, shape);
  const m = checkInt(`${name} shape.m`, shape.m, 1, U32_MAX);
  const k = checkInt(`${name} shape.k`, shape.k, 16, U32_MAX);
  const numSms = checkInt(`${name} shape.numSms`, shape.numSms, 1, 1 << 16);
  if (k % 16 !== 0) throw new RangeError(`${name} shape.k: expected a multiple of 16 (16-byte e4m3 rows), got ${k}`);
  // The kernel walks groups with a 32-bit index; 2^31 leaves headroom for its last grid-stride increment.
  if (m * ceilDiv(k, granularity) >= 2 ** 31) {
    throw new RangeError(`${name} shape: expected m * ceil(k / ${granularity}) < 2^31 groups, got m=${m}, k=${k}`);
  }
  return { m, k, numSms };
}

export function renderQuantCast(config: QuantCastConfig): RenderedKernel<QuantCastShape> {
  const c = checkQuantCastConfig(config);
  const name = quantCastKernelName(c);
  const inputEnum = c.input === 'bf16' ? 'dg::QuantInput::kBf16' : 'dg::QuantInput::kF32';
  const perToken = c.kind === 'perToken';
  const minBlocksPerSm = perToken ? PER_TOKEN_CTAS_PER_SM : c.input === 'bf16' ? 4 : 2;
  const call = perToken
    ? `dg::quant_cast_per_token<${inputEnum}, ${c.granularity}, ${c.ue8m0}, ${c.scaleLayout === 'mnMajorTmaAligned'}, ${THREADS}>`
    : `dg::quant_cast_per_block<${inputEnum}, ${c.ue8m0}, ${THREADS}>`;
  const source = [
    `// ${name}: rendered by @dg/kernels quantCast ${JSON.stringify(c)}`,
    '#include <dg/kernels/quant_cast.cuh>',
    '',
    `extern "C" __global__ void __launch_bounds__(${THREADS}, ${minBlocksPerSm})`,
    `${name}(const void* __restrict__ x, dg::u8* __restrict__ out, dg::f32* __restrict__ sf, dg::u32 m, dg::u32 k) {`,
    `  ${call}(x, out, sf, m, k);`,
    '}',
    '',
  ].join('\n');
  const groupsPerWarpStep = perToken ? perTokenGroupsPerWarpStep(c) : 0;
  return {
    name,
    source,
    includeDirs: [cudaIncludeDir],
    blockDim: [THREADS, 1, 1],
    clusterDim: [1, 1, 1],
    dynamicSmemBytes: 0,
    launchBounds: { maxThreads: THREADS, minBlocksPerSm },
    params: QUANT_CAST_PARAMS,
    pdl: true,
    gridFor(shape: QuantCastShape): Dim3 {
      const s = checkShape(name, shape, c.granularity);
      if (perToken) {
        // Persistent: enough CTAs to fill the SMs at the capped occupancy, fewer when there is less work.
        const groups = s.m * ceilDiv(s.k, c.granularity);
        const ctasNeeded = ceilDiv(ceilDiv(groups, groupsPerWarpStep), THREADS / 32);
        return [Math.min(ctasNeeded, s.numSms * PER_TOKEN_CTAS_PER_SM, GRID_X_MAX), 1, 1];
      }
      const tilesM = ceilDiv(s.m, PER_BLOCK);
      if (tilesM > GRID_YZ_MAX) {
        throw new RangeError(`${name} shape.m: expected at most ${GRID_YZ_MAX * PER_BLOCK} rows, got ${s.m}`);
      }
      return [ceilDiv(s.k, PER_BLOCK), tilesM, 1];
    },
  };
}

/** Logical shape and element strides of the scale tensor a config writes for an `[m, k]` input. */
export function quantCastScaleShape(
  config: QuantCastConfig,
  m: number,
  k: number,
): { shape: number[]; strides: number[] } {
  const c = checkQuantCastConfig(config);
  if (c.kind === 'perBlock') {
    const cols = ceilDiv(k, PER_BLOCK);
    return { shape: [ceilDiv(m, PER_BLOCK), cols], strides: [cols, 1] };
  }
  const sfk = ceilDiv(k, c.granularity);
  return c.scaleLayout === 'rowMajor'
    ? { shape: [m, sfk], strides: [sfk, 1] }
    : { shape: [m, sfk], strides: [1, alignUp(m, 4)] };
}

export function listQuantCastVariants(): QuantCastConfig[] {
  const out: QuantCastConfig[] = [];
  for (const input of QUANT_CAST_INPUTS) {
    for (const ue8m0 of [false, true]) {
      for (const granularity of QUANT_CAST_GRANULARITIES) {
        for (const scaleLayout of QUANT_CAST_SCALE_LAYOUTS) {
          out.push({ kind: 'perToken', input, granularity, ue8m0, scaleLayout });
        }
      }
      out.push({ kind: 'perBlock', input, granularity: PER_BLOCK, ue8m0, scaleLayout: 'rowMajor' });
    }
  }
  return out;
}

export const quantCast: KernelFamily<QuantCastConfig, QuantCastShape> = {
  family: 'quantCast',
  render: renderQuantCast,
  listVariants: listQuantCastVariants,
};
