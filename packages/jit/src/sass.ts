import { existsSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { isUnwritable } from './diskCache.js';
import type { JitEnv } from './env.js';
import { type ExecResult, execAsync, execSync, findExecutable } from './exec.js';
import { debug, warnOnce } from './log.js';

interface SassTool {
  readonly cmd: string;
  readonly args: (cubin: string) => string[];
}

function sassTool(nvccPath: string | undefined): SassTool | undefined {
  const extra = [
    ...(nvccPath === undefined ? [] : [dirname(nvccPath)]),
    ...[process.env.CUDA_HOME, process.env.CUDA_PATH].filter((v): v is string => !!v).map((v) => join(v, 'bin')),
    '/usr/local/cuda/bin',
  ];
  const cuobjdump = findExecutable('cuobjdump', extra);
  if (cuobjdump !== undefined) return { cmd: cuobjdump, args: (c) => ['-sass', c] };
  const nvdisasm = findExecutable('nvdisasm', extra);
  if (nvdisasm !== undefined) return { cmd: nvdisasm, args: (c) => [c] };
  warnOnce('DG_JIT_DUMP_SASS', 'DG_JIT_DUMP_SASS is set but neither cuobjdump nor nvdisasm was found; no kernel.sass');
  return undefined;
}

function save(r: ExecResult, entry: string, env: JitEnv): void {
  if (r.status !== 0) {
    debug(env, `SASS dump failed in ${entry}: ${r.error?.message ?? r.stderr.trim()}`);
    return;
  }
  // Into a finished (shared) entry: temp file + rename, so a reader never sees half a file.
  const tmp = join(entry, `.kernel.sass.${process.pid}`);
  try {
    writeFileSync(tmp, r.stdout);
    renameSync(tmp, join(entry, 'kernel.sass'));
  } catch (e) {
    if (!isUnwritable(e)) throw e;
    debug(env, `cannot write kernel.sass into ${entry} (${e.code})`);
  }
}

/** Writes `<entry>/kernel.sass` from `<entry>/kernel.cubin`, once per entry (a hit on an older entry adds it). */
export function dumpSassSync(entry: string, env: JitEnv, nvccPath: string | undefined): void {
  if (existsSync(join(entry, 'kernel.sass'))) return;
  const tool = sassTool(nvccPath);
  if (tool !== undefined) save(execSync(tool.cmd, tool.args(join(entry, 'kernel.cubin'))), entry, env);
}

export async function dumpSassAsync(entry: string, env: JitEnv, nvccPath: string | undefined): Promise<void> {
  if (existsSync(join(entry, 'kernel.sass'))) return;
  const tool = sassTool(nvccPath);
  if (tool !== undefined) save(await execAsync(tool.cmd, tool.args(join(entry, 'kernel.cubin'))), entry, env);
}
