// Device strings. Tensors carry 'cpu' or 'cuda:N' rather than a bare index so that a host tensor and device 0 can
// never be confused, and so the value prints the way PyTorch users expect.

import { describe } from './dtype.js';

export type DeviceSpec = 'cpu' | `cuda:${number}`;

/** The parsed form: `index` is undefined for the host. */
export interface ParsedDevice {
  readonly spec: DeviceSpec;
  readonly index: number | undefined;
}

// No leading zeros, no sign, no whitespace: one spelling per device keeps `a.device === b.device` meaningful.
const CUDA = /^cuda:(0|[1-9][0-9]{0,8})$/;

/** Throws a TypeError naming `arg` unless `value` is 'cpu' or 'cuda:N' with N a non-negative integer. */
export function parseDevice(value: unknown, arg: string): ParsedDevice {
  if (value === 'cpu') return { spec: 'cpu', index: undefined };
  const m = typeof value === 'string' ? CUDA.exec(value) : null;
  if (m?.[1] === undefined) {
    throw new TypeError(`${arg}: expected 'cpu' or 'cuda:N' with N a non-negative integer, got ${describe(value)}`);
  }
  const index = Number(m[1]);
  return { spec: `cuda:${index}`, index };
}
