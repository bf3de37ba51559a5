// Test support for the GPU suite: FP64 references computed on the device (the shapes are too large for a host loop),
// a seeded random BF16 fill, and a bitwise comparison. Compiled by @dg/jit like any other kernel.

import { getKernel, type KernelSpec } from '@dg/jit';
import {
  copyDeviceToHost,
  copyHostToDevice,
  deviceAlloc,
  launch,
  memsetD8,
  ParamBuilder,
  type Tensor,
} from '@dg/runtime';

const SOURCE = String.raw`
typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long long u64;

__device__ __forceinline__ u64 mix64(u64 x) {
  x ^= x >> 30; x *= 0xbf58476d1ce4e5b9ull;
  x ^= x >> 27; x *= 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

// Standard normal BF16 values (Box-Muller on two hashed uniforms), truncated to bf16: a pure function of (seed, i).
extern "C" __global__ void dg_test_fill_randn_bf16(u16* out, u64 count, u32 seed, float scale) {
  for (u64 i = blockIdx.x * (u64)blockDim.x + threadIdx.x; i < count; i += (u64)gridDim.x * blockDim.x) {
    const u64 h = mix64(((u64)seed << 40) ^ i ^ 0x9e3779b97f4a7c15ull);
    const float u1 = ((u32)(h >> 40) + 0.5f) * (1.0f / 16777216.0f);
    const float u2 = ((u32)(h & 0xffffffu) + 0.5f) * (1.0f / 16777216.0f);
    const float v = scale * sqrtf(-2.0f * logf(u1)) * cosf(6.2831853f * u2);
    out[i] = (u16)(__float_as_uint(v) >> 16);
  }
}

__device__ __forceinline__ double e4m3_to_f64(u8 v) {
  const u32 e = (v >> 3) & 15u, f = v & 7u;
  if (e == 15u && f == 7u) return __longlong_as_double(0x7ff8000000000000ll);
  const double mag = e == 0 ? f * 0.001953125 : (8.0 + f) * ldexp(1.0, (int)e - 10);
  return (v & 0x80u) ? -mag : mag;
}

__device__ __forceinline__ double bf16_to_f64(u16 v) { return (double)__uint_as_float((u32)v << 16); }

__device__ __forceinline__ double warp_sum(double v) {
  for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
  return v;
}

// For D = A·Bᵀ (bf16 output of the kernel under test): the FP64 product of the dequantized FP8 operands (scale
// strides given per [row, k-block]; sfb is indexed by row / sfb_gran) and of the unquantized bf16 operands x, y.
// Accumulates into sums[0..4]: Σ d·q, Σ d², Σ q², Σ d·r, Σ r², from which calcDiff(d, q) and calcDiff(d, r) follow.
extern "C" __global__ void __launch_bounds__(256) dg_test_fp8_gemm_reference(
    const u8* a, u64 lda, const float* sfa, u64 sfa_s0, u64 sfa_s1,
    const u8* b, u64 ldb, const float* sfb, u64 sfb_s0, u64 sfb_s1, u32 sfb_gran,
    const u16* x, u64 ldx, const u16* y, u64 ldy, const u16* d, u64 ldd, u32 m, u32 n, u32 k, double* sums) {
  __shared__ double as[16][33], bs[16][33], xs[16][33], ys[16][33];
  const u32 tx = threadIdx.x % 16, ty = threadIdx.x / 16;
  const u32 row = blockIdx.y * 16 + ty, col = blockIdx.x * 16 + tx;
  const u32 arow = blockIdx.y * 16 + ty, brow = blockIdx.x * 16 + ty;
  double q = 0.0, r = 0.0;
  for (u32 k0 = 0; k0 < k; k0 += 32) {
    for (u32 e = tx; e < 32; e += 16) {
      const u32 kk = k0 + e;
      const bool ka = arow < m && kk < k, kb = brow < n && kk < k;
      as[ty][e] = ka ? e4m3_to_f64(a[arow * lda + kk]) * sfa[arow * sfa_s0 + (kk / 128) * sfa_s1] : 0.0;
      xs[ty][e] = ka ? bf16_to_f64(x[arow * ldx + kk]) : 0.0;
      bs[ty][e] = kb ? e4m3_to_f64(b[brow * ldb + kk]) * sfb[(brow / sfb_gran) * sfb_s0 + (kk / 128) * sfb_s1] : 0.0;
      ys[ty][e] = kb ? bf16_to_f64(y[brow * ldy + kk]) : 0.0;
    }
    __syncthreads();
    for (u32 e = 0; e < 32; ++e) {
      q += as[ty][e] * bs[tx][e];
      r += xs[ty][e] * ys[tx][e];
    }
    __syncthreads();
  }
  double v[5] = {0.0, 0.0, 0.0, 0.0, 0.0};
  if (row < m && col < n) {
    const double dv = bf16_to_f64(d[row * ldd + col]);
    v[0] = dv * q; v[1] = dv * dv; v[2] = q * q; v[3] = dv * r; v[4] = r * r;
  }
  for (int i = 0; i < 5; ++i) {
    const double s = warp_sum(v[i]);
    if (threadIdx.x % 32 == 0) atomicAdd(&sums[i], s);
  }
}

// Counts positions where two u16 buffers differ (NaN payloads included: this is a bitwise check).
extern "C" __global__ void dg_test_count_mismatches_u16(const u16* x, const u16* y, u64 count, u32* mismatches) {
  u32 local = 0;
  for (u64 i = blockIdx.x * (u64)blockDim.x + threadIdx.x; i < count; i += (u64)gridDim.x * blockDim.x)
    local += x[i] != y[i];
  for (int o = 16; o > 0; o >>= 1) local += __shfl_xor_sync(0xffffffffu, local, o);
  if (threadIdx.x % 32 == 0 && local != 0) atomicAdd(mismatches, local);
}
`;

