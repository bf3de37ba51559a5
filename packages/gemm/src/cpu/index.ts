// The CPU reference backend: every op computed on the host with the kernels' arithmetic, writing into d's storage.
// It is what runs on machines without a GPU, and what the GPU kernels are tested against. Synchronous; streams do not
// apply (validation rejects one for cpu tensors).

import type { GemmBackend } from '../problem.js';
import { cpuBf16GemmNt } from './bf16GemmNt.js';
import { cpuFp8GemmNt } from './fp8GemmNt.js';
import { cpuFp8GemmNtAccumulate } from './fp8GemmNtAccumulate.js';

export const cpuBackend: GemmBackend = {
  fp8GemmNt: (p) => cpuFp8GemmNt(p),
  fp8GemmNtAccumulate: (p) => cpuFp8GemmNtAccumulate(p),
  bf16GemmNt: (p) => cpuBf16GemmNt(p),
};
