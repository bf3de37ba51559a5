// FP8 codecs. Both formats are sign + exponent + mantissa with round-to-nearest-even:
//   e4m3fn: bias 7, 3 mantissa bits, no infinities, 0x7F/0xFF = NaN, max 448 (0x7E).
//   e5m2:   bias 15, 2 mantissa bits, IEEE-like: 0x7C = inf, 0x7D-0x7F = NaN, max 57344 (0x7B).
// Inputs are first rounded to FP32, because PyTorch and the GPU convert from FP32 tensors. Encoding then works on the
// FP32 bit pattern: a normal value keeps its top mantissa bits after adding a round-half-to-even bias to the dropped
// bits; a value below the smallest normal is rounded on the fixed subnormal grid. A rounding carry into the exponent
// naturally produces the next binade, and past the top it lands on 0x7F (e4m3fn NaN) or 0x7C (e5m2 inf), which is
// exactly the non-saturating behaviour of PyTorch's `.to(float8_*)`.
// NaN always encodes as 0x7F: the sign of a NaN is not portable (JavaScript engines and GPUs canonicalise it).

import { checkArrayLike, checkBoolean, describeValue } from './args.js';

export type Fp8Format = 'e4m3fn' | 'e5m2';

export interface EncodeFp8Options {
  /** Clamp finite values beyond the range (and infinities) to the largest finite value, as PTX `cvt.rn.satfinite`.
   *  Default `true`. `false` reproduces PyTorch: e4m3fn overflows to NaN, e5m2 to infinity. */
  saturate?: boolean;
}

/** Static description of a format, in terms of FP32 bit patterns. */
export interface Fp8Spec {
  /** |x| bits at or above this encode as overflow (e4m3fn: 480.0, e5m2: 65536.0). */
  overflowBits: number;
  /** Smallest normal of the target as FP32 bits. */
  minNormalBits: number;
  /** FP32 mantissa bits dropped for a normal value. */
  shift: number;
  /** Subtracted from (rounded FP32 bits >>> shift) to rebias the exponent. */
  rebias: number;
  /** Scale that maps the subnormal grid to integers: 2^(mantissaBits - minNormalExponent). */
  subnormalScale: number;
  /** Code of the largest finite magnitude. */
  maxCode: number;
  /** Code a non-saturating overflow produces. */
  overflowCode: number;
}

export const E4M3FN: Fp8Spec = {
  overflowBits: 0x43f00000,
  minNormalBits: 0x3c800000,
  shift: 20,
  rebias: (127 - 7) << 3,
  subnormalScale: 512,
  maxCode: 0x7e,
  overflowCode: 0x7f,
};

export const E5M2: Fp8Spec = {
  overflowBits: 0x47800000,
  minNormalBits: 0x38800000,
  shift: 21,
  rebias: (127 - 15) << 2,
  subnormalScale: 65536,
  maxCode: 0x7b,
  overflowCode: 0x7c,
};

const FP32_INF_BITS = 0x7f800000;
const NAN_CODE = 0x7f;

export function fp8Spec(fn: string, format: unknown): Fp8Spec {
  if (format === 'e4m3fn') return E4M3FN;
  if (format === 'e5m2') return E5M2;
  throw new TypeError(`${fn}: 'format' must be 'e4m3fn' or 'e5m2'; got ${describeValue(format)}`);
}

/** Rounds a non-negative value that is exactly an FP32 times a power of two to the nearest integer, ties to even. */
export function roundHalfEven(v: number): number {
  const r = Math.round(v);
  return r - v === 0.5 && (r & 1) === 1 ? r - 1 : r;
}

/**
 * Encodes `n` FP32 values, given both as floats and as their bit patterns (two views of one buffer), into `out`
 * starting at `outOffset`. Bits are read as int32 so V8 keeps them small integers (a uint32 above 2^31 is a heap double).
 */
