import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { sha256Hex } from '../src/hash.js';
import { freshDir, hasNvcc, nvccReason } from './helpers.js';

const here = dirname(fileURLToPath(import.meta.url));
const PROCESSES = 4;

const SOURCE = `extern "C" __global__ void race_k(float* x, float a, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) x[i] = a * x[i] + 1.0f;
}
`;

// Each child compiles the same kernel into the same fresh cache dir, all starting at one agreed instant.
const CHILD = `
import { createHash } from 'node:crypto';
const { compile } = await import(process.argv[2]);
const startAt = Number(process.argv[3]);
await new Promise((r) => setTimeout(r, Math.max(0, startAt - Date.now())));
const r = await compile(${JSON.stringify(SOURCE)}, { name: 'race_k' });
process.stdout.write(JSON.stringify({
  cached: r.cached, bytes: r.cubin.byteLength, sha: createHash('sha256').update(r.cubin).digest('hex'),
}));
`;

interface ChildResult {
  cached: boolean;
  bytes: number;
  sha: string;
}

function run(script: string, bundle: string, startAt: number, env: NodeJS.ProcessEnv): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, bundle, String(startAt)], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (b: Buffer) => {
      out += b.toString();
    });
    child.stderr.on('data', (b: Buffer) => {
      err += b.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(JSON.parse(out) as ChildResult);
      else reject(new Error(`child exited ${code}: ${err}`));
    });
  });
}

describe.skipIf(!hasNvcc)(`${PROCESSES} processes racing on one cache dir${nvccReason}`, () => {
  it('end with one valid entry and identical working results', async () => {
    // Children run plain node: give them the package's source as one ESM file, inside the package so that
    // @dg/runtime (left external) resolves as it would for a user.
    const work = join(here, '..', 'node_modules', '.dg-test');
    mkdirSync(work, { recursive: true });
    const bundle = join(work, `jit-${process.pid}.mjs`);
    await build({
      entryPoints: [join(here, '..', 'src', 'index.ts')],
      bundle: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      external: ['@dg/runtime'],
      outfile: bundle,
      logLevel: 'error',
    });
    const script = join(work, `race-child-${process.pid}.mjs`);
    writeFileSync(script, CHILD);

    const cacheDir = freshDir('race');
    const env = { ...process.env, DG_JIT_CACHE_DIR: cacheDir, DG_JIT_USE_NVCC: '1' };
    const startAt = Date.now() + 1500;
    let results: ChildResult[];
    try {
      results = await Promise.all(
        Array.from({ length: PROCESSES }, () => run(script, `file://${bundle}`, startAt, env)),
      );
    } finally {
      rmSync(bundle, { force: true });
      rmSync(script, { force: true });
    }

    const kernels = readdirSync(join(cacheDir, 'kernels'));
    expect(kernels).toHaveLength(1);
    expect(kernels[0]).toMatch(/^race_k\.[0-9a-f]{32}$/);
    expect(readdirSync(join(cacheDir, 'tmp'))).toEqual([]);
    const entry = join(cacheDir, 'kernels', kernels[0] as string);
    const meta = JSON.parse(readFileSync(join(entry, 'meta.json'), 'utf8'));
    const cubin = readFileSync(join(entry, 'kernel.cubin'));
    expect(cubin.byteLength).toBe(meta.cubinBytes);
    expect(sha256Hex(cubin)).toBe(meta.cubinSha256);

    expect(results).toHaveLength(PROCESSES);
    for (const r of results) {
      expect(r.sha).toBe(meta.cubinSha256);
      expect(r.bytes).toBe(meta.cubinBytes);
    }
    // The race happened: more than one process compiled before any entry existed.
    const compiled = results.filter((r) => !r.cached).length;
    console.log(JSON.stringify({ metric: 'jit_race_cold_compiles', value: compiled, of: PROCESSES }));
    expect(compiled).toBeGreaterThanOrEqual(2);
  });
});
