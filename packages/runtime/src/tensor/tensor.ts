// The Tensor type: a dtype, a shape, element strides and an offset over shared storage on the host or a CUDA device.
// Views (view, transpose, reshape where possible) share storage; copies happen only in toArray, to, contiguous and
// reshape of a layout that no view can express.

import { getDevice } from '../device.js';
import { DgRuntimeError } from '../errors.js';
import { copyDeviceToHost, copyHostToDevice, deviceAlloc, memsetD8, memsetD16, memsetD32 } from '../memory.js';
import type { Stream } from '../stream.js';
import { type DeviceSpec, type ParsedDevice, parseDevice } from './device-spec.js';
import {
  allocHost,
  arrayMatchesDType,
  checkDType,
  type DType,
  describe,
  elementSize,
  type HostArrayOf,
  hostArrayName,
  inferDType,
  isTensorArray,
  type TypedArray,
} from './dtype.js';
import { encodeScalar } from './scalar.js';
import {
  checkShape,
  checkStrides,
  contiguousStrides,
  isContiguousLayout,
  normalizeDim,
  product,
  resolveViewShape,
  spanEnd,
} from './shape.js';
import { foreignCell, hostCell, ownedCell, type StorageCell, type TensorStorage } from './storage.js';
import { asLanes, fillStrided, gather, type Lanes, type Layout, laneLayout } from './strided.js';
import { viewStrides } from './view.js';

const MAX_U64 = (1n << 64n) - 1n;

export interface FromDevicePointerOptions {
  /** Element strides, one per dim; row-major when omitted. */
  strides?: readonly number[];
  /** The device the pointer belongs to; the current device (getDevice()) when omitted. */
  device?: DeviceSpec;
  /** Kept alive as long as any tensor over this memory is: the memory's real owner (a PyTorch tensor's handle, ...). */
  owner?: unknown;
  /**
   * Bytes of memory at `ptr` the tensor's storage covers; at least the view's span (the default). A larger value
   * lets code that writes a padded layout (a kernel filling padding rows past the last element) check that the
   * padding exists.
   */
  byteLength?: number;
}

export class Tensor<D extends DType = DType> implements Disposable {
  readonly dtype: D;
  readonly shape: readonly number[];
  /** Element (not byte) strides. */
  readonly strides: readonly number[];
  /** Element (not byte) offset of the first element into the storage. */
  readonly offset: number;
  readonly device: DeviceSpec;
  #cell: StorageCell | undefined;
  /** Whether this tensor allocated its storage, and so frees it on dispose (views and wrapped pointers do not). */
  readonly #owns: boolean;
  readonly #numel: number;
  /** dataPtr, computed on first use: hot paths (GEMM launches) read it several times per call. */
  #dataPtr: bigint | undefined;

  private constructor(
    cell: StorageCell,
    owns: boolean,
    dtype: D,
    shape: readonly number[],
    strides: readonly number[],
    offset: number,
    device: DeviceSpec,
  ) {
    this.#cell = cell;
    this.#owns = owns;
    this.dtype = dtype;
    this.shape = Object.freeze([...shape]);
    this.strides = Object.freeze([...strides]);
    this.offset = offset;
    this.device = device;
    this.#numel = product(this.shape);
  }

