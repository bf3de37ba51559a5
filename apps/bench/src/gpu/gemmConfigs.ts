// `dg-bench gemm-configs`: every candidate config of the fp8GemmNt heuristic for a few shapes, each timed with the
// reference method (L2 flush, events, median), beside the heuristic's cost model. The tool for tuning the
// heuristic and the kernel: it shows what the model would have to pick and how far its pick is from the best.
// Every config's output is checked before it is timed: against the FP64 product of the unquantized inputs on
// sampled rows, and against the output of the heuristic's pick.

import { estimateFp8GemmNtCost, fp8GemmNt, listFp8GemmNtCandidates, selectFp8GemmNtConfig } from '@dg/gemm';
import type { Sm90Fp8Gemm1d2dConfig } from '@dg/kernels';
import { calcDiff, decodeBf16 } from '@dg/quant';
import { perBlockCastToFp8, perTokenCastToFp8 } from '@dg/quant/device';
import { getDeviceProperties, memsetD16, synchronizeDevice, Tensor } from '@dg/runtime';
import { fillNormal, fp64Rows, pickRows, roundToBf16, sampleRows, seedOf } from '../gemm/host.js';
import type { GemmShape } from '../gemm/shapes.js';
import { progress } from '../report.js';
import { spinUp, timeDevice } from './timing.js';

export interface GemmConfigRow {
  m: number;
  n: number;
  k: number;
  config: string;
  picked: boolean;
  modelCycles: number;
  /** calcDiff against the FP64 product of the unquantized inputs (sampled rows). */
  diffVsFp64?: number;
  /** calcDiff against the heuristic pick's output. */
  diffVsPicked?: number;
  us?: number;
  tflops?: number;
  error?: string;
}

const label = (c: Sm90Fp8Gemm1d2dConfig) =>
  `${c.blockM}x${c.blockN} s${c.numStages} mc=${c.multicast}${c.l2Hints === false ? ' no-l2-hints' : ''}${c.pipeline === false ? ' no-pipeline' : ''}${c.epilogue === 'warpgroup' ? ' ewg' : ''}${c.exactKUnroll === false ? ' no-exact-k' : ''}`;

/** Seeded randn rounded to bf16: the host copy (FP32 holding bf16 values) and the device tensor. */
function bf16Randn(rows: number, cols: number, seed: number): { host: Float32Array; t: Tensor } {
  const host = new Float32Array(rows * cols);
  fillNormal(host, seed);
  const bits = roundToBf16(host);
  return { host: decodeBf16(bits), t: Tensor.fromArray(bits, [rows, cols], 'bf16', 'cuda:0') };
}

/** Extra configs to time beside the candidates, e.g. to try what the heuristic rules out (`--with 64x16:16:a,...`). */
export interface ExtraConfig {
  readonly blockM: 64 | 128 | 256;
  readonly blockN: number;
  readonly numStages: number;
  readonly multicast: 'none' | 'a' | 'b';
  readonly l2Hints?: boolean;
  readonly pipeline?: boolean;
  readonly epilogue?: 'joint' | 'warpgroup';
  readonly exactKUnroll?: boolean;
}

/**
 * Parses `BMxBN:STAGES:MC[:nohint][:nopipe][:ewg][:nokx]` (MC = none | a | b; nohint: no L2 cache policies; nopipe: the
 * plain K loop; ewg: the per-warpgroup epilogue, else the joint one; nokx: the K loop with its remainder where K would allow the
 * exact-K-unroll one), e.g. `64x16:16:a`, `64x16:16:none:nohint:nopipe`,
 * `256x128:3:a:ewg`.
 */
export function parseExtraConfig(text: string): ExtraConfig | null {
  const m = /^(64|128|256)x(\d+):(\d+):(none|a|b)(:nohint)?(:nopipe)?(:ewg)?(:nokx)?$/.exec(text);
  if (m === null) return null;
  const base = {
    blockM: Number(m[1]) as 64 | 128 | 256,
    blockN: Number(m[2]),
    numStages: Number(m[3]),
    multicast: m[4] as 'none' | 'a' | 'b',
  };
  return {
    ...base,
    ...(m[5] === undefined ? {} : { l2Hints: false }),
    ...(m[6] === undefined ? {} : { pipeline: false }),
    ...(m[7] === undefined ? {} : { epilogue: 'warpgroup' as const }),
    ...(m[8] === undefined ? {} : { exactKUnroll: false }),
  };
}