const specs = new Map<string, KernelSpec>();
function kernel(name: string) {
  let spec = specs.get(name);
  if (spec === undefined) {
    spec = { name, source: SOURCE };
    specs.set(name, spec);
  }
  return getKernel(spec, { device: 0 });
}

const GRID_STRIDE_BLOCKS = 132 * 8;

/** Fills a bf16 cuda tensor (contiguous) with seeded standard normal values times `scale`. */
export function fillRandnBf16(t: Tensor, seed: number, scale = 1): void {
  const params = new ParamBuilder()
    .ptr(t.dataPtr)
    .u64(BigInt(t.numel))
    .u32(seed >>> 0)
    .f32(scale)
    .bytes();
  launch(kernel('dg_test_fill_randn_bf16'), { grid: GRID_STRIDE_BLOCKS, block: 256 }, params);
}

export interface Fp8GemmReferenceInputs {
  a: Tensor;
  sfa: Tensor;
  b: Tensor;
  sfb: Tensor;
  /** Rows of B sharing one scale row: 128 for 128x128 block scales, 1 for per-channel scales. */
  sfbGranularity: number;
  x: Tensor;
  y: Tensor;
  d: Tensor;
}

/** calcDiff of d against the FP64 product of the dequantized operands and against the unquantized product. */
export function fp8GemmDiffs(i: Fp8GemmReferenceInputs): { dequantized: number; unquantized: number } {
  const [m = 0, k = 0] = i.a.shape;
  const [n = 0] = i.b.shape;
  using sums = deviceAlloc(5 * 8);
  memsetD8(sums.ptr, 0, 5 * 8);
  const s = (t: Tensor, j: number) => BigInt(t.strides[j] ?? 0);
  const params = new ParamBuilder()
    .ptr(i.a.dataPtr)
    .u64(s(i.a, 0))
    .ptr(i.sfa.dataPtr)
    .u64(s(i.sfa, 0))
    .u64(s(i.sfa, 1))
    .ptr(i.b.dataPtr)
    .u64(s(i.b, 0))
    .ptr(i.sfb.dataPtr)
    .u64(s(i.sfb, 0))
    .u64(s(i.sfb, 1))
    .u32(i.sfbGranularity)
    .ptr(i.x.dataPtr)
    .u64(s(i.x, 0))
    .ptr(i.y.dataPtr)
    .u64(s(i.y, 0))
    .ptr(i.d.dataPtr)
    .u64(s(i.d, 0))
    .u32(m)
    .u32(n)
    .u32(k)
    .ptr(sums.ptr)
    .bytes();
  launch(kernel('dg_test_fp8_gemm_reference'), { grid: [Math.ceil(n / 16), Math.ceil(m / 16), 1], block: 256 }, params);
  const host = new Float64Array(5);
  copyDeviceToHost(host, sums.ptr);
  const [dq = 0, dd = 0, qq = 0, dr = 0, rr = 0] = host;
  const diff = (xy: number, yy: number) => (dd + yy === 0 ? 0 : 1 - (2 * xy) / (dd + yy));
  return { dequantized: diff(dq, qq), unquantized: diff(dr, rr) };
}

