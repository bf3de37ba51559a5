import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  commitEntry,
  discardEntry,
  type EntryMeta,
  entryPath,
  isUnwritable,
  keepFailed,
  makeScratch,
  readEntry,
  writeDurable,
} from './diskCache.js';
import { readEnv } from './env.js';
import { JitCompileError, JitPtxasCheckError } from './errors.js';
import { sha256Hex } from './hash.js';
import { debug, warnOnce } from './log.js';
import { type CompilerOutput, runNvccAsync, runNvccSync } from './nvcc.js';
import { runNvrtcAsync, runNvrtcSync } from './nvrtc.js';
import { type CompileOptions, normalize } from './options.js';
import { makePlan, type Plan } from './plan.js';
import { hasPtxasReport, ptxasProblems } from './ptxas.js';
import { dumpSassAsync, dumpSassSync } from './sass.js';

export interface CompileResult {
  readonly cubin: Uint8Array;
  /** With DG_JIT_DUMP_PTX. */
  readonly ptx?: string;
  /** The entry to look up in the module: the extern "C" name, or NVRTC's lowered name of `nameExpression`. */
  readonly loweredName: string;
  /** The compiler's log (stored with the entry, so a hit returns the log of the compile that built it). */
  readonly log: string;
  /** 'nvrtc 13.0' | 'nvcc 13.0' */
  readonly compiler: string;
  /** Wall time of this call: the compile on a miss, the cache read on a hit. */
  readonly seconds: number;
  readonly cached: boolean;
}

interface Stored {
  readonly cubin: Uint8Array;
  readonly ptx: string | undefined;
  readonly log: string;
  readonly loweredName: string;
}

// Cache roots that could not be written, and what was compiled for them instead: kept for the life of the process.
const unwritable = new Set<string>();
const memory = new Map<string, Stored>();

function memoryKey(plan: Plan): string {
  return `${plan.env.cacheDir}\0${plan.entryName}`;
}

function degrade(root: string, e: NodeJS.ErrnoException): void {
  unwritable.add(root);
  warnOnce(
    'DG_JIT_CACHE',
    `JIT cache directory ${root} cannot be written (${e.message}); compiled kernels are kept in memory only, for this process`,
  );
}

/** Drops the in-memory results of an unwritable cache (tests). */
export function clearCompileMemory(): void {
  memory.clear();
  unwritable.clear();
}

const since = (t0: number): number => (performance.now() - t0) / 1000;

function result(plan: Plan, s: Stored, t0: number, cached: boolean): CompileResult {
  const base = { cubin: s.cubin, loweredName: s.loweredName, log: s.log, compiler: plan.compiler.label };
  const r = { ...base, seconds: since(t0), cached };
  return s.ptx === undefined ? r : { ...r, ptx: s.ptx };
}

interface Outcome {
  readonly result: CompileResult;
  /** The published cache entry, where there is one (SASS goes there). */
  readonly entry: string | undefined;
}

function lookup(plan: Plan, t0: number): Outcome | undefined {
  const root = plan.env.cacheDir;
  const inMemory = memory.get(memoryKey(plan));
  if (inMemory !== undefined) return { result: result(plan, inMemory, t0, true), entry: undefined };
  const dir = entryPath(root, plan.n.name, plan.key);
  let read: ReturnType<typeof readEntry>;
  try {
    read = readEntry(dir, plan.key);
  } catch (e) {
    if (!isUnwritable(e)) throw e;
    debug(plan.env, `cache entry ${dir} unreadable (${e.code}); compiling`);
    return undefined;
  }
  if (read.kind === 'hit') {
    const r = result(plan, { ...read, log: read.meta.log, loweredName: read.meta.loweredName }, t0, true);
    debug(plan.env, `hit ${plan.entryName} (${(r.seconds * 1000).toFixed(2)} ms)`);
    return { result: r, entry: dir };
  }
  if (read.kind === 'corrupt') {
    debug(plan.env, `corrupt cache entry ${dir}: ${read.reason}; removing and rebuilding`);
    if (!discardEntry(root, dir)) debug(plan.env, `cannot remove ${dir}; the rebuild stays in memory`);
  } else {
    debug(plan.env, `miss ${plan.entryName}: compiling with ${plan.compiler.label}`);
  }
  return undefined;
}

