import { describe, expect, it } from 'vitest';
import {
  calcDiff,
  ceilToUe8m0,
  fromMnMajorTmaAligned,
  fromMnMajorTmaAlignedPackedUe8m0,
  getTmaAlignedSize,
  packUe8m0,
  toMnMajorTmaAligned,
  toMnMajorTmaAlignedPackedUe8m0,
} from '../src/index.js';

const seq = (n: number) => Float32Array.from({ length: n }, (_, i) => i + 1);
/** Element-wise bit equality (vitest's deep equality is slow on large typed arrays). */
const sameBits = (a: Float32Array, b: Float32Array) =>
  a.length === b.length &&
  Buffer.compare(
    new Uint8Array(a.buffer, a.byteOffset, a.byteLength),
    new Uint8Array(b.buffer, b.byteOffset, b.byteLength),
  ) === 0;

describe('getTmaAlignedSize', () => {
  it('aligns to 16 bytes', () => {
    expect([
      getTmaAlignedSize(4097, 4),
      getTmaAlignedSize(4096, 4),
      getTmaAlignedSize(1, 1),
      getTmaAlignedSize(9, 2),
    ]).toEqual([4100, 4096, 16, 16]);
    expect(getTmaAlignedSize(0, 4)).toBe(0);
  });
  it('rejects bad element sizes', () => {
    expect(() => getTmaAlignedSize(4, 3)).toThrow(/'elementSize' must be 1, 2, 4, 8 or 16 bytes; got 3/);
  });
});

describe('MN-major TMA-aligned scales', () => {
  it('lays out each K block as an aligned run over MN, padding with zeros', () => {
    const sf = seq(5 * 2); // [mn=5, sfK=2] row-major
    const r = toMnMajorTmaAligned(sf, 5, 2);
    expect(r.alignedMn).toBe(8);
    expect(r.shape).toEqual([5, 2]);
    expect(r.strides).toEqual([1, 8]);
    expect([...r.data]).toEqual([1, 3, 5, 7, 9, 0, 0, 0, 2, 4, 6, 8, 10, 0, 0, 0]);
  });
  for (const [mn, sfK, groups] of [
    [4096, 1, 1],
    [4097, 57, 1],
    [8192, 56, 2],
    [3, 5, 4],
  ] as const) {
    it(`round trips mn=${mn} sfK=${sfK} groups=${groups}`, () => {
      const sf = seq(mn * sfK * groups);
      const r = toMnMajorTmaAligned(sf, mn, sfK, groups);
      if (groups > 1) expect(r.strides).toEqual([r.alignedMn * sfK, 1, r.alignedMn]);
      expect(sameBits(fromMnMajorTmaAligned(r.data, mn, sfK, groups), sf)).toBe(true);
    });
  }
});

describe('UE8M0', () => {
  it('ceils to a power of two by exponent bits, clamped to [2^-126, 2^127]', () => {
    const r = ceilToUe8m0(Float32Array.of(1, 1.5, 0.75, -3, 0, Number.NaN, Number.POSITIVE_INFINITY, 2 ** -140, 3e38));
    expect([...r]).toEqual([1, 2, 1, 4, 2 ** -126, 2 ** 127, 2 ** 127, 2 ** -126, 2 ** 127]);
  });
  it('packs four exponents per word, byte t = element 4j + t', () => {
    const w = packUe8m0(Float32Array.of(1, 2, 0.5, 2 ** -126, 4, 4, 4, 4));
    expect([...w]).toEqual([127 | (128 << 8) | (126 << 16) | (1 << 24), (129 * 0x01010101) | 0]);
    expect(() => packUe8m0(new Float32Array(6))).toThrow(/length divisible by 4; got length 6/);
  });
  it('packs MN-major and unpacks back', () => {
    const [mn, sfK, groups] = [37, 7, 3];
    const sf = ceilToUe8m0(
      Float32Array.from({ length: mn * sfK * groups }, (_, i) => Math.abs(Math.sin(i)) * 100 + 1e-3),
    );
    const r = toMnMajorTmaAlignedPackedUe8m0(sf, mn, sfK, groups);
    expect(r.shape).toEqual([groups, mn, 2]);
    expect(r.strides).toEqual([40 * 2, 1, 40]);
    expect(r.data[r.alignedMn + 0]! >>> 24).toBe(0); // K block 7 does not exist: zero byte
    expect(fromMnMajorTmaAlignedPackedUe8m0(r.data, mn, sfK, groups)).toEqual(sf);
  });
  it('refuses scales that are not powers of two', () => {
    expect(() => toMnMajorTmaAlignedPackedUe8m0(Float32Array.of(1, 3), 1, 2)).toThrow(/sf\[1\] = 3/);
  });
});

describe('calcDiff', () => {
  it('is 0 for equal inputs and for two zero vectors, 1 for orthogonal ones', () => {
    expect(calcDiff([1, 2, 3], [1, 2, 3])).toBeCloseTo(0, 15);
    expect(calcDiff([0, 0], [0, 0])).toBe(0);
    expect(calcDiff([1, 0], [0, 1])).toBe(1);
    expect(calcDiff([1, 1], [-1, -1])).toBe(2);
  });
  it('computes 1 - 2xy/(x^2+y^2) in double precision', () => {
    expect(calcDiff([1, 2], [1.5, 2])).toBeCloseTo(1 - (2 * (1.5 + 4)) / (1 + 4 + 2.25 + 4), 14);
  });
  it('rejects different lengths', () => {
    expect(() => calcDiff([1], [1, 2])).toThrow(RangeError);
  });
});
