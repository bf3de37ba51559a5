// @dg/quant/device against the CPU functions of @dg/quant: same inputs, bit-identical outputs.
import { isAvailable, Tensor, unavailableReason } from '@dg/runtime';
import { describe, expect, it } from 'vitest';
import * as dev from '../src/device/index.js';
import * as cpu from '../src/index.js';

const gpu = isAvailable();

function randomBf16(n: number, seed: number, specials: boolean): Uint16Array {
  let s = seed >>> 0;
  const u = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s + 0.5) / 2 ** 32;
  };
  const f = new Float32Array(n);
  for (let i = 0; i < n; i++)
    f[i] = 2 ** Math.floor(u() * 20 - 10) * Math.sqrt(-2 * Math.log(u())) * Math.cos(6.283185307 * u());
  if (specials && n > 4000) {
    f[3] = Number.NaN;
    f[1000] = Number.POSITIVE_INFINITY;
    f[2000] = Number.NEGATIVE_INFINITY;
    f.fill(0, 2500, 2500 + 300); // an all-zero group
    f[3500] = 1e-40;
  }
  return cpu.encodeBf16(f);
}

const canonical = (a: Float32Array) =>
  Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length), (b) =>
    (b & 0x7fffffff) > 0x7f800000 ? 0x7fc00000 : b,
  );
function firstDiff(a: ArrayLike<number>, b: ArrayLike<number>): string {
  if (a.length !== b.length) return `length ${a.length} vs ${b.length}`;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return `index ${i}: ${a[i]} vs ${b[i]}`;
  return 'none';
}

/** Reads a possibly strided f32 device tensor back as a row-major Float32Array of its logical shape. */
const hostF32 = (t: Tensor) => t.contiguous().toArray() as Float32Array;

