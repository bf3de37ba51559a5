// The options argument of the entry points, and its check. Unknown fields are allowed (a caller may pass one options
// object to several calls); known fields are checked.

import type { Sm90Bf16GemmTile } from '@dg/kernels';
import { Stream, type Tensor } from '@dg/runtime';
import { describeValue } from './describe.js';
import { DgArgumentError, DgDeviceError } from './errors.js';
import type { GemmOptions, ProblemDevice } from './problem.js';

/** Options of bf16GemmNt. */
export interface Bf16GemmNtOptions extends GemmOptions {
  /** Accumulator input: D = A · Bᵀ + C. Same dtype and shape as d, row-major; may be d itself. */
  readonly c?: Tensor;
  /**
   * Force a kernel tile config (blockM, blockN, numStages, multicast, numSms) instead of the heuristic's pick; the
   * layout part (majors, output dtype, C) always follows the call. Checked against the kernel's rules, this device
   * and this shape; CUDA tensors only (the CPU reference ignores it).
   */
  readonly config?: Sm90Bf16GemmTile;
}

/** `opts` as a record of its fields; undefined means no options. */
export function optionsArg(fn: string, opts: unknown): Readonly<Record<string, unknown>> {
  if (opts === undefined) return {};
  if (typeof opts !== 'object' || opts === null || Array.isArray(opts)) {
    throw new DgArgumentError(fn, 'opts', 'an options object or undefined', describeValue(opts));
  }
  return opts as Readonly<Record<string, unknown>>;
}

/** `opts.stream`: absent, or a live Stream of the tensors' CUDA device (CPU work has no stream to run on). */
export function checkStream(fn: string, stream: unknown, device: ProblemDevice): void {
  if (stream === undefined) return;
  if (!(stream instanceof Stream)) {
    throw new DgArgumentError(fn, 'opts.stream', 'a Stream of @dg/runtime or undefined', describeValue(stream));
  }
  if (stream.disposed) throw new DgArgumentError(fn, 'opts.stream', 'a live Stream', 'a disposed Stream');
  if (device === 'cpu') {
    throw new DgDeviceError(
      fn,
      'opts.stream',
      'undefined for cpu tensors (the CPU reference runs synchronously)',
      `a Stream of cuda:${stream.device}`,
    );
  }
  if (stream.device !== device) {
    throw new DgDeviceError(
      fn,
      'opts.stream',
      `a Stream of cuda:${device} (the tensors' device)`,
      `a Stream of cuda:${stream.device}`,
    );
  }
}