interface Scratch {
  readonly dir: string;
  /** The cache root it lives in; undefined for a scratch dir under os.tmpdir() (cache not writable). */
  readonly root: string | undefined;
}

function openScratch(plan: Plan): Scratch {
  const root = plan.env.cacheDir;
  if (!unwritable.has(root)) {
    let dir: string | undefined;
    try {
      dir = makeScratch(root);
      writeDurable(join(dir, 'kernel.cu'), plan.n.source);
      return { dir, root };
    } catch (e) {
      if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
      if (!isUnwritable(e)) throw e;
      degrade(root, e);
    }
  }
  const dir = makeScratch(undefined);
  writeFileSync(join(dir, 'kernel.cu'), plan.n.source);
  return { dir, root: undefined };
}

function failure(plan: Plan, scratch: Scratch, e: unknown): unknown {
  if (!(e instanceof JitCompileError)) {
    rmSync(scratch.dir, { recursive: true, force: true });
    return e;
  }
  const sourcePath = keepFailed(scratch.root, scratch.dir, plan.entryName, e.log);
  debug(plan.env, `compile of ${plan.n.name} failed; source kept at ${sourcePath}`);
  const init = { kernelName: e.kernelName, compiler: e.compiler, log: e.log, sourcePath };
  return new JitCompileError(e.command === undefined ? init : { ...init, command: e.command }, { cause: e.cause });
}

function finish(plan: Plan, scratch: Scratch, out: CompilerOutput, t0: number): Outcome {
  const seconds = since(t0);
  debug(plan.env, `compiled ${plan.n.name} with ${plan.compiler.label} in ${seconds.toFixed(3)} s`);
  let stored: Stored = { cubin: out.cubin, ptx: out.ptx, log: out.log, loweredName: out.loweredName };
  const root = scratch.root;
  if (root !== undefined) {
    const dir = entryPath(root, plan.n.name, plan.key);
    const meta: EntryMeta = {
      format: 1,
      name: plan.n.name,
      key: plan.key,
      compiler: plan.compiler.label,
      arch: plan.n.arch,
      options: plan.options,
      loweredName: out.loweredName,
      seconds,
      cubinSha256: sha256Hex(out.cubin),
      cubinBytes: out.cubin.byteLength,
      created: new Date().toISOString(),
      log: out.log,
    };
    try {
      writeDurable(join(scratch.dir, 'kernel.cubin'), out.cubin);
      if (out.ptx !== undefined) writeDurable(join(scratch.dir, 'kernel.ptx'), out.ptx);
      writeDurable(join(scratch.dir, 'meta.json'), `${JSON.stringify(meta, null, 2)}\n`);
      if (commitEntry(scratch.dir, dir) === 'lost') {
        const winner = readEntry(dir, plan.key);
        if (winner.kind !== 'hit') {
          debug(plan.env, `another process published ${dir} first but it is not valid; using this build`);
          return { result: result(plan, stored, t0, false), entry: undefined };
        }
        debug(plan.env, `another process published ${dir} first; using its cubin`);
        stored = { cubin: winner.cubin, ptx: winner.ptx, log: winner.meta.log, loweredName: winner.meta.loweredName };
      }
      return { result: result(plan, stored, t0, false), entry: dir };
    } catch (e) {
      if (!isUnwritable(e)) throw e;
      rmSync(scratch.dir, { recursive: true, force: true });
      degrade(root, e);
    }
  } else {
    rmSync(scratch.dir, { recursive: true, force: true });
  }
  memory.set(memoryKey(plan), stored);
  return { result: result(plan, stored, t0, false), entry: undefined };
}

