import {
  copyDeviceToHost,
  copyHostToDevice,
  deviceAlloc,
  getDeviceProperties,
  isAvailable,
  isNvrtcAvailable,
  launch,
  nvrtcCompile,
  nvrtcCompileAsync,
  nvrtcUnavailableReason,
  nvrtcVersion,
  ParamBuilder,
  Stream,
  unavailableReason,
} from '@dg/runtime';
import { describe, expect, it } from 'vitest';
import { ARCH_OPTIONS, compileAndLoad, SIMPLE_KERNELS } from './gpu-kernels.js';

const gpu = isAvailable() && isNvrtcAvailable();
const why = isAvailable() ? nvrtcUnavailableReason() : unavailableReason();

describe.skipIf(!gpu)(`NVRTC compile and kernel launch on a CUDA device${gpu ? '' : ` (skipped: ${why})`}`, () => {
  it('reports the device and NVRTC versions', () => {
    const p = getDeviceProperties();
    expect(p.computeCapability.major).toBeGreaterThanOrEqual(9);
    expect(p.smCount).toBeGreaterThan(0);
    expect(p.warpSize).toBe(32);
    expect(p.totalMemoryBytes).toBeGreaterThan(0n);
    const v = nvrtcVersion();
    expect(v.major).toBeGreaterThanOrEqual(12);
    console.log(JSON.stringify({ device: p.name, nvrtc: v, sm: p.smCount, optinSmem: p.maxSharedMemoryPerBlockOptin }));
  });

  it('compiles with name expressions and launches an extern "C" and a templated kernel', () => {
    const k = compileAndLoad(SIMPLE_KERNELS, ['axpy<2>']);
    expect(k.lowered['axpy<2>']).toMatch(/^_Z/);
    const n = 1000;
    const x = Float32Array.from({ length: n }, (_, i) => i);
    const y = Float32Array.from({ length: n }, (_, i) => 2 * i);
    using dx = deviceAlloc(n * 4);
    using dy = deviceAlloc(n * 4);
    copyHostToDevice(dx.ptr, x);
    copyHostToDevice(dy.ptr, y);

    const addOne = k.get('add_one');
    expect(addOne.attributes().numRegs).toBeGreaterThan(0);
    launch(addOne, { grid: Math.ceil(n / 128), block: 128 }, new ParamBuilder().ptr(dy.ptr).u32(n).bytes());
    const axpy = k.get('axpy<2>');
    // y = 0.5 * x * 2 + y
    launch(
      axpy,
      { grid: [Math.ceil(n / 256), 1, 1], block: [256] },
      new ParamBuilder().ptr(dx.ptr).ptr(dy.ptr).f32(0.5).u32(n).bytes(),
    );
    // Programmatic dependent launch: allowed to overlap the previous kernel's tail; the result must not change.
    launch(addOne, { grid: Math.ceil(n / 128), block: 128, pdl: true }, new ParamBuilder().ptr(dy.ptr).u32(n).bytes());
    const out = new Float32Array(n);
    copyDeviceToHost(out, dy.ptr);
    for (let i = 0; i < n; i++) expect(out[i]).toBe(2 * i + 2 + i);
    k.module.dispose();
  });

  it('launches with dynamic shared memory above 48 KiB after setMaxDynamicSharedMemory, on a stream', () => {
    const k = compileAndLoad(SIMPLE_KERNELS);
    const fn = k.get('fill_from_smem');
    const smem = 100 * 1024;
    fn.setMaxDynamicSharedMemory(smem);
    using s = Stream.create({ nonBlocking: true });
    using out = deviceAlloc(2 * 256 * 4);
    launch(
      fn,
      { grid: 2, block: 256, sharedMemBytes: smem, stream: s },
      new ParamBuilder().ptr(out.ptr).u32(7).bytes(),
    );
    const host = new Uint32Array(512);
    copyDeviceToHost(host, out.ptr, s);
    s.synchronize();
    for (let b = 0; b < 2; b++) for (let t = 0; t < 256; t++) expect(host[b * 256 + t]).toBe(7 + 255 - t);
    k.module.dispose();
  });

  it('compiles asynchronously without blocking the event loop, with headers and PTX', async () => {
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    const r = await nvrtcCompileAsync({
      source: '#include "scale.h"\nextern "C" __global__ void scale(float* p) { p[threadIdx.x] *= SCALE; }\n',
      headers: [{ name: 'scale.h', source: '#define SCALE 3.0f\n' }],
      options: ARCH_OPTIONS,
      wantPtx: true,
    });
    clearInterval(timer);
    expect(r.cubin.byteLength).toBeGreaterThan(0);
    expect(r.cubin[0]).toBe(0x7f); // ELF
    expect(r.ptx).toMatch(/\.entry scale/);
    expect(typeof r.log).toBe('string');
    console.log(JSON.stringify({ metric: 'event_loop_ticks_during_async_compile', ticks }));
  });

  it('runs several async compiles at once', async () => {
    const sources = [1, 2, 3, 4].map((i) => `extern "C" __global__ void k${i}(int* p) { p[0] = ${i}; }`);
    const results = await Promise.all(sources.map((source) => nvrtcCompileAsync({ source, options: ARCH_OPTIONS })));
    for (const r of results) expect(r.cubin.byteLength).toBeGreaterThan(0);
  });

  it('a sync compile returns the same cubin shape', () => {
    const r = nvrtcCompile({ source: 'extern "C" __global__ void e() {}', options: ARCH_OPTIONS });
    expect(r.cubin.byteLength).toBeGreaterThan(0);
    expect(r.ptx).toBeUndefined();
    expect(r.loweredNames).toEqual({});
  });
});
