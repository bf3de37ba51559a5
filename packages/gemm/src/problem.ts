// The checked description of one GEMM call that validation (validate.ts) hands to a backend (cpu/ or gpu/). Every
// tensor here already passed the dtype, shape, device, stride and alignment checks of its entry point.

import type { Sm90Fp8Gemm1d1dConfig, Sm90Fp8Gemm1d2dConfig } from '@dg/kernels';
import type { Stream, Tensor } from '@dg/runtime';
import type { Bf16GemmNtOptions } from './options.js';

/** An FP8 operand: e4m3fn data and its FP32 scale factors. */
export interface Fp8Operand {
  readonly data: Tensor;
  readonly scale: Tensor;
}

/** Where a problem runs: 'cpu' or the CUDA device index. */
export type ProblemDevice = 'cpu' | number;

/** D (bf16 [m, n]) = A · Bᵀ with A scaled per token (1x128) and B per 128x128 block. */
export interface Fp8GemmNtProblem {
  readonly kind: 'fp8GemmNt';
  readonly device: ProblemDevice;
  readonly m: number;
  readonly n: number;
  readonly k: number;
  /** e4m3fn [m, k], K-major: strides [lda, 1], lda >= k, lda % 16 == 0. */
  readonly a: Tensor<'e4m3fn'>;
  /** f32 [m, ceil(k/128)]: row-major (strides [s, 1], s >= ceil(k/128)) or MN-major (strides [1, s], s >= m). */
  readonly sfa: Tensor<'f32'>;
  /** e4m3fn [n, k], K-major: strides [ldb, 1], ldb >= k, ldb % 16 == 0. */
  readonly b: Tensor<'e4m3fn'>;
  /** f32 [ceil(n/128), ceil(k/128)], any strides (K-major and MN-major both common). */
  readonly sfb: Tensor<'f32'>;
  /** bf16 [m, n], row-major: strides [ldd, 1], ldd >= n, ldd % 8 == 0. */
  readonly d: Tensor<'bf16'>;
}

/** D (f32 [m, n]) = C + A · Bᵀ with both operands scaled 1x128 along K (the weight-gradient recipe). */
export interface Fp8GemmNtAccumulateProblem {
  readonly kind: 'fp8GemmNtAccumulate';
  readonly device: ProblemDevice;
  readonly m: number;
  readonly n: number;
  readonly k: number;
  readonly a: Tensor<'e4m3fn'>;
  /** f32 [m, ceil(k/128)], row-major or MN-major as for fp8GemmNt. */
  readonly sfa: Tensor<'f32'>;
  readonly b: Tensor<'e4m3fn'>;
  /** f32 [n, ceil(k/128)], row-major or MN-major. */
  readonly sfb: Tensor<'f32'>;
  /** f32 [m, n], row-major. */
  readonly d: Tensor<'f32'>;
  /** f32 [m, n] row-major, or null: accumulate onto D itself (D += A · Bᵀ). May be the same tensor as d. */
  readonly c: Tensor<'f32'> | null;
}

/** D (bf16 or f32 [m, n]) = A · Bᵀ (+ C). */
export interface Bf16GemmNtProblem {
  readonly kind: 'bf16GemmNt';
  readonly device: ProblemDevice;
  readonly m: number;
  readonly n: number;
  readonly k: number;
  /** bf16 [m, k]; 'k': strides [lda, 1]; 'mn': strides [1, lda] (lda >= m); lda % 8 == 0. */
  readonly a: Tensor<'bf16'>;
  readonly aMajor: 'k' | 'mn';
  /** bf16 [n, k]; 'k': strides [ldb, 1]; 'mn': strides [1, ldb]. */
  readonly b: Tensor<'bf16'>;
  readonly bMajor: 'k' | 'mn';
  /** bf16 or f32 [m, n], row-major. */
  readonly d: Tensor<'bf16'> | Tensor<'f32'>;
  /** Same dtype and shape as d, row-major, or null (no accumulation). May be the same tensor as d. */
  readonly c: Tensor<'bf16'> | Tensor<'f32'> | null;
}

export type GemmProblem = Fp8GemmNtProblem | Fp8GemmNtAccumulateProblem | Bf16GemmNtProblem;

/** Options every entry point takes. */
export interface GemmOptions {
  /** Stream to run on (CUDA tensors); default: the device's default stream. Must be on the tensors' device. */
  readonly stream?: Stream;
}

/** Options of fp8GemmNt. */
export interface Fp8GemmNtOptions extends GemmOptions {
  /** Force a kernel config instead of the heuristic's pick (checked against the kernel's rules and this device). */
  readonly config?: Sm90Fp8Gemm1d2dConfig;
}

/** Options of fp8GemmNtAccumulate. */
export interface Fp8GemmNtAccumulateOptions extends GemmOptions {
  /** Force a kernel config instead of the heuristic's pick (checked against the kernel's rules and this device). */
  readonly config?: Sm90Fp8Gemm1d1dConfig;
}

/** What a backend implements; validation has run before any of these is called, and m, n > 0 (k may be 0). */
export interface GemmBackend {
  fp8GemmNt(p: Fp8GemmNtProblem, opts: Fp8GemmNtOptions): void;
  fp8GemmNtAccumulate(p: Fp8GemmNtAccumulateProblem, opts: Fp8GemmNtAccumulateOptions): void;
  bf16GemmNt(p: Bf16GemmNtProblem, opts: Bf16GemmNtOptions): void;
}