function ptxasReport(plan: Plan, log: string, cached: boolean): void {
  const { env, n } = plan;
  if (env.ptxasVerbose)
    process.stderr.write(`[dg/jit] ptxas report for ${n.name}${cached ? ' (cached)' : ''}:\n${log}\n`);
  if (!env.ptxasCheck) return;
  if (!hasPtxasReport(log)) throw new JitPtxasCheckError(n.name, ['the compiler log holds no ptxas report'], log);
  const problems = ptxasProblems(log);
  if (problems.length > 0) throw new JitPtxasCheckError(n.name, problems, log);
}

function nvccPath(plan: Plan): string | undefined {
  return plan.compiler.kind === 'nvcc' ? plan.compiler.tool.path : undefined;
}

function afterSync(plan: Plan, o: Outcome): CompileResult {
  if (plan.env.dumpSass && o.entry !== undefined) dumpSassSync(o.entry, plan.env, nvccPath(plan));
  ptxasReport(plan, o.result.log, o.result.cached);
  return o.result;
}

async function afterAsync(plan: Plan, o: Outcome): Promise<CompileResult> {
  if (plan.env.dumpSass && o.entry !== undefined) await dumpSassAsync(o.entry, plan.env, nvccPath(plan));
  ptxasReport(plan, o.result.log, o.result.cached);
  return o.result;
}

/** Compile (or find in the cache) with a resolved plan, blocking the thread. */
export function compilePlanSync(plan: Plan, t0: number = performance.now()): CompileResult {
  const hit = lookup(plan, t0);
  if (hit !== undefined) return afterSync(plan, hit);
  const scratch = openScratch(plan);
  let out: CompilerOutput;
  try {
    out =
      plan.compiler.kind === 'nvrtc'
        ? runNvrtcSync(plan.compiler.rt, plan.n, plan.options, plan.env)
        : runNvccSync(plan.compiler.tool, scratch.dir, plan.n, plan.options, plan.env);
  } catch (e) {
    throw failure(plan, scratch, e);
  }
  return afterSync(plan, finish(plan, scratch, out, t0));
}

// One compile per key in flight per process; later callers of the same key wait for it.
const inflight = new Map<string, Promise<CompileResult>>();

/** Compile (or find in the cache) with a resolved plan; the compiler runs off the event loop. */
export function compilePlanAsync(plan: Plan, t0: number = performance.now()): Promise<CompileResult> {
  const id = memoryKey(plan);
  const pending = inflight.get(id);
  if (pending !== undefined) return pending.then((r) => ({ ...r, cached: true, seconds: since(t0) }));
  const run = async (): Promise<CompileResult> => {
    const hit = lookup(plan, t0);
    if (hit !== undefined) return afterAsync(plan, hit);
    const scratch = openScratch(plan);
    let out: CompilerOutput;
    try {
      out =
        plan.compiler.kind === 'nvrtc'
          ? await runNvrtcAsync(plan.compiler.rt, plan.n, plan.options, plan.env)
          : await runNvccAsync(plan.compiler.tool, scratch.dir, plan.n, plan.options, plan.env);
    } catch (e) {
      throw failure(plan, scratch, e);
    }
    return afterAsync(plan, finish(plan, scratch, out, t0));
  };
  const p = run().finally(() => inflight.delete(id));
  inflight.set(id, p);
  return p;
}

/**
 * Compiles `source` to a cubin, or returns it from the disk cache. NVRTC (through @dg/runtime) unless
 * DG_JIT_USE_NVCC is set or NVRTC cannot be loaded, then NVCC. The compiler runs off the event loop; cache reads
 * and writes are small synchronous file operations.
 */
export async function compile(source: string, opts: CompileOptions): Promise<CompileResult> {
  const t0 = performance.now();
  return compilePlanAsync(makePlan(normalize(source, opts, 'opts'), readEnv()), t0);
}

/** compile(), blocking the thread: for callers that cannot await. */
export function compileSync(source: string, opts: CompileOptions): CompileResult {
  const t0 = performance.now();
  return compilePlanSync(makePlan(normalize(source, opts, 'opts'), readEnv()), t0);
}
