import { describe, expect, it } from 'vitest';
import { f32ToBf16Bits, f32ToF16Bits } from '../src/tensor/half.js';

// Independent references: decode every candidate and pick the nearest by exact double arithmetic (differences of
// f32-representable values are exact in f64), ties to the even bit pattern.

function f32FromBits(bits: number): number {
  const dv = new DataView(new ArrayBuffer(4));
  dv.setUint32(0, bits >>> 0);
  return dv.getFloat32(0);
}

function f16Value(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const e = (h >>> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return sign * m * 2 ** -24;
  if (e === 31) return m === 0 ? sign * Number.POSITIVE_INFINITY : Number.NaN;
  return sign * (1 + m / 1024) * 2 ** (e - 15);
}

/** Rounds |x| between two adjacent magnitudes (as bit patterns) to nearest, ties to even. */
function nearestEven(ax: number, lo: number, hi: number, loValue: number, hiValue: number): number {
  const dLo = ax - loValue;
  const dHi = hiValue - ax;
  if (dLo < dHi) return lo;
  if (dHi < dLo) return hi;
  return lo % 2 === 0 ? lo : hi;
}

function refF16(x: number): number {
  const sign = x < 0 || Object.is(x, -0) ? 0x8000 : 0;
  const ax = Math.abs(x);
  if (ax === Number.POSITIVE_INFINITY) return sign | 0x7c00;
  // Largest finite magnitude pattern whose value is <= ax (binary search over the monotonic positive patterns).
  let lo = 0;
  let hi = 0x7bff;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if (f16Value(mid) <= ax) lo = mid;
    else hi = mid - 1;
  }
  if (f16Value(lo) === ax) return sign | lo;
  // Past the largest finite value the next step is 2^16 (the exponent continues), which rounds to infinity.
  const next = lo === 0x7bff ? 65536 : f16Value(lo + 1);
  return sign | nearestEven(ax, lo, lo + 1, f16Value(lo), next);
}

function refBf16(x: number): number {
  const bits = new DataView(new ArrayBuffer(4));
  bits.setFloat32(0, x);
  const b = bits.getUint32(0);
  const sign = (b >>> 16) & 0x8000;
  const lo = (b >>> 16) & 0x7fff;
  const loValue = f32FromBits(lo << 16);
  const ax = Math.abs(x);
  if (loValue === ax) return sign | lo;
  const hiValue = lo + 1 === 0x7f80 ? 2 ** 128 : f32FromBits((lo + 1) << 16);
  return sign | nearestEven(ax, lo, lo + 1, loValue, hiValue);
}

/** Deterministic f32 samples: random bit patterns plus exact ties and near-ties of both formats. */
function samples(): number[] {
  let state = 0x12345678;
  const next = (): number => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state;
  };
  const out: number[] = [];
  for (let i = 0; i < 20000; i++) {
    const bits = next();
    const x = f32FromBits(bits);
    if (!Number.isNaN(x)) out.push(x);
  }
  for (let i = 0; i < 5000; i++) {
    // bf16 ties (low half exactly 0x8000) and their neighbours; f16-range values with 13 dropped bits at the midpoint.
    const hi = next() & 0xffff0000;
    for (const low of [0x7fff, 0x8000, 0x8001]) {
      const x = f32FromBits(hi | low);
      if (!Number.isNaN(x)) out.push(x);
    }
    const e = 102 + (next() % 42); // f32 exponents spanning f16 subnormals to overflow
    const mant = (next() & 0x7fe000) | 0x1000;
    out.push(f32FromBits((e << 23) | mant), -f32FromBits((e << 23) | mant));
  }
  return out;
}

describe('f32ToBf16Bits', () => {
  it.each([
    [1, 0x3f80],
    [-2, 0xc000],
    [0, 0x0000],
    [-0, 0x8000],
    [0.1, 0x3dcd],
    [1 + 2 ** -8, 0x3f80], // tie between 0x3f80 and 0x3f81: to even (down)
    [1 + 3 * 2 ** -8, 0x3f82], // tie between 0x3f81 and 0x3f82: to even (up)
    [1 + 2 ** -8 + 2 ** -20, 0x3f81], // just above the tie
    [Number.POSITIVE_INFINITY, 0x7f80],
    [Number.NEGATIVE_INFINITY, 0xff80],
    [3.4028234663852886e38, 0x7f80], // f32 max rounds up to infinity
    [2 ** -149, 0x0000], // smallest f32 subnormal: below half of 0x0001's value
    [2 ** -133, 0x0001], // smallest bf16 subnormal
  ])('%d -> 0x%s', (x, bits) => {
    expect(f32ToBf16Bits(x)).toBe(bits);
  });

  it('maps NaN to the canonical quiet NaN 0x7fc0', () => {
    expect(f32ToBf16Bits(Number.NaN)).toBe(0x7fc0);
  });

  it('agrees with a nearest-even reference on 45k samples', () => {
    for (const x of samples()) {
      const got = f32ToBf16Bits(x);
      if (got !== refBf16(x)) expect({ x, got }).toEqual({ x, got: refBf16(x) });
    }
  });
});

describe('f32ToF16Bits', () => {
  it.each([
    [1, 0x3c00],
    [-2, 0xc000],
    [0, 0x0000],
    [-0, 0x8000],
    [0.1, 0x2e66],
    [65504, 0x7bff], // largest finite
    [65519, 0x7bff], // below the overflow midpoint
    [65520, 0x7c00], // the midpoint ties to the even pattern: infinity
    [1 + 2 ** -11, 0x3c00], // tie: to even (down)
    [1 + 3 * 2 ** -11, 0x3c02], // tie: to even (up)
    [2 ** -14, 0x0400], // smallest normal
    [2 ** -24, 0x0001], // smallest subnormal
    [2 ** -25, 0x0000], // half of it: ties to even zero
    [3 * 2 ** -25, 0x0002], // 1.5 units: ties to even 2
    [2 ** -25 + 2 ** -40, 0x0001], // just above half
    [-(2 ** -30), 0x8000], // underflow keeps the sign
    [2 ** -14 - 2 ** -25, 0x0400], // subnormal rounding carries into the smallest normal
    [Number.POSITIVE_INFINITY, 0x7c00],
    [Number.NEGATIVE_INFINITY, 0xfc00],
    [1e10, 0x7c00],
  ])('%d -> 0x%s', (x, bits) => {
    expect(f32ToF16Bits(x)).toBe(bits);
  });

  it('maps NaN to the canonical quiet NaN 0x7e00', () => {
    expect(f32ToF16Bits(Number.NaN)).toBe(0x7e00);
  });

  it('rounds to f32 first, as PyTorch does for a Python scalar', () => {
    // 1 + 2^-11 + 2^-30 rounds to 1 + 2^-11 in f32 (a f16 tie, hence 0x3c00) although it is above the f16 midpoint.
    expect(f32ToF16Bits(1 + 2 ** -11 + 2 ** -30)).toBe(0x3c00);
  });

  it('agrees with a nearest-even reference on 45k samples', () => {
    for (const x of samples()) {
      const got = f32ToF16Bits(x);
      if (got !== refF16(x)) expect({ x, got }).toEqual({ x, got: refF16(x) });
    }
  });
});