  /**
   * A tensor over `data`. On 'cpu' the tensor views `data` itself (no copy: writes through either are visible in
   * both); on a CUDA device the data is uploaded. The dtype follows from the array type except for Uint16Array, which
   * holds bf16 or f16 bits and needs it spelled out; FP8 data (Uint8Array) must name 'e4m3fn' or 'e5m2' to be read as
   * FP8 rather than u8.
   */
  static fromArray(data: TypedArray, shape: readonly number[], dtype?: DType, device: DeviceSpec = 'cpu'): Tensor {
    if (!isTensorArray(data)) {
      throw new TypeError(
        `Tensor.fromArray(data): expected a Float32Array, Uint16Array, Uint8Array, Int32Array or BigInt64Array, got ${describe(data)}`,
      );
    }
    const dims = checkShape(shape, 'Tensor.fromArray(shape)');
    let dt: DType;
    if (dtype === undefined) {
      const inferred = inferDType(data);
      if (inferred === undefined) {
        throw new TypeError(
          `Tensor.fromArray(dtype): a ${describe(data)} holds bf16 or f16 bits, so expected dtype 'bf16' or 'f16', got undefined`,
        );
      }
      dt = inferred;
    } else {
      dt = checkDType(dtype, 'Tensor.fromArray(dtype)');
    }
    if (!arrayMatchesDType(data, dt)) {
      throw new TypeError(
        `Tensor.fromArray(data): expected a ${hostArrayName(dt)} for dtype '${dt}', got ${describe(data)}`,
      );
    }
    const numel = product(dims);
    if (data.length !== numel) {
      throw new RangeError(
        `Tensor.fromArray(data): expected ${numel} elements for shape ${describe(dims)}, got ${describe(data)}`,
      );
    }
    const dev = parseDevice(device, 'Tensor.fromArray(device)');
    if (dev.index === undefined) {
      return new Tensor(hostCell(data), true, dt, dims, contiguousStrides(dims), 0, 'cpu');
    }
    return Tensor.#upload(data, dt, dims, dev.index);
  }

  /** A new contiguous tensor. Host memory is zeroed (typed arrays always are); device memory is uninitialized. */
  static empty<T extends DType>(shape: readonly number[], dtype: T, device: DeviceSpec = 'cpu'): Tensor<T> {
    const dims = checkShape(shape, 'Tensor.empty(shape)');
    checkDType(dtype, 'Tensor.empty(dtype)');
    const dev = parseDevice(device, 'Tensor.empty(device)');
    return Tensor.#allocate(dims, dtype, dev);
  }

  /**
   * A new tensor with the given element strides (PyTorch's empty_strided), owning its memory. The allocation covers
   * the layout's span, or `storageElements` when larger: a kernel may write padding past the last element (the
   * MN-major TMA-aligned scale layouts pad every column to a 16-byte multiple). Memory is uninitialized on devices.
   */
  static emptyStrided<T extends DType>(
    shape: readonly number[],
    strides: readonly number[],
    dtype: T,
    device: DeviceSpec = 'cpu',
    opts: { storageElements?: number } = {},
  ): Tensor<T> {
    const dims = checkShape(shape, 'Tensor.emptyStrided(shape)');
    const st = checkStrides(strides, dims.length, 'Tensor.emptyStrided(strides)');
    checkDType(dtype, 'Tensor.emptyStrided(dtype)');
    const dev = parseDevice(device, 'Tensor.emptyStrided(device)');
    const extra = opts.storageElements ?? 0;
    if (!Number.isSafeInteger(extra) || extra < 0) {
      throw new RangeError(
        `Tensor.emptyStrided(opts.storageElements): expected a non-negative integer, got ${describe(extra)}`,
      );
    }
    const elements = Math.max(spanEnd(dims, st, 0), extra);
    if (dev.index === undefined) {
      return new Tensor(hostCell(allocHost(dtype, elements)), true, dtype, dims, st, 0, 'cpu');
    }
    const buffer = deviceAlloc(Math.max(elements * elementSize(dtype), 1), dev.index);
    return new Tensor(ownedCell(buffer), true, dtype, dims, st, 0, dev.spec);
  }

  /** A new contiguous tensor of zeros (all-zero bits, which is +0 in every dtype). */
  static zeros<T extends DType>(shape: readonly number[], dtype: T, device: DeviceSpec = 'cpu'): Tensor<T> {
    const dims = checkShape(shape, 'Tensor.zeros(shape)');
    checkDType(dtype, 'Tensor.zeros(dtype)');
    const dev = parseDevice(device, 'Tensor.zeros(device)');
    const t = Tensor.#allocate(dims, dtype, dev);
    if (dev.index !== undefined && t.nbytes > 0) {
      try {
        memsetD8(t.dataPtr, 0, t.nbytes);
      } catch (e) {
        t.dispose();
        throw e;
      }
    }
    return t;
  }

