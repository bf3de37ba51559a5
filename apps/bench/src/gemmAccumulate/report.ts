// Shapes, figures and tables of `dg-bench gemm-accumulate` (D f32 [M, N] += A · Bᵀ, both operands FP8 scaled 1x128
// along K): pure functions over measured times, unit-tested without a GPU.

import { fmt, fmtDiff, geomean } from '../gemm/report.js';
import { type GemmShape, shapesOf } from '../gemm/shapes.js';

/** One implementation on one shape: its median time, or why it has none, and its accuracy. */
export interface Measurement {
  /** Median device time, seconds; undefined when it did not run. */
  seconds?: number;
  /** Why it did not run; undefined when it ran. */
  error?: string;
  /** calcDiff of D - C against the FP64 product of the unquantized (BF16) inputs on the sampled rows. */
  diffVsFp64?: number;
  /** calcDiff of D - C against the other implementation's on the sampled rows (ours only). */
  diffVsCublasLt?: number;
}

/**
 * DeepSeek-V3 weight gradients: DeepGEMM's wgrad test takes each dense (N, K) pair as the gradient's (M, N) with
 * 4096 tokens as K (dW [N, K] += dYᵀ · X); plus square gradients with 8192 tokens.
 */
export const WGRAD_SHAPES: readonly GemmShape[] = [
  { m: 2112, n: 7168, k: 4096 },
  { m: 24576, n: 1536, k: 4096 },
  { m: 32768, n: 512, k: 4096 },
  { m: 7168, n: 16384, k: 4096 },
  { m: 4096, n: 7168, k: 4096 },
  { m: 7168, n: 2048, k: 4096 },
  { m: 7168, n: 7168, k: 8192 },
  { m: 4096, n: 4096, k: 8192 },
  { m: 2112, n: 2112, k: 8192 },
];

/** `--quick`: one small dense shape and two weight-gradient ones. */
export const ACCUMULATE_QUICK_SHAPES: readonly GemmShape[] = [
  { m: 128, n: 7168, k: 2048 },
  { m: 4096, n: 7168, k: 4096 },
  { m: 7168, n: 7168, k: 8192 },
];

export type AccumulateShapeSet = 'dense' | 'wgrad' | 'all';

export function accumulateShapesOf(set: AccumulateShapeSet): GemmShape[] {
  if (set === 'dense') return shapesOf('dense');
  if (set === 'wgrad') return [...WGRAD_SHAPES];
  if (set === 'all') return [...shapesOf('dense'), ...WGRAD_SHAPES];
  throw new RangeError(`accumulateShapesOf: unknown shape set '${String(set)}'`);
}

export interface AccumulateRow extends GemmShape {
  /** The config our heuristic picked (describe line). */
  config: string;
  ours: Measurement;
  /** cuBLASLt with VEC128_32F scales on both operands, FP32 D, beta = 1. */
  cublasLt: Measurement;
  /** Rows of D checked against the FP64 product. */
  sampledRows: number;
}

export const accumulateTflops = (s: GemmShape, seconds: number): number => (2 * s.m * s.n * s.k) / seconds / 1e12;

/**
 * Bytes moved counted once per tensor, as DeepGEMM's count_bytes(a, b, d, c): A and B (FP8), their FP32 scales
 * ([M + N, ceil(K/128)]), and D twice (C read, D written; C is D here).
 */
export function accumulateBytes(s: GemmShape): number {
  const sk = Math.ceil(s.k / 128);
  return s.m * s.k + s.n * s.k + 4 * (s.m + s.n) * sk + 2 * 4 * s.m * s.n;
}

const tflopsOf = (s: GemmShape, m: Measurement): number | undefined =>
  m.seconds === undefined ? undefined : accumulateTflops(s, m.seconds);

function ratio(a: Measurement, b: Measurement): number | undefined {
  return a.seconds === undefined || b.seconds === undefined ? undefined : b.seconds / a.seconds;
}

