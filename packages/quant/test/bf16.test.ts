import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeBf16, encodeBf16 } from '../src/index.js';

describe('bf16', () => {
  it('rounds to nearest, ties to even', () => {
    const tieDown = 1 + 2 ** -8; // exactly between 1 and 1 + 2^-7
    const tieUp = 1 + 3 * 2 ** -8;
    expect([...encodeBf16([1, tieDown, tieUp, -2, 0, -0])]).toEqual([0x3f80, 0x3f80, 0x3f82, 0xc000, 0x0000, 0x8000]);
  });
  it('keeps NaN a NaN and infinities infinite; overflow rounds to infinity', () => {
    expect([...encodeBf16([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 3.4e38])]).toEqual([
      0x7fc0, 0x7f80, 0xff80, 0x7f80,
    ]);
  });
  it('decodes exactly', () => {
    expect([...decodeBf16(Uint16Array.of(0x3f80, 0xc000, 0x0001, 0x7f80))]).toEqual([
      1,
      -2,
      2 ** -133,
      Number.POSITIVE_INFINITY,
    ]);
  });
  it('round trips every bf16 pattern that is not NaN', () => {
    const all = Uint16Array.from({ length: 65536 }, (_, i) => i).filter((b) => (b & 0x7fff) <= 0x7f80);
    expect([...encodeBf16(decodeBf16(all))]).toEqual([...all]);
  });
  it('decode(encode(x)) is a nearest bf16', () => {
    fc.assert(
      fc.property(
        fc.float({ noNaN: true, noDefaultInfinity: true, max: Math.fround(3e38), min: Math.fround(-3e38) }),
        (x) => {
          const bits = encodeBf16([x])[0]!;
          const [v, up, down] = decodeBf16(Uint16Array.of(bits, bits + 1, bits - 1));
          const notCloser = (n: number) => Number.isNaN(n) || Math.abs(v! - x) <= Math.abs(n - x);
          return notCloser(up!) && notCloser(down!);
        },
      ),
      { numRuns: 3000 },
    );
  });
});