  /**
   * Wraps device memory that someone else owns (interop). dg never frees it: dispose only drops this tensor's hold on
   * `opts.owner`. Nothing is checked on the device, so this works without touching CUDA when `opts.device` is given.
   */
  static fromDevicePointer<T extends DType>(
    ptr: bigint,
    shape: readonly number[],
    dtype: T,
    opts: FromDevicePointerOptions = {},
  ): Tensor<T> {
    if (typeof ptr !== 'bigint' || ptr < 0n || ptr > MAX_U64) {
      throw new TypeError(`Tensor.fromDevicePointer(ptr): expected a bigint in [0, 2^64), got ${describe(ptr)}`);
    }
    const dims = checkShape(shape, 'Tensor.fromDevicePointer(shape)');
    checkDType(dtype, 'Tensor.fromDevicePointer(dtype)');
    if (typeof opts !== 'object' || opts === null) {
      throw new TypeError(`Tensor.fromDevicePointer(opts): expected an object, got ${describe(opts)}`);
    }
    const strides =
      opts.strides === undefined
        ? contiguousStrides(dims)
        : checkStrides(opts.strides, dims.length, 'Tensor.fromDevicePointer(opts.strides)');
    const dev =
      opts.device === undefined ? undefined : parseDevice(opts.device, 'Tensor.fromDevicePointer(opts.device)');
    if (dev !== undefined && dev.index === undefined) {
      throw new TypeError(`Tensor.fromDevicePointer(opts.device): expected 'cuda:N', got 'cpu'`);
    }
    const size = elementSize(dtype);
    const numel = product(dims);
    if (numel > 0 && ptr === 0n) {
      throw new RangeError(`Tensor.fromDevicePointer(ptr): expected a non-null pointer for ${numel} elements, got 0n`);
    }
    // Kernels load elements with their natural alignment; a misaligned base would fault far from this call.
    if (ptr % BigInt(size) !== 0n) {
      throw new RangeError(
        `Tensor.fromDevicePointer(ptr): expected a multiple of ${size} (the size of ${dtype}), got 0x${ptr.toString(16)}`,
      );
    }
    const spanBytes = spanEnd(dims, strides, 0) * size;
    const byteLength = opts.byteLength ?? spanBytes;
    if (!Number.isSafeInteger(byteLength) || byteLength < spanBytes) {
      throw new RangeError(
        `Tensor.fromDevicePointer(opts.byteLength): expected an integer >= ${spanBytes} (the view's span in bytes), ` +
          `got ${describe(opts.byteLength)}`,
      );
    }
    // Asked only after every check: without CUDA this throws CudaUnavailableError, which would hide a bad argument.
    const index = dev?.index ?? getDevice();
    return new Tensor(foreignCell(ptr, byteLength, index, opts.owner), false, dtype, dims, strides, 0, `cuda:${index}`);
  }

  get isCuda(): boolean {
    return this.device !== 'cpu';
  }

  get numel(): number {
    return this.#numel;
  }

  /** Bytes of the elements themselves (numel * element size), not of the storage they sit in. */
  get nbytes(): number {
    return this.numel * elementSize(this.dtype);
  }

  /** Whether dispose() was called, or the device memory under this tensor was freed (by its owner or directly). */
  get disposed(): boolean {
    return this.#cell === undefined || !this.#cell.alive;
  }

  /** The storage shared with this tensor's views. */
  get storage(): TensorStorage {
    return this.#live('storage').storage;
  }

