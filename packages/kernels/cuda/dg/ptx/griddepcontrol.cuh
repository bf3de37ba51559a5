// dg/ptx/griddepcontrol.cuh: programmatic dependent launch (PDL). Both are no-ops when the grid was launched without
// the programmatic-serialization attribute, so kernels may call them unconditionally.
#pragma once

namespace dg::ptx {

// Blocks until the previous grid in the stream has completed and its memory is visible. Call before the first read
// of anything the previous kernel wrote; work before it (smem/barrier setup, descriptor prefetch) overlaps its tail.
__device__ __forceinline__ void griddep_wait() { asm volatile("griddepcontrol.wait;" ::: "memory"); }

// Lets the next grid in the stream start launching (its own griddep_wait still waits for our completion).
__device__ __forceinline__ void griddep_launch_dependents() {
  asm volatile("griddepcontrol.launch_dependents;" ::: "memory");
}

}  // namespace dg::ptx
