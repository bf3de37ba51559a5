import type { JitEnv } from './env.js';

export function debug(env: JitEnv, message: string): void {
  if (env.debug) process.stderr.write(`[dg/jit] ${message}\n`);
}

const warned = new Set<string>();

/** One warning per code per process: a degraded cache must not flood the log of a long-running server. */
export function warnOnce(code: string, message: string): void {
  if (warned.has(code)) return;
  warned.add(code);
  process.emitWarning(message, { code });
}
