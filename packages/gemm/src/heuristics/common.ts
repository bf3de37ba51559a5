// What the three GEMM heuristics (fp8Gemm1d2d.ts, fp8Gemm1d1d.ts, bf16Gemm.ts) share: DeepGEMM's bandwidth figures
// and wave terms of the L1/L2 cycle model, the older waves rule that breaks exact ties, shape checking, and the
// numeric memo of picks.

import type { Sm90Fp8Gemm1d2dShape } from '@dg/kernels';

/** (m, n, k) of one GEMM call. */
export type GemmShape = Sm90Fp8Gemm1d2dShape;

/** Bytes per cycle of L2 for the whole GPU: min(64 B/SM, ~6153 B); the cap is DeepGEMM's measured H800 figure. */
export function l2BytesPerCycle(numSms: number): number {
  return Math.floor(Math.min(64 * numSms, 8e6 / 1.3e3));
}

/** Bytes per cycle of L1/shared memory for the whole GPU: 128 B per SM per cycle. */
export function l1BytesPerCycle(numSms: number): number {
  return 128 * numSms;
}

/** The multicast-independent terms of the cost model for one tile shape on one problem. */
export interface TileTerms {
  readonly numBlocks: number;
  readonly numWaves: number;
  readonly lastWaveBlocks: number;
  /** numBlocks / (numWaves * numSms): the fraction of SM-waves doing useful work. */
  readonly efficiency: number;
  readonly l1Cycles: number;
}

/** TileTerms of `numBlocks` tiles on `numSms` SMs whose L1 traffic takes `l1Cycles`. */
export function waveTerms(numBlocks: number, numSms: number, l1Cycles: number): TileTerms {
  const numWaves = Math.ceil(numBlocks / numSms);
  const lastWaveBlocks = numBlocks - (numWaves - 1) * numSms;
  return { numBlocks, numWaves, lastWaveBlocks, efficiency: numBlocks / (numWaves * numSms), l1Cycles };
}

/** max(L1, L2) stretched by the wave efficiency; a cluster on a single-wave problem is never worth it (+inf). */
export function totalCycles(t: TileTerms, l2Cycles: number, multicast: 'none' | 'a' | 'b'): number {
  if (multicast !== 'none' && t.numWaves <= 1) return Number.POSITIVE_INFINITY;
  return Math.max(t.l1Cycles, l2Cycles) / t.efficiency;
}

/** Relative slack under which two model costs count as equal (then the waves rule decides). */
export const TIE = 1e-9;

/**
 * DeepGEMM JAN26's waves rule, used only between configs the cycle model scores equal: fewer waves, then a fuller
 * last wave, then (same blockM) the smaller blockN, (same blockN) the smaller blockM, else the larger blockN that
 * still fits the problem.
 */
export function wavesRulePrefers(
  cand: TileTerms,
  cm: number,
  cn: number,
  best: TileTerms,
  bm: number,
  bn: number,
  m: number,
  n: number,
): boolean {
  if (cand.numWaves !== best.numWaves) return cand.numWaves < best.numWaves;
  if (cand.lastWaveBlocks !== best.lastWaveBlocks) return cand.lastWaveBlocks > best.lastWaveBlocks;
  if (cm === bm && cn === bn) return false;
  if (cm === bm) return cn < bn;
  if (cn === bn) return cm < bm;
  return cn > bn && cn <= n && cm <= m;
}

/** `shape` as {m, n, k} of positive safe integers; TypeError / RangeError naming `fn` otherwise. */
export function checkGemmShape(fn: string, shape: unknown): GemmShape {
  if (shape === null || typeof shape !== 'object' || Array.isArray(shape)) {
    throw new TypeError(`${fn} shape: expected an object {m, n, k}, got ${String(shape)}`);
  }
  const s = shape as Record<string, unknown>;
  for (const key of ['m', 'n', 'k'] as const) {
    const v = s[key];
    if (typeof v !== 'number') throw new TypeError(`${fn} shape.${key}: expected an integer, got ${typeof v}`);
    if (!Number.isSafeInteger(v) || v < 1) {
      throw new RangeError(`${fn} shape.${key}: expected a positive integer, got ${v}`);
    }
  }
  return { m: s.m as number, n: s.n as number, k: s.k as number };
}

export function percent(x: number): string {
  return `${Math.round(x * 100)}%`;
}

const MEMO_LIMIT = 1 << 16;

/**
 * Picks per (device key, m, n, k), numeric keys only (no string building on the warm path). Dropped wholesale past
 * 65536 entries.
 */
export class PickMemo<T> {
  readonly #byKey = new Map<number, Map<number, Map<number, Map<number, T>>>>();
  #size = 0;

  get(key: number, shape: GemmShape): T | undefined {
    return this.#byKey.get(key)?.get(shape.m)?.get(shape.n)?.get(shape.k);
  }

  set(key: number, shape: GemmShape, value: T): void {
    if (this.#size >= MEMO_LIMIT) this.clear();
    const byM = child(this.#byKey, key, () => new Map<number, Map<number, Map<number, T>>>());
    const byN = child(byM, shape.m, () => new Map<number, Map<number, T>>());
    child(byN, shape.n, () => new Map<number, T>()).set(shape.k, value);
    this.#size += 1;
  }

  clear(): void {
    this.#byKey.clear();
    this.#size = 0;
  }
}

function child<K, V>(map: Map<K, V>, key: K, make: () => V): V {
  let v = map.get(key);
  if (v === undefined) {
    v = make();
    map.set(key, v);
  }
  return v;
}

/**
 * The running best of a heuristic's search: the cheapest (tile, multicast) under the model, exact ties (within TIE)
 * broken by the waves rule; the first offer wins a full tie, so enumeration order ('none' first) decides last.
 */
export class BestPick<Tile extends { readonly blockM: number; readonly blockN: number }> {
  tile: Tile | undefined = undefined;
  multicast: 'none' | 'a' | 'b' = 'none';
  #terms: TileTerms | undefined = undefined;
  #cycles = Number.POSITIVE_INFINITY;

  offer(tile: Tile, terms: TileTerms, multicast: 'none' | 'a' | 'b', cycles: number, m: number, n: number): void {
    const best = this.tile;
    const better =
      best === undefined ||
      this.#terms === undefined ||
      cycles < this.#cycles * (1 - TIE) ||
      (cycles <= this.#cycles * (1 + TIE) &&
        wavesRulePrefers(terms, tile.blockM, tile.blockN, this.#terms, best.blockM, best.blockN, m, n));
    if (better) {
      this.tile = tile;
      this.multicast = multicast;
      this.#terms = terms;
      this.#cycles = cycles;
    }
  }
}

const printed = new Set<string>();

/** With DG_PRINT_CONFIGS=1, writes `describe()` to stderr the first time `key` is seen (one line per new shape). */
export function printOnce(key: () => string, describe: () => string): void {
  if (process.env.DG_PRINT_CONFIGS !== '1') return;
  const k = key();
  if (printed.has(k)) return;
  printed.add(k);
  process.stderr.write(`[dg] ${describe()}\n`);
}

/** Forgets what printOnce printed (tests). */
export function resetPrintedConfigs(): void {
  printed.clear();
}
