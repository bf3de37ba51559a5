// @dg/quant must stand alone: no dependencies, no Node built-ins, tree-shakeable, and runnable in a browser.
// The built package is bundled for the browser platform with esbuild and executed in a bare V8 context that has no
// `require`, `process` or `Buffer`.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

const pkgDir = fileURLToPath(new URL('..', import.meta.url));
const pkg = JSON.parse(readFileSync(`${pkgDir}/package.json`, 'utf8')) as Record<string, unknown>;

async function bundle(entrySource: string): Promise<string> {
  const r = await build({
    stdin: { contents: entrySource, resolveDir: pkgDir, loader: 'ts' },
    bundle: true,
    platform: 'browser',
    format: 'iife',
    minify: true,
    write: false,
    alias: { '@dg/quant': `${pkgDir}/dist/index.js` },
  });
  return r.outputFiles[0]!.text;
}

describe('@dg/quant stands alone', () => {
  it('declares no runtime dependencies and no side effects; the CUDA layers are optional peers of ./device only', () => {
    expect(pkg.dependencies ?? {}).toEqual({});
    const peers = Object.keys((pkg.peerDependencies ?? {}) as Record<string, string>);
    const meta = (pkg.peerDependenciesMeta ?? {}) as Record<string, { optional?: boolean }>;
    for (const peer of peers) expect(meta[peer]?.optional).toBe(true);
    expect(pkg.sideEffects).toBe(false);
  });

  it('the root entry imports nothing at all', () => {
    const root = readFileSync(`${pkgDir}/dist/index.js`, 'utf8');
    expect(root).not.toMatch(/^\s*import\s.*from\s+['"](?!\.)/m);
    expect(root).not.toMatch(/@dg\/(runtime|jit|kernels)|node:/);
  });

  it('bundles for the browser and runs in a context without Node globals', async () => {
    const code = await bundle(`
      import { perTokenCastToFp8, decodeFp8, calcDiff, encodeBf16, toMnMajorTmaAligned } from '@dg/quant';
      const x = new Float32Array(4 * 256).map((_, i) => Math.sin(i) * 10);
      const { data, scale } = perTokenCastToFp8(x, 4, 256);
      const v = decodeFp8(data);
      const back = v.map((d, i) => d * scale[Math.floor(i / 256) * 2 + Math.floor((i % 256) / 128)]);
      globalThis.result = { diff: calcDiff(back, x), bf16: encodeBf16([1])[0], aligned: toMnMajorTmaAligned(scale, 4, 2).alignedMn };
    `);
    expect(code).not.toMatch(/require\(|node:/);
    // A bare context has WebAssembly but no atob (a Node/browser global): the JS loops run. With atob, the SIMD ones.
    for (const globals of [{}, { atob }]) {
      const context = vm.createContext({ ...globals });
      vm.runInContext(code, context);
      const result = context.result as { diff: number; bf16: number; aligned: number };
      expect(result.diff).toBeLessThan(1e-3);
      expect(result.bf16).toBe(0x3f80);
      expect(result.aligned).toBe(4);
    }
  });

  it('tree-shakes: importing calcDiff alone leaves the codecs out', async () => {
    const all = await bundle(`import * as q from '@dg/quant'; globalThis.q = q;`);
    const one = await bundle(`import { calcDiff } from '@dg/quant'; globalThis.f = calcDiff;`);
    expect(one.length).toBeLessThan(all.length / 4);
    expect(one).not.toContain('perTokenCastToFp8');
  });
});
