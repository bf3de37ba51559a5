// The dense GEMM entry points. Each validates everything first (a typed error names the argument), settles the empty
// cases on the host, then hands the checked problem to the backend of the tensors' device: the CPU reference for cpu
// tensors, the CUDA kernels otherwise. Calls return once the work is queued (CUDA) or done (CPU).

import type { Tensor } from '@dg/runtime';
import { cpuBackend } from './cpu/index.js';
import { gpuBackend } from './gpu/index.js';
import { copyInto, writeZeros } from './kZero.js';
import type { Bf16GemmNtOptions } from './options.js';
import { isSameView } from './overlap.js';
import type {
  Fp8GemmNtAccumulateOptions,
  Fp8GemmNtOptions,
  Fp8Operand,
  GemmBackend,
  ProblemDevice,
} from './problem.js';
import { validateBf16GemmNt, validateFp8GemmNt, validateFp8GemmNtAccumulate } from './validate.js';

function backendFor(device: ProblemDevice): GemmBackend {
  return device === 'cpu' ? cpuBackend : gpuBackend;
}

/**
 * D = A · Bᵀ in FP8 with fine-grained scales (DeepGEMM's fp8_gemm_nt, 1D2D recipe).
 * a = { data: e4m3fn [M, K], scale: f32 [M, ceil(K/128)] } (per token), b = { data: e4m3fn [N, K],
 * scale: f32 [ceil(N/128), ceil(K/128)] } (per 128x128 block), d: bf16 [M, N].
 */
export function fp8GemmNt(a: Fp8Operand, b: Fp8Operand, d: Tensor, opts: Fp8GemmNtOptions = {}): void {
  const p = validateFp8GemmNt(a, b, d, opts);
  if (p.m === 0 || p.n === 0) return;
  if (p.k === 0) writeZeros(p.d, opts.stream);
  else backendFor(p.device).fp8GemmNt(p, opts);
}

/**
 * D = C + A · Bᵀ in FP8, both operands scaled per 1x128 along K, FP32 output (the weight-gradient GEMM, DeepGEMM's
 * 1D1D recipe). a.scale: f32 [M, ceil(K/128)], b.scale: f32 [N, ceil(K/128)], d: f32 [M, N]. Without `c` (or with
 * `c` being `d`), D accumulates onto itself. On CUDA tensors (kernel sm90_fp8_gemm_1d1d) a distinct `c` is first
 * copied into `d` on the call's stream, then the product is added onto `d`; scales that are not MN-major TMA-aligned
 * are re-laid out on the device first. `opts.config` forces a kernel config instead of the heuristic's pick.
 */
export function fp8GemmNtAccumulate(
  a: Fp8Operand,
  b: Fp8Operand,
  d: Tensor,
  c?: Tensor | null,
  opts: Fp8GemmNtAccumulateOptions = {},
): void {
  const p = validateFp8GemmNtAccumulate(a, b, d, c, opts);
  if (p.m === 0 || p.n === 0) return;
  if (p.k === 0) {
    if (p.c !== null && !isSameView(p.c, p.d)) copyInto(p.d, p.c, opts.stream);
    return;
  }
  backendFor(p.device).fp8GemmNtAccumulate(p, opts);
}

/**
 * D = A · Bᵀ (+ opts.c) in BF16 with FP32 accumulation. a: bf16 [M, K], b: bf16 [N, K], each K-major or MN-major;
 * d: bf16 or f32 [M, N]; opts.c: like d.
 */
export function bf16GemmNt(a: Tensor, b: Tensor, d: Tensor, opts: Bf16GemmNtOptions = {}): void {
  const p = validateBf16GemmNt(a, b, d, opts);
  if (p.m === 0 || p.n === 0) return;
  if (p.k === 0) {
    if (p.c === null) writeZeros(p.d, opts.stream);
    else if (!isSameView(p.c, p.d)) copyInto(p.d, p.c, opts.stream);
    return;
  }
  backendFor(p.device).bf16GemmNt(p, opts);
}