describe.skipIf(!gpu)(`@dg/quant/device on a CUDA device${gpu ? '' : ` (skipped: ${unavailableReason()})`}`, () => {
  const shapes: [number, number][] = [
    [1, 128],
    [17, 4160],
    [300, 7168],
    [129, 7296],
    [64, 48],
  ];
  for (const [m, k] of shapes) {
    for (const input of ['bf16', 'f32'] as const) {
      for (const ue8m0 of [false, true]) {
        it(`per token and per block, ${input} [${m}, ${k}], ue8m0=${ue8m0}`, () => {
          const bits = randomBf16(m * k, m * 31 + k, true);
          const xf = cpu.decodeBf16(bits);
          const x =
            input === 'bf16'
              ? Tensor.fromArray(bits, [m, k], 'bf16', 'cuda:0')
              : Tensor.fromArray(xf, [m, k], 'f32', 'cuda:0');
          for (const g of k % 128 === 0 ? [128, 32] : [128]) {
            const want = cpu.perTokenCastToFp8(xf, m, k, { granularity: g, ue8m0 });
            const got = dev.perTokenCastToFp8(x, { granularity: g, ue8m0 });
            expect(firstDiff(got.data.toArray() as Uint8Array, want.data)).toBe('none');
            expect(firstDiff(canonical(hostF32(got.scale)), canonical(want.scale))).toBe('none');
            const mn = dev.perTokenCastToFp8(x, { granularity: g, ue8m0, scaleLayout: 'mnMajorTmaAligned' });
            expect(mn.scale.strides).toEqual([1, Math.ceil(m / 4) * 4]);
            expect(firstDiff(mn.data.toArray() as Uint8Array, want.data)).toBe('none');
            expect(firstDiff(canonical(hostF32(mn.scale)), canonical(want.scale))).toBe('none');
          }
          const wantBlock = cpu.perBlockCastToFp8(xf, m, k, { ue8m0 });
          const gotBlock = dev.perBlockCastToFp8(x, { ue8m0 });
          expect(firstDiff(gotBlock.data.toArray() as Uint8Array, wantBlock.data)).toBe('none');
          expect(firstDiff(canonical(hostF32(gotBlock.scale)), canonical(wantBlock.scale))).toBe('none');
        });
      }
    }
  }

  it('gives the same bits on every run (no race)', () => {
    const [m, k] = [512, 7168];
    const x = Tensor.fromArray(randomBf16(m * k, 7, false), [m, k], 'bf16', 'cuda:0');
    const first = dev.perTokenCastToFp8(x).data.toArray() as Uint8Array;
    for (let i = 0; i < 3; i++)
      expect(firstDiff(dev.perTokenCastToFp8(x).data.toArray() as Uint8Array, first)).toBe('none');
  });

  for (const [mn, sfk, groups] of [
    [4096, 56, 1],
    [4097, 57, 1],
    [130, 5, 3],
  ] as const) {
    it(`scale layouts mn=${mn} sfK=${sfk} groups=${groups}`, () => {
      const sf = cpu.ceilToUe8m0(
        Float32Array.from({ length: groups * mn * sfk }, (_, i) => 1e-3 + Math.abs(Math.sin(i))),
      );
      const shape = groups === 1 ? [mn, sfk] : [groups, mn, sfk];
      const t = Tensor.fromArray(sf, shape, 'f32', 'cuda:0');
      const plain = dev.toMnMajorTmaAligned(t);
      const wantPlain = cpu.toMnMajorTmaAligned(sf, mn, sfk, groups);
      expect(plain.strides).toEqual(wantPlain.strides);
      expect(firstDiff(hostF32(plain), cpu.fromMnMajorTmaAligned(wantPlain.data, mn, sfk, groups))).toBe('none');
      const packed = dev.toMnMajorTmaAlignedPackedUe8m0(t);
      const wantPacked = cpu.toMnMajorTmaAlignedPackedUe8m0(sf, mn, sfk, groups);
      expect(packed.shape).toEqual(wantPacked.shape);
      expect(packed.strides).toEqual(wantPacked.strides);
      expect(firstDiff(packed.contiguous().toArray() as Int32Array, logical(wantPacked))).toBe('none');
      // The same layout written into a caller's buffer (opts.out): a view at an offset into a larger allocation,
      // whose storage covers the padding; the whole padded layout must match the new tensor's bit for bit.
      const elements = wantPlain.data.length;
      const buffer = Tensor.zeros([elements + 64], 'f32', 'cuda:0');
      const into = Tensor.fromDevicePointer(buffer.dataPtr + 64n * 4n, plain.shape, 'f32', {
        strides: plain.strides,
        device: 'cuda:0',
        owner: buffer,
        byteLength: elements * 4,
      });
      expect(dev.toMnMajorTmaAligned(t, { out: into })).toBe(into);
      const got = buffer.toArray() as Float32Array;
      expect(firstDiff(got.subarray(64), wantPlain.data)).toBe('none');
      expect(firstDiff(got.subarray(0, 64), new Float32Array(64))).toBe('none');
    });
  }

  it('rejects bad inputs before any launch', () => {
    const host = Tensor.fromArray(new Float32Array(256), [2, 128]);
    expect(() => dev.perTokenCastToFp8(host)).toThrow(/'x' must be on a CUDA device; got device 'cpu'/);
    const odd = Tensor.fromArray(new Float32Array(2 * 40), [2, 40], 'f32', 'cuda:0');
    expect(() => dev.perTokenCastToFp8(odd)).toThrow(/a multiple of 16 \(16-byte FP8 rows\); got 40/);
    const i32 = Tensor.fromArray(new Int32Array(256), [2, 128], 'i32', 'cuda:0');
    expect(() => dev.perBlockCastToFp8(i32)).toThrow(/dtype bf16 or f32; got i32/);
    expect(() => dev.perTokenCastToFp8(odd.transpose(0, 1))).toThrow(/contiguous/);
  });
});

/** The packed CPU layout read in logical [.., mn, cols] row-major order (what contiguous() gives on the device). */
function logical(r: cpu.MnMajorScales<Int32Array>): Int32Array {
  const [groups, mn, cols] =
    r.shape.length === 3 ? (r.shape as [number, number, number]) : [1, r.shape[0]!, r.shape[1]!];
  const out = new Int32Array(groups * mn * cols);
  for (let g = 0; g < groups; g++)
    for (let i = 0; i < mn; i++)
      for (let j = 0; j < cols; j++)
        out[(g * mn + i) * cols + j] = r.data[g * cols * r.alignedMn + j * r.alignedMn + i]!;
  return out;
}
