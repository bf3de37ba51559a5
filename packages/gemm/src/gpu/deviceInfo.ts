// What the heuristics need to know about a device, read once per device.

import { getDeviceProperties } from '@dg/runtime';
import type { GemmDeviceInfo } from '../heuristics/index.js';
import { getNumSms } from '../knobs.js';

const props = new Map<number, { smCount: number; maxSmemBytes: number }>();

export function gemmDeviceInfo(device: number): GemmDeviceInfo {
  let p = props.get(device);
  if (p === undefined) {
    const d = getDeviceProperties(device);
    p = { smCount: d.smCount, maxSmemBytes: d.maxSharedMemoryPerBlockOptin };
    props.set(device, p);
  }
  // setNumSms() caps the grid (never above the device's count).
  const limit = getNumSms();
  return { numSms: limit === undefined ? p.smCount : Math.min(limit, p.smCount), maxSmemBytes: p.maxSmemBytes };
}
