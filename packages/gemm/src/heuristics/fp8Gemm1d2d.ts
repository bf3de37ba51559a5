// Config heuristic for the SM90 FP8 1D2D GEMM (D bf16 [M, N] = A e4m3 [M, K] · B e4m3 [N, K]ᵀ, A scaled 1x128,
// B scaled 128x128): enumerate every legal (blockM, blockN, multicast) at its deepest pipeline, score each with an
// analytic L1/L2 cycle model (DeepGEMM HEAD's get_layout_info, csrc/jit_kernels/heuristics/), keep the cheapest,
// and break exact ties with DeepGEMM's older "waves" rule (JAN26 common.hpp). Pure: the answer depends only on
// (m, n, k, numSms, maxSmemBytes), so it is memoized.

import {
  checkSm90Fp8Gemm1d2dConfig,
  persistentGridSize,
  SM90_MAX_SMEM_BYTES,
  type Sm90Fp8Gemm1d2dConfig,
  sm90Fp8Gemm1d2dKUnroll,
  sm90Fp8Gemm1d2dMaxStages,
  sm90Fp8Gemm1d2dPipelined,
  sm90Fp8Gemm1d2dShapeProblem,
  sm90Fp8Gemm1d2dSmemBytes,
  sm90RasterGroup,
} from '@dg/kernels';
import {
  BestPick,
  checkGemmShape,
  type GemmShape,
  l1BytesPerCycle,
  l2BytesPerCycle,
  PickMemo,
  percent,
  printOnce,
  type TileTerms,
  totalCycles,
  waveTerms,
} from './common.js';
import { checkGemmDeviceInfo, type GemmDeviceInfo } from './device.js';

export type { GemmShape } from './common.js';

type BlockM = Sm90Fp8Gemm1d2dConfig['blockM'];
type Multicast = Sm90Fp8Gemm1d2dConfig['multicast'];

const BLOCK_MS: readonly BlockM[] = [64, 128, 256];

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/**
 * Block N values considered: every multiple of 8 in [16, 192] the kernel can run, i.e. an N tile straddles at most
 * two 128-wide B-scale blocks (blockN <= 128 + gcd(blockN, 128)): 16, 24, …, 128, then 136, 144, 160, 192.
 * DeepGEMM HEAD steps by 16 (plus 144/160/192 above 128); the 8-steps in between (24, 40, …, 120, 136) are kept
 * because our kernel runs them (unswizzled 16-byte epilogue rows) and they let a small-M, memory-bound problem fill
 * the SMs more evenly (e.g. N = 7168, M = 64: 128 tiles of 64x56 instead of 112 of 64x64 or 150 of 64x48).
 */
export const FP8_GEMM_NT_BLOCK_NS: readonly number[] = (() => {
  const out: number[] = [];
  for (let bn = 16; bn <= 192; bn += 8) if (bn <= 128 + gcd(bn, 128)) out.push(bn);
  return out;
})();

/** (blockM, blockN) pairs the kernel accepts (blockN <= 128 with blockM 256: registers; DeepGEMM: not bm>128 and bn>128). */
function tileLegal(bm: BlockM, bn: number): boolean {
  return !(bm === 256 && bn > 128);
}

/**
 * DeepGEMM HEAD's stage filter: at least 3 stages (with fewer, the producer cannot keep a load in flight while the
 * math warpgroups consume one stage and release another), and at least 4 for small tiles (bm * bn < 128 * 192),
 * which do less math per stage and so need more stages in flight to cover the same TMA latency.
 */
function enoughStages(bm: number, bn: number, stages: number): boolean {
  return stages >= 3 && (bm * bn >= 128 * 192 || stages >= 4);
}

/**
 * The longest K for which a two-warpgroup tile (blockM 128 or 256) gets the per-warpgroup epilogue (`epilogue:
 * 'warpgroup'`), when the CTAs have more than one tile each: one warpgroup's epilogue then overlaps the other's
 * WGMMAs on the next tile, which pays where few K blocks make the epilogue a large share of a tile. H100, 2026-11-21,
 * same process (`dg-bench gemm-configs`): 128x192 multicast B at M = 4096 2-3% faster at K = 512, 1536 and 2048 in
 * two sweeps, 0.7% at 7168; 256x128 multicast A within ±1% up to K = 7168 (faster in two of three calls), 0.9-1.6%
 * slower at K = 16384. With a single wave of tiles (128 x 24576 x 1536, 128x192: 23.7 vs 23.4 µs) there is no next
 * tile to overlap and the joint epilogue stays.
 */
