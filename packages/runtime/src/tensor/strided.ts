// Host-side strided copies. Elements are moved as raw lanes (Uint8/Uint16/Uint32 views of the same memory), so one
// monomorphic loop serves every dtype and no float is ever decoded and re-encoded (which could flip NaN bits).
// 8-byte elements become two 4-byte lanes via an extra innermost dim, which keeps the loops free of BigInt.

import type { TypedArray } from './dtype.js';

export type Lanes = Uint8Array | Uint16Array | Uint32Array;

export interface Layout {
  readonly shape: readonly number[];
  readonly strides: readonly number[];
  readonly offset: number;
}

/** `data` reinterpreted as lanes of min(elementSize, 4) bytes. */
export function asLanes(data: TypedArray): Lanes {
  const width = Math.min(data.BYTES_PER_ELEMENT, 4);
  const count = data.byteLength / width;
  if (width === 1) return new Uint8Array(data.buffer, data.byteOffset, count);
  if (width === 2) return new Uint16Array(data.buffer, data.byteOffset, count);
  return new Uint32Array(data.buffer, data.byteOffset, count);
}

/** The same layout measured in lanes: identity unless elements are 8 bytes, which split into two 4-byte lanes. */
export function laneLayout(layout: Layout, elementSize: number): Layout {
  if (elementSize <= 4) return layout;
  return {
    shape: [...layout.shape, 2],
    strides: [...layout.strides.map((s) => s * 2), 1],
    offset: layout.offset * 2,
  };
}

/**
 * Visits the lane index of every element of `layout` in row-major logical order. The innermost dim is a plain loop;
 * the outer dims advance an odometer, so the cost is O(numel) with no per-element division.
 */
function forEachRow(layout: Layout, row: (base: number, count: number, stride: number) => void): void {
  const { shape, strides, offset } = layout;
  const rank = shape.length;
  if (rank === 0) {
    row(offset, 1, 1);
    return;
  }
  for (const d of shape) if (d === 0) return;
  const inner = shape[rank - 1] ?? 1;
  const innerStride = strides[rank - 1] ?? 1;
  const counter = new Array<number>(rank - 1).fill(0);
  let base = offset;
  for (;;) {
    row(base, inner, innerStride);
    let dim = rank - 2;
    for (; dim >= 0; dim--) {
      const c = (counter[dim] ?? 0) + 1;
      const stride = strides[dim] ?? 0;
      if (c < (shape[dim] ?? 0)) {
        counter[dim] = c;
        base += stride;
        break;
      }
      counter[dim] = 0;
      base -= (c - 1) * stride;
    }
    if (dim < 0) return;
  }
}

/** Copies the elements of `src` seen through `layout` into `dst`, densely, starting at lane 0. */
export function gather(dst: Lanes, src: Lanes, layout: Layout): void {
  let out = 0;
  forEachRow(layout, (base, count, stride) => {
    if (stride === 1) {
      dst.set(src.subarray(base, base + count), out);
    } else {
      // Indices are in range by construction (the layout was validated against the storage); `?? 0` only satisfies
      // noUncheckedIndexedAccess.
      for (let k = 0; k < count; k++) dst[out + k] = src[base + k * stride] ?? 0;
    }
    out += count;
  });
}

/** Writes `pattern` (one element's lanes, repeated) into every element of `dst` seen through `layout`. */
export function fillStrided(dst: Lanes, pattern: Lanes, layout: Layout): void {
  // With two lanes per element the layout already has the extra innermost dim of size 2, so lane k of a row takes
  // pattern[k % 2]; with one lane, pattern[0] everywhere.
  const period = pattern.length;
  forEachRow(layout, (base, count, stride) => {
    for (let k = 0; k < count; k++) dst[base + k * stride] = pattern[k % period] ?? 0;
  });
}
