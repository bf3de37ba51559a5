// dg/producer.cuh: one TMA producer thread of the GEMM kernels' two-thread split (one thread loads A and its scales,
// the other B and its scales, because one thread's issue rate bounds small tiles). What differs between the two is
// fixed at compile time by LOADS_A; what this thread's CTA does in a 2-CTA multicast pair and which L2 policy its
// operand loads with are derived here once for all three kernels.
#pragma once

#include <dg/ptx/sync.cuh>
#include <dg/ptx/tma.cuh>

namespace dg {

template <bool LOADS_A, u32 CLUSTER, bool MULTICAST_A>
struct TmaProducerSide {
  // This thread's operand is the one the cluster shares: rank 0 of the pair writes it into both CTAs.
  static constexpr bool MULTICAST = CLUSTER > 1 && LOADS_A == MULTICAST_A;
  // Whether this CTA issues the loads (the multicast peer only expects their bytes on its full barrier).
  bool issues;
  // L2 cache policy of this operand's loads (ptx::L2_EVICT_*), from the host's `streamed` parameter.
  u64 policy;

  __device__ __forceinline__ explicit TmaProducerSide(u32 streamed)
      : issues(!MULTICAST || ptx::cluster_ctarank() == 0) {
    const ptx::OperandPolicies policies = ptx::operand_policies(streamed);
    policy = LOADS_A ? policies.a : policies.b;
  }
};

}  // namespace dg
