// dg/ptx/address.cuh: state-space address conversions. Every shared-memory PTX wrapper takes a 32-bit
// shared::cta address (what the hardware uses), so pointer arithmetic stays in C++ and the conversion happens once.
#pragma once

#include <dg/types.cuh>

namespace dg::ptx {

// Generic pointer to shared memory -> 32-bit shared::cta window address. Used before any mbarrier/TMA/ld.shared
// wrapper; doing it by hand avoids depending on __cvta_generic_to_shared being declared under NVRTC.
__device__ __forceinline__ u32 smem_addr(const void* p) {
  u32 a;
  asm volatile("{ .reg .u64 t; cvta.to.shared.u64 t, %1; cvt.u32.u64 %0, t; }" : "=r"(a) : "l"(p));
  return a;
}

// Same shared-memory offset in the CTA of rank `cta` in this cluster (distributed shared memory). Used to arrive on
// a peer CTA's mbarrier when multicast TMA loads fill its buffers too.
__device__ __forceinline__ u32 mapa_shared_cluster(u32 smem, u32 cta) {
  u32 r;
  asm volatile("mapa.shared::cluster.u32 %0, %1, %2;" : "=r"(r) : "r"(smem), "r"(cta));
  return r;
}

}  // namespace dg::ptx
