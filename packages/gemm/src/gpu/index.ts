// The CUDA backend: one launcher per kernel family. Validation (../validate.ts) has run before any of these.

import { DgUnsupportedError } from '../errors.js';
import type { GemmBackend } from '../problem.js';
import { launchSm90Bf16Gemm } from './sm90Bf16Gemm.js';
import { launchSm90Fp8Gemm1d2d } from './sm90Fp8Gemm1d2d.js';

function notYet(fn: string): never {
  throw new DgUnsupportedError(fn, 'device', "'cpu' (the CUDA kernel of this op is not built yet)", 'a CUDA tensor');
}

export const gpuBackend: GemmBackend = {
  fp8GemmNt: launchSm90Fp8Gemm1d2d,
  fp8GemmNtAccumulate: () => notYet('fp8GemmNtAccumulate'),
  bf16GemmNt: launchSm90Bf16Gemm,
};
