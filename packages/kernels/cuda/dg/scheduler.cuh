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
  u32 num_tiles;
  u32 num_m_blocks;
  u32 num_n_blocks;
  // The next tile, as (group, in_group): its linear index is group * tiles_per_group() + in_group. The pair
  // advances by subtraction, so a tile costs no integer division by a runtime value (a ~20-instruction sequence on
  // the critical path of every tile start, hundreds of cycles per tile when the compiler also rematerialises the
  // result in the epilogue) except in the last, narrower raster group.
  u32 group;
  u32 in_group;

  __device__ __forceinline__ u32 tiles_per_group() const {
    return RASTER_GROUP * (PRIMARY_IS_N ? num_m_blocks : num_n_blocks);
  }

  __device__ __forceinline__ PersistentTileScheduler(u32 m, u32 n)
      : num_m_blocks(ceil_div(m, BLOCK_M)), num_n_blocks(ceil_div(n, BLOCK_N)) {
    num_tiles = num_m_blocks * num_n_blocks;
    group = blockIdx.x / tiles_per_group();
    in_group = blockIdx.x - group * tiles_per_group();
  }

  // The next tile of this CTA; false when the CTA is done.
  __device__ __forceinline__ bool next(u32& m_block, u32& n_block) {
    const u32 per_group = tiles_per_group();
    if (group * per_group + in_group >= num_tiles) return false;
    const u32 first = group * RASTER_GROUP;
    const u32 width = min_of(RASTER_GROUP, (PRIMARY_IS_N ? num_n_blocks : num_m_blocks) - first);
    // Full groups divide by the constant RASTER_GROUP (a shift); only the last group's width is a runtime value.
    u32 primary, secondary;
    if (width == RASTER_GROUP) {
      primary = first + in_group % RASTER_GROUP;
      secondary = in_group / RASTER_GROUP;
    } else {
      primary = first + in_group % width;
      secondary = in_group / width;
    }
    m_block = PRIMARY_IS_N ? secondary : primary;
    n_block = PRIMARY_IS_N ? primary : secondary;
    in_group += gridDim.x;
    while (in_group >= per_group) {
      in_group -= per_group;
      ++group;
    }
    return true;
  }
};

}  // namespace dg
