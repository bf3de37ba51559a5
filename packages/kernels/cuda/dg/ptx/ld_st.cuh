// dg/ptx/ld_st.cuh: explicit-width global/shared loads and stores. Spelling the width in PTX guarantees the 16-byte
// (LDG.128/STG.128) accesses that memory-bound kernels depend on, independent of how the compiler reads C++ casts.
#pragma once

#include <dg/types.cuh>

namespace dg::ptx {

// Read-only (non-coherent) 16-byte load through the texture path: inputs the kernel never writes.
__device__ __forceinline__ u32x4 ld_global_nc_v4(const void* p) {
  u32x4 v;
  asm volatile("ld.global.nc.v4.u32 {%0, %1, %2, %3}, [%4];"
               : "=r"(v.x), "=r"(v.y), "=r"(v.z), "=r"(v.w)
               : "l"(p));
  return v;
}

// Streaming variant: data read exactly once, so it should not evict reusable lines from L1.
__device__ __forceinline__ u32x4 ld_global_nc_na_v4(const void* p) {
  u32x4 v;
  asm volatile("ld.global.nc.L1::no_allocate.v4.u32 {%0, %1, %2, %3}, [%4];"
               : "=r"(v.x), "=r"(v.y), "=r"(v.z), "=r"(v.w)
               : "l"(p));
  return v;
}

__device__ __forceinline__ void st_global_v4(void* p, u32x4 v) {
  asm volatile("st.global.v4.u32 [%0], {%1, %2, %3, %4};" ::"l"(p), "r"(v.x), "r"(v.y), "r"(v.z), "r"(v.w)
               : "memory");
}

__device__ __forceinline__ void st_global_f32(void* p, f32 v) {
  asm volatile("st.global.f32 [%0], %1;" ::"l"(p), "f"(v) : "memory");
}

__device__ __forceinline__ void st_global_u32(void* p, u32 v) {
  asm volatile("st.global.u32 [%0], %1;" ::"l"(p), "r"(v) : "memory");
}

__device__ __forceinline__ f32 ld_global_nc_f32(const void* p) {
  f32 v;
  asm volatile("ld.global.nc.f32 %0, [%1];" : "=f"(v) : "l"(p));
  return v;
}

// Shared memory, 32-bit shared::cta addresses (see smem_addr).
__device__ __forceinline__ u32 ld_shared_u32(u32 a) {
  u32 v;
  asm volatile("ld.shared.u32 %0, [%1];" : "=r"(v) : "r"(a) : "memory");
  return v;
}

__device__ __forceinline__ void st_shared_u32(u32 a, u32 v) {
  asm volatile("st.shared.u32 [%0], %1;" ::"r"(a), "r"(v) : "memory");
}

__device__ __forceinline__ f32 ld_shared_f32(u32 a) {
  f32 v;
  asm volatile("ld.shared.f32 %0, [%1];" : "=f"(v) : "r"(a) : "memory");
  return v;
}

__device__ __forceinline__ void st_shared_f32(u32 a, f32 v) {
  asm volatile("st.shared.f32 [%0], %1;" ::"r"(a), "f"(v) : "memory");
}

__device__ __forceinline__ u32x4 ld_shared_v4(u32 a) {
  u32x4 v;
  asm volatile("ld.shared.v4.u32 {%0, %1, %2, %3}, [%4];"
               : "=r"(v.x), "=r"(v.y), "=r"(v.z), "=r"(v.w)
               : "r"(a)
               : "memory");
  return v;
}

__device__ __forceinline__ void st_shared_v4(u32 a, u32x4 v) {
  asm volatile("st.shared.v4.u32 [%0], {%1, %2, %3, %4};" ::"r"(a), "r"(v.x), "r"(v.y), "r"(v.z), "r"(v.w)
               : "memory");
}

// Epilogue pair store of two FP32 accumulators.
__device__ __forceinline__ void st_shared_v2_f32(u32 a, f32 x, f32 y) {
  asm volatile("st.shared.v2.f32 [%0], {%1, %2};" ::"r"(a), "f"(x), "f"(y) : "memory");
}

// Warp-cooperative store of four 8x8 b16 matrices: lane i supplies row address i (rows of matrix i/8), each register
// holds one b16x2 fragment in the mma accumulator layout. Turns wgmma accumulators into row-major smem tiles.
__device__ __forceinline__ void stmatrix_x4(u32 a, u32 r0, u32 r1, u32 r2, u32 r3) {
  asm volatile("stmatrix.sync.aligned.x4.m8n8.shared.b16 [%0], {%1, %2, %3, %4};" ::"r"(a), "r"(r0), "r"(r1), "r"(r2),
               "r"(r3)
               : "memory");
}

// Transposed variant: writes the fragments column-major (an MN-major output tile).
__device__ __forceinline__ void stmatrix_x4_trans(u32 a, u32 r0, u32 r1, u32 r2, u32 r3) {
  asm volatile("stmatrix.sync.aligned.x4.trans.m8n8.shared.b16 [%0], {%1, %2, %3, %4};" ::"r"(a), "r"(r0), "r"(r1),
               "r"(r2), "r"(r3)
               : "memory");
}

// Two-matrix variant for narrow (BLOCK_N % 16 == 8) epilogue slices.
__device__ __forceinline__ void stmatrix_x2(u32 a, u32 r0, u32 r1) {
  asm volatile("stmatrix.sync.aligned.x2.m8n8.shared.b16 [%0], {%1, %2};" ::"r"(a), "r"(r0), "r"(r1) : "memory");
}

}  // namespace dg::ptx
