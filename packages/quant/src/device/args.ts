// Checks for device tensors: every message names the function, the argument, the expected and the actual value, and
// each check runs before anything is allocated or launched.

import { type DType, Tensor } from '@dg/runtime';
import { describeValue } from '../args.js';

export function checkCudaTensor(fn: string, name: string, t: unknown, dtypes: readonly DType[], rank: number): Tensor {
  if (!(t instanceof Tensor)) throw new TypeError(`${fn}: '${name}' must be a Tensor; got ${describeValue(t)}`);
  if (!t.isCuda) throw new TypeError(`${fn}: '${name}' must be on a CUDA device; got device '${t.device}'`);
  if (!dtypes.includes(t.dtype)) {
    throw new TypeError(`${fn}: '${name}' must have dtype ${dtypes.join(' or ')}; got ${t.dtype}`);
  }
  if (t.shape.length !== rank) {
    throw new RangeError(`${fn}: '${name}' must have rank ${rank}; got shape [${t.shape.join(', ')}]`);
  }
  if (!t.isContiguous()) {
    throw new RangeError(
      `${fn}: '${name}' must be contiguous (row-major); got strides [${t.strides.join(', ')}] for shape [${t.shape.join(', ')}]`,
    );
  }
  return t;
}

export function deviceIndex(t: Tensor): number {
  return Number(t.device.slice('cuda:'.length));
}
