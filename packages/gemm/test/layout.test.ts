// The scale-layout helpers on cpu tensors: the MN-major and K-major TMA-aligned layouts, no copy when already in them.

import { Tensor } from '@dg/runtime';
import { describe, expect, it } from 'vitest';
import {
  DgArgumentError,
  DgDtypeError,
  DgShapeError,
  DgUnsupportedError,
  getKMajorTmaAlignedTensor,
  getMnMajorTmaAlignedTensor,
  transformSfIntoRequiredLayout,
} from '../src/index.js';
import { expectGemmError } from './helpers.js';

const values = (n: number) => Float32Array.from({ length: n }, (_, i) => i + 1);

describe('getMnMajorTmaAlignedTensor', () => {
  it('lays row-major scales out MN-major with columns padded to 4 floats', () => {
    const sf = Tensor.fromArray(values(15), [5, 3], 'f32');
    const out = getMnMajorTmaAlignedTensor(sf);
    expect(out.shape).toEqual([5, 3]);
    expect(out.strides).toEqual([1, 8]);
    expect(out.toArray()).toEqual(sf.toArray());
  });

  it('returns the input itself when it already is MN-major TMA-aligned', () => {
    const aligned = getMnMajorTmaAlignedTensor(Tensor.fromArray(values(15), [5, 3], 'f32'));
    expect(getMnMajorTmaAlignedTensor(aligned)).toBe(aligned);
  });

  it('handles grouped scales and non-contiguous input', () => {
    const grouped = Tensor.fromArray(values(2 * 6 * 2), [2, 6, 2], 'f32');
    const out = getMnMajorTmaAlignedTensor(grouped);
    expect(out.strides).toEqual([16, 1, 8]);
    expect(out.toArray()).toEqual(grouped.toArray());
    const transposed = Tensor.fromArray(values(12), [3, 4], 'f32').transpose(0, 1);
    const fromTransposed = getMnMajorTmaAlignedTensor(transposed);
    expect(fromTransposed.strides).toEqual([1, 4]);
    expect(fromTransposed.toArray()).toEqual(transposed.toArray());
  });

  it('rejects non-f32 and 1-D scales', () => {
    expectGemmError(() => getMnMajorTmaAlignedTensor(Tensor.zeros([4, 2], 'i32')), DgDtypeError, 'sf');
    expectGemmError(() => getMnMajorTmaAlignedTensor(Tensor.zeros([4], 'f32')), DgShapeError, 'sf');
  });
});

describe('getKMajorTmaAlignedTensor', () => {
  it('lays scales out K-major with rows padded to 4 floats', () => {
    const sf = Tensor.fromArray(values(15), [5, 3], 'f32');
    const out = getKMajorTmaAlignedTensor(sf);
    expect(out.shape).toEqual([5, 3]);
    expect(out.strides).toEqual([4, 1]);
    expect(out.toArray()).toEqual(sf.toArray());
    expect(getKMajorTmaAlignedTensor(out)).toBe(out);
  });

  it('returns aligned input itself and handles grouped and MN-major input', () => {
    const aligned = Tensor.fromArray(values(8), [2, 4], 'f32');
    expect(getKMajorTmaAlignedTensor(aligned)).toBe(aligned);
    const grouped = Tensor.fromArray(values(2 * 3 * 5), [2, 3, 5], 'f32');
    const out = getKMajorTmaAlignedTensor(grouped);
    expect(out.strides).toEqual([24, 8, 1]);
    expect(out.toArray()).toEqual(grouped.toArray());
    const mnMajor = Tensor.fromArray(values(6), [2, 3], 'f32').transpose(0, 1);
    const fromMnMajor = getKMajorTmaAlignedTensor(mnMajor);
    expect(fromMnMajor.strides).toEqual([4, 1]);
    expect(fromMnMajor.toArray()).toEqual(mnMajor.toArray());
  });

  it('rejects non-f32 and 1-D scales', () => {
    expectGemmError(() => getKMajorTmaAlignedTensor(Tensor.zeros([4, 2], 'i32')), DgDtypeError, 'sf');
    expectGemmError(() => getKMajorTmaAlignedTensor(Tensor.zeros([4], 'f32')), DgShapeError, 'sf');
  });
});

describe('transformSfIntoRequiredLayout', () => {
  it('brings per-token scales into the MN-major TMA-aligned layout', () => {
    const sf = Tensor.fromArray(values(6 * 3), [6, 3], 'f32');
    const out = transformSfIntoRequiredLayout(sf, 6, 300, [1, 128]);
    expect(out.strides).toEqual([1, 8]);
    expect(out.toArray()).toEqual(sf.toArray());
  });

  it('brings per-block scales into the K-major TMA-aligned layout', () => {
    const sf = Tensor.fromArray(values(6), [2, 3], 'f32').transpose(0, 1);
    const out = transformSfIntoRequiredLayout(sf, 300, 256, [128, 128]);
    expect(out.shape).toEqual([3, 2]);
    expect(out.strides).toEqual([4, 1]);
    expect(out.toArray()).toEqual(sf.toArray());
    expect(transformSfIntoRequiredLayout(out, 300, 256, [128, 128])).toBe(out);
  });

  it('checks the shape against mn, k, the recipe and the group count', () => {
    const sf = Tensor.zeros([6, 3], 'f32');
    expectGemmError(() => transformSfIntoRequiredLayout(sf, 6, 256, [1, 128]), DgShapeError, 'sf');
    expectGemmError(() => transformSfIntoRequiredLayout(sf, 6, 300, [1, 128], { numGroups: 2 }), DgShapeError, 'sf');
    const grouped = Tensor.zeros([2, 6, 3], 'f32');
    expect(transformSfIntoRequiredLayout(grouped, 6, 300, [1, 128], { numGroups: 2 }).strides).toEqual([24, 1, 8]);
  });

  it('rejects bad sizes and recipes', () => {
    const sf = Tensor.zeros([6, 3], 'f32');
    expectGemmError(() => transformSfIntoRequiredLayout(sf, -6, 300, [1, 128]), DgArgumentError, 'mn');
    expectGemmError(() => transformSfIntoRequiredLayout(sf, 6, 2.5, [1, 128]), DgArgumentError, 'k');
    expectGemmError(() => transformSfIntoRequiredLayout(sf, 6, 300, [1] as never), DgArgumentError, 'recipe');
    expectGemmError(() => transformSfIntoRequiredLayout(sf, 6, 300, [1, 100]), DgUnsupportedError, 'recipe');
  });
});
