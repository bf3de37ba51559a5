// How values appear in error messages: short, and enough to recognise the argument (dtype, shape, strides, device).

import { Tensor } from '@dg/runtime';

/** `[a, b, c]`. */
export function shapeText(dims: readonly number[]): string {
  return `[${dims.join(', ')}]`;
}

export function describeTensor(t: Tensor): string {
  return `${t.dtype} ${shapeText(t.shape)} strides ${shapeText(t.strides)} on ${t.device}`;
}

/** Any value, as a caller would recognise it: numbers and strings as written, tensors with their layout. */
export function describeValue(v: unknown): string {
  if (v instanceof Tensor) return `a tensor ${describeTensor(v)}`;
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'bigint') return `${v}n`;
  if (v === null || typeof v !== 'object') return String(v);
  if (Array.isArray(v)) return `an array of length ${v.length}`;
  if (ArrayBuffer.isView(v)) return `a ${v.constructor.name}`;
  const name = (v as { constructor?: { name?: unknown } }).constructor?.name;
  return typeof name === 'string' && name !== 'Object' ? `a ${name}` : 'an object';
}
