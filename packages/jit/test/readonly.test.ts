import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { clearMemoryCache, compile, compileSync } from '../src/index.js';
import { ADD_ONE, freshDir, hasNvcc, nvccReason } from './helpers.js';

// Tests run as root here, where chmod 0555 stops no write. A cache dir below a regular file cannot be created by
// anyone (ENOTDIR), root included: the honest stand-in for an unwritable cache. readonly-mock.test.ts covers
// EROFS/EACCES through a mocked fs.
describe.skipIf(!hasNvcc)(`unwritable cache dir degrades to memory${nvccReason}`, () => {
  beforeEach(() => {
    clearMemoryCache();
    vi.stubEnv('DG_JIT_USE_NVCC', '1');
  });
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('compiles, warns once per process, and serves later calls from memory', async () => {
    const file = join(freshDir('ro'), 'a-file');
    writeFileSync(file, 'not a directory');
    vi.stubEnv('DG_JIT_CACHE_DIR', join(file, 'cache'));
    const warnings: Error[] = [];
    const onWarning = (w: Error & { code?: string }) => {
      if (w.code === 'DG_JIT_CACHE') warnings.push(w);
    };
    process.on('warning', onWarning);
    try {
      const cold = await compile(ADD_ONE, { name: 'add_one' });
      expect(cold.cached).toBe(false);
      expect(cold.cubin.byteLength).toBeGreaterThan(0);
      const warm = compileSync(ADD_ONE, { name: 'add_one' });
      expect(warm.cached).toBe(true);
      expect(Buffer.from(warm.cubin).equals(Buffer.from(cold.cubin))).toBe(true);
      // A different kernel in the same (unwritable) dir: compiled, no second warning.
      const other = compileSync(ADD_ONE, { name: 'add_one', defines: { X: 1 } });
      expect(other.cached).toBe(false);
      await new Promise((r) => setImmediate(r));
      expect(warnings).toHaveLength(1);
      expect(warnings[0]?.message).toMatch(/cannot be written \(ENOTDIR.*in memory only/);
    } finally {
      process.off('warning', onWarning);
    }
  });
});
