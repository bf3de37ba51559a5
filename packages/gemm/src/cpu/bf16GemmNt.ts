// bf16GemmNt on the CPU: D = round_to_d(FP32(A · Bᵀ) + C). Every product of two bf16 values is exact; each dot
// product is summed in double precision and rounded once to FP32 (at least as accurate as the kernel's FP32
// accumulation), then C is added in FP32 and the result rounded to d's dtype (bf16: nearest even).

import type { Bf16GemmNtProblem } from '../problem.js';
import { addDotProducts } from './dots.js';
import { readHostMatrix, writeHostMatrix } from './hostMatrix.js';

/** K elements per pass of the dot products (keeps the rows they read in cache). */
const K_STEP = 128;

export function cpuBf16GemmNt(p: Bf16GemmNtProblem): void {
  const { m, n, k } = p;
  // readHostMatrix gathers any strides, so MN-major operands arrive K-major like the others.
  const a = { values: readHostMatrix(p.a), stride: k };
  const b = { values: readHostMatrix(p.b), stride: k };
  const out = p.c === null ? new Float32Array(m * n) : new Float32Array(readHostMatrix(p.c));
  const sums = new Float64Array(m * n);
  for (let k0 = 0; k0 < k; k0 += K_STEP) addDotProducts(a, b, m, n, k0, Math.min(k, k0 + K_STEP), sums);
  // The Float32Array store rounds the sum with C to FP32.
  for (let i = 0; i < m * n; i++) out[i] = Math.fround(sums[i]!) + out[i]!;
  writeHostMatrix(p.d, out);
}
