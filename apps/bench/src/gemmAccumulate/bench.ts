// `dg-bench gemm-accumulate`: the FP8 weight-gradient GEMM D f32 [M, N] += A [M, K] · B [N, K]ᵀ, both operands
// scaled 1x128 along K (A per token, B per channel, FP32 scales), ours (@dg/gemm fp8GemmNtAccumulate, kernel
// sm90_fp8_gemm_1d1d) beside cuBLASLt doing the same math (VEC128_32F scales on both operands, FP32 D, beta = 1), in
// this process, with the method of `dg-bench gemm` (../shared/perf/h100-reference.md): `randn` BF16 inputs cast
// on the device, a 256 MB L2 flush before every timed call, CUDA events around the one call, 3 warm-ups, median of
// 30 (gpu/timing.ts). C is D itself (dW += ...), so no copy is timed; D keeps accumulating over the timed calls,
// which changes nothing in the work done. Accuracy is checked once before timing, from D = 0, on sampled rows.

import type * as Gemm from '@dg/gemm';
import { calcDiff } from '@dg/quant';
import { perTokenCastToFp8 } from '@dg/quant/device';
import { CudaError, copyDeviceToHost, getDeviceProperties, memsetD8, synchronizeDevice, Tensor } from '@dg/runtime';
import * as lt from '../cublaslt/index.js';
import { fillNormal, fp64Rows, roundToBf16, sampleRows, seedOf } from '../gemm/host.js';
import type { GemmShape } from '../gemm/shapes.js';
import { spinUp, timeDevice } from '../gpu/timing.js';
import { progress } from '../report.js';
import type { AccumulateRow, Measurement } from './report.js';

export interface AccumulateBenchOptions {
  shapes: readonly GemmShape[];
  /** Rows of D checked against the FP64 product. Default 4 (the GPU test suite checks every element). */
  sampledRows?: number;
}

export interface AccumulateBenchResult {
  rows: AccumulateRow[];
  info: Record<string, unknown>;
}

function message(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const code = (e as { code?: unknown }).code;
  return code === 'DG_UNSUPPORTED' ? `unsupported: ${e.message}` : e.message;
}

/** First call untimed (JIT, cuBLASLt heuristic; the error of an unsupported case), then the timed method. */
function measure(fn: () => void): Measurement {
  try {
    fn();
    synchronizeDevice();
    return { seconds: timeDevice(fn).median };
  } catch (e) {
    // A sticky error leaves the context unusable: nothing after it could be measured, so stop here.
    if (e instanceof CudaError && e.sticky) throw e;
    return { error: message(e) };
  }
}

/** A row-major bf16 operand from seeded normal values: the host copy (exactly the bf16 values) and the device one. */
function operand(rows: number, k: number, seed: number, keep: Tensor[]): { host: Float32Array; fp8: Gemm.Fp8Operand } {
  const host = new Float32Array(rows * k);
  fillNormal(host, seed);
  const bf16 = Tensor.fromArray(roundToBf16(host), [rows, k], 'bf16', 'cuda:0');
  keep.push(bf16);
  const q = perTokenCastToFp8(bf16, { scaleLayout: 'mnMajorTmaAligned' });
  keep.push(q.data, q.scale);
  return { host, fp8: q };
}

/** The given rows of an f32 [m, n] row-major device tensor, as float64. */
function rowsOf(d: Tensor, n: number, rows: readonly number[]): Float64Array {
  const out = new Float64Array(rows.length * n);
  const buf = new Float32Array(n);
  rows.forEach((r, i) => {
    copyDeviceToHost(buf, d.dataPtr + BigInt(r * n * 4));
    out.set(buf, i * n);
  });
  return out;
}

interface Prepared {
  host: Float32Array;
  fp8: Gemm.Fp8Operand;
  keep: Tensor[];
}

