import type { NvrtcRequest, NvrtcResult } from '@dg/runtime';
import type { JitEnv } from './env.js';
import { JitCompileError } from './errors.js';
import type { CompilerOutput } from './nvcc.js';
import type { Normalized } from './options.js';
import type { RuntimeModule } from './runtime.js';

export function nvrtcLabel(rt: RuntimeModule): string {
  const v = rt.nvrtcVersion();
  return `nvrtc ${v.major}.${v.minor}`;
}

/** NVRTC options; what the cache key records for NVRTC. NVRTC reads the headers itself through -I. */
export function nvrtcOptions(n: Normalized, env: JitEnv): string[] {
  const opts = [`--gpu-architecture=${n.arch}`, '-std=c++17', '-default-device'];
  for (const dir of n.includeDirs) opts.push(`-I${dir}`);
  opts.push(...n.defines);
  if (env.lineinfo) opts.push('-lineinfo');
  if (env.ptxasVerbose || env.ptxasCheck) opts.push('--ptxas-options=-v');
  opts.push(...n.flags);
  return opts;
}

function request(n: Normalized, options: readonly string[], env: JitEnv): NvrtcRequest {
  const req: NvrtcRequest = { source: n.source, fileName: 'kernel.cu', options, wantPtx: env.dumpPtx };
  return n.nameExpression === undefined ? req : { ...req, nameExpressions: [n.nameExpression] };
}

function announce(env: JitEnv, command: string): void {
  if (env.printCommand || env.debug) process.stderr.write(`[dg/jit] ${command}\n`);
}

function output(n: Normalized, r: NvrtcResult, command: string): CompilerOutput {
  let loweredName = n.name;
  if (n.nameExpression !== undefined) {
    const lowered = r.loweredNames[n.nameExpression];
    if (lowered === undefined) throw new Error(`NVRTC returned no lowered name for '${n.nameExpression}'`);
    loweredName = lowered;
  }
  return { cubin: r.cubin, ptx: r.ptx, log: r.log, loweredName, command };
}

// NvrtcError keeps NVRTC's whole log; it becomes the JitCompileError's log and its cause.
function wrap(rt: RuntimeModule, e: unknown, n: Normalized, label: string, command: string): unknown {
  if (e instanceof rt.NvrtcError) {
    return new JitCompileError({ kernelName: n.name, compiler: label, log: e.log, command }, { cause: e });
  }
  return e;
}

export function runNvrtcSync(
  rt: RuntimeModule,
  n: Normalized,
  options: readonly string[],
  env: JitEnv,
): CompilerOutput {
  const label = nvrtcLabel(rt);
  const command = `${label} kernel.cu ${options.join(' ')}`;
  announce(env, command);
  try {
    return output(n, rt.nvrtcCompile(request(n, options, env)), command);
  } catch (e) {
    throw wrap(rt, e, n, label, command);
  }
}

export async function runNvrtcAsync(
  rt: RuntimeModule,
  n: Normalized,
  options: readonly string[],
  env: JitEnv,
): Promise<CompilerOutput> {
  const label = nvrtcLabel(rt);
  const command = `${label} kernel.cu ${options.join(' ')}`;
  announce(env, command);
  try {
    return output(n, await rt.nvrtcCompileAsync(request(n, options, env)), command);
  } catch (e) {
    throw wrap(rt, e, n, label, command);
  }
}
