import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { JitEnv } from './env.js';
import { JitCompileError } from './errors.js';
import { type ExecResult, execAsync, execSync, findExecutable, quoteCommand } from './exec.js';
import type { Normalized } from './options.js';

export interface NvccTool {
  readonly path: string;
  /** 'nvcc 13.0' */
  readonly label: string;
}

export interface CompilerOutput {
  readonly cubin: Uint8Array;
  readonly ptx: string | undefined;
  readonly log: string;
  readonly loweredName: string;
  readonly command: string;
}

// `nvcc --version` runs once per path per process (synchronously, ~20 ms): its answer is part of every key.
const probed = new Map<string, NvccTool | string>();

function cudaBinDirs(): string[] {
  const dirs: string[] = [];
  for (const v of [process.env.CUDA_HOME, process.env.CUDA_PATH])
    if (v !== undefined && v !== '') dirs.push(join(v, 'bin'));
  dirs.push('/usr/local/cuda/bin');
  return dirs;
}

export function locateNvcc(env: JitEnv): { tool: NvccTool; reason: '' } | { tool: undefined; reason: string } {
  const path = env.nvccCompiler ?? findExecutable('nvcc', cudaBinDirs());
  if (path === undefined) {
    return {
      tool: undefined,
      reason: `nvcc: not on PATH nor in ${cudaBinDirs().join(', ')} (set DG_JIT_NVCC_COMPILER)`,
    };
  }
  let known = probed.get(path);
  if (known === undefined) {
    const r = execSync(path, ['--version']);
    const m = /release (\d+)\.(\d+)/.exec(r.stdout);
    known =
      r.status === 0 && m !== null
        ? { path, label: `nvcc ${m[1]}.${m[2]}` }
        : `nvcc: '${path} --version' failed (${r.error?.message ?? (r.stderr.trim() || `exit ${r.status}`)})`;
    probed.set(path, known);
  }
  return typeof known === 'string' ? { tool: undefined, reason: known } : { tool: known, reason: '' };
}

function virtualArch(arch: string): string {
  return arch.replace(/^sm_/, 'compute_');
}

/** Options after the input/output arguments; what the cache key records for NVCC. */
export function nvccOptions(n: Normalized, env: JitEnv): string[] {
  // -gencode rather than -arch=sm_90a: some nvcc versions ran a plain sm_90 pass for the latter.
  const opts = [`-gencode=arch=${virtualArch(n.arch)},code=${n.arch}`, '-std=c++17', '-O3'];
  for (const dir of n.includeDirs) opts.push(`-I${dir}`);
  opts.push(...n.defines);
  if (env.lineinfo) opts.push('-lineinfo');
  if (env.ptxasVerbose || env.ptxasCheck) opts.push('-Xptxas', '-v');
  opts.push(...n.flags);
  return opts;
}

function cubinArgs(dir: string, options: readonly string[]): string[] {
  return [join(dir, 'kernel.cu'), '-cubin', '-o', join(dir, 'kernel.cubin'), ...options];
}

function ptxArgs(dir: string, n: Normalized, options: readonly string[]): string[] {
  const rest = options.filter((o, i) => !o.startsWith('-gencode=') && o !== '-Xptxas' && options[i - 1] !== '-Xptxas');
  const gencode = `-gencode=arch=${virtualArch(n.arch)},code=${virtualArch(n.arch)}`;
  return [join(dir, 'kernel.cu'), '-ptx', '-o', join(dir, 'kernel.ptx'), gencode, ...rest];
}

function check(r: ExecResult, tool: NvccTool, n: Normalized, command: string): string {
  const log = `${r.stdout}${r.stderr}`;
  if (r.error !== undefined || r.status !== 0) {
    const why = r.error !== undefined ? `could not run: ${r.error.message}\n` : `exit status ${r.status}\n`;
    throw new JitCompileError({ kernelName: n.name, compiler: tool.label, log: `${why}${log}`, command });
  }
  return log;
}

function announce(env: JitEnv, command: string): void {
  if (env.printCommand || env.debug) process.stderr.write(`[dg/jit] ${command}\n`);
}

/** Compiles `<dir>/kernel.cu` (already written) into `<dir>/kernel.cubin` (and kernel.ptx when dumping). */
export function runNvccSync(
  tool: NvccTool,
  dir: string,
  n: Normalized,
  options: readonly string[],
  env: JitEnv,
): CompilerOutput {
  const args = cubinArgs(dir, options);
  const command = quoteCommand(tool.path, args);
  announce(env, command);
  const log = check(execSync(tool.path, args, dir), tool, n, command);
  let ptx: string | undefined;
  if (env.dumpPtx) {
    const pargs = ptxArgs(dir, n, options);
    const pcommand = quoteCommand(tool.path, pargs);
    announce(env, pcommand);
    check(execSync(tool.path, pargs, dir), tool, n, pcommand);
    ptx = readFileSync(join(dir, 'kernel.ptx'), 'utf8');
  }
  return { cubin: readFileSync(join(dir, 'kernel.cubin')), ptx, log, loweredName: n.name, command };
}

export async function runNvccAsync(
  tool: NvccTool,
  dir: string,
  n: Normalized,
  options: readonly string[],
  env: JitEnv,
): Promise<CompilerOutput> {
  const args = cubinArgs(dir, options);
  const command = quoteCommand(tool.path, args);
  announce(env, command);
  const log = check(await execAsync(tool.path, args, dir), tool, n, command);
  let ptx: string | undefined;
  if (env.dumpPtx) {
    const pargs = ptxArgs(dir, n, options);
    const pcommand = quoteCommand(tool.path, pargs);
    announce(env, pcommand);
    check(await execAsync(tool.path, pargs, dir), tool, n, pcommand);
    ptx = readFileSync(join(dir, 'kernel.ptx'), 'utf8');
  }
  return { cubin: readFileSync(join(dir, 'kernel.cubin')), ptx, log, loweredName: n.name, command };
}