export function encodeFp8Block(
  f32: Float32Array,
  i32: Int32Array,
  n: number,
  out: Uint8Array,
  outOffset: number,
  spec: Fp8Spec,
  saturate: boolean,
): void {
  const { overflowBits, minNormalBits, shift, rebias, subnormalScale, maxCode, overflowCode } = spec;
  const roundBias = (1 << (shift - 1)) - 1;
  for (let i = 0; i < n; i++) {
    const bits = i32[i]!;
    const mag = bits & 0x7fffffff;
    if (mag > FP32_INF_BITS) {
      out[outOffset + i] = NAN_CODE;
      continue;
    }
    let code: number;
    if (mag >= overflowBits) {
      code = saturate ? maxCode : overflowCode;
    } else if (mag >= minNormalBits) {
      code = ((mag + roundBias + ((mag >>> shift) & 1)) >>> shift) - rebias;
      if (code > maxCode && saturate) code = maxCode;
    } else {
      code = roundHalfEven(Math.abs(f32[i]!) * subnormalScale);
    }
    out[outOffset + i] = code | ((bits >> 24) & 0x80);
  }
}

const CHUNK = 4096;

/** Encodes numbers as FP8 (round to nearest, ties to even). See {@link EncodeFp8Options} for overflow handling. */
export function encodeFp8(x: ArrayLike<number>, format: Fp8Format = 'e4m3fn', opts: EncodeFp8Options = {}): Uint8Array {
  const fn = 'encodeFp8';
  checkArrayLike(fn, 'x', x);
  const spec = fp8Spec(fn, format);
  const saturate = checkBoolean(fn, 'opts.saturate', opts.saturate, true);
  const n = x.length;
  const out = new Uint8Array(n);
  const f32 = new Float32Array(Math.min(CHUNK, n));
  const i32 = new Int32Array(f32.buffer);
  for (let start = 0; start < n; start += CHUNK) {
    const len = Math.min(CHUNK, n - start);
    for (let i = 0; i < len; i++) f32[i] = x[start + i]!;
    encodeFp8Block(f32, i32, len, out, start, spec, saturate);
  }
  return out;
}

function buildDecodeTable(exponentBits: number, mantissaBits: number, ieeeSpecials: boolean): Float32Array {
  const table = new Float32Array(256);
  const bias = (1 << (exponentBits - 1)) - 1;
  const expMask = (1 << exponentBits) - 1;
  const manMask = (1 << mantissaBits) - 1;
  for (let code = 0; code < 256; code++) {
    const negative = code & 0x80;
    const e = (code >> mantissaBits) & expMask;
    const m = code & manMask;
    let v: number;
    if (ieeeSpecials && e === expMask) v = m === 0 ? Number.POSITIVE_INFINITY : Number.NaN;
    else if (!ieeeSpecials && e === expMask && m === manMask) v = Number.NaN;
    else if (e === 0) v = m * 2 ** (1 - bias - mantissaBits);
    else v = (1 + m / (1 << mantissaBits)) * 2 ** (e - bias);
    table[code] = negative ? -v : v;
  }
  return table;
}

let e4m3Table: Float32Array | undefined;
let e5m2Table: Float32Array | undefined;

/** The 256 decoded values of a format, indexed by code (built on first use; callers must not modify it). */
export function fp8DecodeTable(format: Fp8Format): Float32Array {
  if (format === 'e4m3fn') {
    e4m3Table ??= buildDecodeTable(4, 3, false);
    return e4m3Table;
  }
  e5m2Table ??= buildDecodeTable(5, 2, true);
  return e5m2Table;
}

/** Decodes FP8 codes exactly. */
export function decodeFp8(bytes: Uint8Array, format: Fp8Format = 'e4m3fn'): Float32Array {
  const fn = 'decodeFp8';
  if (!(bytes instanceof Uint8Array))
    throw new TypeError(`${fn}: 'bytes' must be a Uint8Array; got ${describeValue(bytes)}`);
  fp8Spec(fn, format);
  const table = fp8DecodeTable(format);
  const out = new Float32Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) out[i] = table[bytes[i]!]!;
  return out;
}
