// `dg-bench gemm-bf16`: dense BF16 GEMM D (bf16 [M, N]) = A (bf16 [M, K]) · B (bf16 [N, K])ᵀ, A and B K-major: ours
// (@dg/gemm bf16GemmNt) beside cuBLASLt BF16 (FP32 compute, the addon of src/cublaslt), in this process, with the
// method of ../shared/perf/h100-reference.md: a 256 MB L2 flush before every timed call, CUDA events around the one
// call, 3 warm-ups, median of 30 (gpu/timing.ts). Inputs are seeded standard normal BF16 values generated on the
// device; the accuracy column compares our output with cuBLASLt's on sampled rows. `--sweep N` also times the N
// cheapest candidates of the heuristic's cost model (and its pick) per shape: the data the heuristic is tuned with.

import { bf16GemmNt, estimateBf16GemmNtCost, listBf16GemmNtCandidates, selectBf16GemmNtConfig } from '@dg/gemm';
import { getKernel, type KernelSpec } from '@dg/jit';
import type { Sm90Bf16GemmConfig, Sm90Bf16GemmLayout } from '@dg/kernels';
import { calcDiff, decodeBf16 } from '@dg/quant';
import {
  CudaError,
  copyDeviceToHost,
  getDeviceProperties,
  launch,
  ParamBuilder,
  synchronizeDevice,
  Tensor,
} from '@dg/runtime';
import * as lt from '../cublaslt/index.js';
import { sampleRows, seedOf } from '../gemm/host.js';
import type { Measurement } from '../gemm/report.js';
import { type GemmShape, type ReferenceRow, referenceFor } from '../gemm/shapes.js';
import { spinUp, timeDevice } from '../gpu/timing.js';
import { progress } from '../report.js';
import type { Bf16Row, Bf16SweepRow } from './report.js';

const FILL: KernelSpec = {
  name: 'dg_bench_fill_randn_bf16',
  source: `
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long long u64;
// Standard normal values (Box-Muller on two hashed uniforms), rounded to bf16 (nearest even): a function of (seed, i).
extern "C" __global__ void dg_bench_fill_randn_bf16(u16* out, u64 count, u32 seed) {
  for (u64 i = blockIdx.x * (u64)blockDim.x + threadIdx.x; i < count; i += (u64)gridDim.x * blockDim.x) {
    u64 h = ((u64)seed << 40) ^ i ^ 0x9e3779b97f4a7c15ull;
    h ^= h >> 30; h *= 0xbf58476d1ce4e5b9ull; h ^= h >> 27; h *= 0x94d049bb133111ebull; h ^= h >> 31;
    const float u1 = ((u32)(h >> 40) + 0.5f) * (1.0f / 16777216.0f);
    const float u2 = ((u32)(h & 0xffffffu) + 0.5f) * (1.0f / 16777216.0f);
    const u32 bits = __float_as_uint(sqrtf(-2.0f * logf(u1)) * cosf(6.2831853f * u2));
    out[i] = (u16)((bits + 0x7fffu + ((bits >> 16) & 1u)) >> 16);
  }
}
`,
};

function randn(rows: number, cols: number, seed: number): Tensor {
  const t = Tensor.empty([rows, cols], 'bf16', 'cuda:0');
  const params = new ParamBuilder()
    .ptr(t.dataPtr)
    .u64(BigInt(t.numel))
    .u32(seed >>> 0)
    .bytes();
  launch(getKernel(FILL, { device: 0 }), { grid: 132 * 8, block: 256 }, params);
  return t;
}

const PLAIN: Sm90Bf16GemmLayout = { aMajor: 'k', bMajor: 'k', output: 'bf16', accumulate: false };

export const configLabel = (c: Sm90Bf16GemmConfig): string =>
  `${c.blockM}x${c.blockN} s${c.numStages} mc=${c.multicast}${c.l2Hints === false ? ' no-l2-hints' : ''}`;

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** First call untimed (JIT, cuBLASLt heuristic; the error of an unsupported case), then the timed method. */
function measure(fn: () => void, runs = 30): Measurement {
  try {
    fn();
    synchronizeDevice();
    return { seconds: timeDevice(fn, { runs }).median };
  } catch (e) {
    // A sticky error leaves the context unusable: nothing after it could be measured, so stop here.
    if (e instanceof CudaError && e.sticky) throw e;
    return { error: message(e) };
  }
}

/** The given rows of a bf16 [m, n] row-major device matrix, decoded and packed. */
function rowsOf(t: Tensor, n: number, rows: readonly number[]): Float32Array {
  const out = new Float32Array(rows.length * n);
  const row = new Uint16Array(n);
  rows.forEach((r, i) => {
    copyDeviceToHost(row, t.dataPtr + BigInt(r * n * 2));
    out.set(decodeBf16(row), i * n);
  });
  return out;
}

export interface Bf16BenchOptions {
  shapes: readonly GemmShape[];
  reference: readonly ReferenceRow[];
  /** Candidates per shape timed by the sweep (cheapest by the model first); 0: no sweep. */
  sweep: number;
  /** Timed runs per swept candidate (the main table always uses 30). */
  sweepRuns: number;
}

