import * as realFs from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { clearMemoryCache, compileSync } from '../src/index.js';
import { ADD_ONE, freshDir, hasNvcc, nvccReason } from './helpers.js';

// The file system as a read-only mount (EROFS) or a directory without write permission (EACCES) presents it,
// below `blocked`: every create/write/rename there fails the way the kernel would fail it for a non-root user.
const state = vi.hoisted(() => ({ blocked: '', code: 'EROFS' }));

vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  const guard =
    <A extends unknown[], R>(fn: (...a: A) => R) =>
    (...args: A): R => {
      const p = String(args[0]);
      if (state.blocked !== '' && p.startsWith(state.blocked)) {
        throw Object.assign(new Error(`${state.code}: simulated, ${p}`), { code: state.code, path: p });
      }
      return fn(...args);
    };
  return {
    ...fs,
    mkdirSync: guard(fs.mkdirSync),
    openSync: (...args: Parameters<typeof fs.openSync>) =>
      args[1] === 'r' || args[1] === undefined ? fs.openSync(...args) : guard(fs.openSync)(...args),
    writeFileSync: guard(fs.writeFileSync),
    renameSync: guard(fs.renameSync),
  };
});

describe.skipIf(!hasNvcc)(`cache dir failing with EROFS / EACCES (mocked fs)${nvccReason}`, () => {
  beforeEach(() => {
    clearMemoryCache();
    vi.stubEnv('DG_JIT_USE_NVCC', '1');
  });
  afterEach(() => {
    vi.unstubAllEnvs();
    state.blocked = '';
  });

  it('degrades to memory with a single DG_JIT_CACHE warning, and still reads entries that exist', async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error & { code?: string }) => {
      if (w.code === 'DG_JIT_CACHE') warnings.push(w.message);
    };
    process.on('warning', onWarning);
    try {
      // A cache that was filled while writable, then mounted read-only: its entries keep serving hits.
      const ro = freshDir('erofs');
      vi.stubEnv('DG_JIT_CACHE_DIR', ro);
      const filled = compileSync(ADD_ONE, { name: 'add_one' });
      expect(filled.cached).toBe(false);
      state.blocked = ro;
      state.code = 'EROFS';
      expect(compileSync(ADD_ONE, { name: 'add_one' }).cached).toBe(true);
      const fresh = compileSync(ADD_ONE, { name: 'add_one', defines: { V: 2 } });
      expect(fresh.cached).toBe(false);
      expect(compileSync(ADD_ONE, { name: 'add_one', defines: { V: 2 } }).cached).toBe(true);
      expect(realFs.readdirSync(join(ro, 'kernels'))).toHaveLength(1);

      // Another unwritable dir (EACCES): degrades as well, but the process already warned.
      const denied = freshDir('eacces');
      state.blocked = denied;
      state.code = 'EACCES';
      vi.stubEnv('DG_JIT_CACHE_DIR', denied);
      expect(compileSync(ADD_ONE, { name: 'add_one' }).cached).toBe(false);
      expect(compileSync(ADD_ONE, { name: 'add_one' }).cached).toBe(true);

      await new Promise((r) => setImmediate(r));
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(/EROFS/);
    } finally {
      process.off('warning', onWarning);
    }
  });
});
