// dg/ptx/cp_async.cuh: the non-bulk asynchronous copy global -> shared (cp.async, sm_80+). Unlike TMA it moves as
// little as 4 bytes from any 4-byte-aligned address, and it can report completion on an mbarrier, so a producer
// thread can stage a few scattered words (per-block scales) into a pipeline stage without waiting for them.
#pragma once

#include <dg/ptx/address.cuh>

namespace dg::ptx {

// Copies 4 bytes from global `src` to shared `dst` in the background (cached in L1: `.ca` is the only mode that
// allows 4-byte copies).
__device__ __forceinline__ void cp_async_4(u32 dst, const void* src) {
  asm volatile("cp.async.ca.shared.global [%0], [%1], 4;" ::"r"(dst), "l"(src) : "memory");
}

// One arrival on `bar` once every cp.async this thread issued before it has landed. `.noinc`: the arrival is one of
// the arrivals the barrier was initialised with, so the phase cannot complete until the copies have.
__device__ __forceinline__ void cp_async_mbarrier_arrive_noinc(u32 bar) {
  asm volatile("cp.async.mbarrier.arrive.noinc.shared::cta.b64 [%0];" ::"r"(bar) : "memory");
}

}  // namespace dg::ptx
