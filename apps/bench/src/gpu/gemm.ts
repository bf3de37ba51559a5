// `dg-bench gemm`: dense FP8 GEMM D = A·Bᵀ, ours (@dg/gemm fp8GemmNt) beside cuBLASLt blockwise (the same math),
// cuBLASLt per tensor and cuBLASLt BF16, all in this process, with the method of ../shared/perf/h100-reference.md:
// `randn` BF16 inputs cast with the reference recipe (A per token 1x128, B per 128x128 block, FP32 scales), a 256 MB
// L2 flush before every timed call, CUDA events around the one call, 3 warm-ups, median of 30 (gpu/timing.ts).
// Inputs, casts, scale re-layouts and the accuracy checks are outside the timed region. Every call runs on the legacy
// default stream: our kernels, @dg/quant/device, cuBLASLt (stream 0) and the timing events.

import type { fp8GemmNt } from '@dg/gemm';
import { calcDiff, decodeBf16 } from '@dg/quant';
import { type DeviceFp8Cast, perBlockCastToFp8, perTokenCastToFp8 } from '@dg/quant/device';
import { CudaError, synchronizeDevice, Tensor } from '@dg/runtime';
import * as lt from '../cublaslt/index.js';
import { fillNormal, fp64Rows, perTensorCastToFp8, pickRows, roundToBf16, sampleRows, seedOf } from '../gemm/host.js';
import type { GemmRow, Measurement } from '../gemm/report.js';
import { type GemmShape, type ReferenceRow, referenceFor } from '../gemm/shapes.js';
import { progress } from '../report.js';
import { spinUp, timeDevice } from './timing.js';

/** @dg/gemm's fp8GemmNt(a, b, d): D bf16 [m, n] = A [m, k] · B [n, k]ᵀ, A per token (1x128), B per 128x128 block. */
export type Fp8GemmNt = typeof fp8GemmNt;

export interface GemmBenchOptions {
  shapes: readonly GemmShape[];
  reference: readonly ReferenceRow[];
  /** Rows of D checked against the FP64 product. Default 16. */
  sampledRows?: number;
  /** Use this instead of loading @dg/gemm (tests, experiments). */
  ours?: Fp8GemmNt;
}

export interface GemmBenchResult {
  rows: GemmRow[];
  info: Record<string, unknown>;
}

function message(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const code = (e as { code?: unknown }).code;
  return code === 'DG_UNSUPPORTED' ? `unsupported: ${e.message}` : e.message;
}