export const ACCUMULATE_HEADER = [
  'M',
  'N',
  'K',
  'ours µs',
  'ours TFLOPS',
  'ours GB/s',
  'cuBLASLt µs',
  'cuBLASLt TFLOPS',
  'ours / cuBLASLt',
  'ours diff vs FP64',
  'cuBLASLt diff vs FP64',
  'ours diff vs cuBLASLt',
  'config',
];

export function accumulateTableRow(r: AccumulateRow): string[] {
  const us = (m: Measurement) => (m.seconds === undefined ? undefined : m.seconds * 1e6);
  return [
    String(r.m),
    String(r.n),
    String(r.k),
    fmt(us(r.ours), 1),
    fmt(tflopsOf(r, r.ours), 0),
    fmt(r.ours.seconds === undefined ? undefined : accumulateBytes(r) / r.ours.seconds / 1e9, 0),
    fmt(us(r.cublasLt), 1),
    fmt(tflopsOf(r, r.cublasLt), 0),
    fmt(ratio(r.ours, r.cublasLt), 2),
    fmtDiff(r.ours.diffVsFp64),
    fmtDiff(r.cublasLt.diffVsFp64),
    fmtDiff(r.ours.diffVsCublasLt),
    r.config,
  ];
}

export interface AccumulateSummaryRow {
  what: string;
  value: number;
  shapes: number;
}

function mean(what: string, rows: readonly AccumulateRow[], pick: (r: AccumulateRow) => number | undefined) {
  const v = rows.map(pick).filter((x): x is number => x !== undefined && Number.isFinite(x) && x > 0);
  return { what, value: geomean(v), shapes: v.length };
}

/** Geometric means over all shapes, the dense ones (M of the dense set) and the weight-gradient ones. */
export function summarizeAccumulate(rows: readonly AccumulateRow[]): AccumulateSummaryRow[] {
  const wgrad = rows.filter((r) => WGRAD_SHAPES.some((s) => s.m === r.m && s.n === r.n && s.k === r.k));
  const dense = rows.filter((r) => !wgrad.includes(r));
  return [
    mean('ours TFLOPS, all shapes', rows, (r) => tflopsOf(r, r.ours)),
    mean('ours TFLOPS, dense shapes', dense, (r) => tflopsOf(r, r.ours)),
    mean('ours TFLOPS, weight-gradient shapes', wgrad, (r) => tflopsOf(r, r.ours)),
    mean('cuBLASLt TFLOPS, all shapes', rows, (r) => tflopsOf(r, r.cublasLt)),
    mean('ours / cuBLASLt, all shapes', rows, (r) => ratio(r.ours, r.cublasLt)),
    mean('ours / cuBLASLt, weight-gradient shapes', wgrad, (r) => ratio(r.ours, r.cublasLt)),
  ];
}

export const ACCUMULATE_SUMMARY_HEADER = ['geometric mean', 'value', 'shapes'];

export function accumulateSummaryRow(s: AccumulateSummaryRow): string[] {
  return [s.what, fmt(s.value, s.what.includes('TFLOPS') ? 0 : 3), String(s.shapes)];
}

/** The reasons a column is missing, one line per distinct reason with the shapes it hit. */
export function accumulateMissingNotes(rows: readonly AccumulateRow[]): string[] {
  const notes = new Map<string, string[]>();
  for (const r of rows) {
    for (const [name, m] of [
      ['ours', r.ours],
      ['cuBLASLt (VEC128 x VEC128, FP32 out, beta = 1)', r.cublasLt],
    ] as const) {
      if (m.error === undefined) continue;
      const key = `${name}: ${m.error}`;
      notes.set(key, [...(notes.get(key) ?? []), `${r.m}x${r.n}x${r.k}`]);
    }
  }
  return [...notes].map(
    ([key, shapes]) => `${key} (${shapes.length === rows.length ? 'all shapes' : shapes.join(', ')})`,
  );
}