export const PER_WARPGROUP_EPILOGUE_MAX_K = 2048;

/**
 * The epilogue field of a picked config: 'warpgroup' for two-warpgroup tiles at K <= PER_WARPGROUP_EPILOGUE_MAX_K
 * with more tiles than SMs.
 */
function epilogueFor(
  tile: { readonly blockM: BlockM; readonly blockN: number },
  shape: { readonly m: number; readonly n: number; readonly k: number },
  numSms: number,
): Pick<Sm90Fp8Gemm1d2dConfig, 'epilogue'> {
  const numBlocks = Math.ceil(shape.m / tile.blockM) * Math.ceil(shape.n / tile.blockN);
  return tile.blockM !== 64 && shape.k <= PER_WARPGROUP_EPILOGUE_MAX_K && numBlocks > numSms
    ? { epilogue: 'warpgroup' }
    : {};
}

/**
 * The shortest K at which 256-row tiles (two 64-row slabs per math warpgroup) are considered. Below it the cost model,
 * which counts bytes only, ranks them first, yet 128-row tiles run faster: H100, 2026-11-21, same process,
 * `dg-bench gemm-configs` (three device calls, two of them twice over): 4096x32768x512 128x192 multicast B with the
 * per-warpgroup epilogue 135.6 µs vs 256x128 multicast A 139.4-139.9; 4096x24576x1536 230.7-231.3 vs 240.8-241.3.
 * From K = 2048 on the 256-row tile keeps its lead (4096x7168x2048: 95.1-95.5 vs 97.5; 4096x4096x7168 170 vs 188),
 * as at long K, where its operand bytes per output (what the model weighs) decide. With only a few K blocks per tile,
 * costs the byte count does not see weigh more: two slabs mean two WGMMA waits per K block per warpgroup, and a
 * larger output tile to stage per tile.
 */
export const TWO_SLAB_TILES_MIN_K = 2048;

/** Whether the selection considers a tile for K: no 256-row tile below TWO_SLAB_TILES_MIN_K. */
function tileConsidered(blockM: BlockM, k: number): boolean {
  return blockM !== 256 || k >= TWO_SLAB_TILES_MIN_K;
}

interface TileOption {
  readonly blockM: BlockM;
  readonly blockN: number;
  readonly numStages: number;
}

const tileTables = new Map<number, readonly TileOption[]>();

/**
 * The (blockM, blockN, deepest stage count) options for a shared-memory budget, in enumeration order (blockM, then
 * blockN ascending). The budget is capped at SM90_MAX_SMEM_BYTES because checkSm90Fp8Gemm1d2dConfig validates stage
 * counts against that constant, not against the device. When no tile reaches DeepGEMM's stage minimum (a tiny budget)
 * every tile with at least one stage is kept instead, so a config always exists while anything fits at all.
 */
function tileOptions(maxSmemBytes: number): readonly TileOption[] {
  const budget = Math.min(maxSmemBytes, SM90_MAX_SMEM_BYTES);
  const cached = tileTables.get(budget);
  if (cached !== undefined) return cached;
  const all: TileOption[] = [];
  for (const blockM of BLOCK_MS) {
    for (const blockN of FP8_GEMM_NT_BLOCK_NS) {
      if (!tileLegal(blockM, blockN)) continue;
      const numStages = sm90Fp8Gemm1d2dMaxStages(blockM, blockN, budget);
      if (numStages >= 1) all.push({ blockM, blockN, numStages });
    }
  }
  const pruned = all.filter((t) => enoughStages(t.blockM, t.blockN, t.numStages));
  const table = Object.freeze(pruned.length > 0 ? pruned : all);
  tileTables.set(budget, table);
  return table;
}

/** The terms of the cost model for one config and shape (all per launch; cycles are model units, not clocks). */
export interface Fp8GemmNtCost {
  /** Output tiles: ceil(m / blockM) * ceil(n / blockN). */
  readonly numBlocks: number;
  /** ceil(numBlocks / numSms): rounds of the persistent grid. */
  readonly numWaves: number;
  /** Tiles in the last wave (numSms when it is full). */
  readonly lastWaveBlocks: number;
  /** numBlocks / (numWaves * numSms): the fraction of SM-waves doing useful work. */
  readonly efficiency: number;
  readonly l1Cycles: number;
  readonly l2Cycles: number;
  /** max(l1Cycles, l2Cycles) / efficiency; +Infinity for a cluster on a single-wave problem. */
  readonly cycles: number;
}

