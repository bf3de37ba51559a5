// What the config heuristics need to know about the GPU. Kept apart from @dg/runtime's device queries so that the
// heuristics stay pure functions of numbers (testable on any machine, memoizable by value).

/** The two device figures the GEMM heuristics depend on. */
export interface GemmDeviceInfo {
  /** Streaming multiprocessors the persistent grid may use (132 on an H100 SXM). */
  readonly numSms: number;
  /** Opt-in dynamic shared memory per block in bytes (cudaDevAttrMaxSharedMemoryPerBlockOptin; 232448 on SM90). */
  readonly maxSmemBytes: number;
}

/** An H100 SXM (80 GB HBM3): 132 SMs, 227 KiB of opt-in shared memory per block. */
export const H100_SXM_DEVICE: GemmDeviceInfo = Object.freeze({ numSms: 132, maxSmemBytes: 232_448 });

/** Throws (TypeError / RangeError, naming the field) unless `dev` is a usable GemmDeviceInfo. */
export function checkGemmDeviceInfo(dev: unknown): GemmDeviceInfo {
  if (dev === null || typeof dev !== 'object' || Array.isArray(dev)) {
    throw new TypeError(`GemmDeviceInfo: expected an object, got ${String(dev)}`);
  }
  const { numSms, maxSmemBytes } = dev as Record<string, unknown>;
  if (typeof numSms !== 'number')
    throw new TypeError(`GemmDeviceInfo.numSms: expected an integer, got ${typeof numSms}`);
  if (!Number.isInteger(numSms) || numSms < 1 || numSms > 1024) {
    throw new RangeError(`GemmDeviceInfo.numSms: expected an integer in [1, 1024], got ${numSms}`);
  }
  if (typeof maxSmemBytes !== 'number') {
    throw new TypeError(`GemmDeviceInfo.maxSmemBytes: expected an integer, got ${typeof maxSmemBytes}`);
  }
  if (!Number.isInteger(maxSmemBytes) || maxSmemBytes < 0 || maxSmemBytes > 0xffff_ffff) {
    throw new RangeError(`GemmDeviceInfo.maxSmemBytes: expected an integer in [0, 2^32), got ${maxSmemBytes}`);
  }
  return { numSms, maxSmemBytes };
}
