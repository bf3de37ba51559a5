// dg/scheduler.cuh: the persistent tile order of the dense GEMMs. Every CTA of the grid walks tile indices
// blockIdx.x, blockIdx.x + gridDim.x, ...; the producer and the consumers of a CTA each hold a copy and walk the same
// sequence, so they never need to communicate which tile comes next.
//
// Rasterisation: a linear index is mapped to (m_block, n_block) in groups of RASTER_GROUP consecutive blocks along
// the primary dimension, so that one wave of CTAs touches few distinct A and B rows and they stay in L2. With
// multicast on A the primary dimension is N: tile indices 2i and 2i+1 (the two CTAs of a cluster) then get the same
// m_block and adjacent n_blocks. With multicast on B it is M (same n_block, adjacent m_blocks). Pairing requires an
// even number of blocks along the primary dimension and an even grid; the host guarantees both, so the two CTAs of a
// cluster always have a tile in the same round or both have none.
#pragma once

#include <dg/math.cuh>

namespace dg {

template <u32 BLOCK_M, u32 BLOCK_N, u32 RASTER_GROUP, bool PRIMARY_IS_N>
struct PersistentTileScheduler {
  u32 num_m_blocks;
  u32 num_n_blocks;
  u32 num_tiles;
  u32 next_index;

  __device__ __forceinline__ PersistentTileScheduler(u32 m, u32 n)
      : num_m_blocks(ceil_div(m, BLOCK_M)), num_n_blocks(ceil_div(n, BLOCK_N)), next_index(blockIdx.x) {
    num_tiles = num_m_blocks * num_n_blocks;
  }

  // The next tile of this CTA; false when the CTA is done.
  __device__ __forceinline__ bool next(u32& m_block, u32& n_block) {
    const u32 index = next_index;
    if (index >= num_tiles) return false;
    next_index += gridDim.x;
    const u32 primary_blocks = PRIMARY_IS_N ? num_n_blocks : num_m_blocks;
    const u32 secondary_blocks = PRIMARY_IS_N ? num_m_blocks : num_n_blocks;
    const u32 per_group = RASTER_GROUP * secondary_blocks;
    const u32 group = index / per_group;
    const u32 first = group * RASTER_GROUP;
    const u32 width = min_of(RASTER_GROUP, primary_blocks - first);
    const u32 in_group = index - group * per_group;
    const u32 primary = first + in_group % width;
    const u32 secondary = in_group / width;
    m_block = PRIMARY_IS_N ? secondary : primary;
    n_block = PRIMARY_IS_N ? primary : secondary;
    return true;
  }
};

}  // namespace dg