/*
 * DeepGEMM HEAD's analytic model (get_layout_info), for FP8 operands (1 byte) and a BF16 output (2 bytes), no
 * accumulation. HBM traffic and FLOPs are left out on purpose: both are the same for every config of a shape, so
 * they cannot change the ranking. What does change with the config:
 *
 * - l2Ab: operand bytes each tile pulls through L2 (k * (blockM + blockN)); a 2-CTA multicast loads the shared
 *   operand once per pair, halving its share (blockM / 2 for 'a', blockN / 2 for 'b'). Small tiles re-read the same
 *   operand rows from L2 many times, which is what makes them expensive.
 * - l1Ab + l1Tc: shared-memory traffic: TMA writing the stage (k * (bm + bn)) and WGMMA reading it back, where a
 *   WGMMA always reads at least 64 rows of A (max(64, bm): also why blockM 64 is the floor for tiny M, since a
 *   16/32-row tile would cost the same here) plus the accumulator tile it drains (bm * bn * 2).
 * - cd: the BF16 output tile written through shared memory and L2 once.
 * - efficiency: a partially filled last wave leaves SMs idle, so the busy time stretches by 1 / efficiency; this is
 *   what the older waves rule captured on its own.
 * - max(l1, l2): the two paths overlap; the slower one bounds the tile loop.
 * - no multicast on single-wave problems: a cluster then only constrains scheduling and buys no reuse (DeepGEMM sets
 *   the cost to +inf; listFp8GemmNtCandidates does not even enumerate those candidates).
 */
function tileTerms(bm: number, bn: number, m: number, n: number, k: number, numSms: number): TileTerms {
  const numBlocks = Math.ceil(m / bm) * Math.ceil(n / bn);
  const l1Ab = k * (bm + bn);
  const l1Tc = k * (Math.max(64, bm) + bn) + bm * bn * 2;
  const cd = bm * bn * 2;
  const l1Cycles = ((l1Ab + l1Tc + cd) * numBlocks) / l1BytesPerCycle(numSms);
  return waveTerms(numBlocks, numSms, l1Cycles);
}

function l2Cycles(bm: number, bn: number, multicast: Multicast, k: number, numBlocks: number, numSms: number): number {
  const l2Ab = k * (multicast === 'a' ? bm / 2 : bm) + k * (multicast === 'b' ? bn / 2 : bn);
  const cd = bm * bn * 2;
  return ((l2Ab + cd) * numBlocks) / l2BytesPerCycle(numSms);
}

/** The cost model's terms for `config` running `shape` (uses config.numSms as the SM count). */
export function estimateFp8GemmNtCost(config: Sm90Fp8Gemm1d2dConfig, shape: GemmShape): Fp8GemmNtCost {
  const { blockM: bm, blockN: bn, multicast, numSms } = config;
  const t = tileTerms(bm, bn, shape.m, shape.n, shape.k, numSms);
  const l2 = l2Cycles(bm, bn, multicast, shape.k, t.numBlocks, numSms);
  return { ...t, l2Cycles: l2, cycles: totalCycles(t, l2, multicast) };
}

/**
 * Below this M no multicast (DeepGEMM JAN26's rule, m >= 512): on the H100 the model's L2 saving does not show up
 * for skinny problems, the cluster pairing costs more (64 x 32768 x 512: 64x128 145 TFLOPS with multicast A, 156
 * without; 128 x 32768 x 512: 128x128 263 vs 281; `dg-bench gemm-configs`, commit 18b840c).
 */
const MULTICAST_MIN_M = 512;

/**
 * Multicasts worth trying for a tile: 'none' always; 'a' / 'b' only for M >= MULTICAST_MIN_M, with an even SM count
 * (clusters of 2 must tile the grid), more than one wave (else no reuse to gain), and an even count of N blocks ('a':
 * the pair shares an A tile across two adjacent N blocks) or M blocks ('b'), which the kernel requires.
 */
function multicastsFor(m: number, mBlocks: number, nBlocks: number, numSms: number, out: Multicast[]): Multicast[] {
  out.length = 0;
  out.push('none');
  if (m < MULTICAST_MIN_M || numSms % 2 !== 0 || mBlocks * nBlocks <= numSms) return out;
  if (nBlocks % 2 === 0) out.push('a');
  if (mBlocks % 2 === 0) out.push('b');
  return out;
}

