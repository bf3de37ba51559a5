// dg/producer.cuh: the TMA loads of one GEMM operand, as a producer thread issues them. The kernels split the loads
// of a stage between two threads (one for A and its scales, one for B and its scales, because one thread's issue
// rate bounds small tiles), or give both operands to one thread (the FP8 1D2D kernel's tiles of two math
// warpgroups). What this CTA does for the operand in a 2-CTA multicast pair and which L2 policy the operand loads
// with are derived here once for all three kernels; LOADS_A picks the operand at compile time.
#pragma once

#include <dg/ptx/sync.cuh>
#include <dg/ptx/tma.cuh>

namespace dg {

template <bool LOADS_A, u32 CLUSTER, bool MULTICAST_A>
struct TmaProducerSide {
  // The operand is the one the cluster shares: rank 0 of the pair writes it into both CTAs.
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
