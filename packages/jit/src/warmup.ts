import { availableParallelism } from 'node:os';
import { compilePlanAsync } from './compile.js';
import { readEnv } from './env.js';
import { JitArgumentError } from './errors.js';
import { type KernelSpec, loadKernelAsync } from './kernelCache.js';
import { normalize } from './options.js';
import { makePlan } from './plan.js';

export interface WarmupProgress {
  /** Kernels finished so far, failed ones included. */
  readonly done: number;
  readonly total: number;
  readonly name: string;
  /** Found in the disk (or in-process) cache rather than compiled. */
  readonly cached: boolean;
  readonly seconds: number;
  /** Set when this kernel failed; warmup() rejects with all failures once every kernel has been tried. */
  readonly error?: Error;
}

export interface WarmupOptions {
  /** Compiles at a time; default os.availableParallelism(). NVRTC compiles run on libuv's pool (UV_THREADPOOL_SIZE). */
  concurrency?: number;
  onProgress?: (e: WarmupProgress) => void;
  /** Device to load on (with `load`); default the runtime's current device. */
  device?: number;
  /** Also load each kernel into the in-process cache (needs a GPU); default false: compile and cache on disk only. */
  load?: boolean;
}

/**
 * Compiles `specs` ahead of time, `concurrency` at a time, without blocking the event loop. Every spec is tried;
 * failures are collected into one AggregateError naming each failed kernel.
 */
export async function warmup(specs: readonly KernelSpec[], opts: WarmupOptions = {}): Promise<void> {
  if (!Array.isArray(specs)) throw new JitArgumentError('specs', 'an array of KernelSpec', specs);
  const concurrency = opts.concurrency ?? availableParallelism();
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new JitArgumentError('opts.concurrency', 'a positive integer', concurrency);
  }
  if (opts.onProgress !== undefined && typeof opts.onProgress !== 'function') {
    throw new JitArgumentError('opts.onProgress', 'a function', opts.onProgress);
  }
  const total = specs.length;
  const failures: Error[] = [];
  let next = 0;
  let done = 0;
  const one = async (spec: KernelSpec): Promise<void> => {
    const t0 = performance.now();
    let cached = false;
    let error: Error | undefined;
    try {
      if (opts.load === true) {
        const { result } = await loadKernelAsync(spec, opts.device);
        cached = result === undefined || result.cached;
      } else {
        cached = (await compilePlanAsync(makePlan(normalize(spec.source, spec, 'spec'), readEnv()), t0)).cached;
      }
    } catch (e) {
      error = e instanceof Error ? e : new Error(String(e));
      failures.push(error);
    }
    done += 1;
    const name = typeof spec?.name === 'string' ? spec.name : '?';
    const seconds = (performance.now() - t0) / 1000;
    opts.onProgress?.(
      error === undefined ? { done, total, name, cached, seconds } : { done, total, name, cached, seconds, error },
    );
  };
  const worker = async (): Promise<void> => {
    while (next < total) {
      const spec = specs[next++] as KernelSpec;
      await one(spec);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, total) }, worker));
  if (failures.length > 0) {
    const names = failures.map((e) => (e as { kernelName?: string }).kernelName ?? e.message.split('\n')[0]).join(', ');
    throw new AggregateError(failures, `warmup: ${failures.length} of ${total} kernels failed: ${names}`);
  }
}
