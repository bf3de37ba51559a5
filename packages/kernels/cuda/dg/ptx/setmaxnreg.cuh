// dg/ptx/setmaxnreg.cuh: per-warpgroup register re-allocation (sm_90a). The TMA producer warpgroup gives registers
// back (dec) so the math warpgroups can grow (inc). Only honoured when the kernel has a register cap at entry
// (__launch_bounds__(threads, 1)) and each role is one branch of a single if/else; ptxas warns (C7508) otherwise.
#pragma once

#include <dg/types.cuh>

namespace dg::ptx {

template <u32 N>
__device__ __forceinline__ void setmaxnreg_inc() {
  static_assert(N >= 24 && N <= 256 && N % 8 == 0, "setmaxnreg count must be a multiple of 8 in [24, 256]");
  asm volatile("setmaxnreg.inc.sync.aligned.u32 %0;" ::"n"(N));
}

template <u32 N>
__device__ __forceinline__ void setmaxnreg_dec() {
  static_assert(N >= 24 && N <= 256 && N % 8 == 0, "setmaxnreg count must be a multiple of 8 in [24, 256]");
  asm volatile("setmaxnreg.dec.sync.aligned.u32 %0;" ::"n"(N));
}

}  // namespace dg::ptx
