// fp8GemmNt on the CPU: D (bf16) = RNE(Σ_kb FP32(sfa[m, kb] · sfb[n/128, kb]) · partial), as the 1D2D kernel
// computes it (see blockScaled.ts).

import type { Fp8GemmNtProblem } from '../problem.js';
import { accumulateBlockScaled } from './blockScaled.js';
import { readHostMatrix, writeHostMatrix } from './hostMatrix.js';

export function cpuFp8GemmNt(p: Fp8GemmNtProblem): void {
  const out = new Float32Array(p.m * p.n);
  const operands = {
    a: readHostMatrix(p.a),
    b: readHostMatrix(p.b),
    sfa: readHostMatrix(p.sfa),
    sfb: readHostMatrix(p.sfb),
    sfbRowSpan: 128,
  };
  accumulateBlockScaled(operands, p.m, p.n, p.k, out);
  writeHostMatrix(p.d, out);
}