/** Number of differing 16-bit words between two cuda tensors of the same size (contiguous). */
export function countMismatchesU16(x: Tensor, y: Tensor): number {
  using out = deviceAlloc(4);
  memsetD8(out.ptr, 0, 4);
  const count = BigInt(x.nbytes / 2);
  const params = new ParamBuilder().ptr(x.dataPtr).ptr(y.dataPtr).u64(count).ptr(out.ptr).bytes();
  launch(kernel('dg_test_count_mismatches_u16'), { grid: GRID_STRIDE_BLOCKS, block: 256 }, params);
  const host = new Uint32Array(1);
  copyDeviceToHost(host, out.ptr);
  return host[0] ?? 0;
}

// ---------------------------------------------------------------------------------------------- bf16GemmNt checks
// D = A·Bᵀ (+ C) with bf16 A, B of any strides, C and D bf16 or f32 row-major. The FP64 reference runs on a list of
// rows of D (all rows of a small problem, an evenly spread sample of a large one, so that the suite stays within its
// device time) and a separate pass checks every element of D for NaN/Inf (outputs are pre-filled with NaN, so an
// element the kernel never wrote is caught even outside the sampled rows).

const BF16_SOURCE = `
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long long u64;

__device__ __forceinline__ u64 mix64(u64 x) {
  x ^= x >> 30; x *= 0xbf58476d1ce4e5b9ull;
  x ^= x >> 27; x *= 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

__device__ __forceinline__ double bf16_to_f64(u16 v) { return (double)__uint_as_float((u32)v << 16); }

__device__ __forceinline__ double load_f64(const void* p, u64 i, u32 is_f32) {
  return is_f32 ? (double)((const float*)p)[i] : bf16_to_f64(((const u16*)p)[i]);
}

__device__ __forceinline__ double warp_sum(double v) {
  for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
  return v;
}

// One block: 64 listed rows x 64 columns of D, each thread 4 x 4 outputs (rows ty + 16 i, columns tx + 16 j), K in
// chunks of 16 through shared memory. sums[0..2] += Σ d·r, Σ d², Σ r² over the block's valid outputs, where
// r = Σ_k a·b (+ c) in FP64. c_kind: 0 none, 1 bf16, 2 f32.
extern "C" __global__ void __launch_bounds__(256) dg_test_bf16_gemm_reference(
    const u16* a, u64 a_s0, u64 a_s1, const u16* b, u64 b_s0, u64 b_s1, const void* c, u64 ldc, u32 c_kind,
    const void* d, u64 ldd, u32 d_f32, const u32* rows, u32 num_rows, u32 n, u32 k, double* sums) {
  __shared__ double as[16][64], bs[16][64];
  __shared__ u32 row_of[64];
  const u32 tid = threadIdx.x, tx = tid % 16, ty = tid / 16;
  const u32 r0 = blockIdx.y * 64, c0 = blockIdx.x * 64;
  if (tid < 64) row_of[tid] = r0 + tid < num_rows ? rows[r0 + tid] : 0xffffffffu;
  __syncthreads();
  double acc[4][4];
  for (int i = 0; i < 4; ++i) for (int j = 0; j < 4; ++j) acc[i][j] = 0.0;
  for (u32 k0 = 0; k0 < k; k0 += 16) {
    for (u32 e = tid; e < 64 * 16; e += 256) {
      const u32 r = e / 16, kk = k0 + e % 16;
      const u32 row = row_of[r];
      as[e % 16][r] = row != 0xffffffffu && kk < k ? bf16_to_f64(a[row * a_s0 + kk * a_s1]) : 0.0;
      const u32 col = c0 + r;
      bs[e % 16][r] = col < n && kk < k ? bf16_to_f64(b[col * b_s0 + kk * b_s1]) : 0.0;
    }
    __syncthreads();
    for (u32 kk = 0; kk < 16; ++kk) {
      double av[4], bv[4];
      for (int i = 0; i < 4; ++i) av[i] = as[kk][ty + 16 * i];
      for (int j = 0; j < 4; ++j) bv[j] = bs[kk][tx + 16 * j];
      for (int i = 0; i < 4; ++i) for (int j = 0; j < 4; ++j) acc[i][j] += av[i] * bv[j];
    }
    __syncthreads();
  }
  double dr = 0.0, dd = 0.0, rr = 0.0;
  for (int i = 0; i < 4; ++i) {
    const u32 row = row_of[ty + 16 * i];
    if (row == 0xffffffffu) continue;
    for (int j = 0; j < 4; ++j) {
      const u32 col = c0 + tx + 16 * j;
      if (col >= n) continue;
      double r = acc[i][j];
      if (c_kind != 0) r += load_f64(c, (u64)row * ldc + col, c_kind == 2);
      const double dv = load_f64(d, (u64)row * ldd + col, d_f32);
      dr += dv * r; dd += dv * dv; rr += r * r;
    }
  }
  dr = warp_sum(dr); dd = warp_sum(dd); rr = warp_sum(rr);
  if (tid % 32 == 0) { atomicAdd(&sums[0], dr); atomicAdd(&sums[1], dd); atomicAdd(&sums[2], rr); }
}

// Counts NaN/Inf elements of a row-major [m, n] bf16 or f32 matrix with row stride ld.
extern "C" __global__ void dg_test_count_nonfinite(const void* d, u64 ld, u32 m, u32 n, u32 is_f32, u32* count) {
  u32 local = 0;
  const u64 total = (u64)m * n;
  for (u64 i = blockIdx.x * (u64)blockDim.x + threadIdx.x; i < total; i += (u64)gridDim.x * blockDim.x) {
    const u64 at = (i / n) * ld + i % n;
    const u32 bits = is_f32 ? __float_as_uint(((const float*)d)[at]) : ((u32)((const u16*)d)[at] << 16);
    local += (bits & 0x7f800000u) == 0x7f800000u;
  }
  for (int o = 16; o > 0; o >>= 1) local += __shfl_xor_sync(0xffffffffu, local, o);
  if (threadIdx.x % 32 == 0 && local != 0) atomicAdd(count, local);
}
`;

