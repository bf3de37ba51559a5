// dg/ptx/tma.cuh: the bulk tensor copy engine (TMA, sm_90). Loads land in shared::cluster memory and complete on an
// mbarrier by byte count; stores and reduce-adds read shared::cta memory and are tracked by bulk groups. Tensor maps
// are `const __grid_constant__ CUtensorMap` kernel parameters, addressed generically. Coordinates are element indices,
// innermost dimension first (as in cuTensorMapEncodeTiled).
#pragma once

#include <dg/ptx/address.cuh>

namespace dg::ptx {

__device__ __forceinline__ u64 tmap_addr(const CUtensorMap* tmap) { return reinterpret_cast<u64>(tmap); }

// Pulls the 128-byte descriptor into the TMA unit's cache ahead of the first copy (one thread, at kernel start).
__device__ __forceinline__ void prefetch_tmap(const CUtensorMap* tmap) {
  asm volatile("prefetch.tensormap [%0];" ::"l"(tmap_addr(tmap)) : "memory");
}

// 2-D tile load global -> smem of this CTA; completes `bytes` on mbarrier `bar` (armed with expect_tx).
__device__ __forceinline__ void tma_load_2d(u32 dst, const CUtensorMap* tmap, u32 bar, i32 c0, i32 c1) {
  asm volatile(
      "cp.async.bulk.tensor.2d.shared::cluster.global.mbarrier::complete_tx::bytes [%0], [%1, {%3, %4}], [%2];" ::"r"(
          dst),
      "l"(tmap_addr(tmap)), "r"(bar), "r"(c0), "r"(c1)
      : "memory");
}

// 3-D variant (grouped operands: the group index is the outermost coordinate).
__device__ __forceinline__ void tma_load_3d(u32 dst, const CUtensorMap* tmap, u32 bar, i32 c0, i32 c1, i32 c2) {
  asm volatile(
      "cp.async.bulk.tensor.3d.shared::cluster.global.mbarrier::complete_tx::bytes [%0], [%1, {%3, %4, %5}], [%2];" ::
          "r"(dst),
      "l"(tmap_addr(tmap)), "r"(bar), "r"(c0), "r"(c1), "r"(c2)
      : "memory");
}

// Multicast: one L2 read delivers the tile to the same smem offset (and the same-offset mbarrier) in every CTA whose
// bit is set in `cta_mask`. Used when CTAs of a cluster share an A or B tile.
__device__ __forceinline__ void tma_load_2d_multicast(u32 dst, const CUtensorMap* tmap, u32 bar, i32 c0, i32 c1,
                                                      u16 cta_mask) {
  asm volatile(
      "cp.async.bulk.tensor.2d.shared::cluster.global.mbarrier::complete_tx::bytes.multicast::cluster"
      " [%0], [%1, {%3, %4}], [%2], %5;" ::"r"(dst),
      "l"(tmap_addr(tmap)), "r"(bar), "r"(c0), "r"(c1), "h"(cta_mask)
      : "memory");
}

__device__ __forceinline__ void tma_load_3d_multicast(u32 dst, const CUtensorMap* tmap, u32 bar, i32 c0, i32 c1,
                                                      i32 c2, u16 cta_mask) {
  asm volatile(
      "cp.async.bulk.tensor.3d.shared::cluster.global.mbarrier::complete_tx::bytes.multicast::cluster"
      " [%0], [%1, {%3, %4, %5}], [%2], %6;" ::"r"(dst),
      "l"(tmap_addr(tmap)), "r"(bar), "r"(c0), "r"(c1), "r"(c2), "h"(cta_mask)
      : "memory");
}

// L2 cache policies for the `.L2::cache_hint` loads below (the encoded values createpolicy produces for a fraction of
// 1.0, as CUTLASS spells them): EVICT_FIRST for data read once (a streamed operand should not push reusable lines,
// or dirty ones awaiting write-back, out of L2), EVICT_LAST for data many CTAs re-read.
constexpr u64 L2_EVICT_NORMAL = 0x1000000000000000ull;
constexpr u64 L2_EVICT_FIRST = 0x12F0000000000000ull;
constexpr u64 L2_EVICT_LAST = 0x14F0000000000000ull;

// The L2 policies of a GEMM's A and B loads for the host's `streamed` parameter (1 = A is read once, 2 = B is, 0 =
// neither; see streamedOperand in src/l2Policy.ts): the operand read once EVICT_FIRST, the other EVICT_LAST.
struct OperandPolicies {
  u64 a, b;
};
__device__ __forceinline__ OperandPolicies operand_policies(u32 streamed) {
  return {streamed == 1 ? L2_EVICT_FIRST : streamed == 2 ? L2_EVICT_LAST : L2_EVICT_NORMAL,
          streamed == 2 ? L2_EVICT_FIRST : streamed == 1 ? L2_EVICT_LAST : L2_EVICT_NORMAL};
}

// tma_load_2d with an L2 cache policy (one of the L2_EVICT_* values).
__device__ __forceinline__ void tma_load_2d_hint(u32 dst, const CUtensorMap* tmap, u32 bar, i32 c0, i32 c1,
                                                 u64 policy) {
  asm volatile(
      "cp.async.bulk.tensor.2d.shared::cluster.global.mbarrier::complete_tx::bytes.L2::cache_hint"
      " [%0], [%1, {%3, %4}], [%2], %5;" ::"r"(dst),
      "l"(tmap_addr(tmap)), "r"(bar), "r"(c0), "r"(c1), "l"(policy)
      : "memory");
}

// tma_load_2d_multicast with an L2 cache policy.
__device__ __forceinline__ void tma_load_2d_multicast_hint(u32 dst, const CUtensorMap* tmap, u32 bar, i32 c0, i32 c1,
                                                           u16 cta_mask, u64 policy) {
  asm volatile(
      "cp.async.bulk.tensor.2d.shared::cluster.global.mbarrier::complete_tx::bytes.multicast::cluster.L2::cache_hint"
      " [%0], [%1, {%3, %4}], [%2], %5, %6;" ::"r"(dst),
      "l"(tmap_addr(tmap)), "r"(bar), "r"(c0), "r"(c1), "h"(cta_mask), "l"(policy)
      : "memory");
}

// Tile store smem -> global. The smem was written by ordinary stores: fence_proxy_async_smem() in each writer, then a
// barrier, then one thread issues the store and commits the bulk group.
__device__ __forceinline__ void tma_store_2d(const CUtensorMap* tmap, u32 src, i32 c0, i32 c1) {
  asm volatile("cp.async.bulk.tensor.2d.global.shared::cta.bulk_group [%0, {%2, %3}], [%1];" ::"l"(tmap_addr(tmap)),
               "r"(src), "r"(c0), "r"(c1)
               : "memory");
}

__device__ __forceinline__ void tma_store_3d(const CUtensorMap* tmap, u32 src, i32 c0, i32 c1, i32 c2) {
  asm volatile("cp.async.bulk.tensor.3d.global.shared::cta.bulk_group [%0, {%2, %3, %4}], [%1];" ::"l"(
                   tmap_addr(tmap)),
               "r"(src), "r"(c0), "r"(c1), "r"(c2)
               : "memory");
}

// Element-wise add of the smem tile into global memory, performed in L2 (FP32 accumulation onto C without a read).
__device__ __forceinline__ void tma_reduce_add_2d(const CUtensorMap* tmap, u32 src, i32 c0, i32 c1) {
  asm volatile(
      "cp.reduce.async.bulk.tensor.2d.global.shared::cta.add.bulk_group [%0, {%2, %3}], [%1];" ::"l"(tmap_addr(tmap)),
      "r"(src), "r"(c0), "r"(c1)
      : "memory");
}

__device__ __forceinline__ void tma_reduce_add_3d(const CUtensorMap* tmap, u32 src, i32 c0, i32 c1, i32 c2) {
  asm volatile("cp.reduce.async.bulk.tensor.3d.global.shared::cta.add.bulk_group [%0, {%2, %3, %4}], [%1];" ::"l"(
                   tmap_addr(tmap)),
               "r"(src), "r"(c0), "r"(c1), "r"(c2)
               : "memory");
}

// Closes the bulk group of stores issued so far by this thread.
__device__ __forceinline__ void bulk_commit_group() { asm volatile("cp.async.bulk.commit_group;" ::: "memory"); }

// Waits until at most N committed groups still READ their smem source: the buffer may then be overwritten, though
// the global writes may not be visible yet. The cheap wait used inside an epilogue ring.
template <u32 N>
__device__ __forceinline__ void bulk_wait_group_read() {
  static_assert(N <= 63, "bulk wait_group count out of range");
  asm volatile("cp.async.bulk.wait_group.read %0;" ::"n"(N) : "memory");
}

// Waits until at most N committed groups are still pending entirely (global writes done). Used before kernel exit
// when a dependent grid (PDL) reads the output, or before reusing a tensor map.
template <u32 N>
__device__ __forceinline__ void bulk_wait_group() {
  static_assert(N <= 63, "bulk wait_group count out of range");
  asm volatile("cp.async.bulk.wait_group %0;" ::"n"(N) : "memory");
}

// Orders this thread's generic-proxy smem writes before later async-proxy (TMA/wgmma) reads of the same smem.
__device__ __forceinline__ void fence_proxy_async_smem() {
  asm volatile("fence.proxy.async.shared::cta;" ::: "memory");
}

// After a tensor map in global memory was modified by generic stores (on-device descriptor rewrite), these order the
// writes (release) and the TMA unit's subsequent read of the 128-byte descriptor (acquire).
__device__ __forceinline__ void fence_proxy_tensormap_release() {
  asm volatile("fence.proxy.tensormap::generic.release.gpu;" ::: "memory");
}

__device__ __forceinline__ void fence_proxy_tensormap_acquire(const CUtensorMap* tmap) {
  asm volatile("fence.proxy.tensormap::generic.acquire.gpu [%0], 128;" ::"l"(tmap_addr(tmap)) : "memory");
}

}  // namespace dg::ptx
