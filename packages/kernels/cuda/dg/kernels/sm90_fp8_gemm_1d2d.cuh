// dg/kernels/sm90_fp8_gemm_1d2d.cuh: D (bf16 [M, N]) = A (e4m3 [M, K]) · B (e4m3 [N, K])ᵀ with A scaled per token
// (1 x 128 along K, FP32, MN-major TMA-aligned) and B per 128 x 128 block (FP32, K-major with 16-byte aligned rows),
// for sm_90a.
//
// Roles (one CTA per SM, persistent over tiles, see dg/scheduler.cuh):
//   - math warpgroups 0..NUM_MATH_WG-1 (threads [0, 128 * NUM_MATH_WG)): WGMMA m64nBLOCK_Nk32, FP32 promotion, the
//     BF16 epilogue. Warpgroup w owns rows [w*64, w*64+64) of each 64*NUM_MATH_WG-row slab; with BLOCK_M 256 there
//     are two slabs ("waves") per tile, computed one after the other from the same stage.
//   - producer warpgroup (the last 128 threads): TMA_THREADS of its threads issue the TMA loads; the rest exit at
//     once. With two (64-row tiles), the first thread loads A and the A scales, the first thread of the second warp
//     B and the B scales; with one (128- and 256-row tiles), the first thread loads all four. It gives registers
//     back (setmaxnreg) so the math warpgroups can hold accumulator + promoted tiles.
// Stages: a ring of NUM_STAGES (A tile, B tile, A-scale slot, B-scale slot) buffers, one 128-wide K block each.
//   The B scales of a K block (one float, two when the N tile straddles two 128-column scale blocks) come by TMA
//   too: a box of 4 K blocks by 1 or 2 scale rows at K block kb & ~3 (a box row is 16 bytes at least, and its start
//   must be 16-byte aligned: an inner coordinate of kb itself faults), of which the math warpgroups read column
//   kb % 4. So every operand of a K block arrives in shared memory under the stage's full barrier, and the only
//   writer of a stage is the TMA engine.
// TMA_THREADS: two for 64-row tiles, because one thread's issue rate bounds the small-M shapes they serve (H100,
//   2026-11-21, same-process A/B): all four loads from one thread cost them 9-13%; moving the B-scale load to a
//   second thread recovered that; moving B there too gained another 9-17% on 64 x 2112 x 7168, 128 x 2112 x 7168
//   and 128 x 4096 x 7168. Tiles of two math warpgroups issue a stage's loads half as often per FLOP or less, and
//   there the second thread only costs (its polling takes issue slots beside the math warps; the full barrier waits
//   for two arrivals): one thread ran 0.3-1.0% faster on 256 x 128 tiles at M = 4096 and 0.3-0.9% on 128 x 192
//   ones, and within noise on 128-row tiles at M = 128 (DeepGEMM side-by-side harness, three runs).
// Barriers per stage: full (one arrival per TMA thread, each with its byte count) and empty
//   (one arrival per math warp of every CTA of the cluster, because a multicast load writes the stage in both
//   CTAs). Ring position (stage, phase) runs on continuously across tiles in every role.
// Two-level accumulation: each K block's 4 WGMMAs (K = 32 each) start from zero (scale_d = 0); after them the
//   result is added into FP32 registers as final += (scale_a[row] * scale_b[kb]) * acc on CUDA cores, so the tensor
//   core never accumulates FP8 products across more than 128 K. The stage is released before that promotion.
//   PIPELINE (one slab per warpgroup, tiles narrow enough for a third accumulator set): two accumulator sets
//   alternate, so K block kb + 1's WGMMAs are issued before kb's result is waited for and promoted; the warpgroup
//   does not leave the tensor core idle for the WGMMA latency, part of what bounds small-M problems.
// Epilogue: accumulators -> bf16 pairs -> stmatrix into the smem tile (SWIZZLE_D-byte swizzled column atoms, or
//   whole unswizzled rows when a row is not a multiple of 32 bytes) -> TMA stores in 64-row boxes; the stores drain
//   while the next tile's main loop runs (waited for at the next epilogue). PER_WG_EPILOGUE runs it per math
//   warpgroup (own named barrier, own stores) instead of jointly.
// Multicast (CLUSTER 2): CTA rank 0 loads the shared operand (A and its scales if MULTICAST_A, else B) into both
//   CTAs' smem; each CTA loads its own other operand and its own B scales. Consumers release a stage in both CTAs.
// L2 policy (`streamed`, chosen by the host): an operand read once (1 = A, 2 = B) streams through L2 with
//   EVICT_FIRST and the re-read one gets EVICT_LAST, so the streamed bytes displace neither the re-read operand nor
//   dirty lines of earlier kernels (whose write-back would cost HBM bandwidth); 0 = the normal policy for both.
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

