import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isNvrtcAvailable } from '@dg/runtime';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { sha256Hex } from '../src/hash.js';
import {
  clearMemoryCache,
  compile,
  compileSync,
  JitArgumentError,
  JitCompileError,
  JitUnavailableError,
} from '../src/index.js';
import { ADD_ONE, freshDir, hasNvcc, nvccReason } from './helpers.js';

let cacheDir = '';

function entries(): string[] {
  const dir = join(cacheDir, 'kernels');
  return existsSync(dir) ? readdirSync(dir) : [];
}

describe.skipIf(!hasNvcc)(`NVCC path${nvccReason}`, () => {
  beforeEach(() => {
    cacheDir = freshDir('nvcc');
    vi.stubEnv('DG_JIT_CACHE_DIR', cacheDir);
    vi.stubEnv('DG_JIT_USE_NVCC', '1');
    clearMemoryCache();
  });
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('compiles an sm_90a cubin, writes the entry, and hits it next time', async () => {
    const cold = await compile(ADD_ONE, { name: 'add_one' });
    expect(cold.cached).toBe(false);
    expect(cold.compiler).toMatch(/^nvcc \d+\.\d+$/);
    expect(cold.loweredName).toBe('add_one');
    // ELF magic, and the entry name appears in the cubin's string table.
    expect([...cold.cubin.subarray(0, 4)]).toEqual([0x7f, 0x45, 0x4c, 0x46]);
    expect(Buffer.from(cold.cubin).includes('add_one')).toBe(true);
    expect(Buffer.from(cold.cubin).includes('sm_90a')).toBe(true);

    const [entry] = entries();
    expect(entries()).toHaveLength(1);
    expect(entry).toMatch(/^add_one\.[0-9a-f]{32}$/);
    const dir = join(cacheDir, 'kernels', entry as string);
    expect(readdirSync(dir).sort()).toEqual(['kernel.cu', 'kernel.cubin', 'meta.json']);
    const meta = JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8'));
    expect(meta.cubinSha256).toBe(sha256Hex(cold.cubin));
    expect(meta.cubinBytes).toBe(cold.cubin.byteLength);
    expect(meta.compiler).toBe(cold.compiler);
    expect(meta.options).toContain('-gencode=arch=compute_90a,code=sm_90a');
    expect(readFileSync(join(dir, 'kernel.cu'), 'utf8')).toBe(ADD_ONE);
    expect(readdirSync(join(cacheDir, 'tmp'))).toEqual([]);

    const warm = await compile(ADD_ONE, { name: 'add_one' });
    expect(warm.cached).toBe(true);
    expect(Buffer.from(warm.cubin).equals(Buffer.from(cold.cubin))).toBe(true);
    expect(warm.seconds).toBeLessThan(cold.seconds / 10);
    console.log(
      JSON.stringify({ metric: 'jit_nvcc_cold_s', value: cold.seconds }),
      JSON.stringify({ metric: 'jit_nvcc_disk_hit_ms', value: warm.seconds * 1000 }),
    );
  });

  it('compileSync and compile give the same result and share the entry', async () => {
    const sync = compileSync(ADD_ONE, { name: 'add_one', defines: { SCALE: 2 } });
    const async_ = await compile(ADD_ONE, { name: 'add_one', defines: { SCALE: 2 } });
    expect(sync.cached).toBe(false);
    expect(async_.cached).toBe(true);
    expect(Buffer.from(async_.cubin).equals(Buffer.from(sync.cubin))).toBe(true);
    expect({ ...async_, cubin: 0, seconds: 0, cached: 0 }).toEqual({ ...sync, cubin: 0, seconds: 0, cached: 0 });
    // Defines are part of the key.
    await compile(ADD_ONE, { name: 'add_one', defines: { SCALE: 3 } });
    expect(entries()).toHaveLength(2);
  });

  it('changes the key when an included header changes', async () => {
    const inc = freshDir('inc');
    mkdirSync(join(inc, 'dg'));
    writeFileSync(join(inc, 'dg', 'k.cuh'), '#pragma once\n#include "v.cuh"\n');
    writeFileSync(join(inc, 'dg', 'v.cuh'), '#pragma once\n#define DG_V 1.0f\n');
    const src = `#include <dg/k.cuh>\nextern "C" __global__ void inc_k(float* x) { x[0] += DG_V; }\n`;
    const a = await compile(src, { name: 'inc_k', includeDirs: [inc] });
    expect((await compile(src, { name: 'inc_k', includeDirs: [inc] })).cached).toBe(true);
    writeFileSync(join(inc, 'dg', 'v.cuh'), '#pragma once\n#define DG_V 2.0f\n');
    const b = await compile(src, { name: 'inc_k', includeDirs: [inc] });
    expect(b.cached).toBe(false);
    expect(entries()).toHaveLength(2);
    expect(Buffer.from(b.cubin).equals(Buffer.from(a.cubin))).toBe(false);
  });

  it('detects a truncated cubin and a wrong sha256, and rebuilds', async () => {
    const first = compileSync(ADD_ONE, { name: 'add_one' });
    const dir = join(cacheDir, 'kernels', entries()[0] as string);
    const cubinPath = join(dir, 'kernel.cubin');

    writeFileSync(cubinPath, first.cubin.subarray(0, 100));
    const debug: string[] = [];
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((s) => {
      debug.push(String(s));
      return true;
    });
    vi.stubEnv('DG_JIT_DEBUG', '1');
    let rebuilt: ReturnType<typeof compileSync>;
    try {
      rebuilt = compileSync(ADD_ONE, { name: 'add_one' });
    } finally {
      spy.mockRestore();
    }
    expect(rebuilt.cached).toBe(false);
    expect(debug.join('')).toMatch(/corrupt cache entry .*kernel\.cubin has 100 bytes/);
    expect(Buffer.from(readFileSync(cubinPath)).equals(Buffer.from(first.cubin))).toBe(true);

    // Same length, one byte flipped: only the sha256 can tell.
    const bad = Buffer.from(first.cubin);
    bad[bad.length - 1] = (bad[bad.length - 1] ?? 0) ^ 0xff;
    writeFileSync(cubinPath, bad);
    const again = compileSync(ADD_ONE, { name: 'add_one' });
    expect(again.cached).toBe(false);
    expect(Buffer.from(again.cubin).equals(Buffer.from(first.cubin))).toBe(true);
    expect(compileSync(ADD_ONE, { name: 'add_one' }).cached).toBe(true);
    expect(entries()).toHaveLength(1);
  });

  it('rejects a syntax error with JitCompileError carrying the nvcc log and the kept source', async () => {
    const src = 'extern "C" __global__ void broken(float* x) { x[0] = 1.0f +; }\n';
    const err = await compile(src, { name: 'broken' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(JitCompileError);
    const e = err as JitCompileError;
    expect(e.code).toBe('DG_JIT_COMPILE');
    expect(e.kernelName).toBe('broken');
    expect(e.compiler).toMatch(/^nvcc /);
    expect(e.log).toMatch(/error/);
    expect(e.message).toContain(e.log.split('\n').find((l) => l.includes('error')));
    expect(e.sourcePath).toBeDefined();
    expect(readFileSync(e.sourcePath as string, 'utf8')).toBe(src);
    expect(e.command).toContain('-gencode=arch=compute_90a,code=sm_90a');
    expect(() => compileSync(src, { name: 'broken' })).toThrow(JitCompileError);
    expect(entries()).toEqual([]);
  });

  it('validates arguments before any work', async () => {
    expect(() => compileSync(ADD_ONE, { name: 'not a name' })).toThrow(JitArgumentError);
    expect(() => compileSync('', { name: 'k' })).toThrow(/source: expected a non-empty CUDA source string/);
    expect(() => compileSync(ADD_ONE, { name: 'k', arch: '90' })).toThrow(/opts\.arch/);
    expect(() => compileSync(ADD_ONE, { name: 'k', defines: { 'A-B': 1 } })).toThrow(/defines key/);
    expect(() => compileSync(ADD_ONE, { name: 'k', flags: [''] })).toThrow(/opts\.flags\[0\]/);
    await expect(compile(ADD_ONE, { name: 'k', includeDirs: 'x' as unknown as string[] })).rejects.toThrow(
      JitArgumentError,
    );
    // Name expressions need NVRTC.
    expect(() => compileSync(ADD_ONE, { name: 'add_one', nameExpression: '&k<1>' })).toThrow(
      /name expressions need NVRTC/,
    );
    expect(entries()).toEqual([]);
  });

  const nvrtcHere = isNvrtcAvailable();
  it.skipIf(nvrtcHere)(
    `falls back to NVCC by itself where NVRTC cannot be loaded${nvrtcHere ? ' (skipped: NVRTC is available here)' : ''}`,
    () => {
      vi.stubEnv('DG_JIT_USE_NVCC', '');
      expect(compileSync(ADD_ONE, { name: 'add_one' }).compiler).toMatch(/^nvcc /);
      vi.stubEnv('DG_JIT_NVCC_COMPILER', '/nonexistent/nvcc');
      expect(() => compileSync(ADD_ONE, { name: 'add_one' })).toThrow(
        /no CUDA compiler available: NVRTC: .*nvrtc.*; .*\/nonexistent\/nvcc/is,
      );
    },
  );

  it('throws JitUnavailableError naming what was tried when no compiler can be used', () => {
    vi.stubEnv('DG_JIT_NVCC_COMPILER', '/nonexistent/nvcc');
    let err: unknown;
    try {
      compileSync(ADD_ONE, { name: 'add_one' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(JitUnavailableError);
    expect((err as JitUnavailableError).code).toBe('DG_JIT_UNAVAILABLE');
    expect((err as Error).message).toContain('/nonexistent/nvcc');
  });
});