/**
 * Times the `top` candidates by model cost (all when top is 0) of each shape, plus the heuristic's pick and the
 * `extra` configs (those that cannot run a shape report the reason in `error`).
 */
export function benchGemmConfigs(
  shapes: readonly GemmShape[],
  top: number,
  runs: number,
  extra: readonly ExtraConfig[] = [],
): GemmConfigRow[] {
  const p = getDeviceProperties(0);
  const dev = { numSms: p.smCount, maxSmemBytes: p.maxSharedMemoryPerBlockOptin };
  spinUp();
  const rows: GemmConfigRow[] = [];
  for (const shape of shapes) {
    const { m, n, k } = shape;
    const picked = selectFp8GemmNtConfig(shape, dev);
    const ranked = listFp8GemmNtCandidates(shape, dev)
      .map((c) => ({ c, cycles: estimateFp8GemmNtCost(c, shape).cycles }))
      .sort((x, y) => x.cycles - y.cycles);
    const chosen = top > 0 ? ranked.slice(0, top) : ranked;
    if (!chosen.some((r) => label(r.c) === label(picked))) {
      chosen.push({ c: picked, cycles: estimateFp8GemmNtCost(picked, shape).cycles });
    }
    for (const x of extra) {
      const c: Sm90Fp8Gemm1d2dConfig = { ...x, numSms: dev.numSms };
      if (!chosen.some((r) => label(r.c) === label(c)))
        chosen.push({ c, cycles: estimateFp8GemmNtCost(c, shape).cycles });
    }
    const x = bf16Randn(m, k, seedOf(m, n, k, 1));
    const y = bf16Randn(n, k, seedOf(n, k, 2));
    const a = perTokenCastToFp8(x.t, { scaleLayout: 'mnMajorTmaAligned' });
    const b = perBlockCastToFp8(y.t);
    x.t.dispose();
    y.t.dispose();
    using d = Tensor.empty([m, n], 'bf16', 'cuda:0');
    progress(`gemm-configs ${m}x${n}x${k}: FP64 reference rows`);
    const sampled = sampleRows(m, 8, seedOf(m, n, k, 3));
    const ref = fp64Rows(x.host, y.host, n, k, sampled);
    fp8GemmNt(a, b, d, { config: picked });
    const pickedOut = decodeBf16(d.toArray() as Uint16Array);
    // Pick first: its output is what the others are compared with.
    chosen.sort((p, q) => Number(label(q.c) === label(picked)) - Number(label(p.c) === label(picked)));
    for (const { c, cycles } of chosen) {
      progress(`gemm-configs ${m}x${n}x${k} ${label(c)}`);
      const row: GemmConfigRow = { m, n, k, config: label(c), picked: label(c) === label(picked), modelCycles: cycles };
      try {
        const call = () => fp8GemmNt(a, b, d, { config: c });
        memsetD16(d.dataPtr, 0x7fc0, m * n);
        call();
        synchronizeDevice();
        const out = decodeBf16(d.toArray() as Uint16Array);
        row.diffVsFp64 = calcDiff(pickRows(out, n, sampled), ref);
        row.diffVsPicked = calcDiff(out, pickedOut);
        // The output check and any compile above ran on the host long enough for the GPU's clocks to drop (a
        // 256x128 pick once read 1158 us, 50% over its usual time, as the first config after the FP64 reference).
        spinUp();
        const t = timeDevice(call, { runs }).median;
        row.us = t * 1e6;
        row.tflops = (2 * m * n * k) / t / 1e12;
      } catch (e) {
        row.error = e instanceof Error ? e.message : String(e);
      }
      rows.push(row);
    }
    for (const t of [a.data, a.scale, b.data, b.scale]) t.dispose();
  }
  return rows;
}
