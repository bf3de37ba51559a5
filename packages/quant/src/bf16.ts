// BF16 is the top half of an FP32. Encoding rounds the dropped 16 bits to nearest, ties to even; NaN becomes the
// canonical quiet NaN 0x7FC0 (as PyTorch's c10::BFloat16 does), so no NaN payload can round into an infinity.

import { checkArrayLike, describeValue } from './args.js';

const CHUNK = 4096;

/** Encodes numbers as BF16 bit patterns (values are rounded to FP32 first, then RNE to BF16). */
export function encodeBf16(x: ArrayLike<number>): Uint16Array {
  checkArrayLike('encodeBf16', 'x', x);
  const n = x.length;
  const out = new Uint16Array(n);
  const f32 = new Float32Array(Math.min(CHUNK, n));
  const u32 = new Uint32Array(f32.buffer);
  for (let start = 0; start < n; start += CHUNK) {
    const len = Math.min(CHUNK, n - start);
    for (let i = 0; i < len; i++) f32[i] = x[start + i]!;
    for (let i = 0; i < len; i++) {
      const bits = u32[i]!;
      out[start + i] = (bits & 0x7fffffff) > 0x7f800000 ? 0x7fc0 : (bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16;
    }
  }
  return out;
}

/** Decodes BF16 bit patterns exactly. */
export function decodeBf16(bits: Uint16Array): Float32Array {
  if (!(bits instanceof Uint16Array)) {
    throw new TypeError(`decodeBf16: 'bits' must be a Uint16Array; got ${describeValue(bits)}`);
  }
  const out = new Float32Array(bits.length);
  const u32 = new Uint32Array(out.buffer);
  for (let i = 0; i < bits.length; i++) u32[i] = bits[i]! << 16;
  return out;
}
