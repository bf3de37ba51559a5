// Host pieces of `dg-bench gemm`: inputs, the per-tensor cast, row sampling and the FP64 reference.
import { decodeFp8, encodeBf16 } from '@dg/quant';
import { describe, expect, it } from 'vitest';
import {
  fillNormal,
  fp64Rows,
  perTensorCastToFp8,
  pickRows,
  roundToBf16,
  sampleRows,
  seedOf,
} from '../src/gemm/host.js';

describe('inputs', () => {
  it('fillNormal is seeded and standard normal', () => {
    const x = new Float32Array(100_001);
    fillNormal(x, 7);
    const y = new Float32Array(100_001);
    fillNormal(y, 7);
    expect(y).toEqual(x);
    fillNormal(y, 8);
    expect(y).not.toEqual(x);
    const mean = x.reduce((a, v) => a + v, 0) / x.length;
    const variance = x.reduce((a, v) => a + (v - mean) ** 2, 0) / x.length;
    expect(Math.abs(mean)).toBeLessThan(0.02);
    expect(Math.abs(variance - 1)).toBeLessThan(0.02);
    expect(x.every(Number.isFinite)).toBe(true);
  });

  it('roundToBf16 returns encodeBf16 bits and leaves the exact BF16 values in place', () => {
    const x = new Float32Array(4096);
    fillNormal(x, 1);
    x[0] = 1 + 2 ** -8; // a tie: rounds to even (1.0)
    x[1] = 1 + 3 * 2 ** -8; // a tie: rounds up to 1 + 2^-6
    const expected = encodeBf16(x);
    const bits = roundToBf16(x);
    expect(bits).toEqual(expected);
    expect(x[0]).toBe(1);
    expect(x[1]).toBe(1 + 2 ** -6);
    expect(encodeBf16(x)).toEqual(bits); // now exact: rounding again changes nothing
  });

  it('seedOf differs per shape', () => {
    expect(seedOf(64, 2112, 7168, 1)).not.toBe(seedOf(128, 2112, 7168, 1));
    expect(seedOf(64, 2112, 7168, 1)).toBe(seedOf(64, 2112, 7168, 1));
  });
});

describe('perTensorCastToFp8', () => {
  it('maps amax to 448 and round-trips within FP8 precision', () => {
    const x = new Float32Array(3000);
    fillNormal(x, 3);
    roundToBf16(x);
    const { data, scale } = perTensorCastToFp8(x);
    const amax = x.reduce((a, v) => Math.max(a, Math.abs(v)), 0);
    expect(scale).toBe(Math.fround(amax * Math.fround(1 / 448)));
    const back = decodeFp8(data, 'e4m3fn');
    expect(Math.max(...back.map(Math.abs))).toBe(448);
    for (let i = 0; i < x.length; i++) {
      const v = back[i]! * scale;
      // e4m3: 3 mantissa bits (relative step 2^-3); values far below amax are subnormal (absolute step 2^-9 * scale)
      expect(Math.abs(v - x[i]!)).toBeLessThanOrEqual(Math.max(Math.abs(x[i]!) * 2 ** -4, 2 ** -10 * scale) * 1.0001);
    }
  });

  it('clamps an all-zero tensor to the 1e-4 floor', () => {
    const { data, scale } = perTensorCastToFp8(new Float32Array(10));
    expect(scale).toBe(Math.fround(1e-4 * Math.fround(1 / 448)));
    expect([...data]).toEqual(new Array(10).fill(0));
  });
});

describe('reference rows', () => {
  it('sampleRows: distinct, sorted, in range; all rows when m is small', () => {
    const r = sampleRows(4096, 16, 5);
    expect(r).toHaveLength(16);
    expect(new Set(r).size).toBe(16);
    expect([...r].sort((a, b) => a - b)).toEqual(r);
    expect(r.every((i) => i >= 0 && i < 4096)).toBe(true);
    expect(sampleRows(4096, 16, 5)).toEqual(r);
    expect(sampleRows(5, 16, 5)).toEqual([0, 1, 2, 3, 4]);
  });

  it('fp64Rows and pickRows', () => {
    // A [3, 2], B [2, 2]: D = A · Bᵀ
    const a = Float32Array.of(1, 2, 3, 4, 5, 6);
    const b = Float32Array.of(1, 0, 1, 1);
    expect([...fp64Rows(a, b, 2, 2, [0, 2])]).toEqual([1, 3, 5, 11]);
    const d = Float32Array.of(1, 3, 3, 7, 5, 11);
    expect([...pickRows(d, 2, [0, 2])]).toEqual([1, 3, 5, 11]);
  });
});
