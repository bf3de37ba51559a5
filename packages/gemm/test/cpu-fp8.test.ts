// The CPU reference of the FP8 GEMMs: bit for bit the kernels' recipe (checked against a plain loop nest of it), close
// to an FP64 product of the dequantized inputs, and within the usual FP8 error of the unquantized product.

import { calcDiff, decodeFp8, encodeBf16, toMnMajorTmaAligned } from '@dg/quant';
import { Tensor } from '@dg/runtime';
import { describe, expect, it } from 'vitest';
import { fp8GemmNt, fp8GemmNtAccumulate } from '../src/index.js';
import { dequantize, type Fp8Input, fp8Input, productF64, randn, strided, valuesOf } from './helpers.js';

/**
 * The recipe as a plain loop nest, one output at a time: per 128-wide K block an FP32 partial sum, promoted with
 * FP32(sfa · sfb) into an FP32 accumulator that starts at `init`.
 */
function recipe(a: Fp8Input, b: Fp8Input, m: number, n: number, k: number, init?: Float32Array): Float32Array {
  const av = decodeFp8(a.cast.data);
  const bv = decodeFp8(b.cast.data);
  const sfK = Math.ceil(k / 128);
  const out = new Float32Array(m * n);
  if (init !== undefined) out.set(init);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let acc = out[i * n + j]!;
      for (let kb = 0; kb < sfK; kb++) {
        let partial = 0;
        for (let t = kb * 128; t < Math.min(k, kb * 128 + 128); t++) partial += av[i * k + t]! * bv[j * k + t]!;
        const sb = b.cast.scale[Math.floor(j / b.scaleRows) * sfK + kb]!;
        acc = Math.fround(acc + Math.fround(a.cast.scale[i * sfK + kb]! * sb) * Math.fround(partial));
      }
      out[i * n + j] = acc;
    }
  }
  return out;
}

/** Odd M, N not a multiple of 128, K not a multiple of 128 (two full K blocks and a half one). */
const M = 33;
const N = 136;
const K = 320;

function inputs(bRecipe: 'perToken' | 'perBlock', m = M, n = N, k = K) {
  const x = randn(m * k, 1);
  const w = randn(n * k, 2);
  return { x, w, a: fp8Input(x, m, k, 'perToken'), b: fp8Input(w, n, k, bRecipe) };
}

describe('fp8GemmNt on the CPU', () => {
  it('computes the kernel recipe bit for bit (bf16 round to nearest even of the FP32 result)', () => {
    const { a, b } = inputs('perBlock');
    const d = Tensor.empty([M, N], 'bf16');
    fp8GemmNt(a, b, d);
    expect(d.toArray()).toEqual(encodeBf16(recipe(a, b, M, N, K)));
  });

  it('is within bf16 rounding of an FP64 product of the dequantized inputs', () => {
    const { a, b } = inputs('perBlock');
    const d = Tensor.empty([M, N], 'bf16');
    fp8GemmNt(a, b, d);
    const ref = productF64(dequantize(a, M, K), dequantize(b, N, K), M, N, K);
    expect(calcDiff(valuesOf(d), ref)).toBeLessThan(1e-5);
  });

  it('is within 1e-3 of the unquantized product', () => {
    const { x, w, a, b } = inputs('perBlock');
    const d = Tensor.empty([M, N], 'bf16');
    fp8GemmNt(a, b, d);
    expect(calcDiff(valuesOf(d), productF64(x, w, M, N, K))).toBeLessThan(1e-3);
  });

  it('handles a single partial K block and a single row', () => {
    const { a, b } = inputs('perBlock', 1, 8, 48);
    const d = Tensor.empty([1, 8], 'bf16');
    fp8GemmNt(a, b, d);
    expect(d.toArray()).toEqual(encodeBf16(recipe(a, b, 1, 8, 48)));
  });

  it('writes into a d with padded rows and leaves the padding alone', () => {
    const { a, b } = inputs('perBlock');
    const ld = N + 8;
    const d = Tensor.emptyStrided([M, N], [ld, 1], 'bf16');
    const storage = d.storage;
    if (storage.kind !== 'host') throw new Error('expected host storage');
    (storage.data as Uint16Array).fill(0x7777);
    fp8GemmNt(a, b, d);
    expect(d.toArray()).toEqual(encodeBf16(recipe(a, b, M, N, K)));
    for (let i = 0; i < M - 1; i++) {
      for (let j = N; j < ld; j++) expect(storage.data[i * ld + j]).toBe(0x7777);
    }
  });

  it('reads MN-major TMA-aligned A scales and MN-major B scales like row-major ones', () => {
    const { a, b } = inputs('perBlock');
    const sfK = Math.ceil(K / 128);
    const mnMajor = toMnMajorTmaAligned(a.cast.scale, M, sfK);
    const sfa = strided(a.cast.scale, [M, sfK], mnMajor.strides, 'f32');
    const sfbRows = Math.ceil(N / 128);
    const sfb = strided(b.cast.scale, [sfbRows, sfK], [1, sfbRows], 'f32');
    const d = Tensor.empty([M, N], 'bf16');
    fp8GemmNt({ data: a.data, scale: sfa }, { data: b.data, scale: sfb }, d);
    expect(d.toArray()).toEqual(encodeBf16(recipe(a, b, M, N, K)));
  });
});

describe('fp8GemmNtAccumulate on the CPU', () => {
  const c0 = randn(M * N, 3).map((v) => v * 32);

  it('computes D = C + A·Bᵀ bit for bit, leaves C alone, and is within 1e-6 of FP64', () => {
    const { x, w, a, b } = inputs('perToken');
    const c = Tensor.fromArray(c0.slice(), [M, N], 'f32');
    const d = Tensor.empty([M, N], 'f32');
    fp8GemmNtAccumulate(a, b, d, c);
    const got = valuesOf(d);
    expect(got).toEqual(recipe(a, b, M, N, K, c0));
    expect(c.toArray()).toEqual(c0);
    const ref = productF64(dequantize(a, M, K), dequantize(b, N, K), M, N, K, c0);
    expect(calcDiff(got, ref)).toBeLessThan(1e-6);
    expect(calcDiff(got, productF64(x, w, M, N, K, c0))).toBeLessThan(1e-3);
  });

  it('accumulates onto d when c is omitted, or when c is d', () => {
    const { a, b } = inputs('perToken');
    const expected = recipe(a, b, M, N, K, c0);
    const omitted = Tensor.fromArray(c0.slice(), [M, N], 'f32');
    fp8GemmNtAccumulate(a, b, omitted);
    expect(omitted.toArray()).toEqual(expected);
    const same = Tensor.fromArray(c0.slice(), [M, N], 'f32');
    fp8GemmNtAccumulate(a, b, same, same);
    expect(same.toArray()).toEqual(expected);
  });

  it('reads MN-major scales for both operands', () => {
    const { a, b } = inputs('perToken');
    const sfK = Math.ceil(K / 128);
    const sfa = strided(a.cast.scale, [M, sfK], [1, M + 3], 'f32');
    const sfb = strided(b.cast.scale, [N, sfK], [1, N], 'f32');
    const d = Tensor.empty([M, N], 'f32');
    fp8GemmNtAccumulate({ data: a.data, scale: sfa }, { data: b.data, scale: sfb }, d, null);
    expect(d.toArray()).toEqual(recipe(a, b, M, N, K));
  });
});
