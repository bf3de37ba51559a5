// Loads build/Release/dg_bench_cublaslt.node (native/ in this package). A failure is captured, never thrown: importing
// the bench must work on any machine, and the reason is reported by unavailableReason().
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

export interface NativeStatus {
  available: boolean;
  reason: string;
  /** The library that was opened ('' when none). */
  path: string;
  /** cublasLtGetVersion(), e.g. 120901 for 12.9.1; 0 when not loaded. */
  version: number;
}

export interface NativePlanInfo {
  kind: number;
  m: number;
  n: number;
  k: number;
  workspaceNeeded: number;
}

export interface CublasLtBinding {
  status(): NativeStatus;
  /** kind: 0 FP8 blockwise, 1 FP8 per tensor, 2 BF16, 3 FP8 1x128 x 1x128 into FP32 with beta 1. Pointers are device addresses; our row-major convention. */
  matmul(
    kind: number,
    m: number,
    n: number,
    k: number,
    a: bigint,
    b: bigint,
    d: bigint,
    scaleA: bigint,
    scaleB: bigint,
    workspace: bigint,
    workspaceBytes: number,
  ): void;
  planInfo(): NativePlanInfo[];
}

const FILE = 'dg_bench_cublaslt.node';
// From src/cublaslt/ (tests, tsx) the build folder is two levels up; from the bundled dist/*.js it is one.
const CANDIDATES = [`../../build/Release/${FILE}`, `../build/Release/${FILE}`].map((rel) =>
  fileURLToPath(new URL(rel, import.meta.url)),
);

interface LoadOutcome {
  binding: CublasLtBinding | null;
  error: string;
}

function load(): LoadOutcome {
  const override = process.env.DG_BENCH_CUBLASLT_ADDON;
  const path = override ?? CANDIDATES.find((p) => existsSync(p));
  if (path === undefined || !existsSync(path)) {
    return {
      binding: null,
      error: `the cuBLASLt addon ${path ?? CANDIDATES[0]} does not exist; build it with \`pnpm --filter @dg/bench build\``,
    };
  }
  try {
    return { binding: createRequire(import.meta.url)(path) as CublasLtBinding, error: '' };
  } catch (e) {
    return {
      binding: null,
      error: `the cuBLASLt addon ${path} failed to load: ${e instanceof Error ? e.message : String(e)}`,
    };
  }
}

let outcome: LoadOutcome | undefined;

/** The addon, or null when it did not load (see addonLoadError). Loaded on first use; never throws. */
export function addon(): CublasLtBinding | null {
  outcome ??= load();
  return outcome.binding;
}

/** Why the addon did not load; '' when it did. */
export function addonLoadError(): string {
  outcome ??= load();
  return outcome.error;
}
