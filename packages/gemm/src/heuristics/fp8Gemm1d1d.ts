// Config heuristic for the SM90 FP8 1D1D GEMM (D f32 [M, N] += A e4m3 [M, K] · B e4m3 [N, K]ᵀ, both scaled 1x128
// along K: the weight-gradient GEMM behind fp8GemmNtAccumulate). Enumerate every (blockM, blockN, multicast) at its
// deepest pipeline, score each with DeepGEMM HEAD's analytic L1/L2 cycle model (get_layout_info) for an FP32 output
// with accumulation, keep the cheapest, and break exact ties with DeepGEMM's older "waves" rule. Pure: the answer
// depends only on (m, n, k, numSms, maxSmemBytes), so it is memoized.

import {
  checkSm90Fp8Gemm1d1dConfig,
  SM90_MAX_SMEM_BYTES,
  type Sm90Fp8Gemm1d1dConfig,
  sm90Fp8Gemm1d1dMaxStages,
  sm90Fp8Gemm1d1dShapeProblem,
  sm90Fp8Gemm1d1dSmemBytes,
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

type BlockM = Sm90Fp8Gemm1d1dConfig['blockM'];
type Multicast = Sm90Fp8Gemm1d1dConfig['multicast'];

const BLOCK_MS: readonly BlockM[] = [64, 128];

/**
 * Block N values considered: 16, then 24, 40, 56, …, 152 (DeepGEMM's 1D1D FP32 candidates). An FP32 output row of
 * blockN * 4 bytes with blockN = 8 (mod 16) puts the four rows a half-warp stores 8 banks apart, so the epilogue's
 * st.shared.v2 never conflicts; 16 is kept for small N. The kernel runs the other multiples of 8 up to 152 too
 * (forced configs), at the cost of 2- or 4-way conflicts in that store.
 */
export const FP8_GEMM_NT_ACCUMULATE_BLOCK_NS: readonly number[] = (() => {
  const out = [16];
  for (let bn = 24; bn <= 152; bn += 16) out.push(bn);
  return out;
})();

/**
 * DeepGEMM HEAD's stage filter: at least 3 stages, and at least 4 for tiles under 128 x 192 (every 1D1D tile), which
 * do less math per stage and need more loads in flight to cover the TMA latency.
 */
function enoughStages(bm: number, bn: number, stages: number): boolean {
  return stages >= 3 && (bm * bn >= 128 * 192 || stages >= 4);
}

interface TileOption {
  readonly blockM: BlockM;
  readonly blockN: number;
  readonly numStages: number;
}

const tileTables = new Map<number, readonly TileOption[]>();

/**
 * (blockM, blockN, deepest stage count) options for a shared-memory budget, in enumeration order (blockM, then blockN
 * ascending). The budget is capped at SM90_MAX_SMEM_BYTES, the figure checkSm90Fp8Gemm1d1dConfig validates against.
 * When no tile reaches the stage minimum (a tiny budget) every tile with at least one stage is kept instead.
 */
function tileOptions(maxSmemBytes: number): readonly TileOption[] {
  const budget = Math.min(maxSmemBytes, SM90_MAX_SMEM_BYTES);
  const cached = tileTables.get(budget);
  if (cached !== undefined) return cached;
  const all: TileOption[] = [];
  for (const blockM of BLOCK_MS) {
    for (const blockN of FP8_GEMM_NT_ACCUMULATE_BLOCK_NS) {
      const numStages = sm90Fp8Gemm1d1dMaxStages(blockM, blockN, budget);
      if (numStages >= 1) all.push({ blockM, blockN, numStages });
    }
  }
  const pruned = all.filter((t) => enoughStages(t.blockM, t.blockN, t.numStages));
  const table = Object.freeze(pruned.length > 0 ? pruned : all);
  tileTables.set(budget, table);
  return table;
}

/** The terms of the cost model for one config and shape (cycles are model units, not clocks). */
export interface Fp8GemmNtAccumulateCost {
  /** Output tiles: ceil(m / blockM) * ceil(n / blockN). */
  readonly numBlocks: number;
  /** ceil(numBlocks / numSms): rounds of the persistent grid. */
  readonly numWaves: number;
  /** Tiles in the last wave (numSms when it is full). */
  readonly lastWaveBlocks: number;
  /** numBlocks / (numWaves * numSms). */
  readonly efficiency: number;
  readonly l1Cycles: number;
  readonly l2Cycles: number;
  /** max(l1Cycles, l2Cycles) / efficiency; +Infinity for a cluster on a single-wave problem. */
  readonly cycles: number;
}

/** FP32 output. */
const CD_BYTES = 4;

/*
 * DeepGEMM HEAD's get_layout_info with FP8 operands (1 byte), an FP32 output (4 bytes) and with_accumulation: the
 * output tile crosses L2 and shared memory twice (C is read and D written; here a TMA reduce-add does both in L2),
 * so cd = blockM * blockN * 4 * 2. The rest as for the 1D2D model (heuristics/fp8Gemm1d2d.ts): l2Ab = operand bytes
 * per tile through L2, halved for the operand a 2-CTA cluster shares; l1 = TMA writes + WGMMA reads (>= 64 rows of
 * A) + the accumulator tile drained through smem; efficiency = filled SM-waves; max(l1, l2) / efficiency. The FP32
 * output makes cd a much larger share than with BF16, which pushes the model towards big tiles.
 */
function tileTerms(bm: number, bn: number, m: number, n: number, k: number, numSms: number): TileTerms {
  const numBlocks = Math.ceil(m / bm) * Math.ceil(n / bn);
  const l1Ab = k * (bm + bn);
  const l1Tc = k * (Math.max(64, bm) + bn) + bm * bn * CD_BYTES;
  const cd = bm * bn * CD_BYTES * 2;
  const l1Cycles = ((l1Ab + l1Tc + cd) * numBlocks) / l1BytesPerCycle(numSms);
  return waveTerms(numBlocks, numSms, l1Cycles);
}

function l2Cycles(bm: number, bn: number, multicast: Multicast, k: number, numBlocks: number, numSms: number): number {
  const l2Ab = k * (multicast === 'a' ? bm / 2 : bm) + k * (multicast === 'b' ? bn / 2 : bn);
  const cd = bm * bn * CD_BYTES * 2;
  return ((l2Ab + cd) * numBlocks) / l2BytesPerCycle(numSms);
}

/** The cost model's terms for `config` running `shape` (uses config.numSms as the SM count). */
export function estimateFp8GemmNtAccumulateCost(
  config: Sm90Fp8Gemm1d1dConfig,
  shape: GemmShape,
): Fp8GemmNtAccumulateCost {
  const { blockM: bm, blockN: bn, multicast, numSms } = config;
  const t = tileTerms(bm, bn, shape.m, shape.n, shape.k, numSms);
  const l2 = l2Cycles(bm, bn, multicast, shape.k, t.numBlocks, numSms);
  return { ...t, l2Cycles: l2, cycles: totalCycles(t, l2, multicast) };
}

/**
 * Below this M no multicast, as for fp8GemmNt (heuristics/fp8Gemm1d2d.ts): on the H100 every multicast config with
 * 64-row tiles measured slower than the same tile without (`dg-bench gemm-accumulate-configs` at c4a102b; e.g.
 * 128 x 7168 x 16384: 64x56 with multicast A 76.4 us, 64x120 without 61.8 us).
 */
const MULTICAST_MIN_M = 512;

/**
 * Multicasts worth trying for a tile: 'none' always; 'a' / 'b' only for M >= MULTICAST_MIN_M, with an even SM count,
 * more than one wave, and an even count of N blocks ('a') or M blocks ('b'), which the kernel's cluster pairing
 * requires.
 */
function multicastsFor(m: number, mBlocks: number, nBlocks: number, numSms: number): Multicast[] {
  const out: Multicast[] = ['none'];
  if (m < MULTICAST_MIN_M || numSms % 2 !== 0 || mBlocks * nBlocks <= numSms) return out;
  if (nBlocks % 2 === 0) out.push('a');
  if (mBlocks % 2 === 0) out.push('b');
  return out;
}

/**
 * Every config worth considering for `shape` on `dev`, in enumeration order (blockM, blockN ascending; multicast
 * none, a, b). Each passes checkSm90Fp8Gemm1d1dConfig and sm90Fp8Gemm1d1dShapeProblem.
 */
export function listFp8GemmNtAccumulateCandidates(shape: GemmShape, dev: GemmDeviceInfo): Sm90Fp8Gemm1d1dConfig[] {
  const { m, n } = checkGemmShape('fp8GemmNtAccumulate', shape);
  const { numSms, maxSmemBytes } = checkGemmDeviceInfo(dev);
  const out: Sm90Fp8Gemm1d1dConfig[] = [];
  for (const t of tileOptions(maxSmemBytes)) {
    for (const multicast of multicastsFor(m, Math.ceil(m / t.blockM), Math.ceil(n / t.blockN), numSms)) {
      out.push({ blockM: t.blockM, blockN: t.blockN, numStages: t.numStages, multicast, numSms });
    }
  }
  return out;
}

function selectUncached(shape: GemmShape, dev: GemmDeviceInfo): Sm90Fp8Gemm1d1dConfig {
  const { m, n, k } = checkGemmShape('fp8GemmNtAccumulate', shape);
  const { numSms, maxSmemBytes } = checkGemmDeviceInfo(dev);
  const tiles = tileOptions(maxSmemBytes);
  if (tiles.length === 0) {
    throw new RangeError(
      `fp8GemmNtAccumulate: no block config fits ${maxSmemBytes} bytes of shared memory (the smallest needs ${sm90Fp8Gemm1d1dSmemBytes(64, 16, 1)})`,
    );
  }
  const best = new BestPick<TileOption>();
  for (const tile of tiles) {
    const { blockM: bm, blockN: bn } = tile;
    const terms = tileTerms(bm, bn, m, n, k, numSms);
    for (const multicast of multicastsFor(m, Math.ceil(m / bm), Math.ceil(n / bn), numSms)) {
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
  });
}

/** Memoized picks: device key -> m -> n -> k -> config. */
const memo = new PickMemo<Sm90Fp8Gemm1d1dConfig>();

/**
 * The config the cost model ranks best for `shape` on `dev`. Pure and memoized on (m, n, k, numSms, maxSmemBytes):
 * the same numbers return the identical (frozen) object. The cache is dropped wholesale past 65536 entries.
 * Throws TypeError / RangeError for a malformed shape or device (before anything is cached).
 */
export function selectFp8GemmNtAccumulateConfig(shape: GemmShape, dev: GemmDeviceInfo): Sm90Fp8Gemm1d1dConfig {
  const smem = dev.maxSmemBytes;
  if (smem >>> 0 !== smem) return selectUncached(shape, dev);
  const devKey = dev.numSms * 2 ** 32 + smem;
  const hit = memo.get(devKey, shape);
  if (hit !== undefined) return hit;
  const config = selectUncached(shape, dev);
  memo.set(devKey, shape, config);
  return config;
}

/** Forgets every memoized pick (tests and benchmarks of the miss path). */
export function clearFp8GemmNtAccumulateConfigCache(): void {
  memo.clear();
}

function configKey(c: Sm90Fp8Gemm1d1dConfig): string {
  return `${c.blockM}x${c.blockN}/s${c.numStages}/${c.multicast}/${c.numSms}`;
}

/** The distinct configs the heuristic picks over `shapes` (first-pick order): the kernels a run over them needs. */
export function fp8GemmNtAccumulateConfigsForShapes(
  shapes: Iterable<GemmShape>,
  dev: GemmDeviceInfo,
): Sm90Fp8Gemm1d1dConfig[] {
  const seen = new Map<string, Sm90Fp8Gemm1d1dConfig>();
  for (const shape of shapes) {
    const c = selectFp8GemmNtAccumulateConfig(shape, dev);
    const key = configKey(c);
    if (!seen.has(key)) seen.set(key, c);
  }
  return [...seen.values()];
}

/**
 * One line describing `config` on `shape`: tile, tile grid, persistent grid, waves and last-wave utilisation,
 * stages and dynamic shared memory, multicast, raster group and the model's cycle estimate. Validates the config.
 */
export function describeFp8GemmNtAccumulateConfig(config: Sm90Fp8Gemm1d1dConfig, shape: GemmShape): string {
  const c = checkSm90Fp8Gemm1d1dConfig(config);
  const { m, n, k } = checkGemmShape('fp8GemmNtAccumulate', shape);
  const problem = sm90Fp8Gemm1d1dShapeProblem(c, { m, n, k });
  const mBlocks = Math.ceil(m / c.blockM);
  const nBlocks = Math.ceil(n / c.blockN);
  const cost = estimateFp8GemmNtAccumulateCost(c, { m, n, k });
  const cluster = c.multicast === 'none' ? 1 : 2;
  const grid = Math.min(c.numSms, Math.ceil(cost.numBlocks / cluster) * cluster);
  const wgs = c.blockM === 64 ? '1 math WG' : '2 math WGs';
  const mc =
    c.multicast === 'none'
      ? 'no multicast'
      : `multicast ${c.multicast} (2-CTA clusters share ${c.multicast === 'a' ? 'A' : 'B'})`;
  const smem = sm90Fp8Gemm1d1dSmemBytes(c.blockM, c.blockN, c.numStages);
  return (
    `m=${m} n=${n} k=${k}: block ${c.blockM}x${c.blockN} (${wgs}), tiles ${mBlocks}x${nBlocks}=${cost.numBlocks}, ` +
    `grid ${grid}/${c.numSms} SMs, waves ${cost.numWaves} (last ${cost.lastWaveBlocks}/${c.numSms} = ` +
    `${percent(cost.lastWaveBlocks / c.numSms)}, overall ${percent(cost.efficiency)}), stages ${c.numStages}, ` +
    `smem ${smem} B, ${mc}, raster ${sm90RasterGroup(c)}, model ${Math.round(cost.cycles)} cycles` +
    (problem === null ? '' : ` [cannot run: ${problem}]`)
  );
}

/**
 * Writes `[dg] fp8GemmNtAccumulate <description>` to stderr the first time a shape is seen while DG_PRINT_CONFIGS is
 * '1' (read at every call; when off this is one env lookup).
 */
export function printAccumulateConfigOnce(shape: GemmShape, config: Sm90Fp8Gemm1d1dConfig): void {
  printOnce(
    () => `fp8GemmNtAccumulate:${shape.m},${shape.n},${shape.k}`,
    () => `fp8GemmNtAccumulate ${describeFp8GemmNtAccumulateConfig(config, shape)}`,
  );
}
