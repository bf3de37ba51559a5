// dg/ptx/sync.cuh: intra-CTA named barriers, warp leader election and cluster-wide barriers/ids.
#pragma once

#include <dg/types.cuh>

namespace dg::ptx {

// Named barrier `id` (0 is __syncthreads') over `nthreads` threads (a multiple of 32): lets one warpgroup sync its
// own warps without stalling the producer warp.
__device__ __forceinline__ void named_barrier_sync(u32 id, u32 nthreads) {
  asm volatile("bar.sync %0, %1;" ::"r"(id), "r"(nthreads) : "memory");
}

// Arrive without waiting (producer side of a named-barrier handshake).
__device__ __forceinline__ void named_barrier_arrive(u32 id, u32 nthreads) {
  asm volatile("bar.arrive %0, %1;" ::"r"(id), "r"(nthreads) : "memory");
}

// Elects one active lane of the (fully converged) warp; returns true in exactly that lane. Cheaper and
// divergence-safe compared with `lane == 0` when issuing TMA/mbarrier ops once per warp.
__device__ __forceinline__ bool elect_one_sync() {
  u32 pred;
  asm volatile(
      "{\n"
      ".reg .pred p;\n"
      ".reg .b32 lane;\n"
      "elect.sync lane|p, 0xffffffff;\n"
      "selp.u32 %0, 1, 0, p;\n"
      "}"
      : "=r"(pred));
  return pred != 0;
}

// Cluster barrier split in two halves. arrive.release publishes our prior writes (e.g. mbarrier init, DSMEM) to the
// cluster; wait.acquire makes the other CTAs' published writes visible. Every thread of every CTA must take part.
__device__ __forceinline__ void cluster_arrive_release() {
  asm volatile("barrier.cluster.arrive.release.aligned;" ::: "memory");
}

// Relaxed arrive: only a rendezvous, no memory ordering (e.g. "peer is still alive" before exit).
__device__ __forceinline__ void cluster_arrive_relaxed() {
  asm volatile("barrier.cluster.arrive.relaxed.aligned;" ::: "memory");
}

__device__ __forceinline__ void cluster_wait_acquire() {
  asm volatile("barrier.cluster.wait.acquire.aligned;" ::: "memory");
}

__device__ __forceinline__ void cluster_sync() {
  cluster_arrive_release();
  cluster_wait_acquire();
}

// The same halves without .aligned, for warps that are not converged (lanes that have exited count as arrived).
__device__ __forceinline__ void cluster_arrive_release_divergent() {
  asm volatile("barrier.cluster.arrive.release;" ::: "memory");
}

__device__ __forceinline__ void cluster_wait_acquire_divergent() {
  asm volatile("barrier.cluster.wait.acquire;" ::: "memory");
}

// Rank of this CTA in its cluster (0 .. nctarank-1): selects multicast masks and peer barriers.
__device__ __forceinline__ u32 cluster_ctarank() {
  u32 r;
  asm volatile("mov.u32 %0, %%cluster_ctarank;" : "=r"(r));
  return r;
}

__device__ __forceinline__ u32 cluster_nctarank() {
  u32 r;
  asm volatile("mov.u32 %0, %%cluster_nctarank;" : "=r"(r));
  return r;
}

}  // namespace dg::ptx
