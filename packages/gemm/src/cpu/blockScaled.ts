// The FP8 kernels' two-level ("promoted") accumulation, on the CPU. The tensor cores never accumulate across more than
// one 128-wide K block; each block's partial sum is scaled and added into an FP32 accumulator:
//   for every K block kb (the last one may be partial):
//     partial = FP32( Σ_{k in kb} a[m, k] · b[n, k] )
//     out[m, n] = FP32( out[m, n] + FP32(sfa[m, kb] · sfb[row(n), kb]) · partial )     (one FFMA on the GPU)
// The products of two e4m3 values are multiples of 2^-18 below 2^18, so a block's sum (at most 128 of them) is exact in
// double precision whatever the order: `partial` is the exact block sum rounded once to FP32, deterministic and at
// least as accurate as the tensor core's own accumulation. The last step rounds the double result of out + s·partial
// (s·partial is exact) to FP32: the FFMA, up to a double rounding.

import { addDotProducts } from './dots.js';

/** Elements of K one scale factor covers. */
export const K_BLOCK = 128;

export interface BlockScaledOperands {
  /** Decoded A, row-major [m, k]. */
  readonly a: Float64Array;
  /** Decoded B, row-major [n, k]. */
  readonly b: Float64Array;
  /** A scales, row-major [m, ceil(k/128)]. */
  readonly sfa: Float64Array;
  /** B scales, row-major [rows, ceil(k/128)]: row floor(n / sfbRowSpan) scales row n of B. */
  readonly sfb: Float64Array;
  /** Rows of B one B scale covers: 128 (per block, fp8GemmNt) or 1 (per channel, fp8GemmNtAccumulate). */
  readonly sfbRowSpan: number;
}

/** out (row-major FP32 [m, n], holding the initial value) += the block-scaled product of `x`. */
export function accumulateBlockScaled(
  x: BlockScaledOperands,
  m: number,
  n: number,
  k: number,
  out: Float32Array,
): void {
  const { sfa, sfb, sfbRowSpan } = x;
  const a = { values: x.a, stride: k };
  const b = { values: x.b, stride: k };
  const sfK = Math.ceil(k / K_BLOCK);
  const sfbRow = Int32Array.from({ length: n }, (_, j) => Math.floor(j / sfbRowSpan) * sfK);
  const partials = new Float64Array(m * n);
  for (let kb = 0; kb < sfK; kb++) {
    const k0 = kb * K_BLOCK;
    partials.fill(0);
    addDotProducts(a, b, m, n, k0, Math.min(k, k0 + K_BLOCK), partials);
    for (let i = 0; i < m; i++) {
      const sa = sfa[i * sfK + kb]!;
      for (let j = 0; j < n; j++) {
        const scale = Math.fround(sa * sfb[sfbRow[j]! + kb]!);
        // The Float32Array store is the FP32 rounding of the accumulator.
        out[i * n + j] = out[i * n + j]! + scale * Math.fround(partials[i * n + j]!);
      }
    }
  }
}