const bf16Specs = new Map<string, KernelSpec>();
function bf16Kernel(name: string) {
  let spec = bf16Specs.get(name);
  if (spec === undefined) {
    spec = { name, source: BF16_SOURCE };
    bf16Specs.set(name, spec);
  }
  return getKernel(spec, { device: 0 });
}

/** Multiply-adds the FP64 reference may spend on one check before it samples rows instead of taking all. */
const BF16_REFERENCE_MACS = 2 ** 33;

/**
 * Rows of D the FP64 reference covers: all of them while m·n·k fits the budget, else an evenly spread sample (odd
 * stride, so every row position inside a 64-row slab comes up) that always includes the first and the last row.
 */
export function referenceRows(m: number, n: number, k: number): number[] {
  if (m * n * k <= BF16_REFERENCE_MACS) return Array.from({ length: m }, (_, i) => i);
  const count = Math.max(16, Math.floor(BF16_REFERENCE_MACS / (n * k)));
  let step = Math.max(1, Math.floor((m - 1) / (count - 1)));
  if (step % 2 === 0) step -= 1;
  const rows = new Set<number>();
  for (let r = 0; r < m && rows.size < count - 1; r += step) rows.add(r);
  rows.add(m - 1);
  return [...rows].sort((x, y) => x - y);
}

export interface Bf16GemmReferenceInputs {
  /** bf16 [m, k], any strides. */
  a: Tensor;
  /** bf16 [n, k], any strides. */
  b: Tensor;
  /** The C values the call added (a copy when the call's C was D itself), row-major; null without C. */
  c: Tensor | null;
  /** The output, bf16 or f32, row-major. */
  d: Tensor;
}

