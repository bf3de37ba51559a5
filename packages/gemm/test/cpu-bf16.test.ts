// The CPU reference of bf16GemmNt: FP32 result of the dot products (+ C), rounded to d's dtype; operands of either
// major-ness give the same bits.

import { calcDiff, decodeBf16, encodeBf16 } from '@dg/quant';
import { Tensor } from '@dg/runtime';
import { describe, expect, it } from 'vitest';
import { bf16GemmNt } from '../src/index.js';
import { productF64, randn, strided, valuesOf } from './helpers.js';

const M = 40;
const N = 72;
const K = 200;

function operands() {
  const aBits = encodeBf16(randn(M * K, 4));
  const bBits = encodeBf16(randn(N * K, 5));
  return {
    aBits,
    bBits,
    a: Tensor.fromArray(aBits, [M, K], 'bf16'),
    b: Tensor.fromArray(bBits, [N, K], 'bf16'),
    ref: productF64(decodeBf16(aBits), decodeBf16(bBits), M, N, K),
  };
}

describe('bf16GemmNt on the CPU', () => {
  it('is within 1e-6 of FP64 with an f32 output, and within bf16 rounding with a bf16 output', () => {
    const { a, b, ref } = operands();
    const d32 = Tensor.empty([M, N], 'f32');
    bf16GemmNt(a, b, d32);
    expect(calcDiff(valuesOf(d32), ref)).toBeLessThan(1e-6);
    const d16 = Tensor.empty([M, N], 'bf16');
    bf16GemmNt(a, b, d16);
    expect(calcDiff(valuesOf(d16), ref)).toBeLessThan(1e-5);
    // The bf16 output is the f32 one rounded to nearest even.
    expect(d16.toArray()).toEqual(encodeBf16(valuesOf(d32)));
  });

  it('reads MN-major operands like K-major ones', () => {
    const { aBits, bBits, a, b } = operands();
    const expected = Tensor.empty([M, N], 'f32');
    bf16GemmNt(a, b, expected);
    const aMn = strided(aBits, [M, K], [1, M], 'bf16');
    const bMn = strided(bBits, [N, K], [1, N + 8], 'bf16');
    for (const [x, y] of [
      [aMn, b],
      [a, bMn],
      [aMn, bMn],
    ] as const) {
      const d = Tensor.empty([M, N], 'f32');
      bf16GemmNt(x, y, d);
      expect(d.toArray()).toEqual(expected.toArray());
    }
  });

  it('adds C in f32 and in bf16, separate from d or d itself', () => {
    const { a, b, ref } = operands();
    const c = randn(M * N, 6);
    const withC = ref.map((v, i) => v + c[i]!);
    const c32 = Tensor.fromArray(c.slice(), [M, N], 'f32');
    const d32 = Tensor.empty([M, N], 'f32');
    bf16GemmNt(a, b, d32, { c: c32 });
    expect(calcDiff(valuesOf(d32), withC)).toBeLessThan(1e-6);
    expect(c32.toArray()).toEqual(c);

    const c16 = Tensor.fromArray(encodeBf16(c), [M, N], 'bf16');
    const withC16 = ref.map((v, i) => v + decodeBf16(encodeBf16(c))[i]!);
    bf16GemmNt(a, b, c16, { c: c16 });
    expect(calcDiff(valuesOf(c16), withC16)).toBeLessThan(1e-5);
  });
});