// Byte offset of 16-byte chunk `chunk` of row `row` inside a swizzled output staging atom of SWIZZLE (32/64/128)
// bytes per row, with the hardware's swizzle applied (bits [4, 7) XOR the 128-byte line index; the atom base is
// 1024-aligned).
template <u32 SWIZZLE>
__device__ __forceinline__ u32 swizzled_row_chunk(u32 row, u32 chunk) {
  const u32 offset = row * SWIZZLE + chunk * 16;
  return offset ^ (((offset >> 7) & (SWIZZLE / 16 - 1)) << 4);
}

// Groups of 8 columns of an N tile that take the first of its two B-scale rows ("former" groups), over the tile's
// possible start offsets inside a 128-wide scale block (multiples of gcd(BLOCK_N, 128)).
template <u32 BLOCK_N>
struct Sm90FormerGroups {
  static constexpr u32 PHASES = 128 / gcd_of(BLOCK_N, 128u);
  // The count for the j-th offset.
  __host__ __device__ static constexpr u32 at(u32 j) {
    return min_of<u32>(BLOCK_N, 128 - j * gcd_of(BLOCK_N, 128u)) / 8;
  }
  // The smallest and the largest count: groups below the first are always former, from the second on never.
  static constexpr u32 LEAST = at(PHASES - 1);
  static constexpr u32 MOST = at(0);
  // For a group i in [LEAST, MOST): the largest count <= i. The group is former iff the tile's count exceeds it, and
  // every group with the same floor shares that one comparison, so a straddling tile's promotion selects its B
  // scales once per class of groups per K block, not once per group, and one K loop serves every offset.
  __host__ __device__ static constexpr u32 floor(u32 i) {
    u32 best = 0;
    for (u32 j = 0; j < PHASES; ++j) {
      if (at(j) <= i && at(j) > best) best = at(j);
    }
    return best;
  }
  // Whether group i takes the first scale row in a tile whose count is `count` (one of the at(j)): i < count, which
  // test/fixtures/former_groups_check.cu asserts for every block N and offset.
  __host__ __device__ static constexpr bool former(u32 i, u32 count) {
    return i < LEAST || (i < MOST && count > floor(i));
  }
};

template <u32 BLOCK_M, u32 BLOCK_N, u32 NUM_STAGES, u32 NUM_MATH_WG, u32 WAVES, u32 CLUSTER, bool MULTICAST_A,
          u32 RASTER_GROUP, u32 SWIZZLE_D, bool PIPELINE, bool PER_WG_EPILOGUE, bool EXACT_K_UNROLL>
