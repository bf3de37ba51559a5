// cuBLASLt as a baseline, in the same process as our kernels: D bf16 [m, n] = A [m, k] · B [n, k]ᵀ, row-major, on the
// legacy default stream (the stream of our kernels and of the timing events). Device pointers are bigints
// (`tensor.dataPtr` of @dg/runtime tensors). One cuBLASLt handle per process and one plan (descriptors + the
// heuristic's algorithm) per problem, both made on first use by the addon (native/addon.cc). How the row-major problem
// maps onto cuBLASLt's column-major TN call and which scale layouts it reads: native/addon.cc and ./scaleLayout.ts.
//
// Importing this never throws; available() / unavailableReason() say whether calls can work. Failed cuBLASLt calls
// throw an Error naming the call and its status (`code` 'DG_CUBLASLT', `call`, `status`, `statusName`).

import { deviceAlloc } from '@dg/runtime';
import { addon, addonLoadError, type CublasLtBinding, type NativePlanInfo } from './native.js';

export {
  blk128x128ScaleLayout,
  matchesScaleLayout,
  packScales,
  type ScaleLayout,
  vec128ScaleLayout,
} from './scaleLayout.js';

/** The workspace every call gets unless told otherwise (the method of h100-reference.md: 32 MiB). */
export const WORKSPACE_BYTES = 32 * 1024 * 1024;

/** cuBLASLt's block-scaling modes (VEC128_32F, BLK128x128_32F) appeared in cuBLAS 12.9. */
export const MIN_BLOCKWISE_VERSION = 120900;

export type ScaleMode = 'blockwise' | 'perTensor';

export interface Fp8GemmArgs {
  m: number;
  n: number;
  k: number;
  /** e4m3fn [m, k], row-major (K-major), 16-byte aligned. */
  a: bigint;
  /** e4m3fn [n, k], row-major (K-major), 16-byte aligned. */
  b: bigint;
  /** bf16 [m, n], row-major, 16-byte aligned. */
  d: bigint;
  /** blockwise: f32 per token (1x128), vec128ScaleLayout(m, k); perTensor: one f32. */
  scaleA: bigint;
  /** blockwise: f32 per 128x128 block, blk128x128ScaleLayout(n, k); perTensor: one f32. */
  scaleB: bigint;
  scaleMode: ScaleMode;
  /** Device workspace; default: one 32 MiB buffer owned by this module. */
  workspace?: bigint;
  workspaceBytes?: number;
}

export interface Bf16GemmArgs {
  m: number;
  n: number;
  k: number;
  /** bf16 [m, k], row-major. */
  a: bigint;
  /** bf16 [n, k], row-major. */
  b: bigint;
  /** bf16 [m, n], row-major. */
  d: bigint;
  workspace?: bigint;
  workspaceBytes?: number;
}

export interface CublasLtInfo {
  /** cublasLtGetVersion(), e.g. 120901. */
  version: number;
  /** "12.9.1" */
  versionText: string;
  /** The library that was opened. */
  path: string;
}

const KIND = { blockwise: 0, perTensor: 1, bf16: 2, vec128Accumulate: 3 } as const;
const MAX_DIM = 2 ** 31 - 1;
const MAX_PTR = (1n << 64n) - 1n;

interface Status {
  available: boolean;
  reason: string;
  path: string;
  version: number;
}

let status: Status | undefined;

function probe(): Status {
  if (status) return status;
  const b = addon();
  if (b === null) {
    status = { available: false, reason: addonLoadError(), path: '', version: 0 };
    return status;
  }
  try {
    status = b.status();
  } catch (e) {
    status = { available: false, reason: e instanceof Error ? e.message : String(e), path: '', version: 0 };
  }
  return status;
}

/** True when the addon loaded and libcublasLt was opened with every entry point. Loads it on first call; never throws. */
export function available(): boolean {
  return probe().available;
}

/** '' when available; otherwise why not (the addon, or libcublasLt and where it was looked for). Never throws. */
export function unavailableReason(): string {
  return probe().reason;
}

/** "12.9.1" for 120901 (major * 10000 + minor * 100 + patch). */
export function versionText(version: number): string {
  return `${Math.floor(version / 10000)}.${Math.floor((version % 10000) / 100)}.${version % 100}`;
}

/** The loaded library; throws when unavailable. */
export function info(): CublasLtInfo {
  const s = probe();
  if (!s.available) throw unavailableError(s.reason);
  return { version: s.version, versionText: versionText(s.version), path: s.path };
}

/** The plans made so far, with the workspace each chosen algorithm asked for. */
export function plans(): NativePlanInfo[] {
  return binding().planInfo();
}

