// `dg-bench gemm-accumulate-configs`: the fp8GemmNtAccumulate heuristic's candidates for a few shapes, each timed
// with the reference method (L2 flush, events, median), beside the cost model; plus probe configs outside the
// candidate list (block N = 0 (mod 16), whose FP32 epilogue stores have bank conflicts), so the candidate list itself
// can be checked. The tool for tuning the heuristic and the kernel.

import {
  estimateFp8GemmNtAccumulateCost,
  fp8GemmNtAccumulate,
  listFp8GemmNtAccumulateCandidates,
  selectFp8GemmNtAccumulateConfig,
} from '@dg/gemm';
import { type Sm90Fp8Gemm1d1dConfig, sm90Fp8Gemm1d1dMaxStages, sm90Fp8Gemm1d1dShapeProblem } from '@dg/kernels';
import { perTokenCastToFp8 } from '@dg/quant/device';
import { getDeviceProperties, memsetD8, synchronizeDevice, Tensor } from '@dg/runtime';
import { fillNormal, roundToBf16, seedOf } from '../gemm/host.js';
import type { GemmShape } from '../gemm/shapes.js';
import { spinUp, timeDevice } from '../gpu/timing.js';
import { progress } from '../report.js';

export interface AccumulateConfigRow {
  m: number;
  n: number;
  k: number;
  config: string;
  picked: boolean;
  /** Not a heuristic candidate: a probe of the candidate list. */
  probe: boolean;
  modelCycles: number;
  us?: number;
  tflops?: number;
  error?: string;
}

const label = (c: Sm90Fp8Gemm1d1dConfig) => `${c.blockM}x${c.blockN} s${c.numStages} mc=${c.multicast}`;

function bf16Randn(rows: number, cols: number, seed: number): Tensor {
  const host = new Float32Array(rows * cols);
  fillNormal(host, seed);
  return Tensor.fromArray(roundToBf16(host), [rows, cols], 'bf16', 'cuda:0');
}

/** Probes: blockM 128 with block N 128 and 144 (not 8 mod 16: bank conflicts in the epilogue), the pick's multicast. */
function probes(shape: GemmShape, picked: Sm90Fp8Gemm1d1dConfig, numSms: number): Sm90Fp8Gemm1d1dConfig[] {
  const out: Sm90Fp8Gemm1d1dConfig[] = [];
  for (const blockN of [128, 144]) {
    const numStages = sm90Fp8Gemm1d1dMaxStages(128, blockN);
    for (const multicast of [picked.multicast, 'none'] as const) {
      const c: Sm90Fp8Gemm1d1dConfig = { blockM: 128, blockN, numStages, multicast, numSms };
      if (sm90Fp8Gemm1d1dShapeProblem(c, shape) === null) {
        out.push(c);
        break;
      }
    }
  }
  return out;
}

/** Times the `top` candidates by model cost (all when top is 0) of each shape, the heuristic's pick and the probes. */
export function benchGemmAccumulateConfigs(
  shapes: readonly GemmShape[],
  top: number,
  runs: number,
): AccumulateConfigRow[] {
  const p = getDeviceProperties(0);
  const dev = { numSms: p.smCount, maxSmemBytes: p.maxSharedMemoryPerBlockOptin };
  spinUp();
  const rows: AccumulateConfigRow[] = [];
  for (const shape of shapes) {
    const { m, n, k } = shape;
    const picked = selectFp8GemmNtAccumulateConfig(shape, dev);
    const ranked = listFp8GemmNtAccumulateCandidates(shape, dev)
      .map((c) => ({ c, cycles: estimateFp8GemmNtAccumulateCost(c, shape).cycles, probe: false }))
      .sort((x, y) => x.cycles - y.cycles);
    const chosen = top > 0 ? ranked.slice(0, top) : ranked;
    if (!chosen.some((r) => label(r.c) === label(picked))) {
      chosen.push({ c: picked, cycles: estimateFp8GemmNtAccumulateCost(picked, shape).cycles, probe: false });
    }
    for (const c of probes(shape, picked, dev.numSms)) {
      if (!chosen.some((r) => label(r.c) === label(c))) {
        chosen.push({ c, cycles: estimateFp8GemmNtAccumulateCost(c, shape).cycles, probe: true });
      }
    }
    using x = bf16Randn(m, k, seedOf(m, n, k, 1));
    using y = bf16Randn(n, k, seedOf(n, k, 2));
    const a = perTokenCastToFp8(x, { scaleLayout: 'mnMajorTmaAligned' });
    const b = perTokenCastToFp8(y, { scaleLayout: 'mnMajorTmaAligned' });
    using d = Tensor.empty([m, n], 'f32', 'cuda:0');
    memsetD8(d.dataPtr, 0, m * n * 4);
    for (const { c, cycles, probe } of chosen) {
      progress(`gemm-accumulate-configs ${m}x${n}x${k} ${label(c)}`);
      const row: AccumulateConfigRow = {
        m,
        n,
        k,
        config: label(c),
        picked: label(c) === label(picked),
        probe,
        modelCycles: cycles,
      };
      try {
        const call = () => fp8GemmNtAccumulate(a, b, d, d, { config: c });
        call();
        synchronizeDevice();
        spinUp(); // the compile above may have left the GPU idle long enough for its clocks to drop
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