__device__ __forceinline__ void sm90_fp8_gemm_1d2d(u32 m, u32 n, u32 k, u32 streamed, const CUtensorMap& tmap_a,
                                                   const CUtensorMap& tmap_b, const CUtensorMap& tmap_d,
                                                   const CUtensorMap& tmap_sfa, const CUtensorMap& tmap_sfb) {
  constexpr u32 BLOCK_K = 128;
  constexpr u32 MATH_THREADS = NUM_MATH_WG * 128;
  constexpr u32 SLAB_M = 64 * NUM_MATH_WG;  // rows covered by one wave of all math warpgroups
  static_assert(BLOCK_M == SLAB_M * WAVES, "BLOCK_M must be 64 * math warpgroups * waves");
  static_assert(BLOCK_N % 8 == 0 && BLOCK_N >= 16 && BLOCK_N <= 256, "BLOCK_N must be a multiple of 8 in [16, 256]");
  static_assert(CLUSTER == 1 || CLUSTER == 2, "clusters of 1 or 2 CTAs");
  static_assert(SWIZZLE_D == 16 || (BLOCK_N * 2) % SWIZZLE_D == 0, "output swizzle must divide a tile row");
  static_assert(!PIPELINE || WAVES == 1, "the pipelined K loop keeps one 64-row slab per warpgroup");
  static_assert(!PER_WG_EPILOGUE || NUM_MATH_WG == 2, "a per-warpgroup epilogue needs two math warpgroups");
  constexpr bool UNIFORM_SCALE_B = BLOCK_K % BLOCK_N == 0;  // an N tile never straddles two B-scale blocks
  constexpr u32 N_GROUPS = BLOCK_N / 8;                      // 8-column accumulator groups per thread
  constexpr u32 ACC = BLOCK_N / 2;                           // accumulator floats per thread per 64-row slab
  // Output staging atoms: SWIZZLE_D-byte column slices of the tile, or (SWIZZLE_D 16) the whole rows, so the TMA
  // store writes each row of the tile in one piece rather than as 16-byte slivers (partial 32-byte sectors).
  constexpr u32 D_ROW_BYTES = SWIZZLE_D == 16 ? BLOCK_N * 2 : SWIZZLE_D;
  constexpr u32 D_ATOM_COLS = D_ROW_BYTES / 2;
  constexpr u32 D_ATOM_CHUNKS = D_ROW_BYTES / 16;
  static_assert(SWIZZLE_D != 16 || D_ATOM_CHUNKS % 2 == 1, "an unswizzled tile row is an odd number of 16-byte chunks");

  // Shared memory, every tile 1024-aligned (128B swizzle atoms):
  //   smem_d:          [BLOCK_M, BLOCK_N] bf16, stored as BLOCK_N / D_ATOM_COLS atoms of [BLOCK_M, D_ROW_BYTES]
  //   smem_a[stage]:   [BLOCK_M, 128] e4m3, 128B-swizzled (TMA)
  //   smem_b[stage]:   [BLOCK_N, 128] e4m3, 128B-swizzled (TMA)
  //   scales[stage]:   the stage's scale slots, side by side so one base address serves both reads:
  //     sfa: [BLOCK_M] f32, padded to 128 B (TMA box {BLOCK_M, 1} of the MN-major scales)
  //     sfb: [SFB_ROWS, 4] f32 in a 128 B slot (TMA box {4, SFB_ROWS} at (kb & ~3, first scale row of the tile));
  //          column kb % 4 holds the stage's B scales
  //   full[stage], empty[stage]: mbarriers
  constexpr u32 SMEM_D_BYTES = align<u32>(BLOCK_M * BLOCK_N * 2, 1024);
  constexpr u32 A_STAGE_BYTES = BLOCK_M * BLOCK_K;
  constexpr u32 B_STAGE_BYTES = BLOCK_N * BLOCK_K;
  constexpr u32 SFA_STAGE_BYTES = align<u32>(BLOCK_M * 4, 128);
  constexpr u32 SFB_ROWS = UNIFORM_SCALE_B ? 1 : 2;
  constexpr u32 SFB_ROW_BYTES = 16;          // 4 K blocks: the narrowest box row TMA moves
  constexpr u32 SFB_STAGE_BYTES = 128;       // TMA destinations are 128-byte aligned
  constexpr u32 SCALE_STAGE_BYTES = SFA_STAGE_BYTES + SFB_STAGE_BYTES;
  constexpr u32 A_TX_BYTES = A_STAGE_BYTES + BLOCK_M * 4;                         // A and its scales per stage
  constexpr u32 B_TX_BYTES = B_STAGE_BYTES + SFB_ROWS * SFB_ROW_BYTES;             // B and its scales
  constexpr u32 TMA_THREADS = NUM_MATH_WG == 2 ? 1 : 2;                            // see the header comment
  extern __shared__ __align__(1024) u8 smem[];
  const u32 smem_d = ptx::smem_addr(smem);
  const u32 smem_a = smem_d + SMEM_D_BYTES;
  const u32 smem_b = smem_a + NUM_STAGES * A_STAGE_BYTES;
  const u32 smem_scales = smem_b + NUM_STAGES * B_STAGE_BYTES;
  const u32 full_bars = smem_scales + NUM_STAGES * SCALE_STAGE_BYTES;
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
      ptx::mbarrier_init(full_bars + s * 8, TMA_THREADS);
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
  // The plain K loop's unroll (see there). An EXACT_K_UNROLL kernel must never see a remainder: its consumers would
  // wait for stages the producer never fills. (Telling the compiler so with __builtin_assume shortened the producer's
  // walk on 256 x 128, 1776 -> 1592 SASS instructions, but on 128 x 192 and 256 x 64 moved the math warps' ring
  // state out of the uniform datapath, 14 -> 129 R2UR, and spilled 40 bytes.)
  constexpr u32 K_UNROLL = WAVES == 2 && !UNIFORM_SCALE_B ? 2 : 4;
  static_assert(!EXACT_K_UNROLL || !PIPELINE, "EXACT_K_UNROLL applies to the plain K loop");
  if (EXACT_K_UNROLL && num_k_blocks % K_UNROLL != 0) __trap();
  PersistentTileScheduler<BLOCK_M, BLOCK_N, RASTER_GROUP, MULTICAST_A> scheduler(m, n);
  u32 m_block, n_block;

  if (tid >= MATH_THREADS) {
    // ---------------------------------------------------------------- producer warpgroup
    ptx::setmaxnreg_dec<40>();
    // One TMA thread's loop. decltype(loads)::value is a compile-time mask of what it loads (1: A and the A scales,
    // 2: B and the B scales), so each thread runs a loop of its own loads only. Every TMA thread walks the same ring
    // and tiles and arrives once per stage with its byte count (the whole boxes, out-of-bounds parts included: TMA
    // zero-fills them). With multicast, rank 0 of the pair writes the shared operand into both CTAs and its peer
    // only expects the bytes.
    auto produce = [&](auto loads) {
      constexpr bool LOADS_A = (decltype(loads)::value & 1) != 0;
      constexpr bool LOADS_B = (decltype(loads)::value & 2) != 0;
      constexpr u32 TX_BYTES = (LOADS_A ? A_TX_BYTES : 0) + (LOADS_B ? B_TX_BYTES : 0);
      const TmaProducerSide<true, CLUSTER, MULTICAST_A> side_a(streamed);
      const TmaProducerSide<false, CLUSTER, MULTICAST_A> side_b(streamed);
      u32 stage = 0, phase = 0;
      while (scheduler.next(m_block, n_block)) {
        const i32 row_a = static_cast<i32>(m_block * BLOCK_M);
        const i32 row_b = static_cast<i32>(n_block * BLOCK_N);
        // The B-scale row holding the tile's first column; a straddling tile's box also takes the next (zero-filled
        // past the last row, where the consumers never use it).
        const i32 row_sfb = static_cast<i32>(n_block * BLOCK_N / BLOCK_K);
        // Not unrolled: the compiler's default 4x copy of this loop (each TMA issue wrapped in an elect loop) was
        // about a quarter of the 256 x 128 kernel's SASS (500 of 1784 instructions) and of its ptxas time, for no
        // clear speed (the same kernel with and without it: -0.3% to +1.0% at M = 4096; H100, 2026-11-21, branch
        // rotate-experiment).
#pragma unroll 1
        for (u32 kb = 0; kb < num_k_blocks; ++kb) {
          // Parity phase ^ 1 passes at once on a fresh barrier: the first NUM_STAGES loads never wait.
          ptx::mbarrier_wait(empty_bars + stage * 8, phase ^ 1);
          const u32 full = full_bars + stage * 8;
          const i32 col_k = static_cast<i32>(kb * BLOCK_K);
          const u32 dst_sfa = smem_scales + stage * SCALE_STAGE_BYTES;
          ptx::mbarrier_arrive_expect_tx(full, TX_BYTES);
          if constexpr (LOADS_A) {
            const u32 dst_a = smem_a + stage * A_STAGE_BYTES;
            if constexpr (!decltype(side_a)::MULTICAST) {
              ptx::tma_load_2d_hint(dst_a, &tmap_a, full, col_k, row_a, side_a.policy);
              ptx::tma_load_2d(dst_sfa, &tmap_sfa, full, row_a, static_cast<i32>(kb));
            } else if (side_a.issues) {
              ptx::tma_load_2d_multicast_hint(dst_a, &tmap_a, full, col_k, row_a, 0x3, side_a.policy);
              ptx::tma_load_2d_multicast(dst_sfa, &tmap_sfa, full, row_a, static_cast<i32>(kb), 0x3);
            }
          }
          if constexpr (LOADS_B) {
            const u32 dst_b = smem_b + stage * B_STAGE_BYTES;
            if constexpr (!decltype(side_b)::MULTICAST) {
              ptx::tma_load_2d_hint(dst_b, &tmap_b, full, col_k, row_b, side_b.policy);
            } else if (side_b.issues) {
              ptx::tma_load_2d_multicast_hint(dst_b, &tmap_b, full, col_k, row_b, 0x3, side_b.policy);
            }
            // Each CTA loads its own B scales (with multicast B both CTAs need the same ones).
            ptx::tma_load_2d(dst_sfa + SFA_STAGE_BYTES, &tmap_sfb, full, static_cast<i32>(kb & ~3u), row_sfb);
          }
          stage = stage + 1 == NUM_STAGES ? 0 : stage + 1;
          phase ^= stage == 0 ? 1u : 0u;
        }
      }
    };
    if (tid == MATH_THREADS) {
      produce(U32Const<TMA_THREADS == 1 ? 3 : 1>{});
    } else if (TMA_THREADS == 2 && tid == MATH_THREADS + 32) {
      produce(U32Const<2>{});
    } else {
      // Idle producer threads leave at once rather than wait at the final cluster barrier with the others (about 1%
      // faster on 4096x2112x7168, within ±1% elsewhere; H100, 2026-11-21). Exited threads count as arrived there.
      return;
    }
  } else {
    // ---------------------------------------------------------------- math warpgroups
    ptx::setmaxnreg_inc<NUM_MATH_WG == 1 ? 248 : 232>();
    // Warp-uniform through the shuffle, so everything derived from it (descriptors) lives in uniform registers and
    // the four WGMMAs of a K block issue back to back instead of behind per-thread 64-bit address arithmetic.
    const u32 wg = __shfl_sync(0xffffffffu, tid / 128, 0);
    const u32 warp = (tid / 32) % 4;
    const u32 lane = tid % 32;
    // Fragment rows of this thread inside a 64-row slab (wgmma m64 accumulator layout): r0 and r0 + 8.
    const u32 frag_row = wg * 64 + warp * 16 + lane / 4;
    // Low descriptor words of this warpgroup's first A slab and of B, stage 0 (see dg/ptx/wgmma.cuh).
    const u32 desc_a0 = ptx::smem_desc_sw128_lo(smem_a + wg * 64 * BLOCK_K);
    const u32 desc_b0 = ptx::smem_desc_sw128_lo(smem_b);

    f32 acc[ACC];
    f32 acc2[PIPELINE ? ACC : 1];  // the second accumulator set of the pipelined K loop
    f32 final_acc[WAVES][ACC];
    u32 stage = 0, phase = 0;
    while (scheduler.next(m_block, n_block)) {
#pragma unroll
      for (u32 w = 0; w < WAVES; ++w) {
#pragma unroll
        for (u32 i = 0; i < ACC; ++i) final_acc[w][i] = 0.0f;
      }
      // B scales of this tile: the stage's first B scale for the first `former_groups` 8-column groups, its second
      // for the rest.
      const u32 n0 = n_block * BLOCK_N;
      const u32 former_groups = UNIFORM_SCALE_B ? N_GROUPS : min_of(BLOCK_N, BLOCK_K - n0 % BLOCK_K) / 8;

      // The K loop of one tile, in one of three forms (pipelined, unrolled, rotated); first the steps they share.
      // The B scales of K block kb in stage st (after its full barrier, before its release).
      auto read_scales_b = [&](u32 st, u32 kb, f32& sb0, f32& sb1) {
        const u32 sfb_stage = smem_scales + st * SCALE_STAGE_BYTES + SFA_STAGE_BYTES + (kb % 4) * 4;
        sb0 = ptx::ld_shared_f32(sfb_stage);
        sb1 = UNIFORM_SCALE_B ? 0.0f : ptx::ld_shared_f32(sfb_stage + SFB_ROW_BYTES);
      };
      // The 4 WGMMAs (K = 32 each) of slab w of stage st into `a`, committed as one group, not waited for.
      auto issue_wgmmas = [&](f32(&a)[ACC], u32 st, u32 w) {
#pragma unroll
        for (u32 i = 0; i < ACC; ++i) ptx::wgmma_fence_operand(a[i]);
        ptx::wgmma_fence();
        const u32 desc_a = desc_a0 + (st * A_STAGE_BYTES + w * SLAB_M * BLOCK_K) / 16;
        const u32 desc_b = desc_b0 + st * B_STAGE_BYTES / 16;
#pragma unroll
        for (u32 kk = 0; kk < BLOCK_K / 32; ++kk) {
          // Descriptor start addresses are in 16-byte units: K advances by 32 bytes (2 units) inside the row.
          ptx::wgmma_e4m3_k32(a, ptx::smem_desc_sw128(desc_a + kk * 2), ptx::smem_desc_sw128(desc_b + kk * 2),
                              kk > 0 ? 1u : 0u);
        }
        ptx::wgmma_commit();
      };
      // One arrival per warp (on both CTAs' barriers with multicast): stage st may be refilled.
      auto release = [&](u32 st) {
        __syncwarp();
        if constexpr (CLUSTER == 1) {
          if (lane == 0) ptx::mbarrier_arrive(empty_bars + st * 8);
        } else {
          if (lane < CLUSTER) ptx::mbarrier_arrive_cluster(empty_bars + st * 8, lane);
        }
      };
      // final += scale * a, with scale_a of the fragment's two rows times the group's B scale.
      auto promote = [&](f32(&fin)[ACC], const f32(&a)[ACC], f32 sa0, f32 sa1, f32 sb0, f32 sb1) {
        const f32 s00 = sa0 * sb0, s10 = sa1 * sb0;
        const f32 s01 = sa0 * sb1, s11 = sa1 * sb1;
#pragma unroll
        for (u32 i = 0; i < N_GROUPS; ++i) {
          const bool former = UNIFORM_SCALE_B || Sm90FormerGroups<BLOCK_N>::former(i, former_groups);
          const f32 scale_r0 = former ? s00 : s01;
          const f32 scale_r1 = former ? s10 : s11;
          fin[4 * i + 0] += scale_r0 * a[4 * i + 0];
          fin[4 * i + 1] += scale_r0 * a[4 * i + 1];
          fin[4 * i + 2] += scale_r1 * a[4 * i + 2];
          fin[4 * i + 3] += scale_r1 * a[4 * i + 3];
        }
      };

      if constexpr (PIPELINE) {
        // Scales and stage of a K block whose WGMMAs are in flight.
        struct Pending {
          f32 sa0, sa1, sb0, sb1;
          u32 stage;
        };
        // Waits for the next K block's stage and issues its WGMMAs into `a`.
        u32 issued = 0;  // K blocks of this tile issued so far
        auto issue = [&](f32(&a)[ACC]) -> Pending {
          Pending p;
          ptx::mbarrier_wait(full_bars + stage * 8, phase);
          read_scales_b(stage, issued, p.sb0, p.sb1);
          const u32 sfa_stage = smem_scales + stage * SCALE_STAGE_BYTES;
          p.sa0 = ptx::ld_shared_f32(sfa_stage + frag_row * 4);
          p.sa1 = ptx::ld_shared_f32(sfa_stage + (frag_row + 8) * 4);
          issue_wgmmas(a, stage, 0);
          p.stage = stage;
          stage = stage + 1 == NUM_STAGES ? 0 : stage + 1;
          phase ^= stage == 0 ? 1u : 0u;
          ++issued;
          return p;
        };
        // After the wait for `a`'s group: releases its stage, then promotes it.
        auto retire = [&](f32(&a)[ACC], const Pending& p) {
#pragma unroll
          for (u32 i = 0; i < ACC; ++i) ptx::wgmma_fence_operand(a[i]);
          release(p.stage);
          promote(final_acc[0], a, p.sa0, p.sa1, p.sb0, p.sb1);
        };
        // K blocks alternate between acc and acc2 (the register arrays need compile-time indices, hence the
        // unrolled pair): issue kb + 1, then wait for kb (at most one group left in flight) and retire it.
        if (num_k_blocks > 0) {
          Pending p0 = issue(acc);
          while (true) {
            if (issued == num_k_blocks) {
              ptx::wgmma_wait<0>();
              retire(acc, p0);
              break;
            }
            const Pending p1 = issue(acc2);
            ptx::wgmma_wait<1>();
            retire(acc, p0);
            if (issued == num_k_blocks) {
              ptx::wgmma_wait<0>();
              retire(acc2, p1);
              break;
            }
            p0 = issue(acc);
            ptx::wgmma_wait<1>();
            retire(acc2, p1);
          }
        }
      } else {
        // The plain loop, unrolled so the next K block's barrier wait and scale loads are scheduled into this
        // block's promotion instead of after it (+1-3% at M = 4096, H100, 2026-11-21). Not 8x: on 256 x 128 tiles
        // it ran 0.5-0.9% faster at M = 4096 but tripled ptxas time (0.4 -> 1.2 s); 6x was no faster than 4x, 2x
        // 0.5-1.7% and 1x 0.7-2.7% slower than 4x on the M = 4096 picks; waiting for the next stage before the
        // promotion in program order (to overlap the back edge too) cost 0.5-11%, probing it there with a
        // non-suspending test_wait 0-0.5%.
        // EXACT_K_UNROLL (the host knows K_UNROLL divides the K blocks) runs whole groups: 4 copies of the body
        // and no remainder copy, 2120 -> 1776 SASS instructions on 256 x 128 at the same speed. Two-slab
        // straddling tiles (256 x 120 and the like, never picked for the dense shapes) group 2: 4 made ptxas
        // spill their promoted tiles. For other K, one-slab tiles keep the compiler's 4x unrolling with its
        // remainder; two-slab tiles run the rotated loop below.
        // Waits for stage st, which holds K block kb, and reads the block's B scales.
        auto acquire = [&](u32 st, u32 kb, f32& sb0, f32& sb1) {
          ptx::mbarrier_wait(full_bars + st * 8, phase);
          read_scales_b(st, kb, sb0, sb1);
        };
        // Slab w of the K block in stage st: WGMMAs, wait, release after the last slab, promotion.
        auto slab = [&](u32 st, u32 w, f32 sb0, f32 sb1) {
          // Scales first: every smem read of the stage must precede its release.
          const u32 sfa_stage = smem_scales + st * SCALE_STAGE_BYTES;
          const f32 sa0 = ptx::ld_shared_f32(sfa_stage + (w * SLAB_M + frag_row) * 4);
          const f32 sa1 = ptx::ld_shared_f32(sfa_stage + (w * SLAB_M + frag_row + 8) * 4);
          issue_wgmmas(acc, st, w);
          ptx::wgmma_wait<0>();
#pragma unroll
          for (u32 i = 0; i < ACC; ++i) ptx::wgmma_fence_operand(acc[i]);
          // Release the stage before promoting, so TMA refills it while the CUDA cores work.
          if (w == WAVES - 1) release(st);
          promote(final_acc[w], acc, sa0, sa1, sb0, sb1);
        };
        auto advance = [&] {
          stage = stage + 1 == NUM_STAGES ? 0 : stage + 1;
          phase ^= stage == 0 ? 1u : 0u;
        };
        auto one_block = [&](u32 kb) {
          f32 sb0, sb1;
          acquire(stage, kb, sb0, sb1);
#pragma unroll
          for (u32 w = 0; w < WAVES; ++w) slab(stage, w, sb0, sb1);
          advance();
        };
        if constexpr (EXACT_K_UNROLL) {
          // The host launches this only where K_UNROLL divides the K blocks: whole groups, no remainder loop.
          for (u32 kb = 0; kb < num_k_blocks; kb += K_UNROLL) {
#pragma unroll
            for (u32 j = 0; j < K_UNROLL; ++j) one_block(kb + j);
          }
        } else if constexpr (WAVES == 2) {
          // Rotated: the back edge falls between the two slabs of one K block, where nothing waits on a barrier,
          // so every K-block transition (stage wait, scale loads) still lies in straight-line code, with four slab
          // bodies in all (slab 0 of block 0; slab 1 of kb and slab 0 of kb + 1 per iteration; slab 1 of the last
          // block) for any K. On 256 x 128: 1120 SASS instructions against the remainder loop's 2120, NVRTC
          // 0.42-0.73 s against 0.69-1.18 s, at the remainder loop's speed (4096 x 4096 x 7296: 178-182 us both).
          // About 1% slower than the exact loop on the M = 4096 shapes, which keep that. (H100, 2026-11-21, branch
          // rotate-experiment; rotating at the WGMMA wait instead cost 2-8%.)
          if (num_k_blocks > 0) {
            f32 sb0, sb1;
            acquire(stage, 0, sb0, sb1);
            slab(stage, 0, sb0, sb1);
#pragma unroll 1
            for (u32 kb = 1; kb < num_k_blocks; ++kb) {
              slab(stage, 1, sb0, sb1);
              advance();
              acquire(stage, kb, sb0, sb1);
              slab(stage, 0, sb0, sb1);
            }
            slab(stage, 1, sb0, sb1);
            advance();
          }
        } else {
#pragma unroll K_UNROLL
          for (u32 kb = 0; kb < num_k_blocks; ++kb) one_block(kb);
        }
      }

      // ------------------------------------------------------------ epilogue
      // PER_WG_EPILOGUE: each warpgroup stages and stores its own rows (its 64-row slab of every wave) under its own
      // named barrier, so one warpgroup's epilogue overlaps the other's WGMMAs (the host picks it for short K, where
      // the epilogue is a larger share of a tile). Otherwise all math threads meet at one barrier and thread 0 stores
      // the tile. The storing thread's previous stores must have finished reading smem_d before it is overwritten.
      const u32 bar_id = PER_WG_EPILOGUE ? 1 + wg : 1;
      constexpr u32 bar_threads = PER_WG_EPILOGUE ? 128 : MATH_THREADS;
      const bool store_leader = PER_WG_EPILOGUE ? tid % 128 == 0 : tid == 0;
      if (store_leader) ptx::bulk_wait_group_read<0>();
      ptx::named_barrier_sync(bar_id, bar_threads);
#pragma unroll
      for (u32 w = 0; w < WAVES; ++w) {
        // stmatrix: lane l addresses row (l % 16) of this warp's 16 rows, 8-column group i + l / 16.
        const u32 row = w * SLAB_M + wg * 64 + warp * 16 + lane % 16;
#pragma unroll
        for (u32 i = 0; i < N_GROUPS; i += 2) {
          const u32 group = i + (i + 1 < N_GROUPS ? lane / 16 : 0);
          // Unswizzled, the atom is the whole row, an odd number of 16-byte chunks, so the 8 rows of one stmatrix
          // matrix already fall in distinct bank groups; the group is the chunk.
          u32 addr;
          if constexpr (SWIZZLE_D == 16) {
            addr = smem_d + row * D_ROW_BYTES + group * 16;
          } else {
            addr = smem_d + (group / D_ATOM_CHUNKS) * BLOCK_M * D_ROW_BYTES +
                   swizzled_row_chunk<SWIZZLE_D>(row, group % D_ATOM_CHUNKS);
          }
          const u32 r0 = ptx::cvt_bf16x2(final_acc[w][4 * i + 0], final_acc[w][4 * i + 1]);
          const u32 r1 = ptx::cvt_bf16x2(final_acc[w][4 * i + 2], final_acc[w][4 * i + 3]);
          if (i + 1 < N_GROUPS) {
            const u32 r2 = ptx::cvt_bf16x2(final_acc[w][4 * i + 4], final_acc[w][4 * i + 5]);
            const u32 r3 = ptx::cvt_bf16x2(final_acc[w][4 * i + 6], final_acc[w][4 * i + 7]);
            ptx::stmatrix_x4(addr, r0, r1, r2, r3);
          } else {
            ptx::stmatrix_x2(addr, r0, r1);
          }
        }
      }
      // Generic-proxy smem writes -> visible to the TMA engine, then the storing thread stores its rows (its
      // warpgroup's, or the tile's): one box of {D_ATOM_COLS, 64 rows} per column atom and 64-row slab. 64 rows of an
      // atom start 64 * D_ROW_BYTES bytes into it (a multiple of 1024 when swizzled, so the box's swizzle phase
      // matches; of 128 otherwise).
      ptx::fence_proxy_async_smem();
      ptx::named_barrier_sync(bar_id, bar_threads);
      if (store_leader) {
        // Slab s is wave s / NUM_MATH_WG of warpgroup s % NUM_MATH_WG.
#pragma unroll
        for (u32 slab = 0; slab < WAVES * NUM_MATH_WG; ++slab) {
          if (PER_WG_EPILOGUE && slab % NUM_MATH_WG != wg) continue;
          const u32 row = slab * 64;
          if (m_block * BLOCK_M + row >= m) continue;  // a slab wholly past the last row: nothing to store
#pragma unroll
          for (u32 atom = 0; atom < BLOCK_N / D_ATOM_COLS; ++atom) {
            ptx::tma_store_2d(&tmap_d, smem_d + atom * BLOCK_M * D_ROW_BYTES + row * D_ROW_BYTES,
                              static_cast<i32>(n0 + atom * D_ATOM_COLS), static_cast<i32>(m_block * BLOCK_M + row));
          }
        }
        ptx::bulk_commit_group();
      }
    }
    // Outstanding stores read smem that disappears with the CTA: drain them before exit.
    if (tid % 128 == 0) ptx::bulk_wait_group<0>();
  }

  // Neither CTA of a cluster may exit while its peer can still arrive on its barriers or multicast into it. The
  // producer warps arrive with one lane each (the others have exited), hence the unaligned barrier.
  if constexpr (CLUSTER > 1) {
    ptx::cluster_arrive_release_divergent();
    ptx::cluster_wait_acquire_divergent();
  }
}

}  // namespace dg
