// The two inner loops of every cast, written for V8's optimizing compiler: int32 views (a uint32 above 2^31 would be
// a heap double), no calls per element, several independent accumulators.

import { roundHalfEven } from './fp8.js';
import { f32Bits, f32FromBits, ue8m0Exponent } from './ue8m0.js';

const INV_448 = Math.fround(1 / 448);
const AMAX_FLOOR = Math.fround(1e-4);
const FP32_INF_BITS = 0x7f800000;

/**
 * Largest |x| bit pattern over x[start .. start+len). Magnitude bit patterns order like the magnitudes themselves,
 * and every NaN pattern sorts above infinity, so NaN propagates without a test per element.
 */
export function amaxBits(bits: Int32Array, start: number, len: number, running = 0): number {
  let a0 = running;
  let a1 = 0;
  let a2 = 0;
  let a3 = 0;
  const end = start + len;
  let i = start;
  for (; i + 4 <= end; i += 4) {
    const m0 = bits[i]! & 0x7fffffff;
    const m1 = bits[i + 1]! & 0x7fffffff;
    const m2 = bits[i + 2]! & 0x7fffffff;
    const m3 = bits[i + 3]! & 0x7fffffff;
    if (m0 > a0) a0 = m0;
    if (m1 > a1) a1 = m1;
    if (m2 > a2) a2 = m2;
    if (m3 > a3) a3 = m3;
  }
  for (; i < end; i++) {
    const m = bits[i]! & 0x7fffffff;
    if (m > a0) a0 = m;
  }
  return Math.max(a0, a1, a2, a3);
}

/** The scale of a group from its amax bit pattern: fl(max(amax, 1e-4) * fl(1/448)), optionally rounded to UE8M0. */
export function scaleFromAmaxBits(amax: number, ue8m0: boolean): number {
  const value = amax > FP32_INF_BITS ? Number.NaN : f32FromBits(amax);
  const sf = Math.fround(Math.max(value, AMAX_FLOOR) * INV_448); // NaN stays NaN, as torch.clamp keeps it
  return ue8m0 ? f32FromBits(ue8m0Exponent(f32Bits(sf)) << 23) : sf;
}

/**
 * out[o + j] = e4m3fn(fl(x[s + j] * inv)) for j < len, non-saturating (overflow keeps its sign on 0x7F, NaN is 0x7F).
 * `f32`/`i32` are two views of one scratch buffer of at least one element: the product is rounded to FP32 by the
 * store and read back as bits.
 */
export function scaleEncodeE4m3(
  x: Float32Array,
  s: number,
  len: number,
  inv: number,
  out: Uint8Array,
  o: number,
  f32: Float32Array,
  i32: Int32Array,
): void {
  for (let j = 0; j < len; j++) {
    f32[0] = x[s + j]! * inv;
    const bits = i32[0]!;
    const mag = bits & 0x7fffffff;
    let code: number;
    if (mag >= 0x3c800000) {
      if (mag >= 0x43f00000) {
        if (mag > FP32_INF_BITS) {
          out[o + j] = 0x7f;
          continue;
        }
        code = 0x7f;
      } else {
        code = ((mag + 0x7ffff + ((mag >> 20) & 1)) >> 20) - 960;
      }
    } else {
      code = roundHalfEven(Math.abs(f32[0]!) * 512);
    }
    out[o + j] = code | ((bits >> 24) & 0x80);
  }
}
