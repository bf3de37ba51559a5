// f32 -> bf16 / f16 bit encoders with round-to-nearest-even, used by Tensor.fill. They round the value to f32 first
// (as PyTorch's c10::BFloat16(float) / c10::Half(float) constructors do for a Python scalar), so a fill produces the
// same bits as torch.full(..., dtype=torch.bfloat16). NaN becomes the canonical quiet NaN (0x7FC0 / 0x7E00): JavaScript
// does not preserve NaN payloads, so passing one through would make the bits engine-dependent. The full codecs
// (saturation, FP8, decoding) live in @dg/quant, which the runtime does not depend on; fill needs only these two.

const scratch = new DataView(new ArrayBuffer(4));

function f32Bits(x: number): number {
  scratch.setFloat32(0, x);
  return scratch.getUint32(0);
}

/** The bf16 bit pattern nearest to `x` (after rounding `x` to f32), ties to even; overflow gives infinity. */
export function f32ToBf16Bits(x: number): number {
  const b = f32Bits(x);
  if ((b & 0x7fffffff) > 0x7f800000) return 0x7fc0;
  // Adding 0x7fff plus the lowest kept bit carries into the kept half exactly when the dropped half is above the
  // midpoint, or at it with an odd kept half. The sum stays below 2^32 for every non-NaN input.
  const rounded = b + 0x7fff + ((b >>> 16) & 1);
  return Math.floor(rounded / 0x10000) & 0xffff;
}

/** The f16 bit pattern nearest to `x` (after rounding `x` to f32), ties to even; overflow gives infinity. */
export function f32ToF16Bits(x: number): number {
  const b = f32Bits(x);
  const sign = (b >>> 16) & 0x8000;
  const abs = b & 0x7fffffff;
  if (abs > 0x7f800000) return 0x7e00;
  const e = (abs >>> 23) - 127;
  if (e > 15) return sign | 0x7c00;
  const mant = abs & 0x7fffff;
  if (e >= -14) {
    // Normal in f16: keep 10 of 23 mantissa bits. A carry out of the mantissa bumps the exponent, and out of the
    // largest exponent gives 0x7c00 (infinity), both as IEEE wants.
    const kept = ((e + 15) << 10) | (mant >>> 13);
    const dropped = mant & 0x1fff;
    const up = dropped > 0x1000 || (dropped === 0x1000 && (kept & 1) === 1);
    return sign | (kept + (up ? 1 : 0));
  }
  // Subnormal in f16: the value is sig * 2^(e-23) with the implicit bit, i.e. sig >> shift units of 2^-24.
  const shift = -(e + 1);
  if (shift > 24) return sign; // below half of the smallest subnormal (f32 subnormals included): rounds to zero
  const sig = mant | 0x800000;
  const kept = sig >>> shift;
  const dropped = sig & ((1 << shift) - 1);
  const half = 1 << (shift - 1);
  const up = dropped > half || (dropped === half && (kept & 1) === 1);
  return sign | (kept + (up ? 1 : 0));
}
