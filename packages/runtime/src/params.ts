// Packs kernel parameters as a C struct: each value at its natural alignment (4 for 32-bit values, 8 for 64-bit
// values and pointers, 64 for CUtensorMap, which is declared alignas(64)), no tail padding. launch() maps this layout
// onto the kernel's device-side one, parameter by parameter, so the blob never depends on the GPU architecture.
import { describe, U64_MAX } from './args.js';

export class ParamBuilder {
  #buf = new ArrayBuffer(256);
  #view = new DataView(this.#buf);
  #bytes = new Uint8Array(this.#buf);
  #size = 0;

  /** Bytes written so far; also the offset the next value of alignment 1 would get. */
  get byteLength(): number {
    return this.#size;
  }

  // Aligns the cursor to `align`, makes room for `n` bytes and returns the offset to write at.
  #reserve(align: number, n: number): number {
    const at = (this.#size + align - 1) & ~(align - 1);
    const end = at + n;
    if (end > this.#buf.byteLength) {
      const grown = new ArrayBuffer(Math.max(end, this.#buf.byteLength * 2));
      new Uint8Array(grown).set(this.#bytes.subarray(0, this.#size));
      this.#buf = grown;
      this.#view = new DataView(grown);
      this.#bytes = new Uint8Array(grown);
    }
    // Padding bytes stay zero: the buffer is fresh and never rewound.
    this.#size = end;
    return at;
  }

  u32(v: number): this {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 0xffffffff) {
      throw new RangeError(`u32 value must be an integer in [0, 4294967295], got ${describe(v)}`);
    }
    const at = this.#reserve(4, 4); // reserve first: it may replace #view
    this.#view.setUint32(at, v, true);
    return this;
  }

  i32(v: number): this {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < -0x80000000 || v > 0x7fffffff) {
      throw new RangeError(`i32 value must be an integer in [-2147483648, 2147483647], got ${describe(v)}`);
    }
    const at = this.#reserve(4, 4); // reserve first: it may replace #view
    this.#view.setInt32(at, v, true);
    return this;
  }

  f32(v: number): this {
    if (typeof v !== 'number') throw new TypeError(`f32 value must be a number, got ${describe(v)}`);
    const at = this.#reserve(4, 4); // reserve first: it may replace #view
    this.#view.setFloat32(at, v, true);
    return this;
  }

  u64(v: bigint): this {
    if (typeof v !== 'bigint' || v < 0n || v > U64_MAX) {
      throw new RangeError(`u64 value must be a bigint in [0, 2^64-1], got ${describe(v)}`);
    }
    const at = this.#reserve(8, 8); // reserve first: it may replace #view
    this.#view.setBigUint64(at, v, true);
    return this;
  }

  /** A device pointer (8 bytes). 0n is allowed: kernels may take optional pointers. */
  ptr(v: bigint): this {
    if (typeof v !== 'bigint' || v < 0n || v > U64_MAX) {
      throw new RangeError(`ptr value must be a bigint device pointer, got ${describe(v)}`);
    }
    const at = this.#reserve(8, 8); // reserve first: it may replace #view
    this.#view.setBigUint64(at, v, true);
    return this;
  }

  /** A 128-byte CUtensorMap from encodeTensorMapTiled, for a `const __grid_constant__ CUtensorMap` parameter. */
  tensorMap(map: Uint8Array): this {
    if (!(map instanceof Uint8Array) || map.byteLength !== 128) {
      throw new TypeError(`tensorMap value must be a 128-byte Uint8Array, got ${describe(map)}`);
    }
    const at = this.#reserve(64, 128);
    this.#bytes.set(map, at);
    return this;
  }

  /** A view of the packed parameters (not a copy): pass it to launch(). */
  bytes(): Uint8Array {
    return new Uint8Array(this.#buf, 0, this.#size);
  }
}