/**
 * calcDiff of d against the FP64 product A·Bᵀ (+ C) on the rows of referenceRows(), the number of rows it covered,
 * and the number of NaN/Inf elements in the whole of d.
 */
export function bf16GemmCheck(i: Bf16GemmReferenceInputs): { diff: number; rows: number; nonFinite: number } {
  const [m = 0, k = 0] = i.a.shape;
  const [n = 0] = i.b.shape;
  const rows = referenceRows(m, n, k);
  using rowsDev = deviceAlloc(rows.length * 4);
  copyHostToDevice(rowsDev.ptr, Uint32Array.from(rows));
  using sums = deviceAlloc(3 * 8);
  memsetD8(sums.ptr, 0, 3 * 8);
  const s = (t: Tensor, j: number) => BigInt(t.strides[j] ?? 0);
  const cKind = i.c === null ? 0 : i.c.dtype === 'f32' ? 2 : 1;
  const dF32 = i.d.dtype === 'f32' ? 1 : 0;
  const params = new ParamBuilder()
    .ptr(i.a.dataPtr)
    .u64(s(i.a, 0))
    .u64(s(i.a, 1))
    .ptr(i.b.dataPtr)
    .u64(s(i.b, 0))
    .u64(s(i.b, 1))
    .ptr(i.c?.dataPtr ?? 0n)
    .u64(i.c === null ? 0n : s(i.c, 0))
    .u32(cKind)
    .ptr(i.d.dataPtr)
    .u64(s(i.d, 0))
    .u32(dF32)
    .ptr(rowsDev.ptr)
    .u32(rows.length)
    .u32(n)
    .u32(k)
    .ptr(sums.ptr)
    .bytes();
  launch(
    bf16Kernel('dg_test_bf16_gemm_reference'),
    { grid: [Math.ceil(n / 64), Math.ceil(rows.length / 64), 1], block: 256 },
    params,
  );
  using count = deviceAlloc(4);
  memsetD8(count.ptr, 0, 4);
  const countParams = new ParamBuilder().ptr(i.d.dataPtr).u64(s(i.d, 0)).u32(m).u32(n).u32(dF32).ptr(count.ptr).bytes();
  launch(bf16Kernel('dg_test_count_nonfinite'), { grid: GRID_STRIDE_BLOCKS, block: 256 }, countParams);
  const host = new Float64Array(3);
  copyDeviceToHost(host, sums.ptr);
  const nonFinite = new Uint32Array(1);
  copyDeviceToHost(nonFinite, count.ptr);
  const [dr = 0, dd = 0, rr = 0] = host;
  const diff = dd + rr === 0 ? 0 : 1 - (2 * dr) / (dd + rr);
  return { diff, rows: rows.length, nonFinite: nonFinite[0] ?? 0 };
}

// ---------------------------------------------------------------------------------------------------------------
// fp8GemmNtAccumulate (D f32 = C + A·Bᵀ, both operands scaled 1x128 along K): a seeded FP32 fill and the FP64
// reference. A separate translation unit, so the kernels above keep their cache entries.

