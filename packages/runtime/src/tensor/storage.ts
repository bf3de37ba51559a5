// What a tensor's elements live in, shared by a tensor and all its views. Device memory belongs to the tensor that
// allocated it (empty, zeros, fromArray, to, contiguous or reshape copies): disposing that tensor frees it, whatever
// views remain, so a chain like `a.transpose(0, 1).contiguous()` never pins `a`'s memory through an unnamed
// intermediate. Views own nothing: their dispose only retires the view, and once the owner is gone they throw
// instead of reading freed memory. A forgotten owner is covered by DeviceBuffer's own FinalizationRegistry, which
// fires once no tensor references the buffer any more.

import type { DeviceBuffer } from '../memory.js';
import type { TypedArray } from './dtype.js';

/** Host memory: a typed array, possibly the caller's own (Tensor.fromArray does not copy on 'cpu'). */
export interface HostStorage {
  readonly kind: 'host';
  readonly data: TypedArray;
}

/** Device memory: owned (`buffer` set, freed by dispose) or foreign (`owner` kept alive, never freed by dg). */
export interface DeviceStorage {
  readonly kind: 'device';
  /** Base address; a tensor's first element is at ptr + offset * elementSize. */
  readonly ptr: bigint;
  readonly byteLength: number;
  /** CUDA device ordinal. */
  readonly device: number;
  readonly buffer: DeviceBuffer | undefined;
  readonly owner: unknown;
}

export type TensorStorage = HostStorage | DeviceStorage;

export class StorageCell {
  constructor(readonly storage: TensorStorage) {}

  /** Frees owned device memory (idempotent); host and foreign memory are left to the garbage collector / the owner. */
  free(): void {
    if (this.storage.kind === 'device') this.storage.buffer?.dispose();
  }

  /** False once owned device memory was freed, by its owner tensor or by someone disposing the buffer directly. */
  get alive(): boolean {
    return this.storage.kind === 'host' || this.storage.buffer?.disposed !== true;
  }
}

export function hostCell(data: TypedArray): StorageCell {
  return new StorageCell({ kind: 'host', data });
}

export function ownedCell(buffer: DeviceBuffer): StorageCell {
  return new StorageCell({
    kind: 'device',
    ptr: buffer.ptr,
    byteLength: buffer.byteLength,
    device: buffer.device,
    buffer,
    owner: undefined,
  });
}

export function foreignCell(ptr: bigint, byteLength: number, device: number, owner: unknown): StorageCell {
  return new StorageCell({ kind: 'device', ptr, byteLength, device, buffer: undefined, owner });
}
