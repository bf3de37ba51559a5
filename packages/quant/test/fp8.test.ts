import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeFp8, encodeFp8 } from '../src/index.js';

const codes = Uint8Array.from({ length: 256 }, (_, i) => i);

/** Independent decode straight from the format definitions. */
function decodeRef(code: number, format: 'e4m3fn' | 'e5m2'): number {
  const [eb, mb, bias] = format === 'e4m3fn' ? [4, 3, 7] : [5, 2, 15];
  const s = code & 0x80 ? -1 : 1;
  const e = (code >> mb) & ((1 << eb) - 1);
  const m = code & ((1 << mb) - 1);
  if (format === 'e4m3fn' && e === 15 && m === 7) return Number.NaN;
  if (format === 'e5m2' && e === 31) return m === 0 ? s * Number.POSITIVE_INFINITY : Number.NaN;
  if (e === 0) return s * m * 2 ** (1 - bias - mb);
  return s * (1 + m / 2 ** mb) * 2 ** (e - bias);
}

describe('decodeFp8: all 256 codes', () => {
  for (const format of ['e4m3fn', 'e5m2'] as const) {
    it(`${format} decodes every code exactly`, () => {
      const got = decodeFp8(codes, format);
      for (let c = 0; c < 256; c++)
        expect(
          Object.is(got[c], decodeRef(c, format)) || (Number.isNaN(got[c]!) && Number.isNaN(decodeRef(c, format))),
        ).toBe(true);
    });
  }
  it('knows the landmarks', () => {
    const e4 = decodeFp8(Uint8Array.of(0x7e, 0xfe, 0x7f, 0xff, 0x01, 0x08, 0x80, 0x38), 'e4m3fn');
    expect([...e4]).toEqual([448, -448, Number.NaN, Number.NaN, 2 ** -9, 2 ** -6, -0, 1]);
    const e5 = decodeFp8(Uint8Array.of(0x7b, 0x7c, 0xfc, 0x7d, 0x01, 0x04, 0x3c), 'e5m2');
    expect([...e5]).toEqual([
      57344,
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
      Number.NaN,
      2 ** -16,
      2 ** -14,
      1,
    ]);
  });
});

describe('encodeFp8: hand-checked cases', () => {
  const enc = (x: number[], format: 'e4m3fn' | 'e5m2' = 'e4m3fn', saturate = true) => [
    ...encodeFp8(x, format, { saturate }),
  ];
  it('rounds ties to even, normal and subnormal', () => {
    expect(enc([1 + 1 / 16, 1 + 3 / 16])).toEqual([0x38, 0x3a]); // between 1 and 1.125 -> 1; 1.1875 -> 1.25
    expect(enc([0.5 * 2 ** -9, 1.5 * 2 ** -9, 2.5 * 2 ** -9])).toEqual([0x00, 0x02, 0x02]);
    expect(enc([1 + 1 / 8, 1 + 3 / 8], 'e5m2')).toEqual([0x3c, 0x3e]);
  });
  it('keeps the sign of zero and of values that round to zero', () => {
    expect(enc([0, -0, -1e-30])).toEqual([0x00, 0x80, 0x80]);
  });
  it('saturates (PTX satfinite) or overflows (PyTorch)', () => {
    expect(enc([448, 463.99, 464, 465, 1e9, Number.POSITIVE_INFINITY, -1e9])).toEqual([
      0x7e, 0x7e, 0x7e, 0x7e, 0x7e, 0x7e, 0xfe,
    ]);
    expect(enc([448, 464, 465, 480, Number.POSITIVE_INFINITY, -465], 'e4m3fn', false)).toEqual([
      0x7e, 0x7e, 0x7f, 0x7f, 0x7f, 0xff,
    ]);
    expect(enc([57344, 61439, 61440, 1e9, Number.NEGATIVE_INFINITY], 'e5m2')).toEqual([0x7b, 0x7b, 0x7b, 0x7b, 0xfb]);
    expect(enc([57344, 61439, 61440, 1e9, Number.NEGATIVE_INFINITY], 'e5m2', false)).toEqual([
      0x7b, 0x7b, 0x7c, 0x7c, 0xfc,
    ]);
  });
  it('encodes NaN as NaN (0x7F) in both modes and formats, without throwing', () => {
    for (const format of ['e4m3fn', 'e5m2'] as const) {
      for (const saturate of [true, false])
        expect(enc([Number.NaN, -Number.NaN], format, saturate)).toEqual([0x7f, 0x7f]);
    }
  });
  it('rounds a double input to FP32 first', () => {
    expect(enc([1.0625 + 2 ** -40])).toEqual([0x38]); // FP32 rounding lands exactly on the tie, which goes to even
  });
});

describe('encodeFp8: properties', () => {
  const finite32 = fc.float({ noNaN: true, noDefaultInfinity: true });
  for (const format of ['e4m3fn', 'e5m2'] as const) {
    const max = format === 'e4m3fn' ? 448 : 57344;
    const table = decodeFp8(codes, format);
    it(`${format}: decode(encode(x)) is a nearest representable value`, () => {
      fc.assert(
        fc.property(finite32, (x) => {
          const got = table[encodeFp8([x], format)[0]!]!;
          const err = Math.abs(got - x);
          for (let c = 0; c < 256; c++) {
            const v = table[c]!;
            if (Number.isFinite(v) && Math.abs(v - x) < err) return false;
          }
          return Math.abs(x) <= max ? true : Math.abs(got) === max;
        }),
        { numRuns: 3000 },
      );
    });
    it(`${format}: encode is monotonic`, () => {
      fc.assert(
        fc.property(finite32, finite32, (a, b) => {
          const [lo, hi] = a <= b ? [a, b] : [b, a];
          const [cl, ch] = encodeFp8([lo, hi], format);
          return table[cl!]! <= table[ch!]!;
        }),
        { numRuns: 3000 },
      );
    });
    it(`${format}: every finite code survives encode(decode(code))`, () => {
      const finite = [...codes].filter((c) => Number.isFinite(table[c]!));
      const back = encodeFp8(decodeFp8(Uint8Array.from(finite), format), format);
      expect([...back]).toEqual(finite);
    });
  }
});