  /** Device address of the first element: storage base + offset * element size. */
  get dataPtr(): bigint {
    const s = this.#live('dataPtr').storage;
    if (s.kind === 'host') {
      throw new TypeError(`dataPtr: expected a cuda tensor, got a cpu tensor (${this.#describe()})`);
    }
    if (this.#dataPtr === undefined) this.#dataPtr = s.ptr + BigInt(this.offset * elementSize(this.dtype));
    return this.#dataPtr;
  }

  isContiguous(): boolean {
    return isContiguousLayout(this.shape, this.strides);
  }

  /**
   * A fresh contiguous host array of the elements in logical (row-major) order: Float32Array, Uint16Array of bf16/f16
   * bits, Uint8Array of FP8/u8 bytes, Int32Array or BigInt64Array. Device tensors are copied to the host
   * synchronously.
   */
  toArray(): HostArrayOf<D> {
    return this.#download('toArray', undefined);
  }

  /**
   * This tensor on `device`. The same device gives a view (a new Tensor object over the same storage, so disposing the
   * result never frees this tensor's memory); another device gives a contiguous copy that owns its memory. With `stream` (of the target
   * device, or of the source one for a copy to the host) the copy is ordered on it; a copy to the host is complete when
   * to() returns, since a host array has no stream to wait on.
   */
  to(device: DeviceSpec, stream?: Stream): Tensor<D> {
    const dev = parseDevice(device, 'to(device)');
    const cell = this.#live('to');
    if (dev.spec === this.device) return this.#alias(cell, this.shape, this.strides, this.offset);
    // The stream orders the copy on the device side: the target device, or the source when going to the host.
    const streamDevice = dev.index ?? (cell.storage.kind === 'device' ? cell.storage.device : undefined);
    if (stream !== undefined && stream.device !== streamDevice) {
      throw new RangeError(
        `to(stream): expected a stream of device ${streamDevice} (copy ${this.device} -> ${dev.spec}), got one of device ${stream.device}`,
      );
    }
    const host = this.#download('to', dev.index === undefined ? stream : undefined);
    if (dev.index === undefined) {
      return new Tensor(hostCell(host), true, this.dtype, this.shape, contiguousStrides(this.shape), 0, 'cpu');
    }
    // Between two devices the copy is staged through the host: peer access is not guaranteed and the runtime has no
    // peer-copy call. Rare enough (multi-GPU set-up) not to warrant one yet.
    return Tensor.#upload(host, this.dtype, this.shape, dev.index, stream);
  }

  /** A view with another shape (one dim may be -1). Needs a contiguous tensor: use reshape() otherwise. */
  view(shape: readonly number[]): Tensor<D> {
    const cell = this.#live('view');
    const numel = this.numel;
    const dims = resolveViewShape(shape, numel, this.shape, 'view(shape)');
    if (!this.isContiguous()) {
      throw new RangeError(
        `view(shape): expected a contiguous tensor, got strides ${describe(this.strides)} for shape ${describe(this.shape)}; use reshape() or contiguous() first`,
      );
    }
    return this.#alias(cell, dims, contiguousStrides(dims), this.offset);
  }

  /** A view with another shape when the strides allow one (as PyTorch decides it), else a contiguous copy. */
  reshape(shape: readonly number[]): Tensor<D> {
    const cell = this.#live('reshape');
    const dims = resolveViewShape(shape, this.numel, this.shape, 'reshape(shape)');
    const strides = viewStrides(this.shape, this.strides, dims);
    if (strides !== undefined) return this.#alias(cell, dims, strides, this.offset);
    return this.#copy('reshape', dims);
  }

  /** Swaps two dims (negative counts from the end) by swapping their sizes and strides: no copy. */
  transpose(dim0: number, dim1: number): Tensor<D> {
    const cell = this.#live('transpose');
    const rank = this.shape.length;
    const a = normalizeDim(dim0, rank, 'transpose(dim0)');
    const b = normalizeDim(dim1, rank, 'transpose(dim1)');
    const shape = [...this.shape];
    const strides = [...this.strides];
    [shape[a], shape[b]] = [this.shape[b] ?? 1, this.shape[a] ?? 1];
    [strides[a], strides[b]] = [this.strides[b] ?? 1, this.strides[a] ?? 1];
    return this.#alias(cell, shape, strides, this.offset);
  }

  /**
   * A contiguous tensor with the same elements: a view when already contiguous (so disposing it never frees this
   * tensor's memory), else a copy on the same device that owns its memory.
   */
  contiguous(): Tensor<D> {
    const cell = this.#live('contiguous');
    if (this.isContiguous()) return this.#alias(cell, this.shape, this.strides, this.offset);
    return this.#copy('contiguous', this.shape);
  }

  /**
   * Sets every element to `value` encoded in the dtype: f32 rounds to f32, bf16/f16 round to nearest even (via f32),
   * integers must be exact and in range (i64 also takes a bigint). FP8 has no encoder here: use fillBits().
   */
  fill(value: number | bigint): this {
    this.#live('fill');
    this.#fillWith(encodeScalar(this.dtype, value));
    return this;
  }

  /** Sets every element to the raw bit pattern `bits` (an unsigned integer of the dtype's width; 1-, 2- or 4-byte). */
  fillBits(bits: number): this {
    this.#live('fillBits');
    const size = elementSize(this.dtype);
    if (size > 4) {
      throw new TypeError(`fillBits(bits): expected a dtype of at most 4 bytes, got '${this.dtype}'; use fill()`);
    }
    const limit = 2 ** (8 * size);
    if (typeof bits !== 'number' || !Number.isInteger(bits) || bits < 0 || bits >= limit) {
      throw new RangeError(
        `fillBits(bits): expected an integer in [0, 0x${(limit - 1).toString(16)}] for '${this.dtype}', got ${describe(bits)}`,
      );
    }
    const one = allocHost(this.dtype, 1);
    asLanes(one)[0] = bits;
    this.#fillWith(one);
    return this;
  }

  /**
   * Retires this tensor; any later use of it throws. A tensor that allocated its device memory frees it now, and its
   * views then throw too; a view or a wrapped pointer frees nothing. Idempotent.
   */
  dispose(): void {
    const cell = this.#cell;
    if (cell === undefined) return;
    this.#cell = undefined;
    if (this.#owns) cell.free();
  }

  [Symbol.dispose](): void {
    this.dispose();
  }

  /** A new contiguous tensor; device memory is left uninitialized. */
  static #allocate<T extends DType>(shape: readonly number[], dtype: T, dev: ParsedDevice): Tensor<T> {
    const numel = product(shape);
    const strides = contiguousStrides(shape);
    if (dev.index === undefined) {
      return new Tensor(hostCell(allocHost(dtype, numel)), true, dtype, shape, strides, 0, 'cpu');
    }
    // cuMemAlloc rejects 0 bytes; one byte gives an empty tensor a valid pointer like any other.
    const buffer = deviceAlloc(Math.max(numel * elementSize(dtype), 1), dev.index);
    return new Tensor(ownedCell(buffer), true, dtype, shape, strides, 0, dev.spec);
  }

  /** A new contiguous device tensor holding `host` (already contiguous, in logical order). */
  static #upload<T extends DType>(
    host: TypedArray,
    dtype: T,
    shape: readonly number[],
    device: number,
    stream?: Stream,
  ): Tensor<T> {
    const buffer = deviceAlloc(Math.max(host.byteLength, 1), device);
    try {
      if (host.byteLength > 0) copyHostToDevice(buffer.ptr, host, stream);
    } catch (e) {
      buffer.dispose();
      throw e;
    }
    return new Tensor(ownedCell(buffer), true, dtype, shape, contiguousStrides(shape), 0, `cuda:${device}`);
  }

