import {
  beginCapture,
  copyDeviceToHost,
  copyHostToDevice,
  deviceAlloc,
  endCapture,
  isAvailable,
  isCapturing,
  isNvrtcAvailable,
  launch,
  memsetD32,
  nvrtcUnavailableReason,
  ParamBuilder,
  Stream,
  unavailableReason,
} from '@dg/runtime';
import { describe, expect, it } from 'vitest';
import { compileAndLoad, SIMPLE_KERNELS } from './gpu-kernels.js';

const gpu = isAvailable() && isNvrtcAvailable();
const why = isAvailable() ? nvrtcUnavailableReason() : unavailableReason();

describe.skipIf(!gpu)(`CUDA graph capture and replay on a CUDA device${gpu ? '' : ` (skipped: ${why})`}`, () => {
  it('captures launches and a memset, then replays them', () => {
    const k = compileAndLoad(SIMPLE_KERNELS);
    const fn = k.get('add_one');
    const n = 4096;
    using d = deviceAlloc(n * 4);
    using side = deviceAlloc(16);
    copyHostToDevice(d.ptr, new Float32Array(n).fill(10));
    using s = Stream.create({ nonBlocking: true });
    const params = new ParamBuilder().ptr(d.ptr).u32(n).bytes();
    expect(isCapturing(s)).toBe(false);
    beginCapture(s);
    expect(isCapturing(s)).toBe(true);
    for (let i = 0; i < 3; i++) launch(fn, { grid: n / 256, block: 256, stream: s }, params);
    memsetD32(side.ptr, 42, 4, s);
    const graph = endCapture(s);
    expect(isCapturing(s)).toBe(false);
    // Nothing ran during capture.
    const before = new Float32Array(n);
    copyDeviceToHost(before, d.ptr);
    expect(before[0]).toBe(10);

    using exec = graph.instantiate();
    graph.dispose();
    exec.launch(s);
    exec.launch(s);
    s.synchronize();
    const out = new Float32Array(n);
    copyDeviceToHost(out, d.ptr);
    expect(out.every((v) => v === 16)).toBe(true);
    const sideOut = new Uint32Array(4);
    copyDeviceToHost(sideOut, side.ptr);
    expect(Array.from(sideOut)).toEqual([42, 42, 42, 42]);
    k.module.dispose();
  });

  it('relaxed capture mode is accepted', () => {
    using s = Stream.create();
    using d = deviceAlloc(64);
    beginCapture(s, 'relaxed');
    memsetD32(d.ptr, 1, 16, s);
    using g = endCapture(s);
    using x = g.instantiate();
    x.launch(s);
    s.synchronize();
    const out = new Uint32Array(16);
    copyDeviceToHost(out, d.ptr);
    expect(out.every((v) => v === 1)).toBe(true);
  });
});
