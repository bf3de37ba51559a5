import {
  CudaError,
  copyDeviceToHost,
  copyHostToDevice,
  deviceAlloc,
  isAvailable,
  isNvrtcAvailable,
  launch,
  NvrtcError,
  nvrtcCompile,
  nvrtcCompileAsync,
  nvrtcUnavailableReason,
  ParamBuilder,
  unavailableReason,
} from '@dg/runtime';
import { describe, expect, it } from 'vitest';
import { ARCH_OPTIONS, compileAndLoad, SIMPLE_KERNELS } from './gpu-kernels.js';

const gpu = isAvailable() && isNvrtcAvailable();
const why = isAvailable() ? nvrtcUnavailableReason() : unavailableReason();

function caught(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error('expected a throw');
}

describe.skipIf(!gpu)(`error paths on a live CUDA device${gpu ? '' : ` (skipped: ${why})`}`, () => {
  it('a bad launch configuration throws CudaError and the context stays usable', () => {
    const k = compileAndLoad(SIMPLE_KERNELS);
    const fn = k.get('add_one');
    using d = deviceAlloc(1024);
    const params = new ParamBuilder().ptr(d.ptr).u32(256).bytes();
    const tooManyThreads = caught(() => launch(fn, { grid: 1, block: 2048 }, params));
    expect(tooManyThreads).toBeInstanceOf(CudaError);
    const e = tooManyThreads as CudaError;
    expect(e.code).toBe('CUDA_ERROR_INVALID_VALUE');
    expect(e.call).toBe('cuLaunchKernelEx');
    expect(e.sticky).toBe(false);

    // A cluster that does not divide the grid.
    const badCluster = caught(() => launch(fn, { grid: 3, block: 32, cluster: 2 }, params)) as CudaError;
    expect(badCluster).toBeInstanceOf(CudaError);
    expect(['CUDA_ERROR_INVALID_VALUE', 'CUDA_ERROR_INVALID_CLUSTER_SIZE']).toContain(badCluster.code);

    // Too much dynamic shared memory without opting in.
    const smem = caught(() => launch(fn, { grid: 1, block: 32, sharedMemBytes: 200 * 1024 }, params)) as CudaError;
    expect(smem).toBeInstanceOf(CudaError);

    // A parameter blob shorter than the kernel's parameters (pointer + u32 = 12 bytes) is refused before the driver.
    const short = caught(() => launch(fn, { grid: 1, block: 32 }, new ParamBuilder().ptr(d.ptr).bytes()));
    expect(short).toBeInstanceOf(RangeError);
    expect((short as Error).message).toMatch(/params must hold the kernel's 12 bytes of parameters, got 8/);

    // An unknown kernel name.
    const missing = caught(() => k.module.getFunction('no_such_kernel')) as CudaError;
    expect(missing.code).toBe('CUDA_ERROR_NOT_FOUND');

    // Still usable.
    copyHostToDevice(d.ptr, new Float32Array(256).fill(1));
    launch(fn, { grid: 1, block: 256 }, params);
    const out = new Float32Array(256);
    copyDeviceToHost(out, d.ptr);
    expect(out[255]).toBe(2);
    k.module.dispose();
  });

  it('an impossible allocation throws CUDA_ERROR_OUT_OF_MEMORY and the process carries on', () => {
    const e = caught(() => deviceAlloc(2 ** 50)) as CudaError;
    expect(e).toBeInstanceOf(CudaError);
    expect(e.code).toBe('CUDA_ERROR_OUT_OF_MEMORY');
    expect(e.result).toBe(2);
    expect(e.call).toBe('cuMemAlloc');
    expect(e.message).toMatch(/cuMemAlloc failed with CUDA_ERROR_OUT_OF_MEMORY/);
    using ok = deviceAlloc(4096);
    const host = new Uint8Array(4096).fill(9);
    copyHostToDevice(ok.ptr, host);
    const back = new Uint8Array(4096);
    copyDeviceToHost(back, ok.ptr);
    expect(back).toEqual(host);
  });

  it('an NVRTC syntax error throws NvrtcError with the log naming the line', async () => {
    const source = 'extern "C" __global__ void k(int* p) {\n  p[0] = 1;\n  this is not C++;\n}\n';
    const e = caught(() => nvrtcCompile({ source, fileName: 'broken.cu', options: ARCH_OPTIONS })) as NvrtcError;
    expect(e).toBeInstanceOf(NvrtcError);
    expect(e.code).toBe('NVRTC_ERROR_COMPILATION');
    expect(e.call).toBe('nvrtcCompileProgram');
    expect(e.log).toMatch(/broken\.cu\(3\)/);
    expect(e.message).toContain(e.log);
    await expect(nvrtcCompileAsync({ source, fileName: 'broken.cu', options: ARCH_OPTIONS })).rejects.toMatchObject({
      code: 'NVRTC_ERROR_COMPILATION',
      log: expect.stringMatching(/broken\.cu\(3\)/),
    });
  });

  it('an invalid NVRTC option throws NVRTC_ERROR_INVALID_OPTION', () => {
    const e = caught(() => nvrtcCompile({ source: '', options: ['--no-such-option'] })) as NvrtcError;
    expect(e).toBeInstanceOf(NvrtcError);
    expect(e.code).toBe('NVRTC_ERROR_INVALID_OPTION');
  });
});
