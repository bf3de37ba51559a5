// Inputs and FP64 references for the CPU reference tests. Small shapes only: the whole unit project runs on 2 cores.

import { decodeBf16, decodeFp8, type Fp8Cast, perBlockCastToFp8, perTokenCastToFp8 } from '@dg/quant';
import { type DType, Tensor } from '@dg/runtime';
import { expect } from 'vitest';
import type { DgGemmError } from '../src/index.js';

/** Normal samples from a fixed-seed LCG (Box-Muller). */
export function randn(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  const u = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s + 0.5) / 2 ** 32;
  };
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
  return out;
}

/** An FP8 operand as the GEMMs take it, with its cast kept for the references. */
export interface Fp8Input {
  readonly data: Tensor<'e4m3fn'>;
  readonly scale: Tensor<'f32'>;
  readonly cast: Fp8Cast;
  /** Rows one scale covers (1: per token, 128: per block). */
  readonly scaleRows: number;
}

export function fp8Input(x: Float32Array, rows: number, k: number, recipe: 'perToken' | 'perBlock'): Fp8Input {
  const cast = recipe === 'perToken' ? perTokenCastToFp8(x, rows, k) : perBlockCastToFp8(x, rows, k);
  const scaleRows = recipe === 'perToken' ? 1 : 128;
  const sfShape = [Math.ceil(rows / scaleRows), Math.ceil(k / 128)];
  return {
    data: Tensor.fromArray(cast.data, [rows, k], 'e4m3fn') as Tensor<'e4m3fn'>,
    scale: Tensor.fromArray(cast.scale, sfShape, 'f32') as Tensor<'f32'>,
    cast,
    scaleRows,
  };
}

/** decode(data) · scale, row-major [rows, k], in double precision. */
export function dequantize(input: Fp8Input, rows: number, k: number): Float64Array {
  const values = decodeFp8(input.cast.data);
  const sfK = Math.ceil(k / 128);
  const out = new Float64Array(rows * k);
  for (let i = 0; i < rows; i++) {
    for (let t = 0; t < k; t++) {
      const sf = input.cast.scale[Math.floor(i / input.scaleRows) * sfK + Math.floor(t / 128)]!;
      out[i * k + t] = values[i * k + t]! * sf;
    }
  }
  return out;
}

/** C + A · Bᵀ in double precision: a [m, k], b [n, k], c [m, n] or none. */
export function productF64(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  m: number,
  n: number,
  k: number,
  c?: ArrayLike<number>,
): Float64Array {
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = c === undefined ? 0 : c[i * n + j]!;
      for (let t = 0; t < k; t++) s += a[i * k + t]! * b[j * k + t]!;
      out[i * n + j] = s;
    }
  }
  return out;
}

/** The elements of a bf16 or f32 cpu tensor as numbers (row-major). */
export function valuesOf(t: Tensor): Float32Array {
  const host = t.toArray();
  if (host instanceof Float32Array) return host;
  if (host instanceof Uint16Array && t.dtype === 'bf16') return decodeBf16(host);
  throw new TypeError(`valuesOf: unexpected dtype ${t.dtype}`);
}

/** A cpu tensor over the elements of `values`, with the given (possibly padded or transposed) strides. */
export function strided<D extends DType>(
  values: Float32Array | Uint16Array | Uint8Array,
  shape: readonly number[],
  strides: readonly number[],
  dtype: D,
): Tensor<D> {
  const t = Tensor.emptyStrided(shape, strides, dtype);
  const storage = t.storage;
  if (storage.kind !== 'host') throw new TypeError('strided: expected host storage');
  const [rows = 0, cols = 0] = shape;
  const [s0 = 0, s1 = 0] = strides;
  const data = storage.data as Float32Array | Uint16Array | Uint8Array;
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) data[i * s0 + j * s1] = values[i * cols + j]!;
  }
  return t;
}

/** Runs `call` and checks that it throws `cls` naming `argument` (in the field and in the message). */
export function expectGemmError(
  call: () => unknown,
  cls: abstract new (...args: never[]) => DgGemmError,
  argument: string,
): DgGemmError {
  let caught: unknown;
  try {
    call();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(cls);
  const err = caught as DgGemmError;
  expect(err.argument).toBe(argument);
  expect(err.message).toContain(`'${argument}'`);
  expect(err.expected.length).toBeGreaterThan(0);
  expect(err.actual.length).toBeGreaterThan(0);
  return err;
}
