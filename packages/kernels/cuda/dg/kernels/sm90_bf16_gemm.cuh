// dg/kernels/sm90_bf16_gemm.cuh: D (bf16 or f32 [M, N], row-major) = A (bf16 [M, K]) · B (bf16 [N, K])ᵀ (+ C), for
// sm_90a. A and B are each K-major or MN-major; FP32 accumulation in the tensor core across the whole K.
//
// Roles (one CTA per SM, persistent over tiles, see dg/scheduler.cuh):
//   - math warpgroups 0..NUM_MATH_WG-1 (threads [0, 128 * NUM_MATH_WG)): WGMMA m64nBLOCK_Nk16 and the epilogue.
//     Warpgroup w owns rows [w*64, w*64+64) of each 64*NUM_MATH_WG-row slab; with BLOCK_M 256 there are two slabs
//     ("waves") per tile, each with its own accumulators, both fed from the same stage.
//   - producer warpgroup (the last 128 threads): its first thread issues the TMA loads of A, the first thread of its
//     second warp those of B; the rest idle. It gives registers back (setmaxnreg) so the math warpgroups can hold
//     BLOCK_N/2 (x waves) accumulators.
// Stages: a ring of NUM_STAGES (A tile, B tile) buffers, one 64-wide K block each (64 bf16 = one 128-byte swizzle
//   row for a K-major operand; for an MN-major operand the tile is BLOCK_MN/64 boxes of {64 MN, 64 K}).
// Barriers per stage: full (2 arrivals, each with its byte count: the A thread's and the B thread's) and empty (one
//   arrival per math warp of every CTA of the cluster, because a multicast load writes the stage in both CTAs). Ring
//   position (stage, phase) runs on continuously across tiles in producer and consumers alike.
// Main loop: no promotion (BF16 products are exact in FP32, and the tensor core keeps FP32 sums), so each stage's
//   WGMMAs are issued without waiting for the previous stage's; after committing stage s the consumers wait until
//   only that group is in flight (wgmma.wait_group 1) and release stage s-1. The tensor core never idles between
//   stages; the first WGMMA of a tile overwrites the accumulators (scale_d = 0) instead of zeroing registers.
// Epilogue, per math warpgroup (own named barrier, own rows): accumulators -> smem staging tile (bf16 pairs through
//   stmatrix, or f32 pairs through st.shared.v2, both into the swizzled layout of the TMA store box) -> TMA stores,
//   one box of 64 rows per SWIZZLE_D-byte column atom. The stores drain while the next tile's main loop runs; they
//   are waited for (read side) at the warpgroup's next epilogue.
// C (WITH_C): f32 output: the host makes D hold C first (a copy when C is another tensor), and the epilogue issues
//   TMA reduce-adds instead of stores, so D = C + acc with one FP32 rounding, done in L2. bf16 output: each math
//   thread loads the bf16 C values of its own accumulator fragment from global memory and adds them in FP32 before
//   the single rounding to bf16 (a bf16 reduce-add would round twice). C may be D itself: every element is read by
//   the thread that computes it before the tile's store is issued.
// Multicast (CLUSTER 2): CTA rank 0 loads the shared operand (A if MULTICAST_A, else B) into both CTAs' smem; each
//   CTA loads its own other operand. Consumers release a stage in both CTAs.
// L2 policy (`streamed`, chosen by the host, see streamedOperand in src/l2Policy.ts): an operand read once streams
//   through L2 with EVICT_FIRST and the re-read one gets EVICT_LAST; otherwise both load with the normal policy.
// PDL: everything before griddep_wait() (barrier init, descriptor prefetch) overlaps the previous kernel.
#pragma once

#include <dg/math.cuh>
#include <dg/producer.cuh>
#include <dg/ptx/address.cuh>
#include <dg/ptx/cvt.cuh>
#include <dg/ptx/griddepcontrol.cuh>
#include <dg/ptx/ld_st.cuh>
#include <dg/ptx/mbarrier.cuh>
#include <dg/ptx/setmaxnreg.cuh>
#include <dg/ptx/sync.cuh>
#include <dg/ptx/tma.cuh>
#include <dg/ptx/wgmma.cuh>
#include <dg/scheduler.cuh>

