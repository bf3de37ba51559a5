// The CUDA backend: one launcher per kernel family. Validation (../validate.ts) has run before any of these.

import { DgUnsupportedError } from '../errors.js';
import type { GemmBackend } from '../problem.js';
import { launchSm90Fp8Gemm1d1d } from './sm90Fp8Gemm1d1d.js';
import { launchSm90Fp8Gemm1d2d } from './sm90Fp8Gemm1d2d.js';

function notYet(fn: string): never {
  throw new DgUnsupportedError(fn, 'device', "'cpu' (the CUDA kernel of this op is not built yet)", 'a CUDA tensor');
}

export const gpuBackend: GemmBackend = {
  fp8GemmNt: launchSm90Fp8Gemm1d2d,
  fp8GemmNtAccumulate: launchSm90Fp8Gemm1d1d,
  bf16GemmNt: () => notYet('bf16GemmNt'),
};