const ACCUMULATE_SOURCE = `
typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long long u64;

__device__ __forceinline__ u64 mix64(u64 x) {
  x ^= x >> 30; x *= 0xbf58476d1ce4e5b9ull;
  x ^= x >> 27; x *= 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

// Standard normal FP32 values times scale into a row-major [rows, cols] tensor with row stride ld: a pure function
// of (seed, row * cols + col), so the same seed gives the same matrix at any stride.
extern "C" __global__ void dg_test_fill_randn_f32_2d(float* out, u32 rows, u32 cols, u64 ld, u32 seed, float scale) {
  const u64 count = (u64)rows * cols;
  for (u64 i = blockIdx.x * (u64)blockDim.x + threadIdx.x; i < count; i += (u64)gridDim.x * blockDim.x) {
    const u64 h = mix64(((u64)seed << 40) ^ i ^ 0x2545f4914f6cdd1dull);
    const float u1 = ((u32)(h >> 40) + 0.5f) * (1.0f / 16777216.0f);
    const float u2 = ((u32)(h & 0xffffffu) + 0.5f) * (1.0f / 16777216.0f);
    out[(i / cols) * ld + i % cols] = scale * sqrtf(-2.0f * logf(u1)) * cosf(6.2831853f * u2);
  }
}

__device__ __forceinline__ double e4m3_to_f64(u8 v) {
  const u32 e = (v >> 3) & 15u, f = v & 7u;
  if (e == 15u && f == 7u) return __longlong_as_double(0x7ff8000000000000ll);
  const double mag = e == 0 ? f * 0.001953125 : (8.0 + f) * ldexp(1.0, (int)e - 10);
  return (v & 0x80u) ? -mag : mag;
}

__device__ __forceinline__ double bf16_to_f64(u16 v) { return (double)__uint_as_float((u32)v << 16); }

__device__ __forceinline__ double warp_sum(double v) {
  for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
  return v;
}

// For D = C + A·Bᵀ (f32 output of the kernel under test, C the values D was meant to start from): q = the FP64
// product of the dequantized operands (A per row, B per row of B, both per 128-wide K block), r = the FP64 product
// of the unquantized bf16 operands x, y. Accumulates into sums[0..7]:
//   Σ d·(c+q), Σ d², Σ (c+q)², Σ d·(c+r), Σ (c+r)²   -> calcDiff(d, c + q), calcDiff(d, c + r)
//   Σ p·q, Σ p², Σ q² with p = d - c                  -> calcDiff(d - c, q): the product alone, however large C is
extern "C" __global__ void __launch_bounds__(256) dg_test_fp8_gemm_accumulate_reference(
    const u8* a, u64 lda, const float* sfa, u64 sfa_s0, u64 sfa_s1,
    const u8* b, u64 ldb, const float* sfb, u64 sfb_s0, u64 sfb_s1,
    const u16* x, u64 ldx, const u16* y, u64 ldy, const float* c, u64 ldc, const float* d, u64 ldd,
    u32 m, u32 n, u32 k, double* sums) {
  __shared__ double as[16][33], bs[16][33], xs[16][33], ys[16][33];
  const u32 tx = threadIdx.x % 16, ty = threadIdx.x / 16;
  const u32 row = blockIdx.y * 16 + ty, col = blockIdx.x * 16 + tx;
  const u32 arow = blockIdx.y * 16 + ty, brow = blockIdx.x * 16 + ty;
  double q = 0.0, r = 0.0;
  for (u32 k0 = 0; k0 < k; k0 += 32) {
    for (u32 e = tx; e < 32; e += 16) {
      const u32 kk = k0 + e;
      const bool ka = arow < m && kk < k, kb = brow < n && kk < k;
      as[ty][e] = ka ? e4m3_to_f64(a[arow * lda + kk]) * sfa[arow * sfa_s0 + (kk / 128) * sfa_s1] : 0.0;
      xs[ty][e] = ka ? bf16_to_f64(x[arow * ldx + kk]) : 0.0;
      bs[ty][e] = kb ? e4m3_to_f64(b[brow * ldb + kk]) * sfb[brow * sfb_s0 + (kk / 128) * sfb_s1] : 0.0;
      ys[ty][e] = kb ? bf16_to_f64(y[brow * ldy + kk]) : 0.0;
    }
    __syncthreads();
    for (u32 e = 0; e < 32; ++e) {
      q += as[ty][e] * bs[tx][e];
      r += xs[ty][e] * ys[tx][e];
    }
    __syncthreads();
  }
  double v[8] = {0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0};
  if (row < m && col < n) {
    const double dv = (double)d[row * ldd + col];
    const double cv = (double)c[row * ldc + col];
    const double cq = cv + q, cr = cv + r, p = dv - cv;
    v[0] = dv * cq; v[1] = dv * dv; v[2] = cq * cq; v[3] = dv * cr; v[4] = cr * cr;
    v[5] = p * q; v[6] = p * p; v[7] = q * q;
  }
  for (int i = 0; i < 8; ++i) {
    const double s = warp_sum(v[i]);
    if (threadIdx.x % 32 == 0) atomicAdd(&sums[i], s);
  }
}
`;

