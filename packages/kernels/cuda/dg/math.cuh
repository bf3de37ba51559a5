// dg/math.cuh: integer helpers usable both in constant expressions (template arguments, static_asserts) and at run
// time on the device.
#pragma once

#include <dg/types.cuh>

namespace dg {

template <typename T>
__host__ __device__ constexpr T ceil_div(T a, T b) {
  return (a + b - 1) / b;
}

template <typename T>
__host__ __device__ constexpr T align(T a, T b) {
  return ceil_div(a, b) * b;
}

template <typename T>
__host__ __device__ constexpr T min_of(T a, T b) {
  return a < b ? a : b;
}

template <typename T>
__host__ __device__ constexpr T max_of(T a, T b) {
  return a > b ? a : b;
}

__host__ __device__ constexpr bool is_pow2(u32 x) { return x != 0 && (x & (x - 1)) == 0; }

// Number of scale-factor entries per MN column such that each column starts 16-byte aligned (TMA requirement):
// DeepGEMM's get_tma_aligned_size(mn, sizeof(float)).
__host__ __device__ constexpr u32 tma_aligned_mn(u32 mn) { return align<u32>(mn, 4u); }

__host__ __device__ constexpr u32 gcd_of(u32 a, u32 b) { return b == 0 ? a : gcd_of(b, a % b); }

// A u32 as a type, so a call can pass a compile-time value through a generic lambda (decltype(arg)::value).
template <u32 V>
struct U32Const {
  static constexpr u32 value = V;
};

}  // namespace dg
