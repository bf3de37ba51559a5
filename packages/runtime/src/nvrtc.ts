// NVRTC: run-time compilation of CUDA C++ to cubin. The sync form blocks the calling thread; the async form runs on
// the libuv thread pool. NVRTC is loaded independently of the driver: compiling works on a machine without a GPU.
import { describe, expectBool, expectString } from './args.js';
import { NvrtcUnavailableError } from './errors.js';
import { addon, addonLoadError } from './loader.js';
import type { NativeBinding, NativeCompileRequest } from './native.js';

export interface NvrtcRequest {
  source: string;
  /** Shown in diagnostics; default 'kernel.cu'. */
  fileName?: string;
  /** e.g. ['--gpu-architecture=sm_90a', '-std=c++17', '-default-device']. */
  options?: readonly string[];
  /** In-memory headers, found by `#include "<name>"`. */
  headers?: readonly { name: string; source: string }[];
  /** C++ names (e.g. 'kernel<128, 64>') whose mangled names are returned in loweredNames. */
  nameExpressions?: readonly string[];
  wantPtx?: boolean;
}

export interface NvrtcResult {
  cubin: Uint8Array;
  ptx?: string;
  log: string;
  loweredNames: Record<string, string>;
}

interface NvrtcAvailability {
  available: boolean;
  reason: string;
}

let state: NvrtcAvailability | undefined;

function availability(): NvrtcAvailability {
  if (state) return state;
  const b = addon();
  if (b === null) state = { available: false, reason: addonLoadError() };
  else {
    try {
      const a = b.nvrtcAvailability();
      state = { available: a.available, reason: a.reason };
    } catch (e) {
      state = { available: false, reason: String(e) };
    }
  }
  return state;
}

/** True when libnvrtc could be loaded. Never throws. */
export function isNvrtcAvailable(): boolean {
  return availability().available;
}

/** '' when available; otherwise the libraries tried and why each failed. */
export function nvrtcUnavailableReason(): string {
  return availability().reason;
}

function nvrtc(): NativeBinding {
  const a = availability();
  const b = addon();
  if (!a.available || b === null) throw new NvrtcUnavailableError(a.reason);
  return b;
}

export function nvrtcVersion(): { major: number; minor: number } {
  const [major, minor] = nvrtc().nvrtcVersion();
  return { major, minor };
}

function stringList(name: string, v: unknown): string[] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) throw new TypeError(`${name} must be an array of strings, got ${describe(v)}`);
  return v.map((s, i) => expectString(`${name}[${i}]`, s));
}

function toNative(req: NvrtcRequest): NativeCompileRequest {
  if (typeof req !== 'object' || req === null) throw new TypeError(`req must be an object, got ${describe(req)}`);
  const source = expectString('req.source', req.source);
  const fileName = req.fileName === undefined ? 'kernel.cu' : expectString('req.fileName', req.fileName);
  const headers = req.headers ?? [];
  if (!Array.isArray(headers)) throw new TypeError(`req.headers must be an array, got ${describe(headers)}`);
  const headerNames: string[] = [];
  const headerSources: string[] = [];
  headers.forEach((h: unknown, i) => {
    if (typeof h !== 'object' || h === null) {
      throw new TypeError(`req.headers[${i}] must be { name, source }, got ${describe(h)}`);
    }
    const { name, source: text } = h as { name: unknown; source: unknown };
    headerNames.push(expectString(`req.headers[${i}].name`, name));
    headerSources.push(expectString(`req.headers[${i}].source`, text));
  });
  return {
    source,
    fileName,
    options: stringList('req.options', req.options),
    headerNames,
    headerSources,
    nameExpressions: stringList('req.nameExpressions', req.nameExpressions),
    wantPtx: req.wantPtx === undefined ? false : expectBool('req.wantPtx', req.wantPtx),
  };
}

function fromNative(r: {
  cubin: Uint8Array;
  ptx: string | undefined;
  log: string;
  loweredNames: Record<string, string>;
}): NvrtcResult {
  const out: NvrtcResult = { cubin: r.cubin, log: r.log, loweredNames: r.loweredNames };
  if (r.ptx !== undefined) out.ptx = r.ptx;
  return out;
}

/** Compiles on the calling thread. A compile error throws NvrtcError (NVRTC_ERROR_COMPILATION) with the whole log. */
export function nvrtcCompile(req: NvrtcRequest): NvrtcResult {
  const native = toNative(req);
  return fromNative(nvrtc().nvrtcCompile(native));
}

/** Compiles on a worker thread; the event loop keeps running. Rejects with NvrtcError like nvrtcCompile throws. */
export async function nvrtcCompileAsync(req: NvrtcRequest): Promise<NvrtcResult> {
  const native = toNative(req);
  return fromNative(await nvrtc().nvrtcCompileAsync(native));
}