const accumulateSpecs = new Map<string, KernelSpec>();
function accumulateKernel(name: string) {
  let spec = accumulateSpecs.get(name);
  if (spec === undefined) {
    spec = { name, source: ACCUMULATE_SOURCE };
    accumulateSpecs.set(name, spec);
  }
  return getKernel(spec, { device: 0 });
}

/** Fills an f32 cuda [rows, cols] tensor (row-major, any row stride) with seeded standard normal values times `scale`. */
export function fillRandnF32(t: Tensor, seed: number, scale = 1): void {
  const [rows = 0, cols = 0] = t.shape;
  const params = new ParamBuilder()
    .ptr(t.dataPtr)
    .u32(rows)
    .u32(cols)
    .u64(BigInt(t.strides[0] ?? cols))
    .u32(seed >>> 0)
    .f32(scale)
    .bytes();
  launch(accumulateKernel('dg_test_fill_randn_f32_2d'), { grid: GRID_STRIDE_BLOCKS, block: 256 }, params);
}

export interface Fp8GemmAccumulateReferenceInputs {
  /** e4m3 [m, k] and its per-token scales [m, ceil(k/128)] (any strides). */
  a: Tensor;
  sfa: Tensor;
  /** e4m3 [n, k] and its per-channel scales [n, ceil(k/128)] (any strides). */
  b: Tensor;
  sfb: Tensor;
  /** The unquantized bf16 operands [m, k] and [n, k]. */
  x: Tensor;
  y: Tensor;
  /** f32 [m, n], row-major: what D held (or was set to) before the call. */
  c: Tensor;
  /** f32 [m, n], row-major: the result. */
  d: Tensor;
}

export interface Fp8GemmAccumulateDiffs {
  /** calcDiff(d, c + product of the dequantized operands). */
  dequantized: number;
  /** calcDiff(d, c + product of the unquantized operands). */
  unquantized: number;
  /** calcDiff(d - c, product of the dequantized operands): the product part alone. */
  productDequantized: number;
}

/** The FP64 reference of D = C + A·Bᵀ computed on the device, compared with `d`. */
export function fp8GemmAccumulateDiffs(i: Fp8GemmAccumulateReferenceInputs): Fp8GemmAccumulateDiffs {
  const [m = 0, k = 0] = i.a.shape;
  const [n = 0] = i.b.shape;
  using sums = deviceAlloc(8 * 8);
  memsetD8(sums.ptr, 0, 8 * 8);
  const s = (t: Tensor, j: number) => BigInt(t.strides[j] ?? 0);
  const params = new ParamBuilder()
    .ptr(i.a.dataPtr)
    .u64(s(i.a, 0))
    .ptr(i.sfa.dataPtr)
    .u64(s(i.sfa, 0))
    .u64(s(i.sfa, 1))
    .ptr(i.b.dataPtr)
    .u64(s(i.b, 0))
    .ptr(i.sfb.dataPtr)
    .u64(s(i.sfb, 0))
    .u64(s(i.sfb, 1))
    .ptr(i.x.dataPtr)
    .u64(s(i.x, 0))
    .ptr(i.y.dataPtr)
    .u64(s(i.y, 0))
    .ptr(i.c.dataPtr)
    .u64(s(i.c, 0))
    .ptr(i.d.dataPtr)
    .u64(s(i.d, 0))
    .u32(m)
    .u32(n)
    .u32(k)
    .ptr(sums.ptr)
    .bytes();
  launch(
    accumulateKernel('dg_test_fp8_gemm_accumulate_reference'),
    { grid: [Math.ceil(n / 16), Math.ceil(m / 16), 1], block: 256 },
    params,
  );
  const host = new Float64Array(8);
  copyDeviceToHost(host, sums.ptr);
  const [dcq = 0, dd = 0, cqcq = 0, dcr = 0, crcr = 0, pq = 0, pp = 0, qq = 0] = host;
  const diff = (xy: number, xx: number, yy: number) => (xx + yy === 0 ? 0 : 1 - (2 * xy) / (xx + yy));
  return { dequantized: diff(dcq, dd, cqcq), unquantized: diff(dcr, dd, crcr), productDequantized: diff(pq, pp, qq) };
}
