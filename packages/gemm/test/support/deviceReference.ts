// Test support for the GPU suite: FP64 references computed on the device (the shapes are too large for a host loop),
// a seeded random BF16 fill, and a bitwise comparison. Compiled by @dg/jit like any other kernel.

import { getKernel, type KernelSpec } from '@dg/jit';
import { copyDeviceToHost, deviceAlloc, launch, memsetD8, ParamBuilder, type Tensor } from '@dg/runtime';

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
