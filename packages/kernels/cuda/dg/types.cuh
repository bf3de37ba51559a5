// dg/types.cuh: the fixed-width types every dg kernel uses.
//
// Written for NVRTC, which has no <cstdint> and no CUDA headers on its include path unless asked: everything here is
// spelled with built-in types only, and lives in namespace dg so that it can never clash with what NVCC's implicit
// cuda_runtime.h (or a user's cuda.h) declares.
#pragma once

namespace dg {

typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long long u64;
typedef signed char i8;
typedef short i16;
typedef int i32;
typedef long long i64;
typedef float f32;

static_assert(sizeof(u8) == 1 && sizeof(u16) == 2 && sizeof(u32) == 4 && sizeof(u64) == 8, "unexpected integer widths");
static_assert(sizeof(i32) == 4 && sizeof(i64) == 8 && sizeof(f32) == 4, "unexpected integer/float widths");

// The driver's tensor-map descriptor is 128 opaque bytes, 64-byte aligned. Same layout as CUtensorMap in cuda.h, so a
// host buffer filled by cuTensorMapEncodeTiled can be passed by value as a `const __grid_constant__` kernel parameter.
struct alignas(64) CUtensorMap {
  unsigned long long opaque[16];
};
static_assert(sizeof(CUtensorMap) == 128 && alignof(CUtensorMap) == 64, "CUtensorMap must be 128 bytes, 64-aligned");

// bf16 travels as its raw bit pattern: no cuda_bf16.h (a host header NVRTC cannot always find). Decoding is exact by
// construction (a bf16 is the upper half of an f32); encoding needs rounding and lives in dg/ptx/cvt.cuh.
typedef u16 bf16;

// 16-byte vector used for every vectorized global/shared access.
struct alignas(16) u32x4 {
  u32 x, y, z, w;
};

__device__ __forceinline__ f32 bf16_to_f32(bf16 h) { return __uint_as_float(static_cast<u32>(h) << 16); }

// Two bf16 packed little-endian in one word: the element at the lower address is the low half.
__device__ __forceinline__ f32 bf16x2_lo_to_f32(u32 w) { return __uint_as_float(w << 16); }
__device__ __forceinline__ f32 bf16x2_hi_to_f32(u32 w) { return __uint_as_float(w & 0xffff0000u); }

}  // namespace dg