/**
 * Every config worth considering for `shape` on `dev`, in enumeration order (blockM, blockN ascending; multicast
 * none, a, b): each legal (blockM, blockN) at the deepest stage count that fits (tiles with fewer than 3 stages, or
 * fewer than 4 for tiles under 128x192, are pruned as in DeepGEMM), with multicast variants where the kernel can run
 * them and there is more than one wave, and the epilogue the pick would get; no 256-row tile below
 * TWO_SLAB_TILES_MIN_K. Each passes checkSm90Fp8Gemm1d2dConfig and sm90Fp8Gemm1d2dShapeProblem.
 */
export function listFp8GemmNtCandidates(shape: GemmShape, dev: GemmDeviceInfo): Sm90Fp8Gemm1d2dConfig[] {
  const { m, n, k } = checkGemmShape('fp8GemmNt', shape);
  const { numSms, maxSmemBytes } = checkGemmDeviceInfo(dev);
  const out: Sm90Fp8Gemm1d2dConfig[] = [];
  const mcs: Multicast[] = [];
  for (const t of tileOptions(maxSmemBytes)) {
    if (!tileConsidered(t.blockM, k)) continue;
    for (const multicast of multicastsFor(m, Math.ceil(m / t.blockM), Math.ceil(n / t.blockN), numSms, mcs)) {
      out.push({
        blockM: t.blockM,
        blockN: t.blockN,
        numStages: t.numStages,
        multicast,
        numSms,
        ...epilogueFor(t, { m, n, k }, numSms),
      });
    }
  }
  return out;
}

/**
 * Whether the selection considers multicast configs. Kept as a switch because it once had to be off: while the
 * kernel's remote arrive carried a cluster-scope release, every multicast config ran at 0.45-0.66x of the same tile
 * without (H100, 2026-11-21); with a CTA-scope arrive they beat it (4096x4096x7168, 256x128: 1209 TFLOPS with
 * multicast B vs 1165 without; `dg-bench gemm-configs`).
 */
const SELECT_MULTICAST = true;
const NO_MULTICAST: readonly Multicast[] = ['none'];

function selectUncached(shape: GemmShape, dev: GemmDeviceInfo): Sm90Fp8Gemm1d2dConfig {
  const { m, n, k } = checkGemmShape('fp8GemmNt', shape);
  const { numSms, maxSmemBytes } = checkGemmDeviceInfo(dev);
  const tiles = tileOptions(maxSmemBytes);
  if (tiles.length === 0) {
    throw new RangeError(
      `fp8GemmNt: no block config fits ${maxSmemBytes} bytes of shared memory (the smallest needs ${sm90Fp8Gemm1d2dSmemBytes(64, 16, 1)})`,
    );
  }
  const best = new BestPick<TileOption>();
  const mcs: Multicast[] = [];
  for (const tile of tiles) {
    const { blockM: bm, blockN: bn } = tile;
    if (!tileConsidered(bm, k)) continue;
    const terms = tileTerms(bm, bn, m, n, k, numSms);
    const multicasts = SELECT_MULTICAST
      ? multicastsFor(m, Math.ceil(m / bm), Math.ceil(n / bn), numSms, mcs)
      : NO_MULTICAST;
    for (const multicast of multicasts) {
      const cycles = totalCycles(terms, l2Cycles(bm, bn, multicast, k, terms.numBlocks, numSms), multicast);
      best.offer(tile, terms, multicast, cycles, m, n);
    }
  }
  // Every candidate filtered out (tiny budgets): the first tile without multicast, as before any offer.
  const bestTile = best.tile ?? (tiles[0] as TileOption);
  return Object.freeze({
    blockM: bestTile.blockM,
    blockN: bestTile.blockN,
    numStages: bestTile.numStages,
    multicast: best.multicast,
    numSms,
    ...epilogueFor(bestTile, { m, n, k }, numSms),
  });
}

/** Memoized picks: device key -> m -> n -> k -> config. */
const memo = new PickMemo<Sm90Fp8Gemm1d2dConfig>();

/**
 * The config the cost model ranks best for `shape` on `dev`. Pure and memoized on (m, n, k, numSms, maxSmemBytes):
 * the same numbers return the identical (frozen) object. The cache is dropped wholesale past 65536 entries.
 * Throws TypeError / RangeError for a malformed shape or device (before anything is cached).
 */
