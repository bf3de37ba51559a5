// Encoding one fill value into a dtype's bits. Integers must be exact and in range rather than wrapped or truncated:
// a silently wrapped fill value is a bug that surfaces far from the call.

import { type DType, describe, type TypedArray } from './dtype.js';
import { f32ToBf16Bits, f32ToF16Bits } from './half.js';

const I64_MIN = -(1n << 63n);
const I64_MAX = (1n << 63n) - 1n;

/** `value` encoded as a 1-element host array of `dtype`; throws naming fill(value) when it cannot be. */
export function encodeScalar(dtype: DType, value: number | bigint): TypedArray {
  if (dtype === 'e4m3fn' || dtype === 'e5m2') {
    throw new TypeError(
      `fill(value): the runtime has no ${dtype} encoder; expected fillBits(bits) with the raw byte (e.g. from @dg/quant), got fill(${describe(value)})`,
    );
  }
  if (dtype === 'i64') {
    if (typeof value === 'bigint') {
      if (value < I64_MIN || value > I64_MAX) {
        throw new RangeError(`fill(value): expected an integer in [-2^63, 2^63) for 'i64', got ${describe(value)}`);
      }
      return BigInt64Array.of(value);
    }
    if (!Number.isSafeInteger(value)) {
      throw new RangeError(
        `fill(value): expected a safe integer or a bigint for 'i64', got ${describe(value)} (pass a bigint beyond 2^53)`,
      );
    }
    return BigInt64Array.of(BigInt(value));
  }
  if (typeof value !== 'number') {
    throw new TypeError(`fill(value): expected a number for '${dtype}', got ${describe(value)}`);
  }
  switch (dtype) {
    case 'f32':
      return Float32Array.of(value);
    case 'bf16':
      return Uint16Array.of(f32ToBf16Bits(value));
    case 'f16':
      return Uint16Array.of(f32ToF16Bits(value));
    case 'i32':
      if (!Number.isInteger(value) || value < -(2 ** 31) || value >= 2 ** 31) {
        throw new RangeError(`fill(value): expected an integer in [-2^31, 2^31) for 'i32', got ${describe(value)}`);
      }
      return Int32Array.of(value);
    case 'u8':
      if (!Number.isInteger(value) || value < 0 || value > 255) {
        throw new RangeError(`fill(value): expected an integer in [0, 255] for 'u8', got ${describe(value)}`);
      }
      return Uint8Array.of(value);
  }
}
