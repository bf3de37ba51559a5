// Shape and stride arithmetic. Strides and offsets count elements, not bytes, as in PyTorch; dims are validated once,
// at the API boundary, so the helpers below can trust their inputs.

import { describe } from './dtype.js';

/** Throws a TypeError/RangeError naming `arg` unless `shape` is an array of non-negative safe integers. */
export function checkShape(shape: unknown, arg: string): number[] {
  if (!Array.isArray(shape)) {
    throw new TypeError(`${arg}: expected an array of non-negative integers, got ${describe(shape)}`);
  }
  shape.forEach((d: unknown, i) => {
    if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0) {
      throw new RangeError(`${arg}[${i}]: expected a non-negative integer, got ${describe(d)} (in ${describe(shape)})`);
    }
  });
  const dims = shape as number[];
  // A product above 2^53 would silently lose precision in every index computation.
  if (!Number.isSafeInteger(product(dims))) {
    throw new RangeError(`${arg}: expected at most ${Number.MAX_SAFE_INTEGER} elements, got ${describe(dims)}`);
  }
  return [...dims];
}

/** Throws unless `strides` has one non-negative safe integer per dim. */
export function checkStrides(strides: unknown, rank: number, arg: string): number[] {
  if (!Array.isArray(strides) || strides.length !== rank) {
    throw new TypeError(`${arg}: expected an array of ${rank} non-negative integers, got ${describe(strides)}`);
  }
  strides.forEach((s: unknown, i) => {
    if (typeof s !== 'number' || !Number.isSafeInteger(s) || s < 0) {
      throw new RangeError(
        `${arg}[${i}]: expected a non-negative integer, got ${describe(s)} (in ${describe(strides)})`,
      );
    }
  });
  return [...(strides as number[])];
}

export function product(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Row-major strides for `shape`. */
export function contiguousStrides(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i] ?? 1;
  }
  return strides;
}

/**
 * Whether the elements are laid out row-major without gaps. Dims of size 1 may carry any stride (they are never
 * stepped over) and a tensor with no elements is trivially contiguous, as in PyTorch.
 */
export function isContiguousLayout(shape: readonly number[], strides: readonly number[]): boolean {
  let expected = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    const d = shape[i] ?? 1;
    if (d === 0) return true;
    if (d !== 1 && strides[i] !== expected) return false;
    expected *= d;
  }
  return true;
}

/** The element index one past the last one the layout reaches from `offset` (strides are non-negative). */
export function spanEnd(shape: readonly number[], strides: readonly number[], offset: number): number {
  let last = offset;
  for (let i = 0; i < shape.length; i++) {
    const d = shape[i] ?? 0;
    if (d === 0) return offset;
    last += (d - 1) * (strides[i] ?? 0);
  }
  return last + 1;
}

/**
 * Resolves a target shape for a view of `numel` elements: at most one dim may be -1 and is inferred. Throws a
 * RangeError naming `arg` when the sizes cannot match.
 */
export function resolveViewShape(shape: unknown, numel: number, from: readonly number[], arg: string): number[] {
  if (!Array.isArray(shape)) {
    throw new TypeError(`${arg}: expected an array of non-negative integers (one may be -1), got ${describe(shape)}`);
  }
  let inferAt = -1;
  let known = 1;
  shape.forEach((d: unknown, i) => {
    if (d === -1) {
      if (inferAt >= 0) {
        throw new RangeError(`${arg}: expected at most one -1, got ${describe(shape)}`);
      }
      inferAt = i;
      return;
    }
    if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0) {
      throw new RangeError(
        `${arg}[${i}]: expected a non-negative integer or -1, got ${describe(d)} (in ${describe(shape)})`,
      );
    }
    known *= d;
  });
  const dims = [...(shape as number[])];
  if (inferAt >= 0) {
    if (known === 0 || numel % known !== 0) {
      throw new RangeError(
        `${arg}: cannot infer the -1 dim of ${describe(dims)} for ${numel} elements (shape ${describe(from)})`,
      );
    }
    dims[inferAt] = numel / known;
  } else if (known !== numel) {
    throw new RangeError(
      `${arg}: expected a shape of ${numel} elements (shape ${describe(from)}), got ${describe(dims)} with ${known}`,
    );
  }
  return dims;
}

/** Normalizes a possibly negative dim index into [0, rank); throws a RangeError naming `arg` otherwise. */
export function normalizeDim(dim: unknown, rank: number, arg: string): number {
  if (typeof dim !== 'number' || !Number.isInteger(dim) || dim < -rank || dim >= rank) {
    const range = rank === 0 ? 'none (the tensor has rank 0)' : `an integer in [${-rank}, ${rank - 1}]`;
    throw new RangeError(`${arg}: expected ${range}, got ${describe(dim)}`);
  }
  return dim < 0 ? dim + rank : dim;
}
