// Process-wide knobs of the GPU kernels, with DeepGEMM's names and meanings (set_num_sms, set_pdl, set_tc_util). They
// change what later launches do; CPU reference results never depend on them.

import { getDevice, getDeviceProperties, isAvailable } from '@dg/runtime';
import { describeValue } from './describe.js';
import { DgArgumentError } from './errors.js';

let numSms: number | undefined;
let pdl = false;
let tcUtil = 100;

/** SM count per device, read once: the heuristics ask for it on every call. */
const deviceSms = new Map<number, number>();

function currentDeviceSms(): number | undefined {
  if (!isAvailable()) return undefined;
  const device = getDevice();
  let count = deviceSms.get(device);
  if (count === undefined) {
    count = getDeviceProperties(device).smCount;
    deviceSms.set(device, count);
  }
  return count;
}

/**
 * Caps the number of SMs the GEMM kernels use (their grid size; a kernel is compiled per value). `undefined` goes
 * back to the default: every SM of the device. On a machine with a GPU, `n` may not exceed the current device's count.
 */
export function setNumSms(n: number | undefined): void {
  if (n === undefined) {
    numSms = undefined;
    return;
  }
  if (typeof n !== 'number' || !Number.isInteger(n) || n <= 0) {
    throw new DgArgumentError('setNumSms', 'n', 'a positive integer or undefined', describeValue(n));
  }
  const available = currentDeviceSms();
  if (available !== undefined && n > available) {
    throw new DgArgumentError('setNumSms', 'n', `at most ${available} (the SMs of the current device)`, String(n));
  }
  numSms = n;
}

/** The SM count set by setNumSms, else the current device's; undefined on a machine without a usable GPU. */
export function getNumSms(): number | undefined {
  return numSms ?? currentDeviceSms();
}

/** Launches with Programmatic Dependent Launch (the next kernel may start its prologue early). Default off. */
export function setPdl(on: boolean): void {
  if (typeof on !== 'boolean') throw new DgArgumentError('setPdl', 'on', 'a boolean', describeValue(on));
  pdl = on;
}

export function getPdl(): boolean {
  return pdl;
}

/**
 * Target tensor-core utilisation in percent, 0..100 (0 means 100). Kept for DeepGEMM parity: only SM100 BF16
 * kernels read it, so it has no effect on the SM90 kernels here.
 */
export function setTcUtil(percent: number): void {
  if (typeof percent !== 'number' || !Number.isInteger(percent) || percent < 0 || percent > 100) {
    throw new DgArgumentError('setTcUtil', 'percent', 'an integer in 0..100 (0 means 100)', describeValue(percent));
  }
  tcUtil = percent === 0 ? 100 : percent;
}

/** The tensor-core utilisation target, 1..100 (100 unless set). */
export function getTcUtil(): number {
  return tcUtil;
}
