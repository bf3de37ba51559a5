// The JIT's three speeds: an in-process hit, a disk hit (load a cached cubin) and a cold compile, for the kernels of
// @dg/quant/device and seven GEMM kernels (the latter with NVRTC and with NVCC). The cold compiles use a fresh cache
// directory and a source no compile has seen before (uniqueSource): in 2026-11-21's runs a kernel that another process
// had compiled on the machine compiled in 0.07 s from an empty cache directory, one never compiled in 2.4 s, so
// something outside DG_JIT_CACHE_DIR keeps results across processes.

import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { clearMemoryCache, compile, getKernel, type KernelSpec } from '@dg/jit';
import {
  renderQuantCast,
  renderSfLayout,
  renderSm90Bf16Gemm,
  renderSm90Fp8Gemm1d1d,
  renderSm90Fp8Gemm1d2d,
  type Sm90Fp8Gemm1d2dConfig,
  withExactKUnroll,
} from '@dg/kernels';
import { progress } from '../report.js';
import { summarize } from '../stats.js';

export interface JitRow {
  what: string;
  value: number;
  unit: string;
  compiler?: string;
}

let uniqueCount = 0;

/**
 * `source` plus the declaration of an unused device variable whose name no other compile has used (process id, time,
 * counter): it changes the PTX and the cubin (one more symbol) but not the kernel, so no cache keyed on the source,
 * the PTX or the program can serve the compile.
 */
export function uniqueSource(source: string): string {
  const tag = `${process.pid}_${Date.now().toString(36)}_${uniqueCount++}`;
  return `${source}\n// dg-bench: makes this compile one no cache can serve\n__device__ int dg_bench_cold_${tag};\n`;
}

function specOf(r: { name: string; source: string; includeDirs: readonly string[] }): KernelSpec {
  return { name: r.name, source: r.source, includeDirs: [...r.includeDirs] };
}

export async function benchJit(): Promise<JitRow[]> {
  const rows: JitRow[] = [];
  const previous = process.env.DG_JIT_CACHE_DIR;
  const cacheDir = mkdtempSync(path.join(os.tmpdir(), 'dg-bench-jit-'));
  process.env.DG_JIT_CACHE_DIR = cacheDir;
  try {
    const kernels = [
      renderQuantCast({ kind: 'perToken', input: 'bf16', granularity: 128, ue8m0: false, scaleLayout: 'rowMajor' }),
      renderQuantCast({
        kind: 'perToken',
        input: 'bf16',
        granularity: 128,
        ue8m0: true,
        scaleLayout: 'mnMajorTmaAligned',
      }),
      renderQuantCast({ kind: 'perBlock', input: 'bf16', granularity: 128, ue8m0: false, scaleLayout: 'rowMajor' }),
      renderSfLayout({ kind: 'transposeFp32' }),
    ];
    for (const k of kernels) {
      progress(`jit: cold compile of ${k.name}`);
      const r = await compile(uniqueSource(k.source), { name: k.name, includeDirs: [...k.includeDirs] });
      rows.push({ what: `cold compile ${k.name}`, value: r.seconds, unit: 's', compiler: r.compiler });
    }
    // The M = 4096 picks as fp8GemmNt builds them: 256 x 128 for K = 7168 (exact K unroll: 56 K blocks) and for a K
    // whose block count 4 does not divide (the rotated loop), 128 x 192 multicast B (a straddling tile) for
    // K = 7168, 128 x 160 multicast B (four scale offsets) for 4096 x 7168 x 512; a small-M pick (pipelined loop).
    const big: Sm90Fp8Gemm1d2dConfig = { blockM: 256, blockN: 128, numStages: 3, multicast: 'a', numSms: 132 };
    const wide: Sm90Fp8Gemm1d2dConfig = { blockM: 128, blockN: 192, numStages: 4, multicast: 'b', numSms: 132 };
    const n160: Sm90Fp8Gemm1d2dConfig = {
      blockM: 128,
      blockN: 160,
      numStages: 5,
      multicast: 'b',
      numSms: 132,
      epilogue: 'warpgroup',
    };
    const gemms = [
      renderSm90Fp8Gemm1d2d(withExactKUnroll(big, 7168)),
      renderSm90Fp8Gemm1d2d(withExactKUnroll(big, 7296)),
      renderSm90Fp8Gemm1d2d(withExactKUnroll(wide, 7168)),
      renderSm90Fp8Gemm1d2d(withExactKUnroll(n160, 512)),
      renderSm90Fp8Gemm1d2d({ blockM: 64, blockN: 112, numStages: 9, multicast: 'none', numSms: 132 }),
      // The other two GEMM ops' M = 4096 picks: fp8GemmNtAccumulate (1D1D) and bf16GemmNt.
      renderSm90Fp8Gemm1d1d({ blockM: 128, blockN: 152, numStages: 4, multicast: 'b', numSms: 132 }),
      renderSm90Bf16Gemm({
        blockM: 128,
        blockN: 256,
        numStages: 3,
        multicast: 'b',
        numSms: 132,
        aMajor: 'k',
        bMajor: 'k',
        output: 'bf16',
        accumulate: false,
      }),
    ];
    for (const useNvcc of [false, true]) {
      const saved = process.env.DG_JIT_USE_NVCC;
      if (useNvcc) process.env.DG_JIT_USE_NVCC = '1';
      try {
        for (const k of gemms) {
          progress(`jit: cold compile of ${k.name}${useNvcc ? ' (NVCC)' : ''}`);
          // With the kernel's own flags, as fp8GemmNt compiles it.
          const r = await compile(uniqueSource(k.source), {
            name: k.name,
            includeDirs: [...k.includeDirs],
            flags: [...(k.compilerFlags ?? [])],
          });
          rows.push({ what: `cold compile ${k.name}`, value: r.seconds, unit: 's', compiler: r.compiler });
        }
      } finally {
        if (saved === undefined) delete process.env.DG_JIT_USE_NVCC;
        else process.env.DG_JIT_USE_NVCC = saved;
      }
    }
    const spec = specOf(kernels[0]!);
    getKernel(spec);
    progress('jit: in-process hits');
    const hits: number[] = [];
    for (let b = 0; b < 100; b++) {
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < 1000; i++) getKernel(spec);
      hits.push(Number(process.hrtime.bigint() - t0) / 1e3 / 1000);
    }
    rows.push({ what: 'in-process hit (getKernel on a seen spec)', value: summarize(hits).median, unit: 'us' });
    progress('jit: disk hits');
    const disk: number[] = [];
    for (let i = 0; i < 20; i++) {
      clearMemoryCache();
      const fresh = specOf(kernels[0]!);
      const t0 = process.hrtime.bigint();
      getKernel(fresh);
      disk.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    rows.push({ what: 'disk hit (hash + read cubin + load module)', value: summarize(disk).median, unit: 'ms' });
    return rows;
  } finally {
    if (previous === undefined) delete process.env.DG_JIT_CACHE_DIR;
    else process.env.DG_JIT_CACHE_DIR = previous;
    // The kernels compiled here are loaded already; their fresh cache is of no further use.
    rmSync(cacheDir, { recursive: true, force: true });
  }
}
