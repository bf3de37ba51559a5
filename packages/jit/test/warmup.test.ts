import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { findExecutable } from '../src/exec.js';
import {
  clearMemoryCache,
  JitArgumentError,
  JitCompileError,
  type KernelSpec,
  type WarmupProgress,
  warmup,
} from '../src/index.js';
import { freshDir, hasNvcc, nvccReason } from './helpers.js';

function kernel(i: number): KernelSpec {
  return {
    name: `warm_${i}`,
    source: `extern "C" __global__ void warm_${i}(float* x) { x[threadIdx.x] *= ${i + 2}.0f; }\n`,
  };
}

/** Largest number of compiles in flight at once, from the wrapper's start/end log. */
function maxInFlight(log: string): number {
  let now = 0;
  let max = 0;
  const events = log
    .trim()
    .split('\n')
    .map((l) => l.split(' '))
    .map(([kind, , t]) => ({ kind, t: BigInt(t ?? '0') }))
    .sort((a, b) => (a.t < b.t ? -1 : a.t > b.t ? 1 : a.kind === 'end' ? -1 : 1));
  for (const e of events) {
    now += e.kind === 'start' ? 1 : -1;
    max = Math.max(max, now);
  }
  return max;
}

describe.skipIf(!hasNvcc)(`warmup${nvccReason}`, () => {
  let cacheDir = '';
  let log = '';

  beforeEach(() => {
    cacheDir = freshDir('warmup');
    // An nvcc that records when each compile starts and ends, to observe the concurrency (kept out of the cache
    // directory, which must hold cache entries only).
    const tools = freshDir('warmup-nvcc');
    log = join(tools, 'nvcc.log');
    const wrapper = join(tools, 'nvcc.sh');
    writeFileSync(
      wrapper,
      `#!/bin/sh\n[ "$1" = "--version" ] && exec ${findExecutable('nvcc')} "$@"\n` +
        `echo "start $$ $(date +%s%N)" >> ${log}\n${findExecutable('nvcc')} "$@"; rc=$?\n` +
        `echo "end $$ $(date +%s%N)" >> ${log}\nexit $rc\n`,
    );
    chmodSync(wrapper, 0o755);
    vi.stubEnv('DG_JIT_CACHE_DIR', cacheDir);
    vi.stubEnv('DG_JIT_USE_NVCC', '1');
    vi.stubEnv('DG_JIT_NVCC_COMPILER', wrapper);
    clearMemoryCache();
  });
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('compiles with the asked concurrency, reports progress, keeps the event loop free, then hits', async () => {
    const specs = [0, 1, 2, 3].map(kernel);
    const events: WarmupProgress[] = [];
    let ticks = 0;
    let maxGap = 0;
    let last = performance.now();
    const timer = setInterval(() => {
      const t = performance.now();
      maxGap = Math.max(maxGap, t - last);
      last = t;
      ticks += 1;
    }, 10);
    const t0 = performance.now();
    try {
      await warmup(specs, { concurrency: 2, onProgress: (e) => events.push(e) });
    } finally {
      clearInterval(timer);
    }
    const seconds = (performance.now() - t0) / 1000;
    expect(events.map((e) => e.done)).toEqual([1, 2, 3, 4]);
    expect(events.every((e) => e.total === 4 && !e.cached && e.seconds > 0 && e.error === undefined)).toBe(true);
    expect(events.map((e) => e.name).sort()).toEqual(['warm_0', 'warm_1', 'warm_2', 'warm_3']);
    expect(maxInFlight(readFileSync(log, 'utf8'))).toBe(2);
    // nvcc runs as child processes: timers keep firing while four compiles take about a second each.
    expect(ticks).toBeGreaterThan(10);
    expect(maxGap).toBeLessThan(400);
    console.log(JSON.stringify({ metric: 'jit_warmup_4_kernels_c2_s', value: seconds, maxEventLoopGapMs: maxGap }));

    const again: WarmupProgress[] = [];
    await warmup(specs, { onProgress: (e) => again.push(e) });
    expect(again.every((e) => e.cached)).toBe(true);
  });

  it('runs one at a time with concurrency 1', async () => {
    await warmup([0, 1, 2].map(kernel), { concurrency: 1 });
    expect(maxInFlight(readFileSync(log, 'utf8'))).toBe(1);
  });

  it('tries every kernel and rejects with an AggregateError naming the failed ones', async () => {
    const broken: KernelSpec = { name: 'warm_broken', source: 'extern "C" __global__ void warm_broken( {\n' };
    const events: WarmupProgress[] = [];
    const err = await warmup([kernel(0), broken, kernel(1)], {
      concurrency: 2,
      onProgress: (e) => events.push(e),
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AggregateError);
    const agg = err as AggregateError;
    expect(agg.message).toMatch(/1 of 3 kernels failed: warm_broken/);
    expect(agg.errors).toHaveLength(1);
    expect(agg.errors[0]).toBeInstanceOf(JitCompileError);
    expect(events).toHaveLength(3);
    expect(events.filter((e) => e.error !== undefined).map((e) => e.name)).toEqual(['warm_broken']);
  });

  it('validates its options', async () => {
    await expect(warmup([kernel(0)], { concurrency: 0 })).rejects.toThrow(JitArgumentError);
    await expect(warmup('x' as unknown as KernelSpec[])).rejects.toThrow(/specs: expected an array/);
  });
});
