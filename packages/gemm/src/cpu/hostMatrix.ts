// Moving 2-D host tensors in and out of the CPU reference: any strides in, a dense row-major Float64Array of decoded
// values out (each operand is decoded exactly once, and the inner loops then run over contiguous memory), and back.

import { decodeFp8, encodeBf16 } from '@dg/quant';
import type { Tensor, TypedArray } from '@dg/runtime';

/** The 256 e4m3fn values by code, decoded by @dg/quant (exact). */
const E4M3_VALUES = decodeFp8(
  Uint8Array.from({ length: 256 }, (_, code) => code),
  'e4m3fn',
);

function hostData(t: Tensor): TypedArray {
  const storage = t.storage;
  if (storage.kind !== 'host') throw new TypeError(`CPU reference: expected a cpu tensor, got one on ${t.device}`);
  return storage.data;
}

function layout(t: Tensor): { rows: number; cols: number; rowStride: number; colStride: number } {
  const [rows = 0, cols = 0] = t.shape;
  const [rowStride = 0, colStride = 0] = t.strides;
  return { rows, cols, rowStride, colStride };
}

/**
 * The values of a 2-D f32, bf16 or e4m3fn host tensor, row-major [rows, cols], in double precision (every one exact:
 * the inner loops then need no conversion).
 */
export function readHostMatrix(t: Tensor): Float64Array {
  const { rows, cols, rowStride, colStride } = layout(t);
  const out = new Float64Array(rows * cols);
  const data = hostData(t);
  if (t.dtype === 'f32' && data instanceof Float32Array) {
    for (let i = 0; i < rows; i++) {
      const src = t.offset + i * rowStride;
      for (let j = 0; j < cols; j++) out[i * cols + j] = data[src + j * colStride]!;
    }
  } else if (t.dtype === 'bf16' && data instanceof Uint16Array) {
    // A bf16 is the top half of an f32: widen the bits of one row, then convert the row.
    const row = new Float32Array(cols);
    const rowBits = new Uint32Array(row.buffer);
    for (let i = 0; i < rows; i++) {
      const src = t.offset + i * rowStride;
      for (let j = 0; j < cols; j++) rowBits[j] = data[src + j * colStride]! << 16;
      out.set(row, i * cols);
    }
  } else if (t.dtype === 'e4m3fn' && data instanceof Uint8Array) {
    for (let i = 0; i < rows; i++) {
      const src = t.offset + i * rowStride;
      for (let j = 0; j < cols; j++) out[i * cols + j] = E4M3_VALUES[data[src + j * colStride]!]!;
    }
  } else {
    throw new TypeError(`CPU reference: cannot read a ${t.dtype} tensor`);
  }
  return out;
}

/** Writes row-major FP32 `values` [rows, cols] into a 2-D f32 or bf16 host tensor (bf16: round to nearest even). */
export function writeHostMatrix(t: Tensor, values: Float32Array): void {
  const data = hostData(t);
  if (t.dtype === 'f32' && data instanceof Float32Array) scatter(t, data, values);
  else if (t.dtype === 'bf16' && data instanceof Uint16Array) scatter(t, data, encodeBf16(values));
  else throw new TypeError(`CPU reference: cannot write a ${t.dtype} tensor`);
}

function scatter(t: Tensor, data: Float32Array | Uint16Array, encoded: Float32Array | Uint16Array): void {
  const { rows, cols, rowStride, colStride } = layout(t);
  for (let i = 0; i < rows; i++) {
    const dst = t.offset + i * rowStride;
    for (let j = 0; j < cols; j++) data[dst + j * colStride] = encoded[i * cols + j]!;
  }
}
