// UE8M0 scales: an unsigned power of two stored as its 8-bit biased exponent. Rounding a scale up to a power of two
// makes the quantized product exact to rescale (the scale multiplies only the exponent).

import { describeValue } from './args.js';

/**
 * Biased exponent of the smallest power of two >= |x|, for one FP32 bit pattern: the exponent field, plus one when the
 * mantissa is non-zero, clamped to [1, 254] (so zero maps to 2^-126 and NaN/inf to 2^127).
 */
export function ue8m0Exponent(bits: number): number {
  const e = ((bits >>> 23) & 0xff) + ((bits & 0x7fffff) !== 0 ? 1 : 0);
  return Math.min(Math.max(e, 1), 254);
}

const scratch = new Float32Array(1);
const scratchBits = new Uint32Array(scratch.buffer);

/** FP32 bit pattern of a number rounded to FP32. */
export function f32Bits(v: number): number {
  scratch[0] = v;
  return scratchBits[0]!;
}

/** FP32 value of a bit pattern. */
export function f32FromBits(bits: number): number {
  scratchBits[0] = bits;
  return scratch[0]!;
}

function checkScales(fn: string, sf: unknown): Float32Array {
  if (!(sf instanceof Float32Array))
    throw new TypeError(`${fn}: 'sf' must be a Float32Array; got ${describeValue(sf)}`);
  return sf;
}

/** Rounds each scale up to a power of two (UE8M0), elementwise; the sign is dropped. */
export function ceilToUe8m0(sf: Float32Array): Float32Array {
  checkScales('ceilToUe8m0', sf);
  const out = new Float32Array(sf.length);
  const inBits = new Uint32Array(sf.buffer, sf.byteOffset, sf.length);
  const outBits = new Uint32Array(out.buffer);
  for (let i = 0; i < sf.length; i++) outBits[i] = ue8m0Exponent(inBits[i]!) << 23;
  return out;
}

/**
 * Packs UE8M0 exponents four to a 32-bit word: byte t of word j is the biased exponent of element 4j + t. The inputs
 * should already be powers of two (see {@link ceilToUe8m0}); only their exponent field is kept.
 */
export function packUe8m0(sf: Float32Array): Int32Array {
  checkScales('packUe8m0', sf);
  if (sf.length % 4 !== 0) {
    throw new RangeError(`packUe8m0: 'sf' must have a length divisible by 4; got length ${sf.length}`);
  }
  const bits = new Uint32Array(sf.buffer, sf.byteOffset, sf.length);
  const out = new Int32Array(sf.length / 4);
  for (let j = 0; j < out.length; j++) {
    const b = 4 * j;
    out[j] =
      ((bits[b]! >>> 23) & 0xff) |
      (((bits[b + 1]! >>> 23) & 0xff) << 8) |
      (((bits[b + 2]! >>> 23) & 0xff) << 16) |
      (((bits[b + 3]! >>> 23) & 0xff) << 24);
  }
  return out;
}
