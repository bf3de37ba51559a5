// The scales in layouts the kernels' TMA can read. A (and 1D1D's B) per-token scales: MN-major, each K-block column
// a 16-byte aligned run of MN floats. 1D2D's per-block B scales: K-major, each row a 16-byte aligned run of K blocks.

import type { Stream, Tensor } from '@dg/runtime';
import { getKMajorTmaAlignedTensor, getMnMajorTmaAlignedTensor } from '../layout.js';

/**
 * True when a TMA box {BLOCK_M, 1} can read `sf` ([mn, sfk] f32) as is: MN-major with any column stride >= mn that
 * keeps columns 16-byte aligned. Looser than getMnMajorTmaAlignedTensor's exact align(mn, 4), so padded layouts made
 * elsewhere need no copy.
 */
function isMnMajorTmaReadable(sf: Tensor): boolean {
  const [mn = 0, sfk = 0] = sf.shape;
  const [s0, s1] = sf.strides;
  return (s0 === 1 || mn === 1) && (s1 === undefined || sfk === 1 || (s1 >= mn && s1 % 4 === 0));
}

/**
 * `sf` itself when TMA can read it, else the MN-major TMA-aligned copy made on the device (asynchronous on `stream`;
 * a new allocation per call, so pass aligned scales on hot paths).
 */
export function mnMajorTmaAlignedScales(sf: Tensor<'f32'>, stream: Stream | undefined): Tensor<'f32'> {
  return isMnMajorTmaReadable(sf) ? sf : getMnMajorTmaAlignedTensor(sf, { stream });
}

/** Column stride in elements of an MN-major [mn, sfk] scale tensor (the tensor map's outer stride). */
export function mnMajorColumnStride(sf: Tensor): number {
  const [mn = 0, sfk = 0] = sf.shape;
  return sfk <= 1 ? Math.ceil(mn / 4) * 4 : (sf.strides[1] ?? 0);
}

/** True when TMA boxes {4, rows} can read `sf` ([rows, sfk] f32) as is: K-contiguous rows, 16-byte aligned. */
function isKMajorTmaReadable(sf: Tensor): boolean {
  const [rows = 0, sfk = 0] = sf.shape;
  const [s0, s1] = sf.strides;
  return (s1 === 1 || sfk === 1) && (s0 === undefined || rows === 1 || (s0 >= sfk && s0 % 4 === 0));
}

/**
 * `sf` itself when TMA can read it K-major, else the K-major TMA-aligned copy made on the device (asynchronous on
 * `stream`; a new allocation per call: transformSfIntoRequiredLayout prepares B scales once instead).
 */
export function kMajorTmaAlignedScales(sf: Tensor<'f32'>, stream: Stream | undefined): Tensor<'f32'> {
  return isKMajorTmaReadable(sf) ? sf : getKMajorTmaAlignedTensor(sf, { stream });
}

/** Row stride in elements of a K-major [rows, sfk] scale tensor (the tensor map's outer stride). */
export function kMajorRowStride(sf: Tensor): number {
  const [rows = 0, sfk = 0] = sf.shape;
  return rows <= 1 ? Math.ceil(sfk / 4) * 4 : (sf.strides[0] ?? 0);
}
