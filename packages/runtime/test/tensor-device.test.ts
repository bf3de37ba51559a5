// Device paths of Tensor against a fake device: the memory API is replaced by one that keeps "device memory" in a host
// array and logs every call, so the copy/memset/host-staging logic and the ownership rules are tested on every machine.
// The real driver is exercised by tensor.gpu.test.ts.
import { describe, expect, it, vi } from 'vitest';
import type { Stream } from '../src/stream.js';
import { DTYPES, type DType, Tensor, type TypedArray } from '../src/tensor/index.js';

const fake = vi.hoisted(() => {
  const BASE = 0x7000_0000;
  const mem = new Uint8Array(1 << 20);
  let top = 0;
  const log: string[] = [];
  let failNextCopy = false;

  class DeviceBuffer {
    disposed = false;
    constructor(
      readonly ptr: bigint,
      readonly byteLength: number,
      readonly device: number,
    ) {}
    dispose(): void {
      if (this.disposed) return;
      this.disposed = true;
      log.push(`free ${this.byteLength}`);
    }
    [Symbol.dispose](): void {
      this.dispose();
    }
  }

  const offsetOf = (ptr: bigint, bytes: number): number => {
    const o = Number(ptr) - BASE;
    if (o < 0 || o + bytes > top) throw new Error(`fake device: [${o}, ${o + bytes}) is outside [0, ${top})`);
    return o;
  };
  const view = (v: ArrayBufferView): Uint8Array => new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  const streamTag = (stream: unknown): string => (stream === undefined ? '' : ' on stream');

  return {
    log,
    mem,
    BASE,
    failNextCopy(): void {
      failNextCopy = true;
    },
    memory: {
      DeviceBuffer,
      deviceAlloc(byteLength: number, device = 0): DeviceBuffer {
        const off = Math.ceil(top / 256) * 256;
        top = off + byteLength;
        log.push(`alloc ${byteLength} on ${device}`);
        return new DeviceBuffer(BigInt(BASE + off), byteLength, device);
      },
      copyHostToDevice(dst: bigint, src: ArrayBufferView, stream?: unknown): void {
        if (failNextCopy) {
          failNextCopy = false;
          throw new Error('fake device: copy failed');
        }
        log.push(`h2d ${src.byteLength}${streamTag(stream)}`);
        mem.set(view(src), offsetOf(dst, src.byteLength));
      },
      copyDeviceToHost(dst: ArrayBufferView, src: bigint, stream?: unknown): void {
        log.push(`d2h ${dst.byteLength}${streamTag(stream)}`);
        const o = offsetOf(src, dst.byteLength);
        view(dst).set(mem.subarray(o, o + dst.byteLength));
      },
      memsetD8(dst: bigint, value: number, count: number): void {
        log.push(`memsetD8 0x${value.toString(16)} x${count}`);
        mem.fill(value, offsetOf(dst, count), offsetOf(dst, count) + count);
      },
      memsetD16(dst: bigint, value: number, count: number): void {
        log.push(`memsetD16 0x${value.toString(16)} x${count}`);
        new Uint16Array(mem.buffer, offsetOf(dst, 2 * count), count).fill(value);
      },
      memsetD32(dst: bigint, value: number, count: number): void {
        log.push(`memsetD32 0x${value.toString(16)} x${count}`);
        new Uint32Array(mem.buffer, offsetOf(dst, 4 * count), count).fill(value);
      },
    },
  };
});

vi.mock('../src/memory.js', () => fake.memory);
vi.mock('../src/device.js', () => ({ getDevice: () => 3, isAvailable: () => true, unavailableReason: () => '' }));

/** The calls made by `fn`. */
function calls(fn: () => void): string[] {
  const start = fake.log.length;
  fn();
  return fake.log.slice(start);
}

