import {
  copyDeviceToHost,
  copyHostToDevice,
  deviceAlloc,
  isAvailable,
  isNvrtcAvailable,
  type KernelFunction,
  launch,
  nvrtcUnavailableReason,
  ParamBuilder,
  synchronizeDevice,
  unavailableReason,
} from '@dg/runtime';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { clearMemoryCache, compile, compileSync, getKernel, getKernelAsync, type KernelSpec } from '../src/index.js';
import { freshDir } from './helpers.js';

const gpu = isAvailable();
const nvrtc = gpu && isNvrtcAvailable();
const nvrtcSkip = nvrtc ? '' : ` (skipped: ${gpu ? nvrtcUnavailableReason() : 'no GPU'})`;

const ADD = `extern "C" __global__ void add_k(float* x, float a, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) x[i] += a;
}
`;

/** Runs fn(x, a, n) over 4096 floats 0..4095 with a = 1.5 and checks x[i] == i + 1.5 * times. */
function runAdd(fn: KernelFunction, times = 1): void {
  const n = 4096;
  const host = Float32Array.from({ length: n }, (_, i) => i);
  const buf = deviceAlloc(n * 4);
  try {
    copyHostToDevice(buf.ptr, host);
    const params = new ParamBuilder().ptr(buf.ptr).f32(1.5).i32(n).bytes();
    for (let t = 0; t < times; t++) launch(fn, { grid: n / 256, block: 256 }, params);
    synchronizeDevice();
    const out = new Float32Array(n);
    copyDeviceToHost(out, buf.ptr);
    for (let i = 0; i < n; i++) if (out[i] !== i + 1.5 * times) throw new Error(`x[${i}] = ${out[i]}`);
  } finally {
    buf.dispose();
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? Number.NaN;
}

describe.skipIf(!gpu)(`jit on a CUDA device${gpu ? '' : ` (skipped: ${unavailableReason()})`}`, () => {
  beforeAll(() => {
    vi.stubEnv('DG_JIT_CACHE_DIR', freshDir('gpu'));
    clearMemoryCache();
  });
  afterAll(() => {
    vi.unstubAllEnvs();
  });

  it.skipIf(!nvrtc)(`NVRTC compiles, getKernel loads, the kernel runs${nvrtcSkip}`, async () => {
    const cold = await compile(ADD, { name: 'add_k' });
    expect(cold.compiler).toMatch(/^nvrtc \d+\.\d+$/);
    expect(cold.cached).toBe(false);
    console.log(JSON.stringify({ metric: 'jit_nvrtc_cold_s', value: cold.seconds, compiler: cold.compiler }));
    const spec: KernelSpec = { name: 'add_k', source: ADD };
    const fn = getKernel(spec);
    expect(getKernel(spec)).toBe(fn);
    expect(await getKernelAsync(spec)).toBe(fn);
    runAdd(fn, 2);
  });

  it.skipIf(!nvrtc)(`NVRTC name expressions pick a template instantiation${nvrtcSkip}`, () => {
    const source = `template <int N> __global__ void scale_k(float* x, float a, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) x[i] += a * (N - 2);
}
`;
    const r = compileSync(source, { name: 'scale_k', nameExpression: '&scale_k<3>' });
    expect(r.loweredName).toMatch(/^_Z/);
    runAdd(getKernel({ name: 'scale_k', source, nameExpression: '&scale_k<3>' }));
  });

  it('the in-process hit is a couple of Map lookups', () => {
    const spec: KernelSpec = { name: 'add_k', source: ADD };
    getKernel(spec);
    const batch = 1000;
    const perCall: number[] = [];
    let sink = 0;
    for (let b = 0; b < 100; b++) {
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < batch; i++) if (getKernel(spec) !== undefined) sink++;
      perCall.push(Number(process.hrtime.bigint() - t0) / batch / 1000);
    }
    expect(sink).toBe(100 * batch);
    const us = median(perCall);
    console.log(
      JSON.stringify({ metric: 'jit_memory_hit_us', value: us, method: 'median of 100 batches of 1000 calls' }),
    );
    expect(us).toBeLessThan(2);
  });

  it('after clearMemoryCache() the function comes from the disk cache', () => {
    const spec: KernelSpec = { name: 'add_k', source: ADD };
    getKernel(spec);
    clearMemoryCache();
    const t0 = performance.now();
    const fn = getKernel({ ...spec });
    const ms = performance.now() - t0;
    console.log(JSON.stringify({ metric: 'jit_disk_hit_ms', value: ms }));
    expect(compileSync(ADD, { name: 'add_k' }).cached).toBe(true);
    runAdd(fn);
  });

  it('NVCC and NVRTC both produce working kernels', () => {
    const viaDefault = getKernel({ name: 'add_k', source: ADD });
    runAdd(viaDefault);
    vi.stubEnv('DG_JIT_USE_NVCC', '1');
    try {
      const r = compileSync(ADD, { name: 'add_k' });
      expect(r.compiler).toMatch(/^nvcc /);
      const viaNvcc = getKernel({ name: 'add_k', source: ADD });
      expect(viaNvcc).not.toBe(viaDefault);
      runAdd(viaNvcc, 3);
    } finally {
      vi.stubEnv('DG_JIT_USE_NVCC', '');
    }
  });

  it('raises the dynamic shared memory limit for specs above 48 KiB', () => {
    const smem = 100 * 1024;
    const source = `extern "C" __global__ void smem_k(float* x, float a, int n) {
  extern __shared__ float buf[];
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  buf[threadIdx.x + ${smem / 4 - 256}] = a;
  __syncthreads();
  if (i < n) x[i] += buf[threadIdx.x + ${smem / 4 - 256}];
}
`;
    const fn = getKernel({ name: 'smem_k', source, dynamicSmemBytes: smem });
    const n = 4096;
    const buf = deviceAlloc(n * 4);
    const out = new Float32Array(n);
    try {
      copyHostToDevice(buf.ptr, out);
      const params = new ParamBuilder().ptr(buf.ptr).f32(2).i32(n).bytes();
      launch(fn, { grid: n / 256, block: 256, sharedMemBytes: smem }, params);
      synchronizeDevice();
      copyDeviceToHost(out, buf.ptr);
    } finally {
      buf.dispose();
    }
    expect(out.every((v) => v === 2)).toBe(true);
  });
});
