// fp8GemmNtAccumulate on the CPU: D (f32) = C + Σ_kb FP32(sfa[m, kb] · sfb[n, kb]) · partial, as the 1D1D kernel
// computes it: the accumulator starts at C (or at D itself when C is omitted) and stays FP32.

import type { Fp8GemmNtAccumulateProblem } from '../problem.js';
import { accumulateBlockScaled } from './blockScaled.js';
import { readHostMatrix, writeHostMatrix } from './hostMatrix.js';

export function cpuFp8GemmNtAccumulate(p: Fp8GemmNtAccumulateProblem): void {
  const out = new Float32Array(readHostMatrix(p.c ?? p.d));
  const operands = {
    a: readHostMatrix(p.a),
    b: readHostMatrix(p.b),
    sfa: readHostMatrix(p.sfa),
    sfb: readHostMatrix(p.sfb),
    sfbRowSpan: 1,
  };
  accumulateBlockScaled(operands, p.m, p.n, p.k, out);
  writeHostMatrix(p.d, out);
}
