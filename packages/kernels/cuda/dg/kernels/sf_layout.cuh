// dg/kernels/sf_layout.cuh: FP32 scale factors, row-major [B, MN, SFK] (contiguous), into the layouts the GEMM
// kernels load with TMA:
//   transpose:   FP32 MN-major TMA-aligned, out[b][k][mn] with a column stride of align(MN, 4) floats and group
//                stride SFK * align(MN, 4); padding entries (mn in [MN, align(MN, 4))) written as 0.
//   packed UE8M0: byte (bits(sf) >> 23) & 0xff per scale (exact when sf is a power of two, as after a UE8M0 cast),
//                four consecutive K-blocks per int32 (byte t of word j = K-block 4j+t, missing K-blocks -> 0),
//                out[b][j][mn] with j < ceil(SFK/4), column stride align(MN, 4) words, padding entries 0.
//
// Roles: all threads of a CTA stage one [64 (mn) x 32 (k)] tile in shared memory, then write it transposed; one
// __syncthreads between the two phases, no other barrier. Reads are 128-byte row segments (one warp per mn row),
// writes are contiguous runs along mn (one warp per output column). The smem row is padded to 33 floats so the
// column-wise reads of the second phase hit 32 different banks.
// Grid: (ceil(align(MN, 4) / 64), ceil(SFK / 32), B); 256 threads.
#pragma once

#include <dg/math.cuh>
#include <dg/ptx/griddepcontrol.cuh>

namespace dg {

namespace sf_layout {

constexpr u32 kTileMn = 64;
constexpr u32 kTileK = 32;
constexpr u32 kPitch = kTileK + 1;  // odd pitch: conflict-free column reads

// Loads in[b][mn0 .. +64][k0 .. +32] into tile[mn][k]; outside [MN, SFK] reads as 0.
template <u32 kThreads>
__device__ __forceinline__ void load_tile(f32 (&tile)[kTileMn][kPitch], const f32* __restrict__ in, u32 mn, u32 sfk,
                                          u32 mn0, u32 k0) {
#pragma unroll
  for (u32 it = 0; it < kTileMn * kTileK / kThreads; ++it) {
    const u32 i = it * kThreads + threadIdx.x;
    const u32 r = i / kTileK, c = i % kTileK;
    const u32 gmn = mn0 + r, gk = k0 + c;
    tile[r][c] = gmn < mn && gk < sfk ? in[(static_cast<u64>(blockIdx.z) * mn + gmn) * sfk + gk] : 0.0f;
  }
}

}  // namespace sf_layout

// in: FP32 [B, MN, SFK] row-major; out: FP32 [B][SFK][align(MN, 4)].
template <u32 kThreads>
__device__ __forceinline__ void sf_transpose_fp32(const f32* __restrict__ in, f32* __restrict__ out, u32 mn, u32 sfk) {
  using namespace sf_layout;
  static_assert(kThreads % 32 == 0 && (kTileMn * kTileK) % kThreads == 0, "threads must tile the 64 x 32 tile");
  // tile[mn][k]: [64, 32 (+1 pad)] f32
  __shared__ f32 tile[kTileMn][kPitch];
  const u32 mn0 = blockIdx.x * kTileMn, k0 = blockIdx.y * kTileK;
  const u32 aligned_mn = tma_aligned_mn(mn);

  ptx::griddep_wait();
  load_tile<kThreads>(tile, in, mn, sfk, mn0, k0);
  __syncthreads();

  f32* group = out + static_cast<u64>(blockIdx.z) * sfk * aligned_mn;
#pragma unroll
  for (u32 it = 0; it < kTileMn * kTileK / kThreads; ++it) {
    const u32 i = it * kThreads + threadIdx.x;
    const u32 c = i / kTileMn, r = i % kTileMn;
    const u32 gmn = mn0 + r, gk = k0 + c;
    // Padding rows (gmn in [MN, aligned_mn)) come out of the tile as 0.
    if (gmn < aligned_mn && gk < sfk) group[static_cast<u64>(gk) * aligned_mn + gmn] = tile[r][c];
  }
}

// in: FP32 [B, MN, SFK] row-major; out: int32 [B][ceil(SFK/4)][align(MN, 4)], packed UE8M0.
template <u32 kThreads>
__device__ __forceinline__ void sf_transpose_pack_ue8m0(const f32* __restrict__ in, u32* __restrict__ out, u32 mn,
                                                        u32 sfk) {
  using namespace sf_layout;
  constexpr u32 kWordsK = kTileK / 4;  // 8 packed words per mn row of the tile
  static_assert(kThreads % 32 == 0 && (kTileMn * kTileK) % kThreads == 0, "threads must tile the 64 x 32 tile");
  // tile[mn][k]: [64, 32 (+1 pad)] f32
  __shared__ f32 tile[kTileMn][kPitch];
  const u32 mn0 = blockIdx.x * kTileMn, k0 = blockIdx.y * kTileK;
  const u32 aligned_mn = tma_aligned_mn(mn);
  const u32 packed_k = ceil_div(sfk, 4u);

  ptx::griddep_wait();
  load_tile<kThreads>(tile, in, mn, sfk, mn0, k0);
  __syncthreads();

  u32* group = out + static_cast<u64>(blockIdx.z) * packed_k * aligned_mn;
#pragma unroll
  for (u32 it = 0; it < ceil_div(kTileMn * kWordsK, kThreads); ++it) {
    const u32 i = it * kThreads + threadIdx.x;
    const u32 j = i / kTileMn, r = i % kTileMn;
    const u32 gmn = mn0 + r, gj = k0 / 4 + j;
    if (j < kWordsK && gmn < aligned_mn && gj < packed_k) {
      u32 word = 0;
#pragma unroll
      for (u32 t = 0; t < 4; ++t) {
        // Missing K-blocks and padding rows were staged as 0.0f, whose exponent byte is 0.
        word |= ((__float_as_uint(tile[r][4 * j + t]) >> 23) & 0xffu) << (8 * t);
      }
      group[static_cast<u64>(gj) * aligned_mn + gmn] = word;
    }
  }
}

}  // namespace dg
