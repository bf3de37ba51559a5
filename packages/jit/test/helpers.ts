import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

const probe = spawnSync(process.env.DG_JIT_NVCC_COMPILER || 'nvcc', ['--version'], { encoding: 'utf8' });
/** NVCC-path tests run where nvcc is (this machine and CI) and skip with this reason elsewhere. */
export const nvccReason = probe.status === 0 ? '' : ' (skipped: nvcc not found on PATH)';
export const hasNvcc = nvccReason === '';

const freshDirs: string[] = [];

/** A new empty directory under the OS temp dir, removed after the importing test file's last test. */
export function freshDir(tag: string): string {
  const dir = mkdtempSync(join(tmpdir(), `dg-jit-test-${tag}-`));
  freshDirs.push(dir);
  return dir;
}

// Imported at collection time, so this hook belongs to the importing file's root suite (each test file gets its own
// copy of this module: vitest isolates files, the default this project keeps).
afterAll(() => {
  for (const dir of freshDirs.splice(0)) {
    try {
      rmSync(dir, { recursive: true, force: true });
    } catch {
      // Leave it: a temp dir that cannot be removed must not fail the suite.
    }
  }
});

/** Sets the variables for the duration of fn, then restores them (undefined deletes). */
export async function withEnv<T>(vars: Record<string, string | undefined>, fn: () => T | Promise<T>): Promise<T> {
  const saved: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(vars)) {
    saved[k] = process.env[k];
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  try {
    return await fn();
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

export const ADD_ONE = `extern "C" __global__ void add_one(float* x, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) x[i] += 1.0f;
}
`;

/** A large local array indexed at run time: ptxas must give it a stack frame (local memory). */
export const SPILLS = `extern "C" __global__ void spills(float* x, int j) {
  float a[1024];
  for (int i = 0; i < 1024; ++i) a[i] = x[i] * i;
  x[0] = a[j & 1023];
}
`;
