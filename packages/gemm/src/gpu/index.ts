// The CUDA backend: one launcher per kernel family. Validation (../validate.ts) has run before any of these.

import type { GemmBackend } from '../problem.js';
import { launchSm90Bf16Gemm } from './sm90Bf16Gemm.js';
import { launchSm90Fp8Gemm1d1d } from './sm90Fp8Gemm1d1d.js';
import { launchSm90Fp8Gemm1d2d } from './sm90Fp8Gemm1d2d.js';

export const gpuBackend: GemmBackend = {
  fp8GemmNt: launchSm90Fp8Gemm1d2d,
  fp8GemmNtAccumulate: launchSm90Fp8Gemm1d1d,
  bf16GemmNt: launchSm90Bf16Gemm,
};
