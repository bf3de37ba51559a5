// The per-tensor checks the entry points are built from. Each throws the typed error of its rule, naming the argument
// as the caller wrote it, the expected and the actual value; none of them reads tensor memory or touches CUDA.

import { type DType, dtypeSize, Tensor } from '@dg/runtime';
import { describeTensor, describeValue, shapeText } from './describe.js';
import { DgArgumentError, DgDeviceError, DgDtypeError, DgLayoutError, DgShapeError } from './errors.js';

/** TMA moves rows of 16-byte multiples from 16-byte aligned addresses. */
export const TMA_ALIGNMENT_BYTES = 16;

/** `v` as a live Tensor, or DgArgumentError. */
export function tensorArg(fn: string, name: string, v: unknown): Tensor {
  if (!(v instanceof Tensor)) throw new DgArgumentError(fn, name, 'a Tensor', describeValue(v));
  if (v.disposed) throw new DgArgumentError(fn, name, 'a live Tensor', `a disposed tensor ${describeTensor(v)}`);
  return v;
}

export function expectDtype<D extends DType>(fn: string, name: string, t: Tensor, allowed: readonly D[]): Tensor<D> {
  if (!(allowed as readonly DType[]).includes(t.dtype)) {
    throw new DgDtypeError(fn, name, `of dtype ${allowed.join(' or ')}`, `${t.dtype} (${describeTensor(t)})`);
  }
  return t as Tensor<D>;
}

/** All tensors of one call live on the device of its first tensor (`source`). */
export function expectDevice(fn: string, name: string, t: Tensor, source: { name: string; tensor: Tensor }): void {
  if (t.device !== source.tensor.device) {
    throw new DgDeviceError(fn, name, `on ${source.tensor.device} (the device of '${source.name}')`, t.device);
  }
}

/** The two sizes of a rank-2 tensor; `dims` names them for the message, e.g. '[M, K]'. */
export function matrixSizes(fn: string, name: string, t: Tensor, dims: string): [number, number] {
  if (t.shape.length !== 2) throw new DgShapeError(fn, name, `2-D ${dims}`, `shape ${shapeText(t.shape)}`);
  return [t.shape[0] ?? 0, t.shape[1] ?? 0];
}

/** Exact sizes; `dims` says where they come from, e.g. '[M, ceil(K/128)]'. */
export function expectSizes(fn: string, name: string, t: Tensor, expected: readonly number[], dims: string): void {
  if (t.shape.length !== expected.length || t.shape.some((d, i) => d !== expected[i])) {
    throw new DgShapeError(fn, name, `of shape ${dims} = ${shapeText(expected)}`, `shape ${shapeText(t.shape)}`);
  }
}

/** A size (`what`, one of `dims`) that the kernels' 16-byte rows need to be a multiple of `multiple`. */
export function expectMultiple(
  fn: string,
  name: string,
  dims: string,
  what: string,
  size: number,
  multiple: number,
  why: string,
): void {
  if (size % multiple !== 0) {
    throw new DgShapeError(fn, name, `${dims} with ${what} a multiple of ${multiple} (${why})`, `${what} = ${size}`);
  }
}

/** Elements per 16 bytes: what every row stride must be a multiple of. */
export function rowStrideMultiple(dtype: DType): number {
  return TMA_ALIGNMENT_BYTES / dtypeSize(dtype);
}

/**
 * Row-major with padded rows allowed: strides [ld, 1], ld >= cols and ld a multiple of 16 bytes. A tensor without
 * elements has no layout to check.
 */
export function expectRowMajor(fn: string, name: string, t: Tensor, cols: number): void {
  if (t.numel === 0) return;
  const [ld = 0, inner] = t.strides;
  const multiple = rowStrideMultiple(t.dtype);
  if (inner !== 1 || ld < cols || ld % multiple !== 0) {
    throw new DgLayoutError(
      fn,
      name,
      `row-major: strides [ld, 1] with ld >= ${cols} and ld a multiple of ${multiple} (16-byte rows)`,
      `strides ${shapeText(t.strides)}`,
    );
  }
}

/**
 * Which dim of a [rows, cols] tensor is contiguous: 'k' for strides [ld, 1] (ld >= cols), 'mn' for strides [1, ld]
 * (ld >= rows), ld a multiple of `multiple` (1: any). `dims` names rows and cols in the message ('M', 'K').
 */
export function majorOf(
  fn: string,
  name: string,
  t: Tensor,
  dims: { rows: string; cols: string },
  multiple: number,
): 'k' | 'mn' {
  const [rows = 0, cols = 0] = t.shape;
  const [s0 = 0, s1 = 0] = t.strides;
  if (t.numel === 0) return 'k';
  if (s1 === 1 && s0 >= cols && s0 % multiple === 0) return 'k';
  if (s0 === 1 && s1 >= rows && s1 % multiple === 0) return 'mn';
  const kMajor = `K-major (strides [ld, 1], ld >= ${dims.cols} = ${cols})`;
  const mnMajor = `MN-major (strides [1, ld], ld >= ${dims.rows} = ${rows})`;
  const rule = multiple === 1 ? '' : `, ld a multiple of ${multiple}`;
  throw new DgLayoutError(fn, name, `${kMajor} or ${mnMajor}${rule}`, `strides ${shapeText(t.strides)}`);
}

/**
 * The first element sits on a 16-byte boundary: the device address on CUDA; on the host, its byte offset into the
 * ArrayBuffer under it, so that a call that passes on the CPU passes on a GPU too.
 */
export function expectAlignedBase(fn: string, name: string, t: Tensor): void {
  if (t.numel === 0) return;
  const storage = t.storage;
  const address =
    storage.kind === 'device' ? t.dataPtr : BigInt(storage.data.byteOffset + t.offset * dtypeSize(t.dtype));
  if (address % BigInt(TMA_ALIGNMENT_BYTES) !== 0n) {
    const actual = t.isCuda ? `address 0x${address.toString(16)}` : `byte offset ${address} into its ArrayBuffer`;
    throw new DgLayoutError(fn, name, '16-byte aligned at its first element (TMA)', actual);
  }
}
