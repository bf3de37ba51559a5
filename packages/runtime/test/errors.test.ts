import { describe, expect, it } from 'vitest';
import { cudaResultName, isStickyResult, nvrtcResultName } from '../src/cudaResults.js';
import {
  CudaError,
  CudaUnavailableError,
  DgRuntimeError,
  NvrtcError,
  NvrtcUnavailableError,
  nativeErrorFactory,
} from '../src/errors.js';

describe('error classes', () => {
  it('CudaError carries the enum name, result and call', () => {
    const e = new CudaError(2, 'cuMemAlloc');
    expect(e).toBeInstanceOf(DgRuntimeError);
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe('CudaError');
    expect(e.code).toBe('CUDA_ERROR_OUT_OF_MEMORY');
    expect(e.result).toBe(2);
    expect(e.call).toBe('cuMemAlloc');
    expect(e.sticky).toBe(false);
    expect(e.message).toBe('cuMemAlloc failed with CUDA_ERROR_OUT_OF_MEMORY (2)');
  });

  it('sticky errors say the context is unusable and the process must restart', () => {
    for (const r of [700, 714, 715, 716, 719]) {
      const e = new CudaError(r, 'cuStreamSynchronize');
      expect(e.sticky).toBe(true);
      expect(e.message).toMatch(/context .* unusable/);
      expect(e.message).toMatch(/restart the process/);
    }
    expect(new CudaError(700, 'x').code).toBe('CUDA_ERROR_ILLEGAL_ADDRESS');
    expect(new CudaError(719, 'x').code).toBe('CUDA_ERROR_LAUNCH_FAILED');
    expect(isStickyResult(1)).toBe(false);
    expect(isStickyResult(2)).toBe(false);
  });

  it('NvrtcError carries the whole log', () => {
    const log = 'kernel.cu(3): error: expected a ";"\n1 error detected';
    const e = new NvrtcError(6, 'nvrtcCompileProgram', log);
    expect(e.code).toBe('NVRTC_ERROR_COMPILATION');
    expect(e.result).toBe(6);
    expect(e.call).toBe('nvrtcCompileProgram');
    expect(e.log).toBe(log);
    expect(e.message).toContain(log);
  });

  it('unavailable errors carry the reason', () => {
    const e = new CudaUnavailableError('no driver');
    expect(e.code).toBe('CUDA_UNAVAILABLE');
    expect(e.reason).toBe('no driver');
    expect(e.message).toBe('CUDA is not available: no driver');
    const n = new NvrtcUnavailableError('no nvrtc');
    expect(n.code).toBe('NVRTC_UNAVAILABLE');
    expect(n.reason).toBe('no nvrtc');
  });

  it('result names cover known and unknown values', () => {
    expect(cudaResultName(0)).toBe('CUDA_SUCCESS');
    expect(cudaResultName(1)).toBe('CUDA_ERROR_INVALID_VALUE');
    expect(cudaResultName(912)).toBe('CUDA_ERROR_INVALID_CLUSTER_SIZE');
    expect(cudaResultName(12345)).toBe('CUDA_ERROR_12345');
    expect(nvrtcResultName(5)).toBe('NVRTC_ERROR_INVALID_OPTION');
    expect(nvrtcResultName(99)).toBe('NVRTC_ERROR_99');
  });

  it('the native error factory builds the typed classes', () => {
    expect(nativeErrorFactory('cuda', 1, 'cuLaunchKernelEx', '')).toBeInstanceOf(CudaError);
    const n = nativeErrorFactory('nvrtc', 6, 'nvrtcCompileProgram', 'log text');
    expect(n).toBeInstanceOf(NvrtcError);
    expect((n as NvrtcError).log).toBe('log text');
    expect(nativeErrorFactory('unavailable', 0, '', 'why')).toBeInstanceOf(CudaUnavailableError);
    expect(nativeErrorFactory('nvrtc-unavailable', 0, '', 'why')).toBeInstanceOf(NvrtcUnavailableError);
  });
});