function benchShape(
  gemm: typeof Gemm,
  dev: Gemm.GemmDeviceInfo,
  s: GemmShape,
  b: Prepared,
  rowsWanted: number,
): Omit<AccumulateRow, keyof GemmShape> {
  const { m, n, k } = s;
  const keep: Tensor[] = [];
  try {
    const a = operand(m, k, seedOf(m, n, k, 1), keep);
    const dOurs = Tensor.empty([m, n], 'f32', 'cuda:0');
    keep.push(dOurs);
    const dLt = Tensor.empty([m, n], 'f32', 'cuda:0');
    keep.push(dLt);
    const config = gemm.describeFp8GemmNtAccumulateConfig(gemm.selectFp8GemmNtAccumulateConfig(s, dev), s);
    const ours = () => gemm.fp8GemmNtAccumulate(a.fp8, b.fp8, dOurs, dOurs);
    const cublas = () =>
      lt.fp8GemmAccumulate({
        m,
        n,
        k,
        a: a.fp8.data.dataPtr,
        b: b.fp8.data.dataPtr,
        d: dLt.dataPtr,
        scaleA: a.fp8.scale.dataPtr,
        scaleB: b.fp8.scale.dataPtr,
      });

    // Accuracy first, from D = 0: one call each, sampled rows against the FP64 product of the BF16 inputs.
    progress(`gemm-accumulate ${m}x${n}x${k}: accuracy`);
    const rows = sampleRows(m, rowsWanted, seedOf(m, n, k, 3));
    const ref = fp64Rows(a.host, b.host, n, k, rows);
    const once = (d: Tensor, fn: () => void): Float64Array | string => {
      try {
        memsetD8(d.dataPtr, 0, m * n * 4);
        fn();
        synchronizeDevice();
        return rowsOf(d, n, rows);
      } catch (e) {
        if (e instanceof CudaError && e.sticky) throw e;
        return message(e);
      }
    };
    const oursRows = once(dOurs, ours);
    const ltRows = lt.available() ? once(dLt, cublas) : `cuBLASLt unavailable: ${lt.unavailableReason()}`;

    spinUp(); // the host work above left the GPU idle long enough for its clocks to drop
    progress(`gemm-accumulate ${m}x${n}x${k}: ours (${config})`);
    const oursM: Measurement = typeof oursRows === 'string' ? { error: oursRows } : measure(ours);
    progress(`gemm-accumulate ${m}x${n}x${k}: cuBLASLt`);
    const ltM: Measurement = typeof ltRows === 'string' ? { error: ltRows } : measure(cublas);
    if (typeof oursRows !== 'string') {
      oursM.diffVsFp64 = calcDiff(oursRows, ref);
      if (typeof ltRows !== 'string') oursM.diffVsCublasLt = calcDiff(oursRows, ltRows);
    }
    if (typeof ltRows !== 'string') ltM.diffVsFp64 = calcDiff(ltRows, ref);
    return { config, ours: oursM, cublasLt: ltM, sampledRows: rows.length };
  } finally {
    synchronizeDevice();
    for (const t of keep) t.dispose();
  }
}

export async function benchGemmAccumulate(opts: AccumulateBenchOptions): Promise<AccumulateBenchResult> {
  const gemm = await import('@dg/gemm');
  const p = getDeviceProperties(0);
  const limit = gemm.getNumSms();
  const dev: Gemm.GemmDeviceInfo = {
    numSms: limit === undefined ? p.smCount : Math.min(limit, p.smCount),
    maxSmemBytes: p.maxSharedMemoryPerBlockOptin,
  };
  const info: Record<string, unknown> = {
    ours: '@dg/gemm fp8GemmNtAccumulate(a, b, d, d): C is D',
    cublasLt: lt.available()
      ? { ...lt.info(), workspaceBytes: lt.WORKSPACE_BYTES, math: 'VEC128_32F x VEC128_32F, FP32 D, beta = 1' }
      : { error: lt.unavailableReason() },
    sampledRows: opts.sampledRows ?? 4,
    method: 'L2 flush (256 MB memset) before every call, CUDA events, 3 warm-ups, median of 30; legacy default stream',
  };
  // Shapes that share (N, K) share B: generate and cast it once.
  const groups = new Map<string, GemmShape[]>();
  for (const s of opts.shapes) {
    const key = `${s.n}x${s.k}`;
    groups.set(key, [...(groups.get(key) ?? []), s]);
  }
  const results = new Map<string, AccumulateRow>();
  for (const shapes of groups.values()) {
    const { n, k } = shapes[0] as GemmShape;
    progress(`gemm-accumulate: B [${n}, ${k}]: random BF16, per-channel cast`);
    const keep: Tensor[] = [];
    const b = { ...operand(n, k, seedOf(n, k, 2), keep), keep };
    try {
      for (const s of shapes) {
        results.set(`${s.m}x${s.n}x${s.k}`, { ...s, ...benchShape(gemm, dev, s, b, opts.sampledRows ?? 4) });
      }
    } finally {
      synchronizeDevice();
      for (const t of keep) t.dispose();
    }
  }
  if (lt.available()) info.cublasLtPlans = lt.plans();
  return {
    rows: opts.shapes.map((s) => results.get(`${s.m}x${s.n}x${s.k}`) as AccumulateRow),
    info,
  };
}