export interface Bf16BenchResult {
  rows: Bf16Row[];
  sweep: Bf16SweepRow[];
  info: Record<string, unknown>;
}

function sweepShape(s: GemmShape, a: Tensor, b: Tensor, d: Tensor, top: number, runs: number): Bf16SweepRow[] {
  const p = getDeviceProperties(0);
  const dev = { numSms: p.smCount, maxSmemBytes: p.maxSharedMemoryPerBlockOptin };
  const picked = selectBf16GemmNtConfig(s, PLAIN, dev);
  const ranked = listBf16GemmNtCandidates(s, PLAIN, dev)
    .map((c) => ({ c, cycles: estimateBf16GemmNtCost(c, s).cycles }))
    .sort((x, y) => x.cycles - y.cycles);
  const chosen = ranked.slice(0, top);
  if (!chosen.some((r) => configLabel(r.c) === configLabel(picked))) {
    chosen.push({ c: picked, cycles: estimateBf16GemmNtCost(picked, s).cycles });
  }
  // The pick without the L2 cache policies, to see what they buy.
  chosen.push({ c: { ...picked, l2Hints: false }, cycles: estimateBf16GemmNtCost(picked, s).cycles });
  return chosen.map(({ c, cycles }) => {
    progress(`gemm-bf16 sweep ${s.m}x${s.n}x${s.k} ${configLabel(c)}`);
    const m = measure(() => bf16GemmNt(a, b, d, { config: c }), runs);
    return {
      ...s,
      config: configLabel(c),
      picked: configLabel(c) === configLabel(picked),
      modelCycles: cycles,
      ...(m.seconds === undefined ? {} : { seconds: m.seconds }),
      ...(m.error === undefined ? {} : { error: m.error }),
    };
  });
}

export function benchGemmBf16(opts: Bf16BenchOptions): Bf16BenchResult {
  const p = getDeviceProperties(0);
  const dev = { numSms: p.smCount, maxSmemBytes: p.maxSharedMemoryPerBlockOptin };
  const info: Record<string, unknown> = {
    cublasLt: lt.available() ? { ...lt.info(), workspaceBytes: lt.WORKSPACE_BYTES } : { error: lt.unavailableReason() },
    method: 'L2 flush (256 MB memset) before every call, CUDA events, 3 warm-ups, median of 30; legacy default stream',
    inputs: 'seeded standard normal BF16 (device-generated), A [M, K] and B [N, K] K-major, D bf16 [M, N]',
  };
  if (!lt.available()) progress(`gemm-bf16: cuBLASLt is unavailable: ${lt.unavailableReason()}`);
  const rows: Bf16Row[] = [];
  const sweep: Bf16SweepRow[] = [];
  // Shapes that share (N, K) share B.
  const groups = new Map<string, GemmShape[]>();
  for (const s of opts.shapes) groups.set(`${s.n}x${s.k}`, [...(groups.get(`${s.n}x${s.k}`) ?? []), s]);
  const results = new Map<string, Bf16Row>();
  for (const shapes of groups.values()) {
    const { n, k } = shapes[0]!;
    const b = randn(n, k, seedOf(n, k, 2));
    try {
      for (const s of shapes) {
        const { m } = s;
        using a = randn(m, k, seedOf(m, n, k, 1));
        using dOurs = Tensor.empty([m, n], 'bf16', 'cuda:0');
        using dLt = Tensor.empty([m, n], 'bf16', 'cuda:0');
        synchronizeDevice();
        spinUp();
        const config = configLabel(selectBf16GemmNtConfig(s, PLAIN, dev));
        progress(`gemm-bf16 ${m}x${n}x${k}: ours (${config})`);
        const ours: Bf16Row['ours'] = { ...measure(() => bf16GemmNt(a, b, dOurs)), config };
        progress(`gemm-bf16 ${m}x${n}x${k}: cuBLASLt`);
        const cublas: Measurement = lt.available()
          ? measure(() => lt.bf16Gemm({ m, n, k, a: a.dataPtr, b: b.dataPtr, d: dLt.dataPtr }))
          : { error: `cuBLASLt unavailable: ${lt.unavailableReason()}` };
        if (ours.seconds !== undefined && cublas.seconds !== undefined) {
          const sampled = sampleRows(m, 16, seedOf(m, n, k, 3));
          ours.diffVsCublas = calcDiff(rowsOf(dOurs, n, sampled), rowsOf(dLt, n, sampled));
        }
        const reference = referenceFor(opts.reference, s);
        results.set(`${m}x${n}x${k}`, { ...s, ours, cublas, ...(reference ? { reference } : {}) });
        if (opts.sweep > 0) sweep.push(...sweepShape(s, a, b, dOurs, opts.sweep, opts.sweepRuns));
      }
    } finally {
      synchronizeDevice();
      b.dispose();
    }
  }
  for (const s of opts.shapes) rows.push(results.get(`${s.m}x${s.n}x${s.k}`)!);
  return { rows, sweep, info };
}
