// dg/kernels/sm90_fp8_gemm_1d1d.cuh: D (f32 [M, N]) += A (e4m3 [M, K]) · B (e4m3 [N, K])ᵀ with both operands scaled
// per 1 x 128 along K (A per token, B per channel; FP32 scales, MN-major TMA-aligned), for sm_90a. The weight-gradient
// GEMM: D must already hold C (the host copies C into D first when they differ); the kernel adds the product onto it.
//
// Roles (one CTA per SM, persistent over tiles, see dg/scheduler.cuh):
//   - math warpgroups 0..NUM_MATH_WG-1 (threads [0, 128 * NUM_MATH_WG)): warpgroup w owns rows [w*64, w*64+64) of
//     the tile. WGMMA m64nBLOCK_Nk32, FP32 promotion with a per-row A scale and a per-column B scale, and its own
//     epilogue (each warpgroup stores its 64 rows independently, so the two never wait on each other there).
//     With two math warpgroups their WGMMA batches are issued in strict alternation (named barriers 3 and 4):
//     warpgroup 1 issues K block kb only after warpgroup 0 issued it, warpgroup 0 issues kb + 1 only after
//     warpgroup 1 issued kb. Left alone, both issue together, the tensor cores interleave the two batches, both
//     finish together and then both promote together while the tensor cores idle; in alternation warpgroup 0's
//     batch completes first and its promotion (2 CUDA-core ops per accumulator here, twice the 1D2D kernel's)
//     overlaps warpgroup 1's batch, and the other way round. (A single warpgroup with two accumulator sets, issuing
//     K block kb + 1 before waiting for kb, was measured slower on the H100: the small-M shapes that use one
//     warpgroup are bound by loads, and holding stage kb until kb + 1 has landed costs a stage of prefetch.)
//   - producer warpgroup (the last 128 threads): its first thread issues the TMA loads of A and the A scales, the
//     first thread of its second warp those of B and the B scales; the rest idle. It gives registers back
//     (setmaxnreg) so the math warpgroups can hold the WGMMA accumulators, the promoted accumulators and the column
//     scales of the current K block.
// Stages: a ring of NUM_STAGES (A tile, B tile, A-scale slot, B-scale slot) buffers, one 128-wide K block each.
// Barriers per stage: full (2 arrivals, each with its byte count: the A thread's and the B thread's) and empty (one
//   arrival per math warp of every CTA of the cluster, because a multicast load writes the stage in both CTAs). Ring
//   position (stage, phase) runs on continuously across tiles in producer and consumers alike.
// Two-level accumulation: each K block's 4 WGMMAs (K = 32 each) start from zero (scale_d = 0); after them the result
//   is added into FP32 registers as final += (scale_a[row] * scale_b[col]) * acc on CUDA cores, so the tensor core
//   never accumulates FP8 products across more than 128 K. Every smem read of a stage (both scale slots) happens
//   before the WGMMAs; the stage is released right after them, before the promotion, so TMA refills it meanwhile.
// Epilogue: FP32 fragments -> a row-major [64, BLOCK_N] smem slab per warpgroup (st.shared.v2) -> one TMA reduce-add
//   of the slab onto D (the add happens in L2, exactly once per element per launch, so results are deterministic).
//   The reduce drains while the next tile's main loop runs; it is waited for (smem reads only) at the next epilogue.
//   Rows of BLOCK_N * 4 bytes: with BLOCK_N = 8 (mod 16) the 4 rows a half-warp writes start 8 banks apart, so the
//   v2 stores are conflict-free; other block N values still work, with 2- or 4-way conflicts in this store.
// Multicast (CLUSTER 2): CTA rank 0 loads the shared operand and its scales (A + SFA if MULTICAST_A, else B + SFB)
//   into both CTAs' smem; each CTA loads its own other operand. Consumers release a stage in both CTAs.
// L2 policy (`streamed`, chosen by the host): an operand read once (1 = A, 2 = B) streams through L2 with
//   EVICT_FIRST and the re-read one gets EVICT_LAST (as in the 1D2D kernel); 0 = the normal policy for both.
// PDL: everything before griddep_wait() (barrier init, descriptor prefetch) overlaps the previous kernel.
#pragma once

