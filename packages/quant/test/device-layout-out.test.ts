// @dg/quant/device's layout functions with `opts.out`: every bad `out` is rejected with a message naming it, before
// anything is launched. The tensors wrap made-up device pointers (Tensor.fromDevicePointer with an explicit device
// touches no driver), so this runs without a GPU; writing into `out` on a device is tested in device.gpu.test.ts.

import { Tensor } from '@dg/runtime';
import { describe, expect, it } from 'vitest';
import { toMnMajorTmaAligned, toMnMajorTmaAlignedPackedUe8m0 } from '../src/device/index.js';

const DEV = 'cuda:0';
// Row-major FP32 scales [mn 5, sfK 3]: the MN-major TMA-aligned layout has strides [1, 8] and 3 * 8 floats.
const sf = Tensor.fromDevicePointer(0x10000n, [5, 3], 'f32', { device: DEV });
const outOf = (
  shape: number[],
  strides: number[],
  opts: { dtype?: 'f32' | 'i32'; device?: string; byteLength?: number } = {},
) =>
  Tensor.fromDevicePointer(0x20000n, shape, opts.dtype ?? 'f32', {
    strides,
    device: (opts.device ?? DEV) as 'cuda:0',
    byteLength: opts.byteLength,
  });

describe('toMnMajorTmaAligned(sf, { out })', () => {
  it.each([
    ['not a tensor', { length: 3 }, TypeError, /'opts.out' must be a Tensor; got /],
    [
      'on another device',
      outOf([5, 3], [1, 8], { device: 'cuda:1', byteLength: 96 }),
      TypeError,
      /on cuda:0 .*got cuda:1/,
    ],
    ['of another dtype', outOf([5, 3], [1, 8], { dtype: 'i32', byteLength: 96 }), TypeError, /dtype f32; got i32/],
    ['of another shape', outOf([3, 5], [1, 4], { byteLength: 96 }), RangeError, /shape \[5, 3\] and strides \[1, 8\]/],
    ['row-major', outOf([5, 3], [3, 1], { byteLength: 96 }), RangeError, /got shape \[5, 3\] and strides \[3, 1\]/],
    ['without room for the padding', outOf([5, 3], [1, 8]), RangeError, /96 bytes of storage .*; got 84/],
    [
      'overlapping sf',
      Tensor.fromDevicePointer(0x10020n, [5, 3], 'f32', { strides: [1, 8], device: DEV, byteLength: 96 }),
      RangeError,
      /'opts.out' must not overlap 'sf'; got bytes \[0x10020, \+96\) over 'sf' at \[0x10000, \+60\)/,
    ],
  ])('rejects an out %s', (_what, out, type, message) => {
    const call = () => toMnMajorTmaAligned(sf, { out: out as Tensor });
    expect(call).toThrow(type);
    expect(call).toThrow(message);
  });

  it('checks the packed layout too (i32, ceil(sfK / 4) columns)', () => {
    const call = () => toMnMajorTmaAlignedPackedUe8m0(sf, { out: outOf([5, 1], [1, 8], { byteLength: 32 }) });
    expect(call).toThrow(/'opts.out' must have dtype i32; got f32/);
  });
});