function unavailableError(reason: string): Error {
  const e = new Error(`cuBLASLt is not available: ${reason}`);
  Object.assign(e, { code: 'DG_CUBLASLT_UNAVAILABLE' });
  return e;
}

function binding(): CublasLtBinding {
  const s = probe();
  const b = addon();
  if (!s.available || b === null) throw unavailableError(s.reason);
  return b;
}

function describe(v: unknown): string {
  if (typeof v === 'bigint') return `${v}n`;
  if (typeof v === 'string') return `'${v}'`;
  if (v === null || typeof v !== 'object') return String(v);
  return Array.isArray(v) ? 'an array' : (v.constructor?.name ?? 'an object');
}

function checkDim(fn: string, name: string, v: unknown): number {
  if (typeof v !== 'number') throw new TypeError(`${fn}: '${name}' must be a number; got ${describe(v)}`);
  if (!Number.isInteger(v) || v < 1 || v > MAX_DIM) {
    throw new RangeError(`${fn}: '${name}' must be an integer in [1, ${MAX_DIM}]; got ${v}`);
  }
  return v;
}

function checkPtr(fn: string, name: string, v: unknown, align: number): bigint {
  if (typeof v !== 'bigint')
    throw new TypeError(`${fn}: '${name}' must be a bigint device pointer; got ${describe(v)}`);
  if (v <= 0n || v > MAX_PTR)
    throw new RangeError(`${fn}: '${name}' must be a non-null 64-bit device pointer; got ${v}n`);
  if (v % BigInt(align) !== 0n) {
    throw new RangeError(`${fn}: '${name}' must be ${align}-byte aligned; got 0x${v.toString(16)}`);
  }
  return v;
}

interface Workspace {
  ptr: bigint;
  bytes: number;
}

let ownWorkspace: { ptr: bigint } | undefined;

/** The caller's workspace, or undefined for the module's own (allocated by resolveWorkspace once cuBLASLt is there). */
function checkWorkspace(fn: string, args: { workspace?: unknown; workspaceBytes?: unknown }): Workspace | undefined {
  const { workspace, workspaceBytes } = args;
  if (workspace === undefined && workspaceBytes === undefined) return undefined;
  if (typeof workspaceBytes !== 'number' || !Number.isSafeInteger(workspaceBytes) || workspaceBytes < 0) {
    throw new RangeError(
      `${fn}: 'workspaceBytes' must be a non-negative integer (with 'workspace'); got ${describe(workspaceBytes)}`,
    );
  }
  if (workspaceBytes === 0 && (workspace === undefined || workspace === 0n)) return { ptr: 0n, bytes: 0 };
  return { ptr: checkPtr(fn, 'workspace', workspace, 256), bytes: workspaceBytes };
}

function resolveWorkspace(ws: Workspace | undefined): Workspace {
  if (ws !== undefined) return ws;
  // One buffer for the life of the process, allocated on the first call that needs it.
  ownWorkspace ??= deviceAlloc(WORKSPACE_BYTES);
  return { ptr: ownWorkspace.ptr, bytes: WORKSPACE_BYTES };
}

function checkObject(fn: string, args: unknown): Record<string, unknown> {
  if (typeof args !== 'object' || args === null) {
    throw new TypeError(`${fn}: 'args' must be an object; got ${describe(args)}`);
  }
  return args as Record<string, unknown>;
}

/**
 * D bf16 [m, n] = (A e4m3 [m, k] scaled) · (B e4m3 [n, k] scaled)ᵀ with FP32 accumulation (no fast accumulation).
 * 'blockwise': A per token (1x128, VEC128_32F), B per 128x128 block (BLK128x128_32F), Hopper and cuBLAS >= 12.9 only.
 * 'perTensor': one FP32 scale each. Asynchronous on the legacy default stream.
 */
