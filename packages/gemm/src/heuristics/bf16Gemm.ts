// Config heuristic for the SM90 BF16 GEMM (D bf16/f32 [M, N] = A bf16 [M, K] · B bf16 [N, K]ᵀ (+ C), A and B
// K-major or MN-major): enumerate every legal (blockM, blockN, multicast) at its deepest pipeline, score each with the
// analytic L1/L2 cycle model of DeepGEMM HEAD (get_layout_info) with 2-byte operands, keep the cheapest, and break exact
// ties with DeepGEMM's older waves rule. Pure: the answer depends only on (m, n, k, layout, numSms, maxSmemBytes), so it
// is memoized.

import {
  checkSm90Bf16GemmConfig,
  checkSm90Bf16GemmLayout,
  SM90_MAX_SMEM_BYTES,
  type Sm90Bf16GemmConfig,
  type Sm90Bf16GemmLayout,
  type Sm90Bf16GemmTile,
  sm90Bf16GemmBRows,
  sm90Bf16GemmMaxStages,
  sm90Bf16GemmShapeProblem,
  sm90Bf16GemmSmemBytes,
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

type BlockM = Sm90Bf16GemmTile['blockM'];
type Multicast = Sm90Bf16GemmTile['multicast'];

const BLOCK_MS: readonly BlockM[] = [64, 128, 256];

/**
 * Block N values considered: every multiple of 16 in [16, 256], as DeepGEMM. The kernel also runs the odd multiples
 * of 8, but their output rows are not a multiple of 32 bytes, so the epilogue stores 8-column (16-byte) TMA boxes:
 * measured on an H100, 128x232 and 128x248 tiles ran at 0.55-0.8x the neighbouring 128x224 / 128x256 on
 * 4096 x N x K problems, while on the small-M problems the 8-steps gained at most 2% (run at commit eb0e034).
 */
export const BF16_GEMM_NT_BLOCK_NS: readonly number[] = Array.from({ length: 16 }, (_, i) => 16 + 16 * i);

/** (blockM, blockN) pairs the kernel accepts: blockN <= 128 with blockM 256 (accumulator registers). */
function tileLegal(bm: BlockM, bn: number): boolean {
  return !(bm === 256 && bn > 128);
}

/**
 * DeepGEMM HEAD's stage filter: at least 3 stages, and at least 4 for small tiles (bm * bn < 128 * 192), which do
 * less math per stage and so need more stages in flight to cover the same TMA latency.
 */
function enoughStages(bm: number, bn: number, stages: number): boolean {
  return stages >= 3 && (bm * bn >= 128 * 192 || stages >= 4);
}

interface TileOption {
  readonly blockM: BlockM;
  readonly blockN: number;
  readonly numStages: number;
}

const tileTables = new Map<string, readonly TileOption[]>();

/**
 * The (blockM, blockN, deepest stage count) options for a shared-memory budget and layout (the output dtype sizes the
 * staging tile, an MN-major B pads its rows to 64), in enumeration order. Tiles that miss DeepGEMM's stage minimum
 * are pruned unless none reaches it (a tiny budget): then every tile with 2 stages or more is kept.
 */
function tileOptions(maxSmemBytes: number, layout: Sm90Bf16GemmLayout): readonly TileOption[] {
  const budget = Math.min(maxSmemBytes, SM90_MAX_SMEM_BYTES);
  const key = `${budget}|${layout.output}|${layout.bMajor}`;
  const cached = tileTables.get(key);
  if (cached !== undefined) return cached;
  const all: TileOption[] = [];
  for (const blockM of BLOCK_MS) {
    for (const blockN of BF16_GEMM_NT_BLOCK_NS) {
      if (!tileLegal(blockM, blockN)) continue;
      const numStages = sm90Bf16GemmMaxStages(blockM, blockN, layout, budget);
      if (numStages >= 2) all.push({ blockM, blockN, numStages });
    }
  }
  const pruned = all.filter((t) => enoughStages(t.blockM, t.blockN, t.numStages));
  const table = Object.freeze(pruned.length > 0 ? pruned : all);
  tileTables.set(key, table);
  return table;
}

/** The terms of the cost model for one config and shape (cycles are model units, not clocks). */
export interface Bf16GemmNtCost {
  readonly numBlocks: number;
  readonly numWaves: number;
  readonly lastWaveBlocks: number;
  readonly efficiency: number;
  readonly l1Cycles: number;
  readonly l2Cycles: number;
  /** max(l1Cycles, l2Cycles) / efficiency; +Infinity for a cluster on a single-wave problem. */
  readonly cycles: number;
}

/** Bytes of one output element and the output traffic factor (C read + D written with accumulation). */
function cdBytes(layout: Sm90Bf16GemmLayout): { eCd: number; cdFactor: number } {
  return { eCd: layout.output === 'f32' ? 4 : 2, cdFactor: layout.accumulate ? 2 : 1 };
}

/*
 * DeepGEMM HEAD's model (see heuristics/fp8Gemm1d2d.ts for the reasoning behind each term) with 2-byte operands:
 * l2Ab = k * (bm + bLoad) * 2 (a multicast halves the shared operand), l1 = TMA writes + WGMMA reads (at least 64 rows
 * of A) + the accumulator tile, cd = the output tile (doubled with C). bLoad is the B rows a stage actually loads: an
 * MN-major B tile is whole 64-column boxes, so a block N of 80 moves 128 columns.
 */
function tileTerms(
  bm: number,
  bn: number,
  shape: GemmShape,
  layout: Sm90Bf16GemmLayout,
  numSms: number,
): TileTerms & { bLoad: number } {
  const { m, n, k } = shape;
  const numBlocks = Math.ceil(m / bm) * Math.ceil(n / bn);
  const bLoad = sm90Bf16GemmBRows(bn, layout.bMajor);
  const { eCd, cdFactor } = cdBytes(layout);
  const l1Ab = k * (bm + bLoad) * 2;
  const l1Tc = k * (Math.max(64, bm) + bn) * 2 + bm * bn * eCd;
  const cd = bm * bn * eCd * cdFactor;
  const l1Cycles = ((l1Ab + l1Tc + cd) * numBlocks) / l1BytesPerCycle(numSms);
  return { ...waveTerms(numBlocks, numSms, l1Cycles), bLoad };
}

function l2Cycles(
  bm: number,
  bn: number,
  bLoad: number,
  multicast: Multicast,
  shape: GemmShape,
  layout: Sm90Bf16GemmLayout,
  numBlocks: number,
  numSms: number,
): number {
  const k = shape.k;
  const l2Ab = k * (multicast === 'a' ? bm / 2 : bm) * 2 + k * (multicast === 'b' ? bLoad / 2 : bLoad) * 2;
  const { eCd, cdFactor } = cdBytes(layout);
  const cd = bm * bn * eCd * cdFactor;
  return ((l2Ab + cd) * numBlocks) / l2BytesPerCycle(numSms);
}

/** The cost model's terms for `config` running `shape` (uses config.numSms as the SM count). */
export function estimateBf16GemmNtCost(config: Sm90Bf16GemmConfig, shape: GemmShape): Bf16GemmNtCost {
  const s = checkGemmShape('bf16GemmNt', shape);
  const { blockM: bm, blockN: bn, multicast, numSms } = config;
  const t = tileTerms(bm, bn, s, config, numSms);
  const l2 = l2Cycles(bm, bn, t.bLoad, multicast, s, config, t.numBlocks, numSms);
  return {
    numBlocks: t.numBlocks,
    numWaves: t.numWaves,
    lastWaveBlocks: t.lastWaveBlocks,
    efficiency: t.efficiency,
    l1Cycles: t.l1Cycles,
    l2Cycles: l2,
    cycles: totalCycles(t, l2, multicast),
  };
}

/**
 * Small M (at most 128 rows): the problem streams B once and its output is tiny, so what decides the time is how well
 * each SM keeps loads in flight and how much of the last tiles' epilogue is left exposed. Measured on an H100 (all 12
 * dense shapes with M = 64 / 128, commit 3a376f4, `dg-bench gemm-bf16 --sweep 8`): block N above 128 ran 5-6.5%
 * slower than the block N <= 128 configs the cost model ranks behind them (e.g. 64 x 32768 x 512: 64x256 21.3 µs,
 * 64x128 20.0 µs; 128 x 32768 x 512: 128x256 23.7 µs, 128x128 22.3 µs; 64 x 24576 x 1536: 64x192 37.0 µs, 64x96
 * 35.2 µs), and multicast was never faster and often far slower (128 x 7168 x 16384: 64x64 with multicast A 135 µs,
 * without 95 µs). The L1/L2 model does not see either effect, so for such M these candidates are left out.
 */
const SMALL_M = 128;
const SMALL_M_MAX_BLOCK_N = 128;

/**
 * Block N 224 and 240 (3 stages at block M 128) ran 5-15% below block N 256 on every M = 4096 shape both sweeps
 * measured (commits eb0e034 and 3a376f4, H100; e.g. 4096 x 4096 x 7168: 639-642 TFLOPS against 749-764), although the
 * model ranks them close; the cause is not identified (no spills, no serialized WGMMA in ptxas' report). Left out.
 */
const SLOW_BLOCK_NS: readonly number[] = [224, 240];

/** Whether a block N is considered for a problem of `m` rows (see SMALL_M and SLOW_BLOCK_NS). */
function blockNConsidered(bn: number, m: number): boolean {
  return m <= SMALL_M ? bn <= SMALL_M_MAX_BLOCK_N : !SLOW_BLOCK_NS.includes(bn);
}

/**
 * Multicasts worth trying for a tile: 'none' always; 'a' / 'b' only with an even SM count, more than one wave, an
 * even count of N blocks ('a') or M blocks ('b'), which the kernel requires, and M above SMALL_M.
 */
function multicastsFor(mBlocks: number, nBlocks: number, numSms: number, m: number): Multicast[] {
  const out: Multicast[] = ['none'];
  if (numSms % 2 !== 0 || mBlocks * nBlocks <= numSms || m <= SMALL_M) return out;
  if (nBlocks % 2 === 0) out.push('a');
  if (mBlocks % 2 === 0) out.push('b');
  return out;
}

/**
 * Every config worth considering for `shape` with `layout` on `dev`, in enumeration order (blockM, blockN ascending;
 * multicast none, a, b), each at the deepest stage count that fits. Each passes checkSm90Bf16GemmConfig and
 * sm90Bf16GemmShapeProblem.
 */
export function listBf16GemmNtCandidates(
  shape: GemmShape,
  layout: Sm90Bf16GemmLayout,
  dev: GemmDeviceInfo,
): Sm90Bf16GemmConfig[] {
  const { m, n } = checkGemmShape('bf16GemmNt', shape);
  const l = checkSm90Bf16GemmLayout(layout, 'bf16GemmNt layout');
  const { numSms, maxSmemBytes } = checkGemmDeviceInfo(dev);
  const out: Sm90Bf16GemmConfig[] = [];
  for (const t of tileOptions(maxSmemBytes, l)) {
    if (!blockNConsidered(t.blockN, m)) continue;
    for (const multicast of multicastsFor(Math.ceil(m / t.blockM), Math.ceil(n / t.blockN), numSms, m)) {
      out.push({ blockM: t.blockM, blockN: t.blockN, numStages: t.numStages, multicast, numSms, ...l });
    }
  }
  return out;
}

function selectUncached(shape: GemmShape, layout: Sm90Bf16GemmLayout, dev: GemmDeviceInfo): Sm90Bf16GemmConfig {
  const s = checkGemmShape('bf16GemmNt', shape);
  const l = checkSm90Bf16GemmLayout(layout, 'bf16GemmNt layout');
  const { numSms, maxSmemBytes } = checkGemmDeviceInfo(dev);
  const tiles = tileOptions(maxSmemBytes, l);
  if (tiles.length === 0) {
    throw new RangeError(
      `bf16GemmNt: no block config fits ${maxSmemBytes} bytes of shared memory (the smallest needs ${sm90Bf16GemmSmemBytes(64, 16, 2, l)})`,
    );
  }
  const best = new BestPick<TileOption>();
  for (const tile of tiles) {
    const { blockM: bm, blockN: bn } = tile;
    if (!blockNConsidered(bn, s.m)) continue;
    const terms = tileTerms(bm, bn, s, l, numSms);
    for (const multicast of multicastsFor(Math.ceil(s.m / bm), Math.ceil(s.n / bn), numSms, s.m)) {
      const l2 = l2Cycles(bm, bn, terms.bLoad, multicast, s, l, terms.numBlocks, numSms);
      const cycles = totalCycles(terms, l2, multicast);
      best.offer(tile, terms, multicast, cycles, s.m, s.n);
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
    ...l,
  });
}

/** 4 bits for a valid layout; -1 for anything else (which then takes the validating, uncached path). */
function layoutCode(l: Sm90Bf16GemmLayout): number {
  const major = (v: unknown) => (v === 'k' ? 0 : v === 'mn' ? 1 : -1);
  const a = major(l?.aMajor);
  const b = major(l?.bMajor);
  const o = l?.output === 'bf16' ? 0 : l?.output === 'f32' ? 1 : -1;
  const c = l?.accumulate === false ? 0 : l?.accumulate === true ? 1 : -1;
  if (a < 0 || b < 0 || o < 0 || c < 0) return -1;
  return a | (b << 1) | (o << 2) | (c << 3);
}

/** Memoized picks: device key -> m -> n -> k -> config. */
const memo = new PickMemo<Sm90Bf16GemmConfig>();

/**
 * The config the cost model ranks best for `shape` and `layout` on `dev`. Pure and memoized on (m, n, k, layout,
 * numSms, maxSmemBytes): the same numbers return the identical (frozen) object. The cache is dropped wholesale past
 * 65536 entries. Throws TypeError / RangeError for a malformed shape, layout or device (before anything is cached).
 */
export function selectBf16GemmNtConfig(
  shape: GemmShape,
  layout: Sm90Bf16GemmLayout,
  dev: GemmDeviceInfo,
): Sm90Bf16GemmConfig {
  const smem = dev.maxSmemBytes;
  // Unique while maxSmemBytes is a uint32 and numSms <= 1024 (the checks insist); anything else takes the
  // validating path uncached.
  const code = layoutCode(layout);
  if (code < 0 || smem >>> 0 !== smem || !Number.isInteger(dev.numSms) || dev.numSms < 1 || dev.numSms > 1024) {
    return selectUncached(shape, layout, dev);
  }
  const key = (dev.numSms * 16 + code) * 2 ** 32 + smem;
  const hit = memo.get(key, shape);
  if (hit !== undefined) return hit;
  const config = selectUncached(shape, layout, dev);
  memo.set(key, shape, config);
  return config;
}

/** Forgets every memoized pick (tests and benchmarks of the miss path). */
export function clearBf16GemmNtConfigCache(): void {
  memo.clear();
}

/** One line describing `config` on `shape` (validates the config). */
export function describeBf16GemmNtConfig(config: Sm90Bf16GemmConfig, shape: GemmShape): string {
  const c = checkSm90Bf16GemmConfig(config);
  const s = checkGemmShape('bf16GemmNt', shape);
  const problem = sm90Bf16GemmShapeProblem(c, s);
  const cost = estimateBf16GemmNtCost(c, s);
  const cluster = c.multicast === 'none' ? 1 : 2;
  const grid = Math.min(c.numSms, Math.ceil(cost.numBlocks / cluster) * cluster);
  const wgs = c.blockM === 64 ? '1 math WG' : c.blockM === 256 ? '2 math WGs x 2 slabs' : '2 math WGs';
  const mc =
    c.multicast === 'none'
      ? 'no multicast'
      : `multicast ${c.multicast} (2-CTA clusters share ${c.multicast === 'a' ? 'A' : 'B'})`;
  const layout = `A ${c.aMajor}-major, B ${c.bMajor}-major, ${c.output} out${c.accumulate ? ' + C' : ''}`;
  return (
    `m=${s.m} n=${s.n} k=${s.k} (${layout}): block ${c.blockM}x${c.blockN} (${wgs}), tiles ${Math.ceil(s.m / c.blockM)}x` +
    `${Math.ceil(s.n / c.blockN)}=${cost.numBlocks}, grid ${grid}/${c.numSms} SMs, waves ${cost.numWaves} (last ` +
    `${cost.lastWaveBlocks}/${c.numSms} = ${percent(cost.lastWaveBlocks / c.numSms)}, overall ${percent(cost.efficiency)}), ` +
    `stages ${c.numStages}, smem ${sm90Bf16GemmSmemBytes(c.blockM, c.blockN, c.numStages, c)} B, ${mc}, raster ` +
    `${sm90RasterGroup(c)}, model ${Math.round(cost.cycles)} cycles` +
    (problem === null ? '' : ` [cannot run: ${problem}]`)
  );
}

/** Writes `[dg] bf16GemmNt <description>` to stderr once per (shape, layout) while DG_PRINT_CONFIGS is '1'. */
export function printBf16ConfigOnce(shape: GemmShape, config: Sm90Bf16GemmConfig): void {
  printOnce(
    () => `bf16GemmNt:${shape.m},${shape.n},${shape.k},${layoutCode(config)}`,
    () => `bf16GemmNt ${describeBf16GemmNtConfig(config, shape)}`,
  );
}
