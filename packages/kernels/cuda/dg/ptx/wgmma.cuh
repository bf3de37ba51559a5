// dg/ptx/wgmma.cuh: warpgroup matrix-multiply-accumulate (sm_90a). A warpgroup (4 consecutive warps, starting at a
// warp index divisible by 4) issues wgmma.mma_async on operands in shared memory described by 64-bit matrix
// descriptors; the FP32 accumulators stay in registers (64 x N tile -> N/2 floats per thread). Protocol per k-block:
// wgmma_fence() (orders prior register writes of the accumulators), the mma(s), wgmma_commit(), later
// wgmma_wait<N>() before touching the accumulators or releasing the smem stage.
#pragma once

#include <dg/ptx/address.cuh>
#include <dg/ptx/wgmma_ops.cuh>

namespace dg::ptx {

__device__ __forceinline__ void wgmma_fence() { asm volatile("wgmma.fence.sync.aligned;" ::: "memory"); }

__device__ __forceinline__ void wgmma_commit() { asm volatile("wgmma.commit_group.sync.aligned;" ::: "memory"); }

// Waits until at most N committed wgmma groups are in flight.
template <u32 N>
__device__ __forceinline__ void wgmma_wait() {
  static_assert(N <= 7, "wgmma.wait_group count must be in [0, 7]");
  asm volatile("wgmma.wait_group.sync.aligned %0;" ::"n"(N) : "memory");
}

// Shared-memory matrix descriptor for a K-major operand tile written by TMA with 128-byte swizzle: rows of 128 bytes
// (64 bf16 / 128 e4m3 along K), 8-row core groups 1024 bytes apart (stride byte offset), leading byte offset unused
// for swizzled K-major layouts, layout type 1 = SWIZZLE_128B in bits 62-63. The tile base must be 1024-byte aligned
// (base offset field 0); advancing along K inside the 128-byte row is done by adding bytes>>4 to the start address.
//
// Only the low word depends on the address (bits 0-13: start address >> 4; bits 16-29: leading byte offset, 0), so
// kernels keep the low word of a tile's descriptor in a (uniform) register, add offsets>>4 to it with 32-bit adds
// (a shared address >> 4 fits 14 bits, so no carry leaves the field) and join the constant high word at each wgmma.
constexpr u32 SMEM_DESC_SW128_HI = (1024u >> 4) | (1u << 30);  // SBO 1024 B (bits 32-45), SWIZZLE_128B (bits 62-63)

__device__ __forceinline__ u32 smem_desc_sw128_lo(u32 smem) { return (smem & 0x3ffffu) >> 4; }

__device__ __forceinline__ u64 smem_desc_sw128(u32 lo) {
  return (static_cast<u64>(SMEM_DESC_SW128_HI) << 32) | lo;
}

__device__ __forceinline__ u64 make_smem_desc_sw128(u32 smem) { return smem_desc_sw128(smem_desc_sw128_lo(smem)); }

// Low descriptor word for an MN-major (transposed) operand tile written by TMA with 128-byte swizzle (the high word
// is SMEM_DESC_SW128_HI, as for K-major tiles; join them with smem_desc_sw128): the tile is a row of
// swizzle atoms along MN, each atom 64 bf16 along MN (128 bytes) by `k_rows` rows along K (one TMA box of
// {64, k_rows}). In the MN-major canonical layout ((8 x 16 B, n), (8, k)) the stride byte offset steps 8 K rows
// (8 * 128 = 1024 bytes, inside an atom) and the leading byte offset steps one 64-wide MN atom (`atom_bytes`,
// k_rows * 128), the reverse of the K-major roles. Used with the transpose immediates of wgmma (TRANS_A/B = 1). The
// base must be 1024-byte aligned; advancing 16 along K is +2048 bytes on the start address.
__device__ __forceinline__ u32 smem_desc_sw128_mn_lo(u32 smem, u32 atom_bytes) {
  return ((smem & 0x3ffffu) >> 4) | (((atom_bytes >> 4) & 0x3fffu) << 16);  // start address, leading byte offset
}

// Keeps the compiler from moving reads or writes of an accumulator register across a wgmma fence/wait: the tensor
// core writes the registers asynchronously, which the compiler cannot see. Applied to every accumulator element.
__device__ __forceinline__ void wgmma_fence_operand(f32& r) { asm volatile("" : "+f"(r)::"memory"); }

}  // namespace dg::ptx
