// dg/kernels/quant_cast.cuh: BF16/FP32 -> FP8 e4m3fn casts with fine-grained FP32 scales, bit-identical to the CPU
// reference in @dg/quant (per_token_cast_to_fp8 / per_block_cast_to_fp8 semantics).
//
// Roles: every thread is a worker; there is no producer/consumer split, no pipeline stages and no mbarrier. The
// kernels are memory-bound streams: 16-byte read-only loads, 16-byte e4m3 stores, all loads of a step issued before
// the first use so that several are in flight per thread.
//
// Per-token (1 x G along K, G a power of two in [16, 512]): a group is owned by G/16 lanes of one warp, 16 elements
// (one 16-byte e4m3 store) per lane; its amax is reduced with xor-shuffles inside those lanes, so no shared memory
// and no barrier. A warp handles kUnroll * (32 / kLanes) groups per step and strides over the M * ceil(K/G) groups.
// Per-block (128 x 128): one CTA per tile; each thread keeps its 4 chunks in registers, the amax goes through a
// warp shuffle and one __syncthreads over 8 per-warp partials in shared memory.
//
// Numerics (every step FP32, in this order, no FMA contraction, no flush-to-zero):
//   amax = max |x| over the group (NaN-propagating; K and, per block, M zero-padded), amax = max(amax, fl(1e-4))
//   sf   = fl(amax * fl(1/448))                        (0x3B124925; not a division)
//   ue8m0: e = bits(sf)>>23 & 0xff, +1 if the mantissa is non-zero, clamp [1, 254], sf = 2^(e-127)
//   inv  = fl(1/sf) correctly rounded;  q = e4m3fn_rne(fl(x * inv)), any NaN -> 0x7F, +-inf -> 0x7F / 0xFF
//   (non-saturating, as the reference; only an infinite input under UE8M0 can overflow)
//   A NaN scale is stored as 0x7FC00000 (the quiet NaN the CPU side produces), not the GPU's 0x7FFFFFFF.
//
// Preconditions (checked by the launcher): K % 16 == 0 (16-byte e4m3 rows), x/out 16-byte aligned, rows contiguous,
// M * ceil(K/G) < 2^31 (32-bit group index plus one grid-stride step).
#pragma once

#include <dg/math.cuh>
#include <dg/ptx/cvt.cuh>
#include <dg/ptx/griddepcontrol.cuh>
#include <dg/ptx/ld_st.cuh>

