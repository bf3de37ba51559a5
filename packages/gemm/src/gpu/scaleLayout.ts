// The A scales in the layout the kernels' TMA reads: MN-major, each K-block column a 16-byte aligned run of M floats.

import { toMnMajorTmaAligned } from '@dg/quant/device';
import type { Stream, Tensor } from '@dg/runtime';

/** True when `sf` ([mn, sfk] f32) can be read by a TMA box {BLOCK_M, 1} as is. */
export function isMnMajorTmaAligned(sf: Tensor): boolean {
  const [mn = 0, sfk = 0] = sf.shape;
  const [s0, s1] = sf.strides;
  return (s0 === 1 || mn === 1) && (s1 === undefined || sfk === 1 || (s1 >= mn && s1 % 4 === 0));
}

/**
 * `sf` itself when it already is MN-major TMA-aligned, else a transposed copy made on the device (asynchronous on
 * `stream`; the copy is a new allocation per call, so pass aligned scales on hot paths).
 */
export function mnMajorTmaAlignedScales(sf: Tensor<'f32'>, stream: Stream | undefined): Tensor<'f32'> {
  if (isMnMajorTmaAligned(sf)) return sf;
  const rowMajor = sf.isContiguous() ? sf : sf.contiguous();
  return toMnMajorTmaAligned(rowMajor, { stream }) as Tensor<'f32'>;
}

/** Row stride in elements of an MN-major [mn, sfk] scale tensor (what the tensor map's outer stride is). */
export function mnMajorColumnStride(sf: Tensor): number {
  const [mn = 0, sfk = 0] = sf.shape;
  return sfk <= 1 ? Math.ceil(mn / 4) * 4 : (sf.strides[1] ?? 0);
}
