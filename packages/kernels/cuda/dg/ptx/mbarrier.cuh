// dg/ptx/mbarrier.cuh: shared-memory transaction barriers (sm_90). A pipeline stage has a "full" barrier that the TMA
// producer arms with the expected byte count and the copy engine completes, and an "empty" barrier that consumers
// arrive on when they are done reading the stage. All addresses are 32-bit shared::cta (see smem_addr).
#pragma once

#include <dg/ptx/address.cuh>

namespace dg::ptx {

// One thread initialises each barrier before any use; follow with fence_mbarrier_init + a CTA/cluster barrier so
// that other threads (and the async proxy, and peer CTAs) see the initialised state.
__device__ __forceinline__ void mbarrier_init(u32 bar, u32 arrive_count) {
  asm volatile("mbarrier.init.shared::cta.b64 [%0], %1;" ::"r"(bar), "r"(arrive_count) : "memory");
}

// Makes mbarrier.init visible to the whole cluster (needed before peer CTAs arrive remotely or multicast into us).
__device__ __forceinline__ void fence_mbarrier_init() {
  asm volatile("fence.mbarrier_init.release.cluster;" ::: "memory");
}

// Plain arrival (consumer releasing a stage). The state token is discarded: waits use the phase parity instead.
__device__ __forceinline__ void mbarrier_arrive(u32 bar) {
  asm volatile("mbarrier.arrive.shared::cta.b64 _, [%0];" ::"r"(bar) : "memory");
}

// Producer arrival that also announces how many bytes the copy engine will deliver into this phase; the phase
// completes when every arrival happened AND that many bytes landed (complete_tx).
__device__ __forceinline__ void mbarrier_arrive_expect_tx(u32 bar, u32 bytes) {
  asm volatile("mbarrier.arrive.expect_tx.shared::cta.b64 _, [%0], %1;" ::"r"(bar), "r"(bytes) : "memory");
}

// Raises the expected byte count without arriving (a second TMA into the same stage from another thread).
__device__ __forceinline__ void mbarrier_expect_tx(u32 bar, u32 bytes) {
  asm volatile("mbarrier.expect_tx.relaxed.cta.shared::cta.b64 [%0], %1;" ::"r"(bar), "r"(bytes) : "memory");
}

// Spins until the phase with the given parity (0/1) has completed. try_wait suspends in hardware for a while before
// returning false, so the loop is not a hot spin. Labels live inside braces so every inlined copy gets its own scope.
__device__ __forceinline__ void mbarrier_wait(u32 bar, u32 parity) {
  asm volatile(
      "{\n"
      ".reg .pred p;\n"
      "DG_MBAR_WAIT:\n"
      "mbarrier.try_wait.parity.shared::cta.b64 p, [%0], %1;\n"
      "@!p bra DG_MBAR_WAIT;\n"
      "}" ::"r"(bar),
      "r"(parity)
      : "memory");
}

// Arrive on the barrier at the same smem offset in CTA `cta` of the cluster. Default (release, CTA-scope) semantics,
// as for a local arrive: the stage's smem was read by wgmma, which completed before this (wgmma wait). A
// `.release.cluster` arrive adds a cluster-scope fence that waits for this thread's outstanding global loads (the
// GEMM consumers have a B-scale load in flight there): with it, 256x128 multicast A ran 769 instead of 1119 TFLOPS
// on 4096x4096x7168 (H100, 2026-11-21).
__device__ __forceinline__ void mbarrier_arrive_cluster(u32 bar, u32 cta) {
  asm volatile(
      "{\n"
      ".reg .b32 r;\n"
      "mapa.shared::cluster.u32 r, %0, %1;\n"
      "mbarrier.arrive.shared::cluster.b64 _, [r];\n"
      "}" ::"r"(bar),
      "r"(cta)
      : "memory");
}

}  // namespace dg::ptx
