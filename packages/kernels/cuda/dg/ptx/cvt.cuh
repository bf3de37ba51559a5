// dg/ptx/cvt.cuh: conversions and FP32 arithmetic with exactly specified rounding. The quantisation kernels must be
// bit-identical to the CPU reference (@dg/quant), so nothing here may be contracted into an FMA, flushed to zero or
// replaced by an approximation: every op is written in PTX with its rounding mode and without .ftz.
#pragma once

#include <dg/types.cuh>

namespace dg::ptx {

// Two f32 -> two e4m3fn bytes, round-to-nearest-even, out-of-range saturated to +-448, subnormals exact.
// `lo` lands in the low byte (the lower address once stored). NaN gives a NaN encoding whose sign is not specified
// for our purposes: callers that need the canonical 0x7F fix it up (see quant_cast.cuh).
__device__ __forceinline__ u16 cvt_e4m3x2(f32 lo, f32 hi) {
  u16 r;
  asm volatile("cvt.rn.satfinite.e4m3x2.f32 %0, %1, %2;" : "=h"(r) : "f"(hi), "f"(lo));
  return r;
}

// Same for e5m2 (+-57344 saturation).
__device__ __forceinline__ u16 cvt_e5m2x2(f32 lo, f32 hi) {
  u16 r;
  asm volatile("cvt.rn.satfinite.e5m2x2.f32 %0, %1, %2;" : "=h"(r) : "f"(hi), "f"(lo));
  return r;
}

// Two f32 -> packed bf16x2 (RNE, NaN stays NaN); `lo` in the low half.
__device__ __forceinline__ u32 cvt_bf16x2(f32 lo, f32 hi) {
  u32 r;
  asm volatile("cvt.rn.bf16x2.f32 %0, %1, %2;" : "=r"(r) : "f"(hi), "f"(lo));
  return r;
}

__device__ __forceinline__ bf16 cvt_bf16(f32 x) { return static_cast<bf16>(cvt_bf16x2(x, 0.0f) & 0xffffu); }

// Correctly rounded reciprocal (IEEE 1/x, RNE, subnormals kept). Not rcp.approx: the scale's inverse must match the
// CPU's fl(1/sf) bit for bit.
__device__ __forceinline__ f32 rcp_rn(f32 x) {
  f32 r;
  asm volatile("rcp.rn.f32 %0, %1;" : "=f"(r) : "f"(x));
  return r;
}

// Correctly rounded product that the compiler can never fuse with a neighbouring add.
__device__ __forceinline__ f32 mul_rn(f32 a, f32 b) {
  f32 r;
  asm volatile("mul.rn.f32 %0, %1, %2;" : "=f"(r) : "f"(a), "f"(b));
  return r;
}

// max that propagates NaN (fmaxf returns the non-NaN operand): an amax over a group containing NaN must be NaN.
__device__ __forceinline__ f32 max_nan(f32 a, f32 b) {
  f32 r;
  asm volatile("max.NaN.f32 %0, %1, %2;" : "=f"(r) : "f"(a), "f"(b));
  return r;
}

// |x| on packed bf16x2 followed by a NaN-propagating max: exact (max picks one of its inputs), and half the
// instructions of doing it per element in f32.
__device__ __forceinline__ u32 max_nan_abs_bf16x2(u32 acc, u32 x) {
  u32 r;
  asm volatile("max.NaN.bf16x2 %0, %1, %2;" : "=r"(r) : "r"(acc), "r"(x & 0x7fff7fffu));
  return r;
}

}  // namespace dg::ptx
