// Kernel launches through cuLaunchKernelEx. This is the hot path: no allocation, no string work on success; every
// check is a type test or an integer compare, and the launch configuration goes to the addon in one reused array.
import { describe } from './args.js';
import { driver } from './device.js';
import { kNative } from './handles.js';
import { KernelFunction } from './module.js';
import { Stream } from './stream.js';

export type Dim3 = number | readonly [number] | readonly [number, number] | readonly [number, number, number];

export interface LaunchConfig {
  grid: Dim3;
  block: Dim3;
  /** Thread-block cluster dimensions (sm_90+); each must divide the grid's. */
  cluster?: Dim3;
  /** Dynamic shared memory per block; above 48 KiB call fn.setMaxDynamicSharedMemory first. */
  sharedMemBytes?: number;
  /** Programmatic dependent launch: the kernel may start before the previous one on the stream finishes. */
  pdl?: boolean;
  /** Default: the default stream of the function's device. */
  stream?: Stream;
}

// [gx, gy, gz, bx, by, bz, cx, cy, cz, sharedMemBytes, pdl], reused by every launch (JS is single-threaded here).
const cfgWords = new Uint32Array(11);
const MAX_DIM = 0x7fffffff;

function badDim(name: string, v: unknown): never {
  throw new RangeError(
    `${name} must be a positive integer or a tuple of 1-3 positive integers (each <= ${MAX_DIM}), got ${describe(v)}`,
  );
}

function dimOk(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= MAX_DIM;
}

// Writes a Dim3 into cfgWords[at .. at+2], missing entries as 1.
function putDim(name: string, d: Dim3 | undefined, at: number): void {
  if (d === undefined) {
    cfgWords[at] = 1;
    cfgWords[at + 1] = 1;
    cfgWords[at + 2] = 1;
    return;
  }
  if (typeof d === 'number') {
    if (!dimOk(d)) badDim(name, d);
    cfgWords[at] = d;
    cfgWords[at + 1] = 1;
    cfgWords[at + 2] = 1;
    return;
  }
  if (!Array.isArray(d) || d.length < 1 || d.length > 3) badDim(name, d);
  const x = d[0];
  const y = d.length > 1 ? d[1] : 1;
  const z = d.length > 2 ? d[2] : 1;
  if (!dimOk(x) || !dimOk(y) || !dimOk(z)) badDim(name, d);
  cfgWords[at] = x;
  cfgWords[at + 1] = y;
  cfgWords[at + 2] = z;
}

/**
 * Launches `fn` with `params`, the kernel's parameters packed as a C struct (see ParamBuilder). The addon learns the
 * kernel's parameter sizes once (cuFuncGetParamInfo, CUDA 12.4+) and hands the driver one pointer per parameter into
 * the blob: the device-side layout aligns 64-byte parameters (CUtensorMap) to absolute constant-bank addresses, so
 * the blob cannot be copied verbatim through CU_LAUNCH_PARAM_BUFFER_POINTER. A blob shorter than the kernel's
 * parameters throws RangeError. Older drivers fall back to the `extra` buffer, exact only without tensor maps.
 */
export function launch(fn: KernelFunction, cfg: LaunchConfig, params: Uint8Array): void {
  if (!(fn instanceof KernelFunction)) throw new TypeError(`fn must be a KernelFunction, got ${describe(fn)}`);
  if (typeof cfg !== 'object' || cfg === null) throw new TypeError(`cfg must be an object, got ${describe(cfg)}`);
  if (!(params instanceof Uint8Array)) throw new TypeError(`params must be a Uint8Array, got ${describe(params)}`);
  if (fn.module.disposed) throw new Error(`launch: the module of kernel ${fn.name} has been disposed`);
  if (cfg.grid === undefined) badDim('cfg.grid', undefined);
  if (cfg.block === undefined) badDim('cfg.block', undefined);
  putDim('cfg.grid', cfg.grid, 0);
  putDim('cfg.block', cfg.block, 3);
  putDim('cfg.cluster', cfg.cluster, 6);
  const smem = cfg.sharedMemBytes;
  if (smem === undefined) {
    cfgWords[9] = 0;
  } else if (typeof smem === 'number' && Number.isInteger(smem) && smem >= 0 && smem <= MAX_DIM) {
    cfgWords[9] = smem;
  } else {
    throw new RangeError(`cfg.sharedMemBytes must be a non-negative integer, got ${describe(smem)}`);
  }
  const pdl = cfg.pdl;
  if (pdl !== undefined && typeof pdl !== 'boolean') {
    throw new TypeError(`cfg.pdl must be a boolean, got ${describe(pdl)}`);
  }
  cfgWords[10] = pdl === true ? 1 : 0;
  let stream = cfg.stream;
  if (stream === undefined) {
    stream = Stream.default(fn.device);
  } else if (!(stream instanceof Stream)) {
    throw new TypeError(`cfg.stream must be a Stream, got ${describe(stream)}`);
  } else if (stream.device !== fn.device) {
    throw new RangeError(`cfg.stream must be on device ${fn.device} like the kernel, got a stream on ${stream.device}`);
  }
  driver().launch(fn[kNative], stream[kNative], cfgWords, params);
}
