import {
  copyDeviceToDevice,
  copyDeviceToHost,
  copyHostToDevice,
  DeviceBuffer,
  deviceAlloc,
  deviceCount,
  driverVersion,
  Event,
  isAvailable,
  memGetInfo,
  memsetD8,
  memsetD16,
  memsetD32,
  Stream,
  synchronizeDevice,
  unavailableReason,
} from '@dg/runtime';
import { describe, expect, it } from 'vitest';

const gpu = isAvailable();

describe.skipIf(!gpu)(
  `memory, streams and events on a CUDA device${gpu ? '' : ` (skipped: ${unavailableReason()})`}`,
  () => {
    it('reports the driver and devices', () => {
      expect(driverVersion()).toBeGreaterThanOrEqual(12000);
      expect(deviceCount()).toBeGreaterThanOrEqual(1);
      const info = memGetInfo();
      expect(info.total).toBeGreaterThan(0n);
      expect(info.free).toBeLessThanOrEqual(info.total);
    });

    it('round-trips host -> device -> device -> host synchronously', () => {
      const n = 1 << 20;
      const src = Uint32Array.from({ length: n }, (_, i) => (i * 2654435761) >>> 0);
      using a = deviceAlloc(n * 4);
      using b = deviceAlloc(n * 4);
      expect(a).toBeInstanceOf(DeviceBuffer);
      expect(typeof a.ptr).toBe('bigint');
      expect(a.ptr % 256n).toBe(0n);
      copyHostToDevice(a.ptr, src);
      copyDeviceToDevice(b.ptr, a.ptr, n * 4);
      const out = new Uint32Array(n);
      copyDeviceToHost(out, b.ptr);
      // A plain loop: a deep-equality assertion on a million elements takes seconds.
      let mismatches = 0;
      for (let i = 0; i < n; i++) if (out[i] !== src[i]) mismatches++;
      expect(mismatches).toBe(0);
      // A sub-view copies only its own bytes.
      const part = new Uint32Array(16);
      copyDeviceToHost(part, b.ptr + 64n);
      expect(Array.from(part)).toEqual(Array.from(src.subarray(16, 32)));
    });

    it('memsets 8, 16 and 32 bits wide', () => {
      using d = deviceAlloc(64);
      memsetD32(d.ptr, 0xdeadbeef, 16);
      memsetD16(d.ptr, 0x1234, 4);
      memsetD8(d.ptr, 0xab, 2);
      const out = new Uint8Array(64);
      copyDeviceToHost(out, d.ptr);
      expect(Array.from(out.subarray(0, 12))).toEqual([
        0xab, 0xab, 0x34, 0x12, 0x34, 0x12, 0x34, 0x12, 0xef, 0xbe, 0xad, 0xde,
      ]);
      expect(new DataView(out.buffer).getUint32(60, true)).toBe(0xdeadbeef);
    });

    it('copies and memsets asynchronously on a stream, ordered with events', () => {
      using s = Stream.create({ nonBlocking: true, priority: -1 });
      using start = Event.create();
      using stop = Event.create();
      const n = 8 << 20;
      using d = deviceAlloc(n * 4);
      const src = new Float32Array(n).fill(1.5);
      start.record(s);
      copyHostToDevice(d.ptr, src, s);
      memsetD32(d.ptr, 0x40400000, 1024, s); // 3.0f
      stop.record(s);
      const out = new Float32Array(n);
      copyDeviceToHost(out, d.ptr, s);
      s.synchronize();
      expect(s.query()).toBe(true);
      expect(stop.query()).toBe(true);
      expect(out[0]).toBe(3);
      expect(out[1023]).toBe(3);
      expect(out[1024]).toBe(1.5);
      expect(out[n - 1]).toBe(1.5);
      const ms = start.elapsedMs(stop);
      expect(ms).toBeGreaterThan(0);
      console.log(JSON.stringify({ metric: 'h2d_32MiB_ms', value: ms }));
    });

    it('events without timing refuse elapsedMs; default-stream records work', () => {
      using e = Event.create({ timing: false });
      e.record();
      e.synchronize();
      expect(() => e.elapsedMs(e)).toThrow(RangeError);
      synchronizeDevice();
      expect(Stream.default()).toBe(Stream.default(0));
    });

    it('dispose is idempotent and Symbol.dispose frees', () => {
      const before = memGetInfo().free;
      const big = deviceAlloc(256 << 20);
      expect(memGetInfo().free).toBeLessThan(before);
      big.dispose();
      big.dispose();
      expect(big.disposed).toBe(true);
      {
        using b2 = deviceAlloc(1024);
        expect(b2.disposed).toBe(false);
      }
    });
  },
);
