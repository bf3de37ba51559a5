// Device memory: buffers, copies and memsets. Pointers are bigint; a missing stream means the synchronous call.
import { describe, expectInt, expectPtr, expectView, MAX_BYTES } from './args.js';
import { driver, resolveDevice } from './device.js';
import { kNative, trackForRelease, untrack } from './handles.js';
import type { StreamHandle } from './native.js';
import { Stream } from './stream.js';

const kCreate = Symbol('DeviceBuffer.create');

/** Device memory owned by this object: `dispose()` frees it, a FinalizationRegistry frees a forgotten one. */
export class DeviceBuffer implements Disposable {
  readonly ptr: bigint;
  readonly byteLength: number;
  readonly device: number;
  #disposed = false;

  /** @internal use deviceAlloc() */
  constructor(token: typeof kCreate, ptr: bigint, byteLength: number, device: number) {
    if (token !== kCreate) throw new TypeError('DeviceBuffer: use deviceAlloc() to create one');
    this.ptr = ptr;
    this.byteLength = byteLength;
    this.device = device;
  }

  get disposed(): boolean {
    return this.#disposed;
  }

  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    untrack(this);
    driver().memFree(this.device, this.ptr);
  }

  [Symbol.dispose](): void {
    this.dispose();
  }

  /** @internal */
  static [kCreate](ptr: bigint, byteLength: number, device: number): DeviceBuffer {
    return new DeviceBuffer(kCreate, ptr, byteLength, device);
  }
}

/** Allocates `byteLength` bytes (cuMemAlloc: 256-byte aligned) on `device` (the current device when omitted). */
export function deviceAlloc(byteLength: number, device?: number): DeviceBuffer {
  expectInt('byteLength', byteLength, 1, MAX_BYTES);
  const d = resolveDevice(device);
  const b = driver();
  const ptr = b.memAlloc(d, byteLength);
  const buf = DeviceBuffer[kCreate](ptr, byteLength, d);
  trackForRelease(buf, () => b.memFree(d, ptr), buf);
  return buf;
}

interface Target {
  device: number;
  stream: StreamHandle | null;
}

// The context a copy runs in: the stream's device when there is a stream, else the current device.
function target(stream: Stream | undefined): Target {
  if (stream === undefined) return { device: resolveDevice(undefined), stream: null };
  if (!(stream instanceof Stream)) throw new TypeError(`stream must be a Stream, got ${describe(stream)}`);
  return { device: stream.device, stream: stream[kNative] };
}

/** Copies the bytes of `src` to device memory at `dst`; with a stream the copy is queued on it. */
export function copyHostToDevice(dst: bigint, src: ArrayBufferView, stream?: Stream): void {
  expectPtr('dst', dst);
  expectView('src', src);
  const t = target(stream);
  if (src.byteLength === 0) return;
  driver().copyHtoD(t.device, dst, src, t.stream);
}

/** Copies `dst.byteLength` bytes from device memory at `src` into `dst`. */
export function copyDeviceToHost(dst: ArrayBufferView, src: bigint, stream?: Stream): void {
  expectView('dst', dst);
  expectPtr('src', src);
  const t = target(stream);
  if (dst.byteLength === 0) return;
  driver().copyDtoH(t.device, dst, src, t.stream);
}

export function copyDeviceToDevice(dst: bigint, src: bigint, byteLength: number, stream?: Stream): void {
  expectPtr('dst', dst);
  expectPtr('src', src);
  expectInt('byteLength', byteLength, 0, MAX_BYTES);
  const t = target(stream);
  if (byteLength === 0) return;
  driver().copyDtoD(t.device, dst, src, byteLength, t.stream);
}

function memset(width: 1 | 2 | 4, dst: bigint, value: number, count: number, stream: Stream | undefined): void {
  expectPtr('dst', dst);
  expectInt('value', value, 0, 2 ** (8 * width) - 1);
  expectInt('count', count, 0, MAX_BYTES);
  const t = target(stream);
  if (count === 0) return;
  driver().memset(t.device, width, dst, value, count, t.stream);
}

/** Sets `count` bytes at `dst` to `value` (0..255). */
export function memsetD8(dst: bigint, value: number, count: number, stream?: Stream): void {
  memset(1, dst, value, count, stream);
}

/** Sets `count` 16-bit words at `dst` (2-byte aligned) to `value` (0..65535). */
export function memsetD16(dst: bigint, value: number, count: number, stream?: Stream): void {
  memset(2, dst, value, count, stream);
}

/** Sets `count` 32-bit words at `dst` (4-byte aligned) to `value` (0..2^32-1; reinterpret floats with a DataView). */
export function memsetD32(dst: bigint, value: number, count: number, stream?: Stream): void {
  memset(4, dst, value, count, stream);
}

/** Free and total memory of the device, in bytes. */
export function memGetInfo(device?: number): { free: bigint; total: bigint } {
  const [free, total] = driver().memGetInfo(resolveDevice(device));
  return { free, total };
}