namespace dg {

// Byte offset of byte `byte` of row `row` inside a TMA-store atom of SWIZZLE bytes per row, with the hardware's
// swizzle applied (bits [4, 7) XOR the 128-byte line index; the atom base is 1024-aligned). SWIZZLE 16 = none.
template <u32 SWIZZLE>
__device__ __forceinline__ u32 bf16_gemm_swizzled(u32 row, u32 byte) {
  const u32 offset = row * SWIZZLE + byte;
  if constexpr (SWIZZLE == 16) return offset;
  return offset ^ (((offset >> 7) & (SWIZZLE / 16 - 1)) << 4);
}

// A (or B) tile load of one stage: one box {64 K, rows} for K-major, rows/64 boxes {64 MN, 64 K} for MN-major.
// `mask` != 0 multicasts to the CTAs of the mask; `policy` is the L2 cache policy (ptx::L2_EVICT_*).
template <bool MN_MAJOR, u32 ROWS>
__device__ __forceinline__ void bf16_gemm_load_tile(u32 dst, const CUtensorMap* tmap, u32 bar, i32 k0, i32 row0,
                                                    u16 mask, u64 policy) {
  if constexpr (!MN_MAJOR) {
    if (mask == 0) {
      ptx::tma_load_2d_hint(dst, tmap, bar, k0, row0, policy);
    } else {
      ptx::tma_load_2d_multicast_hint(dst, tmap, bar, k0, row0, mask, policy);
    }
  } else {
#pragma unroll
    for (u32 j = 0; j < ROWS / 64; ++j) {
      const i32 r = row0 + static_cast<i32>(j * 64);
      if (mask == 0) {
        ptx::tma_load_2d_hint(dst + j * 64 * 128, tmap, bar, r, k0, policy);
      } else {
        ptx::tma_load_2d_multicast_hint(dst + j * 64 * 128, tmap, bar, r, k0, mask, policy);
      }
    }
  }
}

template <u32 BLOCK_M, u32 BLOCK_N, u32 NUM_STAGES, u32 NUM_MATH_WG, u32 WAVES, u32 CLUSTER, bool MULTICAST_A,
          u32 RASTER_GROUP, bool A_MN_MAJOR, bool B_MN_MAJOR, bool OUT_F32, bool WITH_C, u32 SWIZZLE_D>
__device__ __forceinline__ void sm90_bf16_gemm(const bf16* __restrict__ c, u32 ldc, u32 m, u32 n, u32 k,
                                               u32 streamed, const CUtensorMap& tmap_a, const CUtensorMap& tmap_b,
                                               const CUtensorMap& tmap_d) {
  constexpr u32 BLOCK_K = 64;
  constexpr u32 MATH_THREADS = NUM_MATH_WG * 128;
  constexpr u32 SLAB_M = 64 * NUM_MATH_WG;  // rows covered by one wave of all math warpgroups
  static_assert(BLOCK_M == SLAB_M * WAVES, "BLOCK_M must be 64 * math warpgroups * waves");
  static_assert(BLOCK_N % 8 == 0 && BLOCK_N >= 16 && BLOCK_N <= 256, "BLOCK_N must be a multiple of 8 in [16, 256]");
  static_assert(CLUSTER == 1 || CLUSTER == 2, "clusters of 1 or 2 CTAs");
  // The consumers hold two stages at a time (one being read by in-flight WGMMAs, one being waited for).
  static_assert(NUM_STAGES >= 2, "at least 2 stages");
  constexpr u32 OUT_BYTES = OUT_F32 ? 4 : 2;
  static_assert(SWIZZLE_D == 16 || SWIZZLE_D == 32 || SWIZZLE_D == 64 || SWIZZLE_D == 128, "bad output swizzle");
  static_assert((BLOCK_N * OUT_BYTES) % SWIZZLE_D == 0, "output swizzle must divide a tile row");
  static_assert(!OUT_F32 || SWIZZLE_D >= 32, "f32 pairs need at least 32-byte atoms (8 columns)");
  constexpr u32 N_GROUPS = BLOCK_N / 8;  // 8-column accumulator groups per thread
  constexpr u32 ACC = BLOCK_N / 2;       // accumulator floats per thread per 64-row slab
  // B rows held per stage: an MN-major B tile is whole 64-column TMA boxes; the columns past BLOCK_N are loaded but
  // never read by the WGMMA.
  constexpr u32 B_ROWS = B_MN_MAJOR ? align<u32>(BLOCK_N, 64) : BLOCK_N;

  // Shared memory, every tile 1024-aligned (128B swizzle atoms):
  //   smem_d:        [BLOCK_M, BLOCK_N] bf16 or f32, stored as BLOCK_N*OUT_BYTES/SWIZZLE_D atoms of
  //                  [BLOCK_M, SWIZZLE_D bytes], each the smem side of one TMA store box
  //   smem_a[stage]: K-major [BLOCK_M, 64] bf16, 128B-swizzled rows; MN-major BLOCK_M/64 boxes of [64 K, 64 M] bf16
  //   smem_b[stage]: K-major [BLOCK_N, 64] bf16; MN-major B_ROWS/64 boxes of [64 K, 64 N] bf16
  //   full[stage], empty[stage]: mbarriers
  constexpr u32 SMEM_D_BYTES = align<u32>(BLOCK_M * BLOCK_N * OUT_BYTES, 1024);
  constexpr u32 A_STAGE_BYTES = BLOCK_M * BLOCK_K * 2;
  constexpr u32 B_STAGE_BYTES = B_ROWS * BLOCK_K * 2;
  // Byte distance between two 64-wide MN atoms of an MN-major tile (one TMA box): the descriptor's leading offset.
  constexpr u32 MN_ATOM_BYTES = 64 * BLOCK_K * 2;
  extern __shared__ __align__(1024) u8 smem[];
  const u32 smem_d = ptx::smem_addr(smem);
  const u32 smem_a = smem_d + SMEM_D_BYTES;
  const u32 smem_b = smem_a + NUM_STAGES * A_STAGE_BYTES;
  const u32 full_bars = smem_b + NUM_STAGES * B_STAGE_BYTES;
  const u32 empty_bars = full_bars + NUM_STAGES * 8;

  const u32 tid = threadIdx.x;
  if (tid == MATH_THREADS) {
    // The swizzle pattern is a function of the absolute smem address: a misaligned base would corrupt silently.
    if ((smem_d & 1023u) != 0) __trap();
    ptx::prefetch_tmap(&tmap_a);
    ptx::prefetch_tmap(&tmap_b);
    ptx::prefetch_tmap(&tmap_d);
    for (u32 s = 0; s < NUM_STAGES; ++s) {
      ptx::mbarrier_init(full_bars + s * 8, 2);
      ptx::mbarrier_init(empty_bars + s * 8, CLUSTER * NUM_MATH_WG * 4);
    }
    ptx::fence_mbarrier_init();
  }
  // The peer CTA must see our barriers initialised before it multicasts into us or arrives on them.
  if constexpr (CLUSTER > 1) {
    ptx::cluster_sync();
  } else {
    __syncthreads();
  }
  ptx::griddep_wait();

  const u32 num_k_blocks = ceil_div(k, BLOCK_K);
  PersistentTileScheduler<BLOCK_M, BLOCK_N, RASTER_GROUP, MULTICAST_A> scheduler(m, n);
  u32 m_block, n_block;

  if (tid >= MATH_THREADS) {
    // ---------------------------------------------------------------- producer warpgroup
    ptx::setmaxnreg_dec<40>();
    // One TMA thread's loop; decltype(side)::value: 1 for the A thread, 0 for the B thread, a compile-time switch as
    // in the FP8 kernels (one thread issuing every load bounds small tiles). Both walk the same ring and tiles; each
    // arrives once per stage with its byte count (the whole boxes, out-of-bounds parts included: TMA zero-fills
    // them). With multicast, rank 0 of the pair delivers the shared operand to both CTAs; its peer only expects it.
    auto produce = [&](auto side) {
      constexpr bool LOADS_A = decltype(side)::value == 1;
      const TmaProducerSide<LOADS_A, CLUSTER, MULTICAST_A> role(streamed);
      constexpr bool MULTICAST = decltype(role)::MULTICAST;
      const bool issues = role.issues;
      const u16 mask = MULTICAST ? 0x3 : 0;
      const u64 policy = role.policy;
      u32 stage = 0, phase = 0;
      while (scheduler.next(m_block, n_block)) {
        const i32 row = static_cast<i32>(LOADS_A ? m_block * BLOCK_M : n_block * BLOCK_N);
        for (u32 kb = 0; kb < num_k_blocks; ++kb) {
          // Parity phase ^ 1 passes at once on a fresh barrier: the first NUM_STAGES loads never wait.
          ptx::mbarrier_wait(empty_bars + stage * 8, phase ^ 1);
          const u32 full = full_bars + stage * 8;
          ptx::mbarrier_arrive_expect_tx(full, LOADS_A ? A_STAGE_BYTES : B_STAGE_BYTES);
          const i32 col_k = static_cast<i32>(kb * BLOCK_K);
          if (issues) {
            if constexpr (LOADS_A) {
              bf16_gemm_load_tile<A_MN_MAJOR, BLOCK_M>(smem_a + stage * A_STAGE_BYTES, &tmap_a, full, col_k, row,
                                                       mask, policy);
            } else {
              bf16_gemm_load_tile<B_MN_MAJOR, B_ROWS>(smem_b + stage * B_STAGE_BYTES, &tmap_b, full, col_k, row,
                                                      mask, policy);
            }
          }
          stage = stage + 1 == NUM_STAGES ? 0 : stage + 1;
          phase ^= stage == 0 ? 1u : 0u;
        }
      }
    };
    if (tid == MATH_THREADS) {
      produce(U32Const<1>{});
    } else if (tid == MATH_THREADS + 32) {
      produce(U32Const<0>{});
    }
  } else {
    // ---------------------------------------------------------------- math warpgroups
    ptx::setmaxnreg_inc<NUM_MATH_WG == 1 ? 248 : 232>();
    // Warp-uniform through the shuffle, so the descriptors derived from it live in uniform registers and the WGMMAs
    // of a K block issue back to back (see sm90_fp8_gemm_1d2d.cuh).
    const u32 wg = __shfl_sync(0xffffffffu, tid / 128, 0);
    const u32 warp = (tid / 32) % 4;
    const u32 lane = tid % 32;
    // This warpgroup's first A row is wg*64: 128 bytes per row for both majors (a K-major row is 128 bytes; an
    // MN-major 64-row atom is 64 K rows of 128 bytes).
    // Low descriptor words (dg/ptx/wgmma.cuh); offsets are added to them in 16-byte units.
    const u32 desc_a0 = A_MN_MAJOR ? ptx::smem_desc_sw128_mn_lo(smem_a + wg * 64 * 128, MN_ATOM_BYTES)
                                   : ptx::smem_desc_sw128_lo(smem_a + wg * 64 * 128);
    const u32 desc_b0 =
        B_MN_MAJOR ? ptx::smem_desc_sw128_mn_lo(smem_b, MN_ATOM_BYTES) : ptx::smem_desc_sw128_lo(smem_b);
    // Start-address step of one k16 WGMMA: 32 bytes along a K-major row, 16 K rows (2048 bytes) in an MN-major atom.
    constexpr u32 A_K16_BYTES = A_MN_MAJOR ? 16 * 128 : 32;
    constexpr u32 B_K16_BYTES = B_MN_MAJOR ? 16 * 128 : 32;

    auto release = [&](u32 s) {
      if constexpr (CLUSTER == 1) {
        if (lane == 0) ptx::mbarrier_arrive(empty_bars + s * 8);
      } else {
        if (lane < CLUSTER) ptx::mbarrier_arrive_cluster(empty_bars + s * 8, lane);
      }
    };

    f32 acc[WAVES][ACC];
    u32 stage = 0, phase = 0;
    while (scheduler.next(m_block, n_block)) {
      u32 prev_stage = 0;
      for (u32 kb = 0; kb < num_k_blocks; ++kb) {
        ptx::mbarrier_wait(full_bars + stage * 8, phase);
#pragma unroll
        for (u32 w = 0; w < WAVES; ++w) {
#pragma unroll
          for (u32 i = 0; i < ACC; ++i) ptx::wgmma_fence_operand(acc[w][i]);
        }
        ptx::wgmma_fence();
#pragma unroll
        for (u32 w = 0; w < WAVES; ++w) {
          const u32 a_offset = stage * A_STAGE_BYTES + w * SLAB_M * 128;
          const u32 b_offset = stage * B_STAGE_BYTES;
#pragma unroll
          for (u32 kk = 0; kk < BLOCK_K / 16; ++kk) {
            // Descriptor start addresses are in 16-byte units.
            ptx::wgmma_bf16_k16<A_MN_MAJOR ? 1u : 0u, B_MN_MAJOR ? 1u : 0u>(
                acc[w], ptx::smem_desc_sw128(desc_a0 + (a_offset + kk * A_K16_BYTES) / 16),
                ptx::smem_desc_sw128(desc_b0 + (b_offset + kk * B_K16_BYTES) / 16),
                (kb > 0 || kk > 0) ? 1u : 0u);
          }
        }
        ptx::wgmma_commit();
#pragma unroll
        for (u32 w = 0; w < WAVES; ++w) {
#pragma unroll
          for (u32 i = 0; i < ACC; ++i) ptx::wgmma_fence_operand(acc[w][i]);
        }
        if (kb > 0) {
          // Only this stage's group may still run: the previous stage's WGMMAs are done reading their smem.
          ptx::wgmma_wait<1>();
          release(prev_stage);
        }
        prev_stage = stage;
        stage = stage + 1 == NUM_STAGES ? 0 : stage + 1;
        phase ^= stage == 0 ? 1u : 0u;
      }
      ptx::wgmma_wait<0>();
#pragma unroll
      for (u32 w = 0; w < WAVES; ++w) {
#pragma unroll
        for (u32 i = 0; i < ACC; ++i) ptx::wgmma_fence_operand(acc[w][i]);
      }
      release(prev_stage);

      // ------------------------------------------------------------ epilogue
      const u32 m0 = m_block * BLOCK_M;
      const u32 n0 = n_block * BLOCK_N;
      if constexpr (WITH_C && !OUT_F32) {
        // D = bf16(acc + C): C loaded per fragment (rows r0, r0 + 8; columns 8i + 2 (lane % 4) + {0, 1}). Rows or
        // 8-column groups outside [M, N) read nothing (N is a multiple of 8, so a group is all in or all out).
#pragma unroll
        for (u32 w = 0; w < WAVES; ++w) {
          const u32 r0 = m0 + w * SLAB_M + wg * 64 + warp * 16 + lane / 4;
          const u32 col = n0 + 2 * (lane % 4);
          const bf16* c_r0 = c + static_cast<u64>(r0) * ldc + col;
          const bf16* c_r1 = c_r0 + static_cast<u64>(8) * ldc;
#pragma unroll
          for (u32 i = 0; i < N_GROUPS; ++i) {
            const bool in_n = n0 + 8 * i < n;
            const u32 v0 = in_n && r0 < m ? *reinterpret_cast<const u32*>(c_r0 + 8 * i) : 0u;
            const u32 v1 = in_n && r0 + 8 < m ? *reinterpret_cast<const u32*>(c_r1 + 8 * i) : 0u;
            acc[w][4 * i + 0] += bf16x2_lo_to_f32(v0);
            acc[w][4 * i + 1] += bf16x2_hi_to_f32(v0);
            acc[w][4 * i + 2] += bf16x2_lo_to_f32(v1);
            acc[w][4 * i + 3] += bf16x2_hi_to_f32(v1);
          }
        }
      }
      // Each warpgroup stages and stores its own rows (its 64-row slab of every wave) under its own named barrier,
      // so the two warpgroups never wait for each other. Its previous tile's TMA stores, issued by its first thread,
      // must have finished reading those rows of smem_d before they are overwritten.
      const bool wg_leader = tid % 128 == 0;
      if (wg_leader) ptx::bulk_wait_group_read<0>();
      ptx::named_barrier_sync(1 + wg, 128);
      constexpr u32 ATOM_COLS = SWIZZLE_D / OUT_BYTES;  // output columns per TMA store box
#pragma unroll
      for (u32 w = 0; w < WAVES; ++w) {
        if constexpr (OUT_F32) {
          // st.shared.v2.f32 of each accumulator pair at its swizzled place: a quad of lanes writes 32 contiguous
          // bytes of a row, 8 rows per instruction land in distinct 16-byte bank groups (XOR by row).
          const u32 row = w * SLAB_M + wg * 64 + warp * 16 + lane / 4;
#pragma unroll
          for (u32 i = 0; i < N_GROUPS; ++i) {
            const u32 col = 8 * i + 2 * (lane % 4);
            const u32 atom = smem_d + (col / ATOM_COLS) * BLOCK_M * SWIZZLE_D;
            const u32 byte = (col % ATOM_COLS) * 4;
            ptx::st_shared_v2_f32(atom + bf16_gemm_swizzled<SWIZZLE_D>(row, byte), acc[w][4 * i + 0],
                                  acc[w][4 * i + 1]);
            ptx::st_shared_v2_f32(atom + bf16_gemm_swizzled<SWIZZLE_D>(row + 8, byte), acc[w][4 * i + 2],
                                  acc[w][4 * i + 3]);
          }
        } else {
          // stmatrix: lane l addresses row (l % 16) of this warp's 16 rows, 8-column group i + l / 16.
          const u32 row = w * SLAB_M + wg * 64 + warp * 16 + lane % 16;
#pragma unroll
          for (u32 i = 0; i < N_GROUPS; i += 2) {
            const u32 group = i + (i + 1 < N_GROUPS ? lane / 16 : 0);
            const u32 addr = smem_d + (group / (ATOM_COLS / 8)) * BLOCK_M * SWIZZLE_D +
                             bf16_gemm_swizzled<SWIZZLE_D>(row, (group % (ATOM_COLS / 8)) * 16);
            const u32 r0 = ptx::cvt_bf16x2(acc[w][4 * i + 0], acc[w][4 * i + 1]);
            const u32 r1 = ptx::cvt_bf16x2(acc[w][4 * i + 2], acc[w][4 * i + 3]);
            if (i + 1 < N_GROUPS) {
              const u32 r2 = ptx::cvt_bf16x2(acc[w][4 * i + 4], acc[w][4 * i + 5]);
              const u32 r3 = ptx::cvt_bf16x2(acc[w][4 * i + 6], acc[w][4 * i + 7]);
              ptx::stmatrix_x4(addr, r0, r1, r2, r3);
            } else {
              ptx::stmatrix_x2(addr, r0, r1);
            }
          }
        }
      }
      // Generic-proxy smem writes -> visible to the TMA engine, then the warpgroup's first thread stores (or
      // reduce-adds) its rows: one box of {ATOM_COLS, 64 rows} per column atom and wave. A slab of 64 rows of an atom
      // starts 64 * SWIZZLE_D bytes (a multiple of 1024) into it, so the swizzle phase of the box matches.
      ptx::fence_proxy_async_smem();
      ptx::named_barrier_sync(1 + wg, 128);
      if (wg_leader) {
#pragma unroll
        for (u32 w = 0; w < WAVES; ++w) {
          const u32 row = w * SLAB_M + wg * 64;
#pragma unroll
          for (u32 atom = 0; atom < BLOCK_N / ATOM_COLS; ++atom) {
            const u32 src = smem_d + atom * BLOCK_M * SWIZZLE_D + row * SWIZZLE_D;
            const i32 col = static_cast<i32>(n0 + atom * ATOM_COLS);
            if constexpr (OUT_F32 && WITH_C) {
              ptx::tma_reduce_add_2d(&tmap_d, src, col, static_cast<i32>(m0 + row));
            } else {
              ptx::tma_store_2d(&tmap_d, src, col, static_cast<i32>(m0 + row));
            }
          }
        }
        ptx::bulk_commit_group();
      }
    }
    // Outstanding stores read smem that disappears with the CTA: drain them before exit.
    if (tid % 128 == 0) ptx::bulk_wait_group<0>();
  }

  // Neither CTA of a cluster may exit while its peer can still arrive on its barriers or multicast into it.
  if constexpr (CLUSTER > 1) ptx::cluster_sync();
}

}  // namespace dg
