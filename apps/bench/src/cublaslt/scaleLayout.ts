// The scale-factor layouts cuBLASLt's block-scaled FP8 GEMM reads on Hopper (cuBLAS 12.9+), for an operand stored
// row-major [rows, k] (K-major; cuBLAS sees it column-major k x rows). cuBLASLt takes no stride for a scale tensor: the
// layout is implied by the mode and the operand's size, so the tensor must be exactly this, padding included.
//
//   VEC128_32F (1 x 128, per token): shape [rows, ceil(k/128)], element (r, kb) at kb * align(rows, 4) + r, i.e.
//     MN-major with each K-block column padded to a multiple of 4 rows (16 bytes). This is DeepGEMM's MN-major
//     TMA-aligned layout, which @dg/quant/device writes with scaleLayout 'mnMajorTmaAligned': no conversion.
//   BLK128x128_32F (128 x 128): shape [ceil(rows/128), ceil(k/128)], element (rb, kb) at rb * align(ceil(k/128), 4) + kb,
//     i.e. row-major (K-blocks contiguous) with each row padded to a multiple of 4 (16 bytes). @dg/quant writes it
//     unpadded ([ceil(k/128), 1] strides), the same bytes when ceil(k/128) % 4 == 0 (every `dense` shape); otherwise the
//     bench pads a copy once per shape, outside the timed region.
//
// Checked on an H100 (cuBLAS 13.1, 2026-11-21): with these layouts cuBLASLt blockwise matches the FP64 product of the
// BF16 inputs to calcDiff 6.4e-4 .. 7.0e-4 (DeepGEMM's figure on the same inputs is 6.8e-4) on every dense shape and on
// padded ones (K = 7296 and 256: 57 and 2 K-blocks), and agrees with @dg/gemm's kernel to 1e-9. Its heuristic finds no
// blockwise algorithm when rows (M) % 4 != 0, so the MN-major padding never differs from an unpadded M there.
//
// Sources: NVIDIA TransformerEngine, Float8BlockQuantizer::get_scale_shape (GEMM_READY format: 1D scales
// [ceil(K/128), roundup(M, 4)], 2D scales [ceil(M/128), roundup(ceil(K/128), 4)]) and the CuBLASScaleMunger of its
// blockwise tests ("cuBLAS GEMMs requires 1x128 quantized tensors to have scales transposed ... For 128x128 quantized
// tensors, the GEMM expects (M, PadToAlign(RoundUpDivide(N, 128), 4))"); PyTorch's _scaled_mm checks agree
// (is_blockwise_1x128_scaling: strides [1, rows], "outer-dim-major"; is_blockwise_128x128_scaling: inner stride 1).

export interface ScaleLayout {
  /** Logical shape: [rows, ceil(k/128)] (VEC128) or [ceil(rows/128), ceil(k/128)] (BLK128x128). */
  shape: [number, number];
  /** Element strides. */
  strides: [number, number];
  /** Floats the buffer must hold, padding included. */
  storageElements: number;
}

const ceilDiv = (a: number, b: number) => Math.ceil(a / b);
const alignUp = (a: number, b: number) => ceilDiv(a, b) * b;

/** Per-token (1 x 128) scales of a row-major [rows, k] operand, as VEC128_32F reads them. */
export function vec128ScaleLayout(rows: number, k: number): ScaleLayout {
  const sk = ceilDiv(k, 128);
  const ld = alignUp(rows, 4);
  return { shape: [rows, sk], strides: [1, ld], storageElements: sk * ld };
}

/** Per-block (128 x 128) scales of a row-major [rows, k] operand, as BLK128x128_32F reads them. */
export function blk128x128ScaleLayout(rows: number, k: number): ScaleLayout {
  const sk = ceilDiv(k, 128);
  const ld = alignUp(sk, 4);
  const rb = ceilDiv(rows, 128);
  return { shape: [rb, sk], strides: [ld, 1], storageElements: rb * ld };
}

/** Whether a strided tensor description is exactly `layout` (extent-1 dims may have any stride). */
export function matchesScaleLayout(
  t: { readonly shape: readonly number[]; readonly strides: readonly number[] },
  layout: ScaleLayout,
): boolean {
  if (t.shape.length !== 2 || t.strides.length !== 2) return false;
  for (let i = 0; i < 2; i++) {
    if (t.shape[i] !== layout.shape[i]) return false;
    if (layout.shape[i]! > 1 && t.strides[i] !== layout.strides[i]) return false;
  }
  return true;
}

/**
 * Writes scales given in logical row-major order ([shape[0], shape[1]], as Tensor.toArray returns them) into a fresh
 * buffer of `layout` (padding zeroed).
 */
export function packScales(logical: Float32Array, layout: ScaleLayout): Float32Array {
  const [r, c] = layout.shape;
  if (logical.length !== r * c) {
    throw new RangeError(`packScales: 'logical' must hold ${r} x ${c} = ${r * c} floats; got ${logical.length}`);
  }
  const out = new Float32Array(layout.storageElements);
  const [s0, s1] = layout.strides;
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) out[i * s0 + j * s1] = logical[i * c + j]!;
  return out;
}