export function selectFp8GemmNtConfig(shape: GemmShape, dev: GemmDeviceInfo): Sm90Fp8Gemm1d2dConfig {
  const smem = dev.maxSmemBytes;
  // Unique while maxSmemBytes is a uint32 (checkGemmDeviceInfo insists); anything else goes to the validating path.
  if (smem >>> 0 !== smem) return selectUncached(shape, dev);
  const devKey = dev.numSms * 2 ** 32 + smem;
  const hit = memo.get(devKey, shape);
  if (hit !== undefined) return hit;
  const config = selectUncached(shape, dev);
  memo.set(devKey, shape, config);
  return config;
}

/** Forgets every memoized pick (tests and benchmarks of the miss path). */
export function clearFp8GemmNtConfigCache(): void {
  memo.clear();
}

function configKey(c: Sm90Fp8Gemm1d2dConfig): string {
  return `${c.blockM}x${c.blockN}/s${c.numStages}/${c.multicast}/${c.numSms}/${c.epilogue ?? 'joint'}`;
}

/** The distinct configs the heuristic picks over `shapes` (first-pick order): the kernels a run over them needs. */
export function fp8GemmNtConfigsForShapes(shapes: Iterable<GemmShape>, dev: GemmDeviceInfo): Sm90Fp8Gemm1d2dConfig[] {
  const seen = new Map<string, Sm90Fp8Gemm1d2dConfig>();
  for (const shape of shapes) {
    const c = selectFp8GemmNtConfig(shape, dev);
    const key = configKey(c);
    if (!seen.has(key)) seen.set(key, c);
  }
  return [...seen.values()];
}

/**
 * One line describing `config` on `shape`: tile, tile grid, persistent grid, waves and last-wave utilisation,
 * stages and dynamic shared memory, multicast, raster group and the model's cycle estimate. Validates the config.
 */
export function describeFp8GemmNtConfig(config: Sm90Fp8Gemm1d2dConfig, shape: GemmShape): string {
  const c = checkSm90Fp8Gemm1d2dConfig(config);
  const { m, n, k } = checkGemmShape('fp8GemmNt', shape);
  const problem = sm90Fp8Gemm1d2dShapeProblem(c, { m, n, k });
  const mBlocks = Math.ceil(m / c.blockM);
  const nBlocks = Math.ceil(n / c.blockN);
  const cost = estimateFp8GemmNtCost(c, { m, n, k });
  const grid = persistentGridSize(c, { m, n });
  const wgs = c.blockM === 64 ? '1 math WG' : c.blockM === 256 ? '2 math WGs x 2 slabs' : '2 math WGs';
  const mc =
    c.multicast === 'none'
      ? 'no multicast'
      : `multicast ${c.multicast} (2-CTA clusters share ${c.multicast === 'a' ? 'A' : 'B'})`;
  const smem = sm90Fp8Gemm1d2dSmemBytes(c.blockM, c.blockN, c.numStages);
  const pipe = sm90Fp8Gemm1d2dPipelined(c) ? ', pipelined K loop' : '';
  const epilogue = c.epilogue === 'warpgroup' ? ', per-warpgroup epilogue' : '';
  const exact = c.exactKUnroll === true ? `, K loop in whole groups of ${sm90Fp8Gemm1d2dKUnroll(c)}` : '';
  return (
    `m=${m} n=${n} k=${k}: block ${c.blockM}x${c.blockN} (${wgs}${pipe}${epilogue}${exact}), tiles ${mBlocks}x${nBlocks}=${cost.numBlocks}, ` +
    `grid ${grid}/${c.numSms} SMs, waves ${cost.numWaves} (last ${cost.lastWaveBlocks}/${c.numSms} = ` +
    `${percent(cost.lastWaveBlocks / c.numSms)}, overall ${percent(cost.efficiency)}), stages ${c.numStages}, ` +
    `smem ${smem} B, ${mc}, raster ${sm90RasterGroup(c)}, model ${Math.round(cost.cycles)} cycles` +
    (problem === null ? '' : ` [cannot run: ${problem}]`)
  );
}

/** Short alias of describeFp8GemmNtConfig. */
export const explainFp8GemmNtConfig = describeFp8GemmNtConfig;

/**
 * Writes `[dg] <kind> <description>` to stderr the first time a (kind, shape) is seen while DG_PRINT_CONFIGS is '1'
 * (read at every call, so it can be switched on mid-process; when off this is one env lookup).
 */
export function printConfigOnce(kind: string, shape: GemmShape, config: Sm90Fp8Gemm1d2dConfig): void {
  printOnce(
    () => `${kind}:${shape.m},${shape.n},${shape.k}`,
    () => `${kind} ${describeFp8GemmNtConfig(config, shape)}`,
  );
}

export { resetPrintedConfigs } from './common.js';
