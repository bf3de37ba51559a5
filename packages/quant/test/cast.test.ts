import { describe, expect, it } from 'vitest';
import {
  calcDiff,
  ceilToUe8m0,
  decodeFp8,
  perBlockCastToFp8,
  perChannelCastToFp8,
  perTokenCastToFp8,
} from '../src/index.js';

function randn(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  const next = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s + 0.5) / 2 ** 32;
  };
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.sqrt(-2 * Math.log(next())) * Math.cos(2 * Math.PI * next());
  return out;
}

/** Dequantizes a per-token cast: x[i, j] ≈ decode(data[i, j]) * scale[i, j / g]. */
function dequantPerToken(data: Uint8Array, scale: Float32Array, m: number, k: number, g: number): Float64Array {
  const v = decodeFp8(data);
  const groups = Math.ceil(k / g);
  const out = new Float64Array(m * k);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < k; j++) out[i * k + j] = v[i * k + j]! * scale[i * groups + Math.floor(j / g)]!;
  return out;
}

describe('perTokenCastToFp8', () => {
  it('has the documented shapes and reconstructs the input closely', () => {
    const [m, k] = [33, 300];
    const x = randn(m * k, 1);
    const { data, scale } = perTokenCastToFp8(x, m, k);
    expect(data.length).toBe(m * k);
    expect(scale.length).toBe(m * 3);
    expect(calcDiff(dequantPerToken(data, scale, m, k, 128), x)).toBeLessThan(1e-3);
  });
  it('uses fl(amax * fl(1/448)) as the scale, so amax 448 does not give exactly 1', () => {
    const x = new Float32Array(128);
    x[0] = 448;
    const { scale, data } = perTokenCastToFp8(x, 1, 128);
    expect(scale[0]).toBe(Math.fround(448 * Math.fround(1 / 448)));
    expect(data[0]).toBe(0x7e);
  });
  it('clamps a zero row to amax 1e-4 and encodes zeros', () => {
    const { scale, data } = perTokenCastToFp8(new Float32Array(256), 1, 256);
    expect([...scale]).toEqual([
      Math.fround(Math.fround(1e-4) * Math.fround(1 / 448)),
      Math.fround(Math.fround(1e-4) * Math.fround(1 / 448)),
    ]);
    expect(data.every((b) => b === 0)).toBe(true);
  });
  it('rounds scales up to powers of two with ue8m0', () => {
    const x = randn(4 * 512, 2);
    const plain = perTokenCastToFp8(x, 4, 512);
    const pow2 = perTokenCastToFp8(x, 4, 512, { ue8m0: true });
    expect([...pow2.scale]).toEqual([...ceilToUe8m0(plain.scale)]);
    for (const s of pow2.scale) expect(Number.isInteger(Math.log2(s))).toBe(true);
  });
  it('lets NaN poison only its own group and never throws on NaN or inf', () => {
    const x = randn(2 * 256, 3);
    x[5] = Number.NaN;
    x[256 + 200] = Number.POSITIVE_INFINITY;
    const { data, scale } = perTokenCastToFp8(x, 2, 256);
    expect(Number.isNaN(scale[0])).toBe(true);
    expect(data.subarray(0, 128).every((b) => b === 0x7f)).toBe(true);
    expect(Number.isFinite(scale[1])).toBe(true);
    expect(scale[3]).toBe(Number.POSITIVE_INFINITY);
    expect(data[256 + 200]).toBe(0x7f); // inf * (1/inf) = inf * 0 = NaN
  });
  it('supports other granularities and K not a multiple of the group', () => {
    const x = randn(3 * 100, 4);
    const { scale } = perTokenCastToFp8(x, 3, 100, { granularity: 32 });
    expect(scale.length).toBe(3 * 4);
  });
  it('handles empty inputs', () => {
    expect(perTokenCastToFp8(new Float32Array(0), 0, 128).scale.length).toBe(0);
    expect(perTokenCastToFp8(new Float32Array(0), 4, 0).scale.length).toBe(0);
  });
});

describe('perBlockCastToFp8 and perChannelCastToFp8', () => {
  it('per block: one scale per 128x128 tile, both dims padded', () => {
    const [m, k] = [130, 260];
    const x = randn(m * k, 5);
    const { scale } = perBlockCastToFp8(x, m, k);
    expect(scale.length).toBe(2 * 3);
    let amax = 0;
    for (let i = 128; i < 130; i++) for (let j = 256; j < 260; j++) amax = Math.max(amax, Math.abs(x[i * k + j]!));
    expect(scale[5]).toBe(Math.fround(amax * Math.fround(1 / 448)));
  });
  it('per channel: one scale per column and 128 rows', () => {
    const [k, n] = [256, 3];
    const x = randn(k * n, 6);
    const { scale, data } = perChannelCastToFp8(x, k, n);
    expect(scale.length).toBe(2 * 3);
    const v = decodeFp8(data);
    const back = Float64Array.from(v, (d, i) => d * scale[Math.floor(Math.floor(i / n) / 128) * n + (i % n)]!);
    expect(calcDiff(back, x)).toBeLessThan(1e-3);
  });
});

describe('bad input throws a typed error naming the argument', () => {
  const x = new Float32Array(12);
  const cases: [string, () => unknown, ErrorConstructor, RegExp][] = [
    [
      'length != m*k',
      () => perTokenCastToFp8(new Float32Array(10), 3, 4),
      RangeError,
      /'x' must have length m\*k .* = 12; got length 10/,
    ],
    ['non-integer m', () => perTokenCastToFp8(x, 1.5, 8), RangeError, /'m' must be a non-negative integer; got 1.5/],
    ['negative k', () => perBlockCastToFp8(x, 3, -4), RangeError, /'k' must be a non-negative integer; got -4/],
    [
      'granularity not a multiple of 16',
      () => perTokenCastToFp8(x, 3, 4, { granularity: 100 }),
      RangeError,
      /'granularity' must be a positive multiple of 16; got 100/,
    ],
    ['granularity 0', () => perTokenCastToFp8(x, 3, 4, { granularity: 0 }), RangeError, /granularity/],
    [
      'x not a Float32Array',
      () => perTokenCastToFp8([1, 2] as unknown as Float32Array, 1, 2),
      TypeError,
      /'x' must be a Float32Array; got Array\(length 2\)/,
    ],
    [
      'per channel k not a multiple',
      () => perChannelCastToFp8(new Float32Array(100), 100, 1),
      RangeError,
      /'k' must be a multiple of the granularity 128; got 100/,
    ],
    [
      'ue8m0 not boolean',
      () => perTokenCastToFp8(x, 3, 4, { ue8m0: 1 as unknown as boolean }),
      TypeError,
      /'opts.ue8m0' must be a boolean; got 1/,
    ],
  ];
  for (const [what, call, type, message] of cases) {
    it(what, () => {
      expect(call).toThrow(type);
      expect(call).toThrow(message);
    });
  }
});
