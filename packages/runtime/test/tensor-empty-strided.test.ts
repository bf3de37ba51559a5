import { describe, expect, it } from 'vitest';
import { CudaUnavailableError, isAvailable } from '../src/index.js';
import { Tensor } from '../src/tensor/index.js';

describe('Tensor.emptyStrided', () => {
  it('owns a strided layout and covers its span (or more when asked)', () => {
    const t = Tensor.emptyStrided([3, 2], [1, 4], 'f32');
    expect(t.shape).toEqual([3, 2]);
    expect(t.strides).toEqual([1, 4]);
    expect(t.isContiguous()).toBe(false);
    expect((t.storage as { data: Float32Array }).data.length).toBe(7);
    const padded = Tensor.emptyStrided([3, 2], [1, 4], 'f32', 'cpu', { storageElements: 8 });
    expect((padded.storage as { data: Float32Array }).data.length).toBe(8);
    padded.fill(2);
    expect([...(padded.toArray() as Float32Array)]).toEqual([2, 2, 2, 2, 2, 2]);
  });
  it('rejects bad strides and storage sizes', () => {
    expect(() => Tensor.emptyStrided([3, 2], [1], 'f32')).toThrow(/strides/);
    expect(() => Tensor.emptyStrided([3, 2], [1, 4], 'f32', 'cpu', { storageElements: -1 })).toThrow(/storageElements/);
  });
  it.skipIf(isAvailable())('needs CUDA for a device tensor (skipped where a GPU is present)', () => {
    expect(() => Tensor.emptyStrided([3, 2], [1, 4], 'f32', 'cuda:0')).toThrow(CudaUnavailableError);
  });
});
