import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { clearMemoryCache, compile, compileSync, JitPtxasCheckError } from '../src/index.js';
import { ADD_ONE, freshDir, hasNvcc, nvccReason, SPILLS } from './helpers.js';

let cacheDir = '';

function captureStderr<T>(fn: () => T): { value: T; err: string } {
  const chunks: string[] = [];
  const spy = vi.spyOn(process.stderr, 'write').mockImplementation((s) => {
    chunks.push(String(s));
    return true;
  });
  try {
    return { value: fn(), err: chunks.join('') };
  } finally {
    spy.mockRestore();
  }
}

function onlyEntry(): string {
  const names = readdirSync(join(cacheDir, 'kernels'));
  expect(names).toHaveLength(1);
  return join(cacheDir, 'kernels', names[0] as string);
}

describe.skipIf(!hasNvcc)(`DG_JIT_* switches on the NVCC path${nvccReason}`, () => {
  beforeEach(() => {
    cacheDir = freshDir('env');
    vi.stubEnv('DG_JIT_CACHE_DIR', cacheDir);
    vi.stubEnv('DG_JIT_USE_NVCC', '1');
    clearMemoryCache();
  });
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('DG_JIT_PTXAS_VERBOSE adds -Xptxas -v, changes the key and prints the report (also on a hit)', () => {
    const plain = compileSync(ADD_ONE, { name: 'add_one' });
    expect(plain.log).not.toMatch(/ptxas info/);
    vi.stubEnv('DG_JIT_PTXAS_VERBOSE', '1');
    const cold = captureStderr(() => compileSync(ADD_ONE, { name: 'add_one' }));
    expect(cold.value.cached).toBe(false);
    expect(cold.err).toMatch(/ptxas report for add_one:\n/);
    expect(cold.err).toMatch(/Function properties for add_one/);
    expect(cold.err).toMatch(/Used \d+ registers/);
    const warm = captureStderr(() => compileSync(ADD_ONE, { name: 'add_one' }));
    expect(warm.value.cached).toBe(true);
    expect(warm.err).toMatch(/ptxas report for add_one \(cached\)/);
    expect(readdirSync(join(cacheDir, 'kernels'))).toHaveLength(2);
  });

  it('DG_JIT_PTXAS_CHECK passes a clean kernel and rejects one with a stack frame, cold and cached', async () => {
    vi.stubEnv('DG_JIT_PTXAS_CHECK', '1');
    expect((await compile(ADD_ONE, { name: 'add_one' })).cached).toBe(false);
    const err = await compile(SPILLS, { name: 'spills' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(JitPtxasCheckError);
    const e = err as JitPtxasCheckError;
    expect(e.code).toBe('DG_JIT_PTXAS_CHECK');
    expect(e.kernelName).toBe('spills');
    expect(e.problems.join('\n')).toMatch(/spills: \d+ bytes stack frame/);
    expect(e.report).toMatch(/ptxas info/);
    // The cubin itself is fine and cached; the check runs again on the hit from the stored log.
    expect(() => compileSync(SPILLS, { name: 'spills' })).toThrow(JitPtxasCheckError);
    vi.stubEnv('DG_JIT_PTXAS_CHECK', '');
    expect(compileSync(SPILLS, { name: 'spills' }).cached).toBe(false); // no -v: another key
  });

  it('DG_JIT_DUMP_PTX keeps kernel.ptx in the entry and returns it', async () => {
    vi.stubEnv('DG_JIT_DUMP_PTX', '1');
    const r = await compile(ADD_ONE, { name: 'add_one' });
    expect(r.ptx).toMatch(/\.target sm_90a/);
    expect(r.ptx).toMatch(/\.entry add_one/);
    const dir = onlyEntry();
    expect(readFileSync(join(dir, 'kernel.ptx'), 'utf8')).toBe(r.ptx);
    const hit = compileSync(ADD_ONE, { name: 'add_one' });
    expect(hit.cached).toBe(true);
    expect(hit.ptx).toBe(r.ptx);
  });

  it('DG_JIT_WITH_LINEINFO adds -lineinfo; DG_JIT_PRINT_COMPILER_COMMAND prints the command', () => {
    vi.stubEnv('DG_JIT_WITH_LINEINFO', '1');
    vi.stubEnv('DG_JIT_PRINT_COMPILER_COMMAND', '1');
    const { err } = captureStderr(() => compileSync(ADD_ONE, { name: 'add_one' }));
    expect(err).toMatch(
      /nvcc .*kernel\.cu -cubin -o .*kernel\.cubin -gencode=arch=compute_90a,code=sm_90a .*-lineinfo/,
    );
    const meta = JSON.parse(readFileSync(join(onlyEntry(), 'meta.json'), 'utf8'));
    expect(meta.options).toContain('-lineinfo');
  });

  it('DG_JIT_DUMP_SASS writes kernel.sass, or warns once when no disassembler exists', () => {
    vi.stubEnv('DG_JIT_DUMP_SASS', '1');
    const warnings: string[] = [];
    const onWarning = (w: Error & { code?: string }) => {
      if (w.code === 'DG_JIT_DUMP_SASS') warnings.push(w.message);
    };
    process.on('warning', onWarning);
    compileSync(ADD_ONE, { name: 'add_one' });
    compileSync(ADD_ONE, { name: 'add_one' });
    return new Promise<void>((resolve) => {
      setImmediate(() => {
        process.off('warning', onWarning);
        const sass = join(onlyEntry(), 'kernel.sass');
        if (existsSync(sass)) {
          expect(readFileSync(sass, 'utf8')).toMatch(/add_one/);
          expect(warnings).toEqual([]);
        } else {
          expect(warnings).toHaveLength(1);
          expect(warnings[0]).toMatch(/neither cuobjdump nor nvdisasm/);
        }
        resolve();
      });
    });
  });

  it('DG_JIT_DEBUG logs misses, commands, timings and hits', () => {
    vi.stubEnv('DG_JIT_DEBUG', '1');
    const { err } = captureStderr(() => {
      compileSync(ADD_ONE, { name: 'add_one' });
      compileSync(ADD_ONE, { name: 'add_one' });
    });
    expect(err).toMatch(/\[dg\/jit\] miss add_one\.[0-9a-f]{32}: compiling with nvcc/);
    expect(err).toMatch(/\[dg\/jit\] .*nvcc .*-cubin/);
    expect(err).toMatch(/\[dg\/jit\] compiled add_one with nvcc \S+ in [\d.]+ s/);
    expect(err).toMatch(/\[dg\/jit\] hit add_one\.[0-9a-f]{32} \([\d.]+ ms\)/);
  });
});
