// Compiles every rendered variant with NVCC for sm_90a and holds each to its ptxas budget: no stack frame, no spills,
// no local-memory warning, registers within the family's budget, the entry exported under its plain name.
import { execFile, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cudaIncludeDir,
  listQuantCastVariants,
  listSfLayoutVariants,
  listSm90Bf16GemmVariants,
  listSm90Fp8Gemm1d1dVariants,
  listSm90Fp8Gemm1d2dVariants,
  type RenderedKernel,
  renderQuantCast,
  renderSfLayout,
  renderSm90Bf16Gemm,
  renderSm90Fp8Gemm1d1d,
  renderSm90Fp8Gemm1d2d,
  type Sm90Bf16GemmConfig,
} from '../src/index.js';
import { type PtxasEntry, parsePtxasReport, warningLines } from './ptxasReport.js';

const run = promisify(execFile);
const NVCC = process.env.NVCC ?? 'nvcc';
const nvccFound = spawnSync(NVCC, ['--version'], { encoding: 'utf8' }).status === 0;
const FLAGS = [
  '-cubin',
  '-gencode=arch=compute_90a,code=sm_90a',
  '-std=c++17',
  '-O3',
  `-I${cudaIncludeDir}`,
  '-Xptxas',
  '-v',
  '-Xptxas',
  '--warn-on-local-memory-usage',
];

/**
 * The BF16 GEMM has ~3700 variants (16 layouts x tiles x multicasts); by default: the plain layout (K-major A and B,
 * bf16 output, no C) at block N 16, 24, 64, 112, 128, 200, 256 for every block M, both multicasts on 128x128 and
 * 256x128, and every other layout on 128x128 and 64x80. DG_KERNELS_COMPILE_ALL=1 compiles all of them.
 */
function bf16CompileSubset(c: Sm90Bf16GemmConfig): boolean {
  const plain = c.aMajor === 'k' && c.bMajor === 'k' && c.output === 'bf16' && !c.accumulate;
  if (plain && c.multicast === 'none') return [16, 24, 64, 112, 128, 200, 256].includes(c.blockN);
  if (plain) return c.blockN === 128 && c.blockM !== 64;
  return c.multicast === 'none' && ((c.blockM === 128 && c.blockN === 128) || (c.blockM === 64 && c.blockN === 80));
}

interface Variant {
  label: string;
  name: string;
  source: string;
  registerBudget: number;
  /** The kernel's own compiler flags (RenderedKernel.compilerFlags), compiled as the JIT would. */
  flags?: readonly string[];
}

// Budgets: the launch bounds' caps (per-token: 80 at (256, 3); per-block: 64 at (256, 4) for bf16, 128 at (256, 2)
// for f32, which keeps 64 input words per thread), which must be met without spilling; the layout kernels are
// simple loops.
function variant(config: unknown, r: RenderedKernel<unknown>, registerBudget: number): Variant {
  return { label: JSON.stringify(config), name: r.name, source: r.source, registerBudget, flags: r.compilerFlags };
}

const variants: Variant[] = [
  ...listQuantCastVariants().map((config) => {
    const r = renderQuantCast(config);
    const budget = config.kind === 'perToken' ? 80 : config.input === 'f32' ? 128 : 64;
    return variant(config, r, budget);
  }),
  ...listSfLayoutVariants().map((config) => {
    const r = renderSfLayout(config);
    return variant(config, r, 40);
  }),
  // GEMMs: the register count ptxas reports is the launch-bounds cap of the whole CTA (setmaxnreg re-allocates per
  // role at run time); what matters is no spill and no local memory in either role. Every (blockM, blockN) without
  // multicast, both multicasts on a few tiles, the plain K loop (pipeline: false) of a few pipelined tiles, the
  // per-warpgroup epilogue of a few two-warpgroup tiles (unswizzled, straddling, widest), and the exact-K-unroll loop
  // of a few plain-loop tiles; DG_KERNELS_COMPILE_ALL=1 compiles all of them.
  ...listSm90Fp8Gemm1d2dVariants()
    .filter((c) => {
      if (process.env.DG_KERNELS_COMPILE_ALL === '1') return true;
      if (c.exactKUnroll === true) {
        // The exact-K-unroll loop of the tiles the heuristic picks at M = 4096 and of a straddling two-slab tile.
        if (c.epilogue === 'warpgroup') return c.multicast !== 'none' && [128, 192].includes(c.blockN);
        return [96, 128, 144, 192].includes(c.blockN);
      }
      if (c.pipeline === false) return [16, 56, 96, 128].includes(c.blockN);
      if (c.epilogue === 'warpgroup') {
        return c.multicast === 'none'
          ? [64, 112, 120, 128, 144, 192].includes(c.blockN)
          : [128, 192].includes(c.blockN);
      }
      return c.multicast === 'none' || [112, 128, 192].includes(c.blockN);
    })
    .map((config) => {
      const r = renderSm90Fp8Gemm1d2d(config);
      return variant(config, r, 255);
    }),
  ...listSm90Bf16GemmVariants()
    .filter((c) => process.env.DG_KERNELS_COMPILE_ALL === '1' || bf16CompileSubset(c))
    .map((config) => {
      const r = renderSm90Bf16Gemm(config);
      return variant(config, r, 255);
    }),
  // The 1D1D (FP32 accumulate) GEMM: both block Ms at the block Ns the heuristic picks at the ends of its range,
  // conflict-prone ones (128, 144), without multicast; both multicasts on 24 and 152.
  ...listSm90Fp8Gemm1d1dVariants()
    .filter(
      (c) =>
        process.env.DG_KERNELS_COMPILE_ALL === '1' ||
        (c.multicast === 'none' && [16, 24, 128, 144, 152].includes(c.blockN)) ||
        [24, 152].includes(c.blockN),
    )
    .map((config) => {
      const r = renderSm90Fp8Gemm1d1d(config);
      return variant(config, r, 255);
    }),
];

