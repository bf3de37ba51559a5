// Descriptor validation happens before any driver call, so all of it is testable without a GPU.
import { describe, expect, it } from 'vitest';
import { isAvailable } from '../src/device.js';
import { CudaUnavailableError } from '../src/errors.js';
import { checkTensorMapDescriptor, encodeTensorMapTiled, type TensorMapDescriptor } from '../src/tensorMap.js';

// A 2-D bf16 [rows=256, cols=512] row-major tensor, loaded in 64x64 boxes with 128-byte swizzling.
const base: TensorMapDescriptor = {
  dataType: 'bfloat16',
  globalAddress: 0x7f0000000000n,
  globalDims: [512, 256],
  globalStridesBytes: [1024],
  boxDims: [64, 64],
  swizzle: '128b',
};

function bad(patch: Partial<TensorMapDescriptor>): () => void {
  return () => checkTensorMapDescriptor({ ...base, ...patch });
}

describe('tensor map descriptors', () => {
  it('converts a valid descriptor to the driver arguments', () => {
    const a = checkTensorMapDescriptor({ ...base, l2Promotion: '256b', oobFill: 'nan', elementStrides: [1, 2] });
    expect(a.dataType).toBe(9); // CU_TENSOR_MAP_DATA_TYPE_BFLOAT16
    expect(a.rank).toBe(2);
    expect(Array.from(a.dims)).toEqual([512n, 256n]);
    expect(Array.from(a.strides)).toEqual([1024n]);
    expect(Array.from(a.box)).toEqual([64, 64]);
    expect(Array.from(a.elementStrides)).toEqual([1, 2]);
    expect(a.swizzle).toBe(3);
    expect(a.l2Promotion).toBe(3);
    expect(a.oobFill).toBe(1);
    expect(a.interleave).toBe(0);
  });

  it('accepts rank 1 and rank 5, bigint dims and strides', () => {
    expect(
      checkTensorMapDescriptor({
        dataType: 'uint8',
        globalAddress: 16n,
        globalDims: [4096n],
        globalStridesBytes: [],
        boxDims: [256],
      }).rank,
    ).toBe(1);
    expect(
      checkTensorMapDescriptor({
        dataType: 'float32',
        globalAddress: 256n,
        globalDims: [8, 2, 2, 2, 2],
        globalStridesBytes: [32n, 64n, 128n, 256n],
        boxDims: [8, 1, 1, 1, 1],
      }).rank,
    ).toBe(5);
  });

  it('rejects bad ranks', () => {
    expect(bad({ globalDims: [], globalStridesBytes: [], boxDims: [] })).toThrow(
      /globalDims must be an array of rank 1\.\.5/,
    );
    expect(bad({ globalDims: [1, 1, 1, 1, 1, 1] })).toThrow(RangeError);
    expect(bad({ globalStridesBytes: [] })).toThrow(/globalStridesBytes must have rank-1 = 1 entries/);
    expect(bad({ boxDims: [64] })).toThrow(/boxDims must have 2 entries/);
    expect(bad({ elementStrides: [1] })).toThrow(/elementStrides must have 2 entries/);
  });

  it('rejects bad dims, strides and boxes, naming the entry', () => {
    expect(bad({ globalDims: [0, 256] })).toThrow(/globalDims\[0\] must be in \[1, 4294967296\], got 0/);
    expect(bad({ globalDims: [1.5, 256] })).toThrow(TypeError);
    expect(bad({ globalStridesBytes: [1000] })).toThrow(
      /globalStridesBytes\[0\] must be a multiple of 16 bytes, got 1000/,
    );
    expect(bad({ globalStridesBytes: [2n ** 40n] })).toThrow(/globalStridesBytes\[0\] must be in/);
    expect(bad({ boxDims: [64, 257] })).toThrow(/boxDims\[1\] must be in \[1, 256\], got 257/);
    expect(bad({ boxDims: [0, 64] })).toThrow(RangeError);
    expect(bad({ elementStrides: [1, 9] })).toThrow(/elementStrides\[1\] must be in \[1, 8\], got 9/);
  });

  it('rejects inner boxes that are not 16-byte multiples or exceed the swizzle span', () => {
    expect(bad({ boxDims: [4, 64], swizzle: 'none' })).toThrow(/multiple of 16 bytes/);
    expect(bad({ boxDims: [128, 64] })).toThrow(/<= 128 bytes with swizzle '128b', got 256/);
    expect(bad({ boxDims: [32, 64], swizzle: '32b' })).toThrow(/<= 32 bytes/);
  });

  it('rejects misaligned or mistyped addresses', () => {
    expect(bad({ globalAddress: 0x1008n })).toThrow(
      /globalAddress must be a non-null 16-byte aligned pointer, got 4104n/,
    );
    expect(bad({ globalAddress: 0n })).toThrow(RangeError);
    expect(bad({ globalAddress: 4096 as unknown as bigint })).toThrow(/globalAddress must be a bigint, got 4096/);
  });

  it('rejects unknown enum values and invalid combinations', () => {
    expect(bad({ dataType: 'fp8' as TensorMapDescriptor['dataType'] })).toThrow(/dataType must be one of .*got "fp8"/);
    expect(bad({ swizzle: '256b' as TensorMapDescriptor['swizzle'] })).toThrow(/swizzle must be one of/);
    expect(bad({ interleave: '8b' as TensorMapDescriptor['interleave'] })).toThrow(/interleave must be one of/);
    expect(bad({ l2Promotion: '512b' as TensorMapDescriptor['l2Promotion'] })).toThrow(/l2Promotion/);
    expect(bad({ oobFill: 'one' as TensorMapDescriptor['oobFill'] })).toThrow(/oobFill/);
    expect(bad({ dataType: 'uint8', oobFill: 'nan', boxDims: [128, 64] })).toThrow(/'nan' needs a floating-point/);
    expect(bad({ interleave: '16b' })).toThrow(/rank >= 3/);
  });

  it.skipIf(isAvailable())(
    `a valid descriptor reaches the driver check only after validation${isAvailable() ? ' (skipped: a GPU is present)' : ''}`,
    () => {
      expect(() => encodeTensorMapTiled(base)).toThrow(CudaUnavailableError);
      expect(() => encodeTensorMapTiled({ ...base, boxDims: [64, 300] })).toThrow(RangeError);
    },
  );
});