#include <dg/math.cuh>
#include <dg/producer.cuh>
#include <dg/ptx/address.cuh>
#include <dg/ptx/griddepcontrol.cuh>
#include <dg/ptx/ld_st.cuh>
#include <dg/ptx/mbarrier.cuh>
#include <dg/ptx/setmaxnreg.cuh>
#include <dg/ptx/sync.cuh>
#include <dg/ptx/tma.cuh>
#include <dg/ptx/wgmma.cuh>
#include <dg/scheduler.cuh>

namespace dg {

// Two consecutive FP32 scales from shared memory (one 8-byte access: the column pair of a WGMMA fragment).
__device__ __forceinline__ void sm90_1d1d_ld_shared_f32x2(u32 a, f32& x, f32& y) {
  asm volatile("ld.shared.v2.f32 {%0, %1}, [%2];" : "=f"(x), "=f"(y) : "r"(a) : "memory");
}

template <u32 BLOCK_M, u32 BLOCK_N, u32 NUM_STAGES, u32 NUM_MATH_WG, u32 CLUSTER, bool MULTICAST_A, u32 RASTER_GROUP>
__device__ __forceinline__ void sm90_fp8_gemm_1d1d(u32 m, u32 n, u32 k, u32 streamed, const CUtensorMap& tmap_a,
                                                   const CUtensorMap& tmap_b, const CUtensorMap& tmap_d,
                                                   const CUtensorMap& tmap_sfa, const CUtensorMap& tmap_sfb) {
  constexpr u32 BLOCK_K = 128;
  constexpr u32 MATH_THREADS = NUM_MATH_WG * 128;
  static_assert(BLOCK_M == 64 * NUM_MATH_WG, "BLOCK_M must be 64 per math warpgroup (64 or 128)");
  static_assert(NUM_MATH_WG == 1 || NUM_MATH_WG == 2, "one or two math warpgroups");
  // 152: accumulators + promoted accumulators + column scales (1.25 * BLOCK_N registers) fit 232 without spills.
  static_assert(BLOCK_N % 8 == 0 && BLOCK_N >= 16 && BLOCK_N <= 152, "BLOCK_N must be a multiple of 8 in [16, 152]");
  static_assert(CLUSTER == 1 || CLUSTER == 2, "clusters of 1 or 2 CTAs");
  constexpr u32 N_GROUPS = BLOCK_N / 8;  // 8-column accumulator groups per thread
  constexpr u32 ACC = BLOCK_N / 2;       // accumulator floats per thread

  // Shared memory, every tile 1024-aligned (128B swizzle atoms):
  //   smem_d:          [BLOCK_M, BLOCK_N] f32 row-major; warpgroup w's slab is rows [w*64, w*64+64) (TMA reduce box)
  //   smem_a[stage]:   [BLOCK_M, 128] e4m3, 128B-swizzled (TMA)
  //   smem_b[stage]:   [BLOCK_N, 128] e4m3, 128B-swizzled (TMA)
  //   smem_sfa[stage]: [BLOCK_M] f32, padded to 128 B (TMA box {BLOCK_M, 1} of the MN-major A scales)
  //   smem_sfb[stage]: [BLOCK_N] f32, padded to 128 B (TMA box {BLOCK_N, 1} of the MN-major B scales)
  //   full[stage], empty[stage]: mbarriers
  constexpr u32 SMEM_D_BYTES = align<u32>(BLOCK_M * BLOCK_N * 4, 1024);
  constexpr u32 A_STAGE_BYTES = BLOCK_M * BLOCK_K;
  constexpr u32 B_STAGE_BYTES = BLOCK_N * BLOCK_K;
  constexpr u32 SFA_STAGE_BYTES = align<u32>(BLOCK_M * 4, 128);
  constexpr u32 SFB_STAGE_BYTES = align<u32>(BLOCK_N * 4, 128);
  // The whole boxes count, out-of-bounds parts included (TMA zero-fills them).
  constexpr u32 A_TX_BYTES = A_STAGE_BYTES + BLOCK_M * 4;  // the A thread's loads per stage
  constexpr u32 B_TX_BYTES = B_STAGE_BYTES + BLOCK_N * 4;  // the B thread's
  extern __shared__ __align__(1024) u8 smem[];
  const u32 smem_d = ptx::smem_addr(smem);
  const u32 smem_a = smem_d + SMEM_D_BYTES;
  const u32 smem_b = smem_a + NUM_STAGES * A_STAGE_BYTES;
  const u32 smem_sfa = smem_b + NUM_STAGES * B_STAGE_BYTES;
  const u32 smem_sfb = smem_sfa + NUM_STAGES * SFA_STAGE_BYTES;
  const u32 full_bars = smem_sfb + NUM_STAGES * SFB_STAGE_BYTES;
  const u32 empty_bars = full_bars + NUM_STAGES * 8;

  const u32 tid = threadIdx.x;
  if (tid == MATH_THREADS) {
    // The swizzle pattern is a function of the absolute smem address: a misaligned base would corrupt silently.
    if ((smem_d & 1023u) != 0) __trap();
    ptx::prefetch_tmap(&tmap_a);
    ptx::prefetch_tmap(&tmap_b);
    ptx::prefetch_tmap(&tmap_d);
    ptx::prefetch_tmap(&tmap_sfa);
    ptx::prefetch_tmap(&tmap_sfb);
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
    // One TMA thread's loop; decltype(side)::value: 1 for the A thread (A and its scales), 0 for the B thread (B and
    // its scales), a compile-time switch as in the 1D2D kernel (one thread issuing every load bounds small tiles).
    // Both walk the same ring and tiles; each arrives once per stage with its byte count. With multicast, rank 0 of
    // the pair delivers the shared operand and its scales to both CTAs; its peer only expects the bytes.
    auto produce = [&](auto side) {
      constexpr bool LOADS_A = decltype(side)::value == 1;
      const TmaProducerSide<LOADS_A, CLUSTER, MULTICAST_A> role(streamed);
      constexpr bool MULTICAST = decltype(role)::MULTICAST;
      const bool issues = role.issues;
      const u64 policy = role.policy;
      const CUtensorMap* tmap = LOADS_A ? &tmap_a : &tmap_b;
      const CUtensorMap* tmap_sf = LOADS_A ? &tmap_sfa : &tmap_sfb;
      u32 stage = 0, phase = 0;
      while (scheduler.next(m_block, n_block)) {
        const i32 row = static_cast<i32>(LOADS_A ? m_block * BLOCK_M : n_block * BLOCK_N);
        for (u32 kb = 0; kb < num_k_blocks; ++kb) {
          // Parity phase ^ 1 passes at once on a fresh barrier: the first NUM_STAGES loads never wait.
          ptx::mbarrier_wait(empty_bars + stage * 8, phase ^ 1);
          const u32 full = full_bars + stage * 8;
          ptx::mbarrier_arrive_expect_tx(full, LOADS_A ? A_TX_BYTES : B_TX_BYTES);
          const i32 col_k = static_cast<i32>(kb * BLOCK_K);
          const i32 sf_k = static_cast<i32>(kb);
          const u32 dst = LOADS_A ? smem_a + stage * A_STAGE_BYTES : smem_b + stage * B_STAGE_BYTES;
          const u32 dst_sf = LOADS_A ? smem_sfa + stage * SFA_STAGE_BYTES : smem_sfb + stage * SFB_STAGE_BYTES;
          if constexpr (!MULTICAST) {
            ptx::tma_load_2d_hint(dst, tmap, full, col_k, row, policy);
            ptx::tma_load_2d(dst_sf, tmap_sf, full, row, sf_k);
          } else if (issues) {
            ptx::tma_load_2d_multicast_hint(dst, tmap, full, col_k, row, 0x3, policy);
            ptx::tma_load_2d_multicast(dst_sf, tmap_sf, full, row, sf_k, 0x3);
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
    // 128 * 40 + 256 * 232 = 64,512 of the 65,536 registers: the accumulators (BLOCK_N / 2), the promoted
    // accumulators (BLOCK_N / 2) and the column scales (BLOCK_N / 4) of one thread must fit in 232.
    ptx::setmaxnreg_inc<232>();
    // Warp-uniform through the shuffle, so the descriptors derived from it live in uniform registers and the four
    // WGMMAs of a K block issue back to back (see sm90_fp8_gemm_1d2d.cuh).
    const u32 wg = __shfl_sync(0xffffffffu, tid / 128, 0);
    const u32 warp = (tid / 32) % 4;
    const u32 lane = tid % 32;
    // Fragment position of this thread (wgmma m64 accumulator layout): rows r0 and r0 + 8 of its warpgroup's slab,
    // columns 8 i + c0 and 8 i + c0 + 1 of every 8-column group i.
    const u32 r0 = warp * 16 + lane / 4;
    const u32 c0 = 2 * (lane % 4);
    // Low descriptor words (dg/ptx/wgmma.cuh); offsets are added to them in 16-byte units.
    const u32 desc_a0 = ptx::smem_desc_sw128_lo(smem_a + wg * 64 * BLOCK_K);
    const u32 desc_b0 = ptx::smem_desc_sw128_lo(smem_b);
    const u32 slab = smem_d + wg * 64 * BLOCK_N * 4;  // this warpgroup's [64, BLOCK_N] f32 output slab
    const bool slab_leader = tid % 128 == 0;
    // Issue-order handshake of the two math warpgroups (see the header): bar.arrive by the issuer, bar.sync by the
    // other one, 256 threads each. At most one arrival per barrier is ever pending, so the generations never mix.
    constexpr bool ALTERNATE = NUM_MATH_WG == 2;
    constexpr u32 BAR_ISSUED_WG0 = 3, BAR_ISSUED_WG1 = 4;
    u32 issued = 0;  // WGMMA batches this warpgroup has issued (the same count in both warpgroups)

    f32 acc[ACC];
    f32 final_acc[ACC];
    f32 sb[2 * N_GROUPS];
    u32 stage = 0, phase = 0;
    while (scheduler.next(m_block, n_block)) {
#pragma unroll
      for (u32 i = 0; i < ACC; ++i) final_acc[i] = 0.0f;

      for (u32 kb = 0; kb < num_k_blocks; ++kb) {
        ptx::mbarrier_wait(full_bars + stage * 8, phase);
        // Scales first: every smem read of the stage must precede its release.
        const u32 sfa_stage = smem_sfa + stage * SFA_STAGE_BYTES + wg * 64 * 4;
        const u32 sfb_stage = smem_sfb + stage * SFB_STAGE_BYTES;
        const f32 sa0 = ptx::ld_shared_f32(sfa_stage + r0 * 4);
        const f32 sa1 = ptx::ld_shared_f32(sfa_stage + (r0 + 8) * 4);
#pragma unroll
        for (u32 i = 0; i < N_GROUPS; ++i) {
          sm90_1d1d_ld_shared_f32x2(sfb_stage + (8 * i + c0) * 4, sb[2 * i], sb[2 * i + 1]);
        }
        if constexpr (ALTERNATE) {
          if (wg == 0) {
            if (issued > 0) ptx::named_barrier_sync(BAR_ISSUED_WG1, 256);  // warpgroup 1 issued the previous block
          } else {
            ptx::named_barrier_sync(BAR_ISSUED_WG0, 256);  // warpgroup 0 issued this block
          }
        }
#pragma unroll
        for (u32 i = 0; i < ACC; ++i) ptx::wgmma_fence_operand(acc[i]);
        ptx::wgmma_fence();
        const u32 a_offset = stage * A_STAGE_BYTES;
        const u32 b_offset = stage * B_STAGE_BYTES;
#pragma unroll
        for (u32 kk = 0; kk < BLOCK_K / 32; ++kk) {
          // Descriptor start addresses are in 16-byte units: K advances by 32 bytes inside the swizzled row.
          ptx::wgmma_e4m3_k32(acc, ptx::smem_desc_sw128(desc_a0 + (a_offset + kk * 32) / 16),
                              ptx::smem_desc_sw128(desc_b0 + (b_offset + kk * 32) / 16),
                              kk > 0 ? 1u : 0u);
        }
        ptx::wgmma_commit();
        if constexpr (ALTERNATE) ptx::named_barrier_arrive(wg == 0 ? BAR_ISSUED_WG0 : BAR_ISSUED_WG1, 256);
        ++issued;
        ptx::wgmma_wait<0>();
#pragma unroll
        for (u32 i = 0; i < ACC; ++i) ptx::wgmma_fence_operand(acc[i]);
        // Release the stage before promoting, so TMA refills it while the CUDA cores work.
        __syncwarp();
        if constexpr (CLUSTER == 1) {
          if (lane == 0) ptx::mbarrier_arrive(empty_bars + stage * 8);
        } else {
          if (lane < CLUSTER) ptx::mbarrier_arrive_cluster(empty_bars + stage * 8, lane);
        }
#pragma unroll
        for (u32 i = 0; i < N_GROUPS; ++i) {
          const f32 s00 = sa0 * sb[2 * i], s01 = sa0 * sb[2 * i + 1];
          const f32 s10 = sa1 * sb[2 * i], s11 = sa1 * sb[2 * i + 1];
          final_acc[4 * i + 0] += s00 * acc[4 * i + 0];
          final_acc[4 * i + 1] += s01 * acc[4 * i + 1];
          final_acc[4 * i + 2] += s10 * acc[4 * i + 2];
          final_acc[4 * i + 3] += s11 * acc[4 * i + 3];
        }
        stage = stage + 1 == NUM_STAGES ? 0 : stage + 1;
        phase ^= stage == 0 ? 1u : 0u;
      }

      // ------------------------------------------------------------ epilogue (per warpgroup)
      // The previous tile's reduce must have finished reading this slab before it is overwritten.
      if (slab_leader) ptx::bulk_wait_group_read<0>();
      ptx::named_barrier_sync(1 + wg, 128);
#pragma unroll
      for (u32 i = 0; i < N_GROUPS; ++i) {
        ptx::st_shared_v2_f32(slab + (r0 * BLOCK_N + 8 * i + c0) * 4, final_acc[4 * i + 0], final_acc[4 * i + 1]);
        ptx::st_shared_v2_f32(slab + ((r0 + 8) * BLOCK_N + 8 * i + c0) * 4, final_acc[4 * i + 2],
                              final_acc[4 * i + 3]);
      }
      // Generic-proxy smem writes -> visible to the TMA engine, then one thread adds the slab onto D.
      ptx::fence_proxy_async_smem();
      ptx::named_barrier_sync(1 + wg, 128);
      if (slab_leader) {
        const u32 row = m_block * BLOCK_M + wg * 64;
        // A slab wholly below the last row (M tail of a 128-row tile) has nothing to add.
        if (row < m) {
          ptx::tma_reduce_add_2d(&tmap_d, slab, static_cast<i32>(n_block * BLOCK_N), static_cast<i32>(row));
          ptx::bulk_commit_group();
        }
      }
    }
    // Warpgroup 1's last arrival is still pending: consume it, so no barrier is left half-complete at exit.
    if constexpr (ALTERNATE) {
      if (wg == 0 && issued > 0) ptx::named_barrier_sync(BAR_ISSUED_WG1, 256);
    }
    // Outstanding reduces read smem that disappears with the CTA, and a dependent grid (PDL) may read D: drain them.
    if (slab_leader) ptx::bulk_wait_group<0>();
  }

  // Neither CTA of a cluster may exit while its peer can still arrive on its barriers or multicast into it.
  if constexpr (CLUSTER > 1) ptx::cluster_sync();
}

}  // namespace dg