  toString(): string {
    return `Tensor(${this.#describe()}${this.#cell === undefined ? ', disposed' : ''})`;
  }

  #describe(): string {
    return `${this.dtype} ${describe(this.shape)} on ${this.device}`;
  }

  #live(op: string): StorageCell {
    const cell = this.#cell;
    if (cell === undefined) {
      throw new DgRuntimeError('DG_TENSOR_DISPOSED', `${op}: the tensor (${this.#describe()}) was disposed`);
    }
    if (!cell.alive) {
      throw new DgRuntimeError(
        'DG_TENSOR_DISPOSED',
        `${op}: the device memory of the tensor (${this.#describe()}) was freed (the tensor that allocated it, or its DeviceBuffer, was disposed)`,
      );
    }
    return cell;
  }

  #alias(cell: StorageCell, shape: readonly number[], strides: readonly number[], offset: number): Tensor<D> {
    return new Tensor(cell, false, this.dtype, shape, strides, offset, this.device);
  }

  /** A new contiguous tensor on this device that owns a copy of the elements, in logical order, with `shape`. */
  #copy(op: string, shape: readonly number[]): Tensor<D> {
    const host = this.#download(op, undefined);
    const s = this.#live(op).storage;
    if (s.kind === 'host') {
      return new Tensor(hostCell(host), true, this.dtype, shape, contiguousStrides(shape), 0, 'cpu');
    }
    // A device tensor goes through a host round trip for now: correct for every dtype and layout, and a copy of a
    // device tensor is off the hot path (GEMM inputs are built contiguous). A device gather kernel comes later.
    return Tensor.#upload(host, this.dtype, shape, s.device);
  }

  #layout(): Layout {
    return { shape: this.shape, strides: this.strides, offset: this.offset };
  }

  /** A fresh contiguous host copy of the elements. */
  #download(op: string, stream: Stream | undefined): HostArrayOf<D> {
    const s = this.#live(op).storage;
    const size = elementSize(this.dtype);
    const out = allocHost(this.dtype, this.numel);
    if (out.length === 0) return out;
    if (s.kind === 'host') {
      gather(asLanes(out), asLanes(s.data), laneLayout(this.#layout(), size));
      return out;
    }
    if (this.isContiguous()) {
      copyDeviceToHost(out, this.dataPtr, stream);
      stream?.synchronize();
      return out;
    }
    // Copy the span the layout touches and gather on the host (no device gather kernel yet).
    const staged = allocHost(this.dtype, spanEnd(this.shape, this.strides, this.offset) - this.offset);
    copyDeviceToHost(staged, this.dataPtr, stream);
    stream?.synchronize();
    gather(asLanes(out), asLanes(staged), laneLayout({ ...this.#layout(), offset: 0 }, size));
    return out;
  }

  /** Writes the single element `one` (a 1-element host array of the dtype) into every element. */
  #fillWith(one: TypedArray): void {
    const s = this.#live('fill').storage;
    const size = elementSize(this.dtype);
    const pattern = asLanes(one);
    if (s.kind === 'host') {
      fillStrided(asLanes(s.data), pattern, laneLayout(this.#layout(), size));
      return;
    }
    const numel = this.numel;
    if (numel === 0) return;
    const ptr = this.dataPtr;
    if (this.isContiguous() && memsetElements(ptr, size, pattern, numel)) return;
    // Otherwise stage through the host: read the span the layout touches (so the gaps keep their values), fill the
    // elements, write the span back. The copies are synchronous, so the fill is complete when fill() returns.
    const count = spanEnd(this.shape, this.strides, this.offset) - this.offset;
    const staged = allocHost(this.dtype, count);
    if (!this.isContiguous()) copyDeviceToHost(staged, ptr);
    fillStrided(asLanes(staged), pattern, laneLayout({ ...this.#layout(), offset: 0 }, size));
    copyHostToDevice(ptr, staged);
  }
}

/** Fills `numel` contiguous elements with one driver memset where one can express the pattern; false otherwise. */
function memsetElements(ptr: bigint, size: number, pattern: Lanes, numel: number): boolean {
  const lane = pattern[0] ?? 0;
  switch (size) {
    case 1:
      memsetD8(ptr, lane, numel);
      return true;
    case 2:
      memsetD16(ptr, lane, numel);
      return true;
    case 4:
      memsetD32(ptr, lane, numel);
      return true;
    default:
      // 8-byte elements whose two halves match (0, -1, ...) are still one 32-bit memset.
      if (lane !== pattern[1]) return false;
      memsetD32(ptr, lane, numel * 2);
      return true;
  }
}
