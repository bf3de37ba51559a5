import { alignUp, ceilDiv, checkInt, checkOneOf, checkRecord, GRID_X_MAX, GRID_YZ_MAX, U32_MAX } from './checks.js';
import type { Dim3, KernelFamily, KernelParam, RenderedKernel } from './kernel.js';
import { cudaIncludeDir } from './paths.js';

/**
 * Scale-factor layout transforms (cuda/dg/kernels/sf_layout.cuh) from FP32 row-major `[groups, mn, sfk]`:
 * - `transposeFp32`: FP32, MN-major TMA-aligned: `out[g][k][mn]`, column stride `align(mn, 4)`, padding 0.
 * - `packUe8m0`: int32, MN-major: byte t of word j is `(bits(sf[4j+t]) >> 23) & 0xff` (0 past sfk),
 *   `out[g][j][mn]` with `j < ceil(sfk/4)`, column stride `align(mn, 4)` words, padding 0.
 */
export interface SfLayoutConfig {
  readonly kind: 'transposeFp32' | 'packUe8m0';
}

/** Launch shape: input `[groups, mn, sfk]`, contiguous. */
export interface SfLayoutShape {
  readonly mn: number;
  readonly sfk: number;
  readonly groups: number;
}

export const SF_LAYOUT_KINDS = ['transposeFp32', 'packUe8m0'] as const;

/** Parameters of both entries, in order (`out` is f32 for transposeFp32, u32 words for packUe8m0). */
export const SF_LAYOUT_PARAMS: readonly KernelParam[] = [
  { name: 'in', type: 'ptr' },
  { name: 'out', type: 'ptr' },
  { name: 'mn', type: 'u32' },
  { name: 'sfk', type: 'u32' },
];

const THREADS = 256;
/** Tile staged in shared memory per CTA, mirrored from sf_layout.cuh. */
const TILE_MN = 64;
const TILE_K = 32;

export function checkSfLayoutConfig(config: unknown): SfLayoutConfig {
  checkRecord('sfLayout config', config);
  return { kind: checkOneOf('sfLayout config.kind', config.kind, SF_LAYOUT_KINDS) };
}

export function sfLayoutKernelName(config: SfLayoutConfig): string {
  return config.kind === 'transposeFp32' ? 'dg_sf_transpose_fp32' : 'dg_sf_transpose_pack_ue8m0';
}

export function renderSfLayout(config: SfLayoutConfig): RenderedKernel<SfLayoutShape> {
  const c = checkSfLayoutConfig(config);
  const name = sfLayoutKernelName(c);
  const fp32 = c.kind === 'transposeFp32';
  const source = [
    `// ${name}: rendered by @dg/kernels sfLayout ${JSON.stringify(c)}`,
    '#include <dg/kernels/sf_layout.cuh>',
    '',
    `extern "C" __global__ void __launch_bounds__(${THREADS})`,
    `${name}(const dg::f32* __restrict__ in, ${fp32 ? 'dg::f32' : 'dg::u32'}* __restrict__ out, dg::u32 mn, dg::u32 sfk) {`,
    `  dg::${fp32 ? 'sf_transpose_fp32' : 'sf_transpose_pack_ue8m0'}<${THREADS}>(in, out, mn, sfk);`,
    '}',
    '',
  ].join('\n');
  return {
    name,
    source,
    includeDirs: [cudaIncludeDir],
    blockDim: [THREADS, 1, 1],
    clusterDim: [1, 1, 1],
    dynamicSmemBytes: 0,
    launchBounds: { maxThreads: THREADS, minBlocksPerSm: 1 },
    params: SF_LAYOUT_PARAMS,
    pdl: true,
    gridFor(shape: SfLayoutShape): Dim3 {
      checkRecord(`${name} shape`, shape);
      const mn = checkInt(`${name} shape.mn`, shape.mn, 1, U32_MAX - 3);
      const sfk = checkInt(`${name} shape.sfk`, shape.sfk, 1, GRID_YZ_MAX * TILE_K);
      const groups = checkInt(`${name} shape.groups`, shape.groups, 1, GRID_YZ_MAX);
      const outColumns = fp32 ? sfk : ceilDiv(sfk, 4);
      if (groups * outColumns * alignUp(mn, 4) > 2 ** 53 || groups * mn * sfk > 2 ** 53) {
        throw new RangeError(`${name} shape: tensor too large (groups=${groups}, mn=${mn}, sfk=${sfk})`);
      }
      return [Math.min(ceilDiv(alignUp(mn, 4), TILE_MN), GRID_X_MAX), ceilDiv(sfk, TILE_K), groups];
    },
  };
}

/** Logical shape and element strides of the output for input `[groups, mn, sfk]`. */
export function sfLayoutOutputShape(
  config: SfLayoutConfig,
  shape: SfLayoutShape,
): { shape: number[]; strides: number[] } {
  const c = checkSfLayoutConfig(config);
  const cols = c.kind === 'transposeFp32' ? shape.sfk : ceilDiv(shape.sfk, 4);
  const alignedMn = alignUp(shape.mn, 4);
  return { shape: [shape.groups, shape.mn, cols], strides: [cols * alignedMn, 1, alignedMn] };
}

export function listSfLayoutVariants(): SfLayoutConfig[] {
  return SF_LAYOUT_KINDS.map((kind) => ({ kind }));
}

export const sfLayout: KernelFamily<SfLayoutConfig, SfLayoutShape> = {
  family: 'sfLayout',
  render: renderSfLayout,
  listVariants: listSfLayoutVariants,
};
