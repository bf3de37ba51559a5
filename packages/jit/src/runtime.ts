import type * as Runtime from '@dg/runtime';
import { JitUnavailableError } from './errors.js';

export type RuntimeModule = typeof Runtime;

// Imported once, when this module loads, and tolerated when absent: NVCC-only use (a machine without NVRTC or a
// GPU, CI) needs nothing from @dg/runtime, while getKernel() and compileSync() need it synchronously, which a
// per-call dynamic import cannot give.
let runtime: RuntimeModule | undefined;
let importFailure = '';
try {
  runtime = await import('@dg/runtime');
} catch (e) {
  importFailure = `@dg/runtime could not be imported (${e instanceof Error ? e.message : String(e)})`;
}

/** The runtime module where NVRTC can be used, else the reason why not. */
export function nvrtcRuntime(): { runtime: RuntimeModule; reason: '' } | { runtime: undefined; reason: string } {
  if (runtime === undefined) return { runtime: undefined, reason: importFailure };
  if (!runtime.isNvrtcAvailable()) return { runtime: undefined, reason: runtime.nvrtcUnavailableReason() };
  return { runtime, reason: '' };
}

/** The runtime module for loading and launching; throws where it is missing. */
export function requireRuntime(what: string): RuntimeModule {
  if (runtime === undefined) throw new JitUnavailableError(`${what} needs @dg/runtime`, [importFailure]);
  return runtime;
}