/** Loads @dg/gemm at run time, so that a package that fails to load is a missing column, not a failed run. */
async function loadOurs(): Promise<{ fn?: Fp8GemmNt; error?: string }> {
  try {
    return { fn: (await import('@dg/gemm')).fp8GemmNt };
  } catch (e) {
    return { error: `@dg/gemm did not load: ${message(e)}` };
  }
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

const upload = <T extends Tensor>(t: T, list: Tensor[]): T => {
  list.push(t);
  return t;
};

/** The scales of `t` as cuBLASLt's `layout` needs them: `t` itself when it already is, else a packed copy. */
function scalesFor(t: Tensor, layout: lt.ScaleLayout, keep: Tensor[]): bigint {
  if (lt.matchesScaleLayout(t, layout)) return t.dataPtr;
  const packed = lt.packScales(t.toArray() as Float32Array, layout);
  return upload(Tensor.fromArray(packed, [packed.length], 'f32', 'cuda:0'), keep).dataPtr;
}

function decoded(t: Tensor, m: Measurement): Float32Array | undefined {
  return m.seconds === undefined ? undefined : decodeBf16(t.toArray() as Uint16Array);
}

interface BOperand {
  host: Float32Array;
  bf16: Tensor;
  blockwise: DeviceFp8Cast;
  blockwiseScale: bigint;
  perTensor: { data: Tensor; scale: Tensor };
  keep: Tensor[];
}

function prepareB(n: number, k: number): BOperand {
  const keep: Tensor[] = [];
  const host = new Float32Array(n * k);
  fillNormal(host, seedOf(n, k, 2));
  const bits = roundToBf16(host);
  const bf16 = upload(Tensor.fromArray(bits, [n, k], 'bf16', 'cuda:0'), keep);
  const blockwise = perBlockCastToFp8(bf16);
  keep.push(blockwise.data, blockwise.scale);
  const blockwiseScale = scalesFor(blockwise.scale, lt.blk128x128ScaleLayout(n, k), keep);
  const pt = perTensorCastToFp8(host);
  const perTensor = {
    data: upload(Tensor.fromArray(pt.data, [n, k], 'e4m3fn', 'cuda:0'), keep),
    scale: upload(Tensor.fromArray(Float32Array.of(pt.scale), [1], 'f32', 'cuda:0'), keep),
  };
  return { host, bf16, blockwise, blockwiseScale, perTensor, keep };
}

function benchShape(s: GemmShape, b: BOperand, ours: Fp8GemmNt | undefined, oursError: string, rowsWanted: number) {
  const { m, n, k } = s;
  const keep: Tensor[] = [];
  try {
    const aHost = new Float32Array(m * k);
    fillNormal(aHost, seedOf(m, n, k, 1));
    const a = upload(Tensor.fromArray(roundToBf16(aHost), [m, k], 'bf16', 'cuda:0'), keep);
    const aq = perTokenCastToFp8(a, { scaleLayout: 'mnMajorTmaAligned' });
    keep.push(aq.data, aq.scale);
    const aScale = scalesFor(aq.scale, lt.vec128ScaleLayout(m, k), keep);
    const apt = perTensorCastToFp8(aHost);
    const aPtData = upload(Tensor.fromArray(apt.data, [m, k], 'e4m3fn', 'cuda:0'), keep);
    const aPtScale = upload(Tensor.fromArray(Float32Array.of(apt.scale), [1], 'f32', 'cuda:0'), keep);
    const out = () => upload(Tensor.empty([m, n], 'bf16', 'cuda:0'), keep);
    const dOurs = out();
    const dBlk = out();
    const dPt = out();
    const dBf16 = out();
    synchronizeDevice();

    spinUp(); // the host work above left the GPU idle long enough for its clocks to drop
    progress(`gemm ${m}x${n}x${k}: ours`);
    const oursM: Measurement = ours === undefined ? { error: oursError } : measure(() => ours(aq, b.blockwise, dOurs));
    let blockwise: Measurement;
    let perTensor: Measurement;
    let bf16: Measurement;
    if (!lt.available()) {
      const error = `cuBLASLt unavailable: ${lt.unavailableReason()}`;
      blockwise = { error };
      perTensor = { error };
      bf16 = { error };
    } else {
      progress(`gemm ${m}x${n}x${k}: cuBLASLt blockwise, per tensor, BF16`);
      const fp8 = { m, n, k, a: aq.data.dataPtr, b: b.blockwise.data.dataPtr };
      blockwise = measure(() =>
        lt.fp8Gemm({ ...fp8, d: dBlk.dataPtr, scaleA: aScale, scaleB: b.blockwiseScale, scaleMode: 'blockwise' }),
      );
      if (blockwise.error !== undefined && m % 4 !== 0) {
        // Measured on an H100 with cuBLAS 13.1: the heuristic finds no blockwise algorithm unless M % 4 == 0.
        blockwise.error += ' (cuBLASLt blockwise needs M % 4 == 0)';
      }
      perTensor = measure(() =>
        lt.fp8Gemm({
          m,
          n,
          k,
          a: aPtData.dataPtr,
          b: b.perTensor.data.dataPtr,
          d: dPt.dataPtr,
          scaleA: aPtScale.dataPtr,
          scaleB: b.perTensor.scale.dataPtr,
          scaleMode: 'perTensor',
        }),
      );
      bf16 = measure(() => lt.bf16Gemm({ m, n, k, a: a.dataPtr, b: b.bf16.dataPtr, d: dBf16.dataPtr }));
    }

    progress(`gemm ${m}x${n}x${k}: accuracy`);
    const rows = sampleRows(m, rowsWanted, seedOf(m, n, k, 3));
    const ref = fp64Rows(aHost, b.host, n, k, rows);
    const blkOut = decoded(dBlk, blockwise);
    const check = (t: Tensor, meas: Measurement, vsBlockwise: boolean) => {
      const d = decoded(t, meas);
      if (d === undefined) return;
      meas.diffVsFp64 = calcDiff(pickRows(d, n, rows), ref);
      if (vsBlockwise && blkOut !== undefined) meas.diffVsBlockwise = calcDiff(d, blkOut);
    };
    check(dOurs, oursM, true);
    check(dBlk, blockwise, false);
    check(dPt, perTensor, true);
    check(dBf16, bf16, false);
    return { ours: oursM, blockwise, perTensor, bf16, sampledRows: rows.length };
  } finally {
    synchronizeDevice();
    for (const t of keep) t.dispose();
  }
}

export async function benchGemm(opts: GemmBenchOptions): Promise<GemmBenchResult> {
  const loaded = opts.ours === undefined ? await loadOurs() : { fn: opts.ours };
  const oursError = loaded.error ?? '';
  if (loaded.error !== undefined) progress(`gemm: ours is missing: ${loaded.error}`);
  const info: Record<string, unknown> = {
    ours: loaded.fn === undefined ? { error: loaded.error } : { loaded: '@dg/gemm fp8GemmNt' },
    cublasLt: lt.available() ? { ...lt.info(), workspaceBytes: lt.WORKSPACE_BYTES } : { error: lt.unavailableReason() },
    sampledRows: opts.sampledRows ?? 16,
    method: 'L2 flush (256 MB memset) before every call, CUDA events, 3 warm-ups, median of 30; legacy default stream',
  };
  // cuBLASLt's 32 MiB workspace (module-owned) is allocated on its first call, which measure() does not time.
  if (!lt.available()) progress(`gemm: cuBLASLt is unavailable: ${lt.unavailableReason()}`);

  // Shapes that share (N, K) share B: generate and cast it once.
  const groups = new Map<string, GemmShape[]>();
  for (const s of opts.shapes) {
    const key = `${s.n}x${s.k}`;
    groups.set(key, [...(groups.get(key) ?? []), s]);
  }
  const results = new Map<string, GemmRow>();
  for (const shapes of groups.values()) {
    const { n, k } = shapes[0]!;
    progress(`gemm: B [${n}, ${k}]: random BF16, casts`);
    const b = prepareB(n, k);
    try {
      for (const s of shapes) {
        const r = benchShape(s, b, loaded.fn, oursError, opts.sampledRows ?? 16);
        const reference = referenceFor(opts.reference, s);
        results.set(`${s.m}x${s.n}x${s.k}`, { ...s, ...r, ...(reference ? { reference } : {}) });
      }
    } finally {
      synchronizeDevice();
      for (const t of b.keep) t.dispose();
    }
  }
  if (lt.available()) info.cublasLtPlans = lt.plans();
  return { rows: opts.shapes.map((s) => results.get(`${s.m}x${s.n}x${s.k}`)!), info };
}