interface Compiled {
  ok: boolean;
  log: string;
  entries: PtxasEntry[];
}

async function compile(dir: string, file: string, source: string, flags: readonly string[] = []): Promise<Compiled> {
  const cu = join(dir, `${file}.cu`);
  await writeFile(cu, source);
  try {
    const { stdout, stderr } = await run(NVCC, [...FLAGS, ...flags, '-o', join(dir, `${file}.cubin`), cu], {
      maxBuffer: 16 << 20,
    });
    const log = `${stdout}${stderr}`;
    return { ok: true, log, entries: parsePtxasReport(log) };
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    return { ok: false, log: `${e.message}\n${e.stdout ?? ''}${e.stderr ?? ''}`, entries: [] };
  }
}

async function pool<T, R>(
  items: readonly T[],
  width: number,
  work: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(width, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await work(items[i] as T, i);
    }
  });
  await Promise.all(workers);
  return out;
}

describe.skipIf(!nvccFound)(
  `nvcc sm_90a compile of every @dg/kernels variant${nvccFound ? '' : ` (skipped: '${NVCC}' not found on PATH)`}`,
  () => {
    let dir = '';
    const results = new Map<string, Compiled>();

    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'dg-kernels-compile-'));
      const width = Math.max(2, Math.min(4, availableParallelism()));
      const compiled = await pool(variants, width, (v) => compile(dir, v.name, v.source, v.flags));
      variants.forEach((v, i) => {
        const c = compiled[i];
        if (c !== undefined) results.set(v.name, c);
      });
    }, 600_000);

    afterAll(async () => {
      if (dir !== '') await rm(dir, { recursive: true, force: true });
      // DG_KERNELS_PRINT_PTXAS=1 prints the register count of every variant (kept in the package's notes).
      if (process.env.DG_KERNELS_PRINT_PTXAS === '1') {
        for (const [name, c] of results) console.log(`${name}: ${c.entries[0]?.registers ?? '?'} registers`);
      }
    });

    it.each(variants)('$name stays within budget ($label)', (v) => {
      const c = results.get(v.name);
      expect(c?.ok, c?.log).toBe(true);
      if (c === undefined) return;
      expect(warningLines(c.log), c.log).toEqual([]);
      expect(c.entries.map((e) => e.name)).toEqual([v.name]);
      const [entry] = c.entries;
      expect(entry).toMatchObject({ stackFrameBytes: 0, spillStoreBytes: 0, spillLoadBytes: 0 });
      expect(entry?.registers).toBeGreaterThan(0);
      expect(entry?.registers).toBeLessThanOrEqual(v.registerBudget);
    });

    it('splits straddling B scales as i < count for every block N and offset (test/fixtures/former_groups_check.cu)', async () => {
      const source = await readFile(new URL('./fixtures/former_groups_check.cu', import.meta.url), 'utf8');
      const c = await compile(dir, 'former_groups_check', source);
      expect(c.ok, c.log).toBe(true);
      expect(warningLines(c.log), c.log).toEqual([]);
    }, 60_000);

    it('assembles every PTX wrapper (test/fixtures/ptx_smoke.cu) without spills', async () => {
      const source = await readFile(new URL('./fixtures/ptx_smoke.cu', import.meta.url), 'utf8');
      const c = await compile(dir, 'ptx_smoke', source);
      expect(c.ok, c.log).toBe(true);
      expect(warningLines(c.log), c.log).toEqual([]);
      // Two wgmma entries (e4m3, bf16) per width 8..256 step 8, plus the one exercising every other wrapper.
      expect(c.entries.length).toBe(65);
      for (const e of c.entries) {
        expect(e, e.name).toMatchObject({ stackFrameBytes: 0, spillStoreBytes: 0, spillLoadBytes: 0 });
      }
    }, 60_000);
  },
);