namespace dg {

enum class QuantInput : u32 { kBf16 = 0, kF32 = 1 };

namespace quant {

constexpr u32 kChunk = 16;                 // elements per lane per chunk: one 16-byte e4m3 store
constexpr u32 kAmaxFloorBits = 0x38d1b717u;  // fl(1e-4)
constexpr u32 kInv448Bits = 0x3b124925u;     // fl(1/448)
constexpr u32 kQuietNanBits = 0x7fc00000u;

template <QuantInput kIn>
struct Chunk {
  // 16 input elements: 2 x 16 bytes of bf16 or 4 x 16 bytes of f32.
  static constexpr u32 kVecs = kIn == QuantInput::kBf16 ? 2 : 4;
  u32x4 v[kVecs];
};

template <QuantInput kIn>
__device__ __forceinline__ void load_chunk(Chunk<kIn>& c, const void* x, u64 elem, bool valid) {
  constexpr u32 kBytes = kIn == QuantInput::kBf16 ? 2 : 4;
  const u8* p = static_cast<const u8*>(x) + elem * kBytes;
#pragma unroll
  for (u32 i = 0; i < Chunk<kIn>::kVecs; ++i) {
    // Data is read exactly once: keep it out of L1.
    c.v[i] = valid ? ptx::ld_global_nc_na_v4(p + i * 16) : u32x4{0, 0, 0, 0};
  }
}

// Element j (0..15) of a chunk as f32 (exact for bf16).
template <QuantInput kIn>
__device__ __forceinline__ f32 chunk_elem(const Chunk<kIn>& c, u32 j) {
  if constexpr (kIn == QuantInput::kBf16) {
    const u32x4& v = c.v[j / 8];
    const u32 w = (j % 8) / 2 == 0 ? v.x : (j % 8) / 2 == 1 ? v.y : (j % 8) / 2 == 2 ? v.z : v.w;
    return j % 2 == 0 ? bf16x2_lo_to_f32(w) : bf16x2_hi_to_f32(w);
  } else {
    const u32x4& v = c.v[j / 4];
    const u32 w = j % 4 == 0 ? v.x : j % 4 == 1 ? v.y : j % 4 == 2 ? v.z : v.w;
    return __uint_as_float(w);
  }
}

// NaN-propagating max |x| over the chunk, folded into `amax`.
template <QuantInput kIn>
__device__ __forceinline__ f32 chunk_amax(const Chunk<kIn>& c, f32 amax) {
  if constexpr (kIn == QuantInput::kBf16) {
    // Packed bf16x2 max is exact; widen once at the end.
    u32 acc = 0;
#pragma unroll
    for (u32 i = 0; i < 2; ++i) {
      acc = ptx::max_nan_abs_bf16x2(acc, c.v[i].x);
      acc = ptx::max_nan_abs_bf16x2(acc, c.v[i].y);
      acc = ptx::max_nan_abs_bf16x2(acc, c.v[i].z);
      acc = ptx::max_nan_abs_bf16x2(acc, c.v[i].w);
    }
    return ptx::max_nan(amax, ptx::max_nan(bf16x2_lo_to_f32(acc), bf16x2_hi_to_f32(acc)));
  } else {
#pragma unroll
    for (u32 j = 0; j < kChunk; ++j) {
      amax = ptx::max_nan(amax, __uint_as_float(__float_as_uint(chunk_elem(c, j)) & 0x7fffffffu));
    }
    return amax;
  }
}

// amax -> scale factor, per the numerics in the header comment.
template <bool kUe8m0>
__device__ __forceinline__ f32 scale_from_amax(f32 amax) {
  amax = ptx::max_nan(amax, __uint_as_float(kAmaxFloorBits));
  f32 sf = ptx::mul_rn(amax, __uint_as_float(kInv448Bits));
  if constexpr (kUe8m0) {
    const u32 bits = __float_as_uint(sf);
    u32 e = ((bits >> 23) & 0xffu) + ((bits & 0x7fffffu) != 0u ? 1u : 0u);
    e = e < 1u ? 1u : (e > 254u ? 254u : e);
    sf = __uint_as_float(e << 23);
  }
  return sf;
}

// Bit test rather than sf != sf, which a fast-math build may fold away.
__device__ __forceinline__ f32 canonical_nan(f32 sf) {
  return (__float_as_uint(sf) & 0x7fffffffu) > 0x7f800000u ? __uint_as_float(kQuietNanBits) : sf;
}

// Rewrites every 0xFF byte (e4m3fn -NaN) to 0x7F (the canonical NaN). Exact zero-byte test on ~w: no false positives.
__device__ __forceinline__ u32 canonicalize_e4m3_nan(u32 w) {
  const u32 t = ~w;
  const u32 ff = ~(((t & 0x7f7f7f7fu) + 0x7f7f7f7fu) | t | 0x7f7f7f7fu);  // 0x80 in each byte where w byte == 0xFF
  return w ^ ff;
}

// Scales and encodes the 16 elements into 16 e4m3 bytes (one 16-byte store). `overflow` is true only for a UE8M0
// group whose amax is +inf or NaN (sf = 2^127): there fl(x * inv) is +-inf for infinite x, which the reference's non-saturating encoder
// turns into 0x7F with the sign kept (0x7F / 0xFF) while cvt.satfinite would give +-448; the rare path patches
// those bytes. Without UE8M0 an infinite amax makes inv = 0, so products are 0 or NaN and never overflow.
template <QuantInput kIn>
__device__ __forceinline__ u32x4 encode_chunk(const Chunk<kIn>& c, f32 inv, bool overflow) {
  u32 w[4];
#pragma unroll
  for (u32 i = 0; i < 4; ++i) {
    const u32 lo = ptx::cvt_e4m3x2(ptx::mul_rn(chunk_elem(c, 4 * i + 0), inv), ptx::mul_rn(chunk_elem(c, 4 * i + 1), inv));
    const u32 hi = ptx::cvt_e4m3x2(ptx::mul_rn(chunk_elem(c, 4 * i + 2), inv), ptx::mul_rn(chunk_elem(c, 4 * i + 3), inv));
    w[i] = canonicalize_e4m3_nan(lo | (hi << 16));
  }
  if (overflow) {
#pragma unroll
    for (u32 j = 0; j < kChunk; ++j) {
      const u32 y = __float_as_uint(ptx::mul_rn(chunk_elem(c, j), inv));
      if ((y & 0x7fffffffu) == 0x7f800000u) {
        const u32 code = 0x7fu | ((y >> 24) & 0x80u);
        const u32 shift = 8 * (j % 4);
        w[j / 4] = (w[j / 4] & ~(0xffu << shift)) | (code << shift);
      }
    }
  }
  return u32x4{w[0], w[1], w[2], w[3]};
}

}  // namespace quant

// Per-token cast. x: [M, K] (bf16 or f32, row-major), out: [M, K] e4m3fn, sf: row-major [M, ceil(K/G)] or, with
// kMnMajor, MN-major TMA-aligned [ceil(K/G) columns of align(M, 4)] with the padding rows written as 0.
template <QuantInput kIn, u32 kGroup, bool kUe8m0, bool kMnMajor, u32 kThreads>
__device__ __forceinline__ void quant_cast_per_token(const void* __restrict__ x, u8* __restrict__ out,
                                                     f32* __restrict__ sf, u32 m, u32 k) {
  static_assert(is_pow2(kGroup) && kGroup >= 16 && kGroup <= 512, "G must be a power of two in [16, 512]");
  static_assert(kThreads % 32 == 0, "whole warps only");
  // Lanes sharing a group, one 16-element chunk each (a power of two, as the shuffle tree needs).
  constexpr u32 kLanes = kGroup / quant::kChunk;
  constexpr u32 kGroupsPerWarp = 32 / kLanes;
  // Eight 16-byte loads in flight per thread per step: 4 groups of bf16, 2 of f32.
  constexpr u32 kUnroll = 8 / quant::Chunk<kIn>::kVecs;
  constexpr u32 kGroupsPerStep = kGroupsPerWarp * kUnroll;

  const u32 sfk = ceil_div(k, kGroup);
  const u32 total = m * sfk;
  const u32 lane = threadIdx.x % 32;
  const u32 sub = lane % kLanes;
  const u32 slot = lane / kLanes;
  const u32 warp = (blockIdx.x * kThreads + threadIdx.x) / 32;
  const u32 num_warps = gridDim.x * (kThreads / 32);
  const u32 aligned_m = tma_aligned_mn(m);

  // Inputs may come from the previous kernel in the stream (PDL).
  ptx::griddep_wait();

  for (u32 base = warp * kGroupsPerStep; base < total; base += num_warps * kGroupsPerStep) {
    // chunks[u]: this lane's 16-element slice (columns col[u] .. +16) of group base + u * kGroupsPerWarp + slot.
    quant::Chunk<kIn> chunks[kUnroll];
    // Only row and column stay live across the loads (registers are capped at 80); the group column is col / G.
    u32 row[kUnroll], col[kUnroll];
#pragma unroll
    for (u32 u = 0; u < kUnroll; ++u) {
      const u32 g = base + u * kGroupsPerWarp + slot;
      row[u] = g / sfk;
      col[u] = (g - row[u] * sfk) * kGroup + sub * quant::kChunk;
      quant::load_chunk(chunks[u], x, static_cast<u64>(row[u]) * k + col[u], g < total && col[u] < k);
    }
#pragma unroll
    for (u32 u = 0; u < kUnroll; ++u) {
      const u32 g = base + u * kGroupsPerWarp + slot;
      f32 amax = quant::chunk_amax(chunks[u], 0.0f);
      // Every lane takes part (uniform trip count per warp); lanes past the end reduce zeros.
#pragma unroll
      for (u32 off = kLanes / 2; off > 0; off /= 2) amax = ptx::max_nan(amax, __shfl_xor_sync(0xffffffffu, amax, off));
      const f32 s = quant::scale_from_amax<kUe8m0>(amax);
      const f32 inv = ptx::rcp_rn(s);
      const bool overflow = kUe8m0 && __float_as_uint(amax) >= 0x7f800000u;  // amax >= 0: +inf or NaN
      if (g < total) {
        if (col[u] < k) {
          ptx::st_global_v4(out + static_cast<u64>(row[u]) * k + col[u], quant::encode_chunk(chunks[u], inv, overflow));
        }
        if (sub == 0) {
          const f32 stored = quant::canonical_nan(s);
          if constexpr (kMnMajor) {
            f32* column = sf + static_cast<u64>(col[u] / kGroup) * aligned_m;
            column[row[u]] = stored;
            // The last row's owner also zeroes this column's TMA padding rows.
            if (row[u] == m - 1) {
              for (u32 r = m; r < aligned_m; ++r) column[r] = 0.0f;
            }
          } else {
            sf[static_cast<u64>(row[u]) * sfk + col[u] / kGroup] = stored;
          }
        }
      }
    }
  }
}

// Per-block cast (128 x 128 tiles). x: [M, K], out: [M, K] e4m3fn, sf: row-major [ceil(M/128), ceil(K/128)].
// Grid: (ceil(K/128), ceil(M/128)); one CTA of kThreads per tile.
template <QuantInput kIn, bool kUe8m0, u32 kThreads>
__device__ __forceinline__ void quant_cast_per_block(const void* __restrict__ x, u8* __restrict__ out,
                                                     f32* __restrict__ sf, u32 m, u32 k) {
  constexpr u32 kBlock = 128;
  constexpr u32 kChunksPerRow = kBlock / quant::kChunk;  // 8
  constexpr u32 kWarps = kThreads / 32;
  static_assert(kThreads % 32 == 0 && (kBlock * kChunksPerRow) % kThreads == 0, "threads must tile 1024 chunks");
  static_assert(kThreads % kChunksPerRow == 0, "a thread keeps one chunk column");
  constexpr u32 kPerThread = kBlock * kChunksPerRow / kThreads;
  constexpr u32 kRowsPerPass = kThreads / kChunksPerRow;

  __shared__ f32 warp_amax[kWarps];

  const u32 bk = blockIdx.x, bm = blockIdx.y;
  const u32 col = bk * kBlock + (threadIdx.x % kChunksPerRow) * quant::kChunk;
  const u32 row0 = bm * kBlock + threadIdx.x / kChunksPerRow;

  ptx::griddep_wait();

  // tile[i]: rows row0 + i * kRowsPerPass, 16 columns at `col`; zero outside [M, K] (padding).
  quant::Chunk<kIn> tile[kPerThread];
#pragma unroll
  for (u32 i = 0; i < kPerThread; ++i) {
    const u32 r = row0 + i * kRowsPerPass;
    quant::load_chunk(tile[i], x, static_cast<u64>(r) * k + col, r < m && col < k);
  }

  f32 amax = 0.0f;
#pragma unroll
  for (u32 i = 0; i < kPerThread; ++i) amax = quant::chunk_amax(tile[i], amax);
#pragma unroll
  for (u32 off = 16; off > 0; off /= 2) amax = ptx::max_nan(amax, __shfl_xor_sync(0xffffffffu, amax, off));
  if (threadIdx.x % 32 == 0) warp_amax[threadIdx.x / 32] = amax;
  __syncthreads();
#pragma unroll
  for (u32 w = 0; w < kWarps; ++w) amax = ptx::max_nan(amax, warp_amax[w]);

  const f32 s = quant::scale_from_amax<kUe8m0>(amax);
  const f32 inv = ptx::rcp_rn(s);
  const bool overflow = kUe8m0 && __float_as_uint(amax) >= 0x7f800000u;  // amax >= 0: +inf or NaN
  if (threadIdx.x == 0) sf[static_cast<u64>(bm) * ceil_div(k, kBlock) + bk] = quant::canonical_nan(s);
  if (col < k) {
#pragma unroll
    for (u32 i = 0; i < kPerThread; ++i) {
      const u32 r = row0 + i * kRowsPerPass;
      if (r < m) ptx::st_global_v4(out + static_cast<u64>(r) * k + col, quant::encode_chunk(tile[i], inv, overflow));
    }
  }
}

}  // namespace dg
