// Availability, devices and the current-device setting.
import { expectInt } from './args.js';
import { CudaUnavailableError } from './errors.js';
import { addon, addonLoadError } from './loader.js';
import type { NativeBinding } from './native.js';

export interface DeviceProperties {
  index: number;
  name: string;
  computeCapability: { major: number; minor: number };
  smCount: number;
  maxSharedMemoryPerBlockOptin: number;
  l2CacheBytes: number;
  clockRateKHz: number;
  memoryClockRateKHz: number;
  memoryBusWidthBits: number;
  totalMemoryBytes: bigint;
  maxThreadsPerBlock: number;
  warpSize: number;
}

interface Availability {
  available: boolean;
  reason: string;
  driverVersion: number;
  deviceCount: number;
}

let state: Availability | undefined;

// Probed once: loading the driver and cuInit happen in the addon on this first call.
function availability(): Availability {
  if (state) return state;
  const b = addon();
  if (b === null) {
    state = { available: false, reason: addonLoadError(), driverVersion: 0, deviceCount: 0 };
  } else {
    try {
      state = b.availability();
    } catch (e) {
      state = { available: false, reason: String(e), driverVersion: 0, deviceCount: 0 };
    }
  }
  return state;
}

/** True when the addon loaded, the CUDA driver is recent enough and at least one device is visible. Never throws. */
export function isAvailable(): boolean {
  return availability().available;
}

/** '' when available; otherwise what is missing (the addon, libcuda.so.1, a device, a recent enough driver). */
export function unavailableReason(): string {
  return availability().reason;
}

/** The addon, once CUDA is known to be usable; throws CudaUnavailableError with the reason otherwise. */
export function driver(): NativeBinding {
  const a = availability();
  const b = addon();
  if (!a.available || b === null) throw new CudaUnavailableError(a.reason);
  return b;
}

/** The CUDA driver API version, e.g. 13000. */
export function driverVersion(): number {
  driver();
  return availability().driverVersion;
}

export function deviceCount(): number {
  driver();
  return availability().deviceCount;
}

let current = 0;

/** Resolves an optional `device` argument to a checked index (the current device when omitted). */
export function resolveDevice(device: number | undefined, name = 'device'): number {
  if (device === undefined) {
    driver();
    return current;
  }
  const count = deviceCount();
  return expectInt(name, device, 0, count - 1);
}

/** Sets the device used when a `device` argument is omitted (per process, not per thread). */
export function setDevice(index: number): void {
  current = resolveDevice(index, 'index');
}

export function getDevice(): number {
  return current;
}

export function getDeviceProperties(device?: number): DeviceProperties {
  const index = resolveDevice(device);
  const p = driver().deviceProperties(index);
  return {
    index,
    name: p.name,
    computeCapability: { major: p.major, minor: p.minor },
    smCount: p.smCount,
    maxSharedMemoryPerBlockOptin: p.maxSharedMemoryPerBlockOptin,
    l2CacheBytes: p.l2CacheBytes,
    clockRateKHz: p.clockRateKHz,
    memoryClockRateKHz: p.memoryClockRateKHz,
    memoryBusWidthBits: p.memoryBusWidthBits,
    totalMemoryBytes: p.totalMemoryBytes,
    maxThreadsPerBlock: p.maxThreadsPerBlock,
    warpSize: p.warpSize,
  };
}

/** Waits for all work on the device's primary context. */
export function synchronizeDevice(device?: number): void {
  driver().synchronizeDevice(resolveDevice(device));
}