function sample(dtype: DType, n: number): TypedArray {
  switch (dtype) {
    case 'f32':
      return Float32Array.from({ length: n }, (_, i) => i * 0.5 - 3);
    case 'bf16':
    case 'f16':
      return Uint16Array.from({ length: n }, (_, i) => 0x3c00 + i * 7);
    case 'e4m3fn':
    case 'e5m2':
    case 'u8':
      return Uint8Array.from({ length: n }, (_, i) => (i * 37) & 0xff);
    case 'i32':
      return Int32Array.from({ length: n }, (_, i) => i * -100_003);
    case 'i64':
      return BigInt64Array.from({ length: n }, (_, i) => BigInt(i) * -0x1_2345_6789n);
  }
}

function fakeStream(): { stream: Stream; synchronize: ReturnType<typeof vi.fn> } {
  const synchronize = vi.fn();
  return { stream: { device: 0, synchronize } as unknown as Stream, synchronize };
}

describe('Tensor on a (fake) device', () => {
  it.each(DTYPES)('%s: round trips cpu -> cuda -> cpu', (dtype) => {
    const data = sample(dtype, 12);
    const host = Tensor.fromArray(data, [3, 4], dtype);
    let dev: Tensor | undefined;
    expect(calls(() => (dev = host.to('cuda:0')))).toEqual([`alloc ${data.byteLength} on 0`, `h2d ${data.byteLength}`]);
    if (dev === undefined) throw new Error('unreachable');
    expect(dev.device).toBe('cuda:0');
    expect(dev.isCuda).toBe(true);
    expect(dev.dtype).toBe(dtype);
    expect(dev.strides).toEqual([4, 1]);
    const s = dev.storage;
    expect(s.kind === 'device' && s.buffer !== undefined && s.ptr === dev.dataPtr).toBe(true);
    const back = dev.to('cpu');
    expect(back.device).toBe('cpu');
    expect([...back.toArray()]).toEqual([...data]);
    expect([...dev.toArray()]).toEqual([...data]);
    dev.dispose();
  });

  it('uploads with fromArray on a cuda device', () => {
    const t = Tensor.fromArray(new Int32Array([1, 2, 3]), [3], 'i32', 'cuda:2');
    expect(t.device).toBe('cuda:2');
    expect(t.storage.kind === 'device' && t.storage.device).toBe(2);
    expect([...t.toArray()]).toEqual([1, 2, 3]);
  });

  it('allocates empty without touching the memory and zeros with one memset', () => {
    expect(calls(() => Tensor.empty([2, 3], 'bf16', 'cuda:0'))).toEqual(['alloc 12 on 0']);
    let z: Tensor | undefined;
    expect(calls(() => (z = Tensor.zeros([2, 3], 'i64', 'cuda:0')))).toEqual(['alloc 48 on 0', 'memsetD8 0x0 x48']);
    expect([...(z?.toArray() ?? [])]).toEqual([0n, 0n, 0n, 0n, 0n, 0n]);
    // cuMemAlloc rejects 0 bytes: an empty tensor still gets a (1-byte) allocation and a valid pointer.
    expect(calls(() => Tensor.zeros([0, 4], 'f32', 'cuda:0'))).toEqual(['alloc 1 on 0']);
  });

  it('transposes without a copy and makes it contiguous through the host', () => {
    const data = sample('f32', 24);
    const t = Tensor.fromArray(data, [2, 3, 4], 'f32', 'cuda:0');
    const u = t.transpose(0, 2);
    expect(u.storage).toBe(t.storage);
    expect(u.dataPtr).toBe(t.dataPtr);
    const expected = [...Tensor.fromArray(data, [2, 3, 4]).transpose(0, 2).toArray()];
    expect([...u.toArray()]).toEqual(expected);
    let c: Tensor | undefined;
    expect(calls(() => (c = u.contiguous()))).toEqual(['d2h 96', 'alloc 96 on 0', 'h2d 96']);
    expect(c?.device).toBe('cuda:0');
    expect(c?.strides).toEqual([6, 2, 1]);
    expect([...(c?.toArray() ?? [])]).toEqual(expected);
    expect(c?.storage).not.toBe(t.storage);
  });

  it('reads a strided view by copying only the span it touches', () => {
    const base = Tensor.fromArray(sample('i32', 20), [20], 'i32', 'cuda:0');
    const ptr = base.dataPtr;
    // Elements 4, 7, 10 of the base through a foreign view with offset via the pointer and stride 3.
    const v = Tensor.fromDevicePointer(ptr + 16n, [3], 'i32', { strides: [3], device: 'cuda:0', owner: base });
    expect(calls(() => expect([...v.toArray()]).toEqual([4, 7, 10].map((i) => i * -100_003)))).toEqual(['d2h 28']);
  });

  it.each([
    ['f32', 1.5, 'memsetD32 0x3fc00000 x6'],
    ['bf16', 1, 'memsetD16 0x3f80 x6'],
    ['f16', -2, 'memsetD16 0xc000 x6'],
    ['i32', -1, 'memsetD32 0xffffffff x6'],
    ['u8', 9, 'memsetD8 0x9 x6'],
    ['i64', -1, 'memsetD32 0xffffffff x12'],
    ['i64', 0, 'memsetD32 0x0 x12'],
  ] as const)('fills a contiguous %s with %d by one memset', (dtype, value, call) => {
    const t = Tensor.empty([2, 3], dtype, 'cuda:0');
    expect(calls(() => t.fill(value))).toEqual([call]);
    const host = Tensor.zeros([2, 3], dtype).fill(value).toArray();
    expect([...t.toArray()]).toEqual([...host]);
  });

  it('fills FP8 with fillBits by memsetD8', () => {
    const t = Tensor.empty([5], 'e4m3fn', 'cuda:0');
    expect(calls(() => t.fillBits(0x38))).toEqual(['memsetD8 0x38 x5']);
    expect([...t.toArray()]).toEqual([0x38, 0x38, 0x38, 0x38, 0x38]);
    expect(() => t.fill(1)).toThrow(/fillBits/);
  });

  it('stages an i64 fill whose halves differ through the host', () => {
    const t = Tensor.empty([3], 'i64', 'cuda:0');
    expect(calls(() => t.fill(2n ** 40n + 1n))).toEqual(['h2d 24']);
    expect([...t.toArray()]).toEqual([2n ** 40n + 1n, 2n ** 40n + 1n, 2n ** 40n + 1n]);
  });

  it('fills a non-contiguous view through the host, leaving the gaps untouched', () => {
    const base = Tensor.fromArray(new Int32Array(7).fill(5), [7], 'i32', 'cuda:0');
    const every2 = Tensor.fromDevicePointer(base.dataPtr, [4], 'i32', { strides: [2], device: 'cuda:0' });
    expect(calls(() => every2.fill(-1))).toEqual(['d2h 28', 'h2d 28']);
    expect([...base.toArray()]).toEqual([-1, 5, -1, 5, -1, 5, -1]);
    const t = Tensor.zeros([2, 3], 'bf16', 'cuda:0');
    t.transpose(0, 1).fill(1);
    expect([...t.toArray()]).toEqual([0x3f80, 0x3f80, 0x3f80, 0x3f80, 0x3f80, 0x3f80]);
  });

  it('aliases on to() the same device and stages a copy between devices', () => {
    const t = Tensor.fromArray(new Float32Array([1, 2]), [2], 'f32', 'cuda:0');
    let same: Tensor | undefined;
    expect(calls(() => (same = t.to('cuda:0')))).toEqual([]);
    expect(same?.storage).toBe(t.storage);
    let other: Tensor | undefined;
    expect(calls(() => (other = t.to('cuda:1')))).toEqual(['d2h 8', 'alloc 8 on 1', 'h2d 8']);
    expect(other?.device).toBe('cuda:1');
    expect([...(other?.toArray() ?? [])]).toEqual([1, 2]);
  });

  it('orders copies on a stream and waits before returning host data', () => {
    const { stream, synchronize } = fakeStream();
    const t = Tensor.fromArray(new Float32Array([1, 2, 3, 4]), [2, 2]);
    let d: Tensor | undefined;
    expect(calls(() => (d = t.to('cuda:0', stream)))).toEqual(['alloc 16 on 0', 'h2d 16 on stream']);
    expect(synchronize).not.toHaveBeenCalled();
    let h: Tensor | undefined;
    expect(calls(() => (h = d?.transpose(0, 1).to('cpu', stream)))).toEqual(['d2h 16 on stream']);
    expect(synchronize).toHaveBeenCalledTimes(1);
    expect([...(h?.toArray() ?? [])]).toEqual([1, 3, 2, 4]);
    expect(() => t.to('cuda:1', stream)).toThrow(
      /to\(stream\): expected a stream of device 1 \(copy cpu -> cuda:1\), got one of device 0/,
    );
  });

  it('frees device memory when the tensor that allocated it is disposed, whatever views remain', () => {
    const t = Tensor.empty([4, 4], 'f32', 'cuda:0');
    const v = t.transpose(0, 1);
    const w = t.contiguous(); // already contiguous: a view, not an owner
    expect(calls(() => v.dispose())).toEqual([]);
    expect(calls(() => w.dispose())).toEqual([]);
    expect(t.disposed).toBe(false);
    const u = t.view([16]);
    expect(calls(() => t.dispose())).toEqual(['free 64']);
    expect(calls(() => t.dispose())).toEqual([]);
    expect(u.disposed).toBe(true);
    expect(() => u.toArray()).toThrow(
      'toArray: the device memory of the tensor (f32 [16] on cuda:0) was freed (the tensor that allocated it, or its DeviceBuffer, was disposed)',
    );
    expect(() => v.toArray()).toThrow('toArray: the tensor (f32 [4, 4] on cuda:0) was disposed');
  });

  it('does not pin memory through an unnamed intermediate view', () => {
    const a = Tensor.zeros([2, 3], 'f32', 'cuda:0');
    const c = a.transpose(0, 1).contiguous();
    expect(calls(() => a.dispose())).toEqual(['free 24']);
    expect(calls(() => c.dispose())).toEqual(['free 24']);
  });

  it('gives the copy of reshape its own memory', () => {
    const t = Tensor.fromArray(sample('f32', 6), [2, 3], 'f32', 'cuda:0').transpose(0, 1);
    let r: Tensor | undefined;
    expect(calls(() => (r = t.reshape([6])))).toEqual(['d2h 24', 'alloc 24 on 0', 'h2d 24']);
    expect(r?.disposed).toBe(false);
    expect(r?.strides).toEqual([1]);
    expect([...(r?.toArray() ?? [])]).toEqual([...t.toArray()]);
    expect(calls(() => r?.dispose())).toEqual(['free 24']);
    expect(t.disposed).toBe(false);
  });

  it('reports memory freed behind its back', () => {
    const t = Tensor.empty([2], 'u8', 'cuda:0');
    const s = t.storage;
    if (s.kind === 'device') s.buffer?.dispose();
    expect(t.disposed).toBe(true);
    expect(() => t.toArray()).toThrow(/toArray: the device memory of the tensor \(u8 \[2\] on cuda:0\) was freed/);
  });

  it('frees the allocation when the upload fails', () => {
    fake.failNextCopy();
    const log: string[] = [];
    expect(() => log.push(...calls(() => Tensor.fromArray(new Float32Array(4), [4], 'f32', 'cuda:0')))).toThrow(
      'fake device: copy failed',
    );
    expect(fake.log.slice(-2)).toEqual(['alloc 16 on 0', 'free 16']);
  });

  it('never frees foreign memory and defaults to the current device', () => {
    const owner = Tensor.empty([8], 'f32', 'cuda:0');
    const f = Tensor.fromDevicePointer(owner.dataPtr, [2, 4], 'f32', { owner });
    expect(f.device).toBe('cuda:3'); // getDevice() of the mocked device module
    const v = f.view([8]);
    expect(
      calls(() => {
        f.dispose();
        v.dispose();
      }),
    ).toEqual([]);
    expect(owner.disposed).toBe(false);
  });
});