export function fp8Gemm(args: Fp8GemmArgs): void {
  const fn = 'fp8Gemm';
  const o = checkObject(fn, args);
  const m = checkDim(fn, 'm', o.m);
  const n = checkDim(fn, 'n', o.n);
  const k = checkDim(fn, 'k', o.k);
  // cuBLASLt FP8: 16-byte aligned matrices and leading dimensions (k FP8 bytes for A and B, n BF16 for D).
  if (k % 16 !== 0) throw new RangeError(`${fn}: 'k' must be a multiple of 16 (16-byte FP8 rows); got ${k}`);
  if (n % 8 !== 0) throw new RangeError(`${fn}: 'n' must be a multiple of 8 (16-byte BF16 rows of D); got ${n}`);
  const a = checkPtr(fn, 'a', o.a, 16);
  const b = checkPtr(fn, 'b', o.b, 16);
  const d = checkPtr(fn, 'd', o.d, 16);
  const mode = o.scaleMode;
  if (mode !== 'blockwise' && mode !== 'perTensor') {
    throw new TypeError(`${fn}: 'scaleMode' must be 'blockwise' or 'perTensor'; got ${describe(mode)}`);
  }
  const scaleAlign = mode === 'blockwise' ? 16 : 4;
  const scaleA = checkPtr(fn, 'scaleA', o.scaleA, scaleAlign);
  const scaleB = checkPtr(fn, 'scaleB', o.scaleB, scaleAlign);
  const workspace = checkWorkspace(fn, o);
  const lib = binding();
  if (mode === 'blockwise' && probe().version < MIN_BLOCKWISE_VERSION) {
    throw new Error(
      `${fn}: blockwise scaling needs cuBLAS 12.9 or newer (VEC128_32F / BLK128x128_32F); ${probe().path} is ${versionText(probe().version)}`,
    );
  }
  const ws = resolveWorkspace(workspace);
  lib.matmul(KIND[mode], m, n, k, a, b, d, scaleA, scaleB, ws.ptr, ws.bytes);
}

/** D bf16 [m, n] = A bf16 [m, k] · B bf16 [n, k]ᵀ, FP32 compute. Asynchronous on the legacy default stream. */
export function bf16Gemm(args: Bf16GemmArgs): void {
  const fn = 'bf16Gemm';
  const o = checkObject(fn, args);
  const m = checkDim(fn, 'm', o.m);
  const n = checkDim(fn, 'n', o.n);
  const k = checkDim(fn, 'k', o.k);
  const a = checkPtr(fn, 'a', o.a, 2);
  const b = checkPtr(fn, 'b', o.b, 2);
  const d = checkPtr(fn, 'd', o.d, 2);
  const workspace = checkWorkspace(fn, o);
  const lib = binding();
  const ws = resolveWorkspace(workspace);
  lib.matmul(KIND.bf16, m, n, k, a, b, d, 0n, 0n, ws.ptr, ws.bytes);
}

export interface Fp8GemmAccumulateArgs {
  m: number;
  n: number;
  k: number;
  /** e4m3fn [m, k], row-major (K-major), 16-byte aligned. */
  a: bigint;
  /** e4m3fn [n, k], row-major (K-major), 16-byte aligned. */
  b: bigint;
  /** f32 [m, n], row-major, 16-byte aligned: read (C) and written (D). */
  d: bigint;
  /** f32 per token (1x128) of A, vec128ScaleLayout(m, k). */
  scaleA: bigint;
  /** f32 per channel (1x128) of B, vec128ScaleLayout(n, k). */
  scaleB: bigint;
  workspace?: bigint;
  workspaceBytes?: number;
}

/**
 * D f32 [m, n] += (A e4m3 [m, k] scaled) · (B e4m3 [n, k] scaled)ᵀ with both operands scaled 1x128 along K
 * (VEC128_32F on both), FP32 output with beta = 1 (C = D): the math of @dg/gemm's fp8GemmNtAccumulate. Whether the
 * library has an algorithm for it shows on the first call (an Error naming cublasLtMatmulAlgoGetHeuristic if not).
 * Hopper and cuBLAS >= 12.9. Asynchronous on the legacy default stream.
 */
export function fp8GemmAccumulate(args: Fp8GemmAccumulateArgs): void {
  const fn = 'fp8GemmAccumulate';
  const o = checkObject(fn, args);
  const m = checkDim(fn, 'm', o.m);
  const n = checkDim(fn, 'n', o.n);
  const k = checkDim(fn, 'k', o.k);
  if (k % 16 !== 0) throw new RangeError(`${fn}: 'k' must be a multiple of 16 (16-byte FP8 rows); got ${k}`);
  if (n % 4 !== 0) throw new RangeError(`${fn}: 'n' must be a multiple of 4 (16-byte FP32 rows of D); got ${n}`);
  const a = checkPtr(fn, 'a', o.a, 16);
  const b = checkPtr(fn, 'b', o.b, 16);
  const d = checkPtr(fn, 'd', o.d, 16);
  const scaleA = checkPtr(fn, 'scaleA', o.scaleA, 16);
  const scaleB = checkPtr(fn, 'scaleB', o.scaleB, 16);
  const workspace = checkWorkspace(fn, o);
  const lib = binding();
  if (probe().version < MIN_BLOCKWISE_VERSION) {
    throw new Error(
      `${fn}: 1x128 scaling needs cuBLAS 12.9 or newer (VEC128_32F); ${probe().path} is ${versionText(probe().version)}`,
    );
  }
  const ws = resolveWorkspace(workspace);
  lib.matmul(KIND.vec128Accumulate, m, n, k, a, b, d, scaleA, scaleB, ws.ptr, ws.bytes);
}
