// The scales in layouts the kernels' TMA can read. A (and 1D1D's B) per-token scales: MN-major, each K-block column
// a 16-byte aligned run of MN floats. 1D2D's per-block B scales: K-major, each row a 16-byte aligned run of K blocks.

import type { Stream, Tensor } from '@dg/runtime';
import { getKMajorTmaAlignedTensor, getMnMajorTmaAlignedTensor } from '../layout.js';

/**
 * True when TMA can read an [outer, inner] run layout as is: unit stride along `inner` (or a single element) and an
 * outer stride that keeps each run 16-byte aligned (>= inner, a multiple of 4 floats). Looser than the exact
 * align(inner, 4) of the layout helpers, so padded layouts made elsewhere need no copy.
 */
function tmaReadable(
  inner: number,
  outer: number,
  innerStride: number | undefined,
  outerStride: number | undefined,
): boolean {
  return (
    (innerStride === 1 || inner === 1) &&
    (outerStride === undefined || outer === 1 || (outerStride >= inner && outerStride % 4 === 0))
  );
}

/** The outer stride in elements of such a layout (the tensor map's stride); aligned when there is one run only. */
function runStride(inner: number, outer: number, outerStride: number | undefined): number {
  return outer <= 1 ? Math.ceil(inner / 4) * 4 : (outerStride ?? 0);
}

/**
 * `sf` ([mn, sfk] f32) itself when a TMA box {BLOCK_M, 1} can read it MN-major (each K-block column a run of mn
 * floats), else the MN-major TMA-aligned copy made on the device (asynchronous on `stream`; a new allocation per
 * call, so pass aligned scales on hot paths).
 */
export function mnMajorTmaAlignedScales(sf: Tensor<'f32'>, stream: Stream | undefined): Tensor<'f32'> {
  const [mn = 0, sfk = 0] = sf.shape;
  return tmaReadable(mn, sfk, sf.strides[0], sf.strides[1]) ? sf : getMnMajorTmaAlignedTensor(sf, { stream });
}

/** Column stride in elements of an MN-major [mn, sfk] scale tensor (the tensor map's outer stride). */
export function mnMajorColumnStride(sf: Tensor): number {
  const [mn = 0, sfk = 0] = sf.shape;
  return runStride(mn, sfk, sf.strides[1]);
}

/**
 * `sf` ([rows, sfk] f32) itself when TMA boxes {4, rows} can read it K-major (each row a run of sfk floats), else
 * the K-major TMA-aligned copy made on the device (asynchronous on `stream`; a new allocation per call:
 * transformSfIntoRequiredLayout prepares B scales once instead).
 */
export function kMajorTmaAlignedScales(sf: Tensor<'f32'>, stream: Stream | undefined): Tensor<'f32'> {
  const [rows = 0, sfk = 0] = sf.shape;
  return tmaReadable(sfk, rows, sf.strides[1], sf.strides[0]) ? sf : getKMajorTmaAlignedTensor(sf, { stream });
}

/** Row stride in elements of a K-major [rows, sfk] scale tensor (the tensor map's outer stride). */
export function kMajorRowStride(sf: Tensor): number {
  const [rows = 0, sfk = 0] = sf.shape;
  return runStride(sfk, rows, sf.strides[0]);
}
