// Figures and tables of `dg-bench gemm`: pure functions over measured times, so they are unit-tested without a GPU.

import type { GemmShape, ReferenceRow } from './shapes.js';

/** One implementation on one shape: its median time, or why it has none. */
export interface Measurement {
  /** Median device time, seconds; undefined when the implementation did not run. */
  seconds?: number;
  /** Why it did not run (unsupported, unavailable, an error); undefined when it ran. */
  error?: string;
  /** calcDiff of its output against cuBLASLt blockwise's (FP8 results). */
  diffVsBlockwise?: number;
  /** calcDiff of its output against the FP64 product of the unquantized (BF16) inputs on the sampled rows. */
  diffVsFp64?: number;
}

export interface GemmRow extends GemmShape {
  ours: Measurement;
  blockwise: Measurement;
  perTensor: Measurement;
  bf16: Measurement;
  /** Rows of D the FP64 reference was computed on. */
  sampledRows: number;
  reference?: ReferenceRow;
}

export const tflops = (s: GemmShape, seconds: number): number => (2 * s.m * s.n * s.k) / seconds / 1e12;

/** Bytes of a blockwise FP8 GEMM counted once: A and B (FP8), D (BF16), the per-token and per-block FP32 scales. */
export function fp8GemmBytes(s: GemmShape, scales: 'blockwise' | 'perTensor' = 'blockwise'): number {
  const sk = Math.ceil(s.k / 128);
  const scaleBytes = scales === 'blockwise' ? 4 * (s.m * sk + Math.ceil(s.n / 128) * sk) : 8;
  return s.m * s.k + s.n * s.k + 2 * s.m * s.n + scaleBytes;
}

/** Bytes of the BF16 GEMM counted once: A, B and D in BF16. */
export const bf16GemmBytes = (s: GemmShape): number => 2 * (s.m * s.k + s.n * s.k + s.m * s.n);

/** Geometric mean of the positive finite values; NaN when there are none. */
export function geomean(values: readonly number[]): number {
  const v = values.filter((x) => Number.isFinite(x) && x > 0);
  if (v.length === 0) return Number.NaN;
  return Math.exp(v.reduce((acc, x) => acc + Math.log(x), 0) / v.length);
}

/** TFLOPS of a measurement, or undefined. */
export const tflopsOf = (s: GemmShape, m: Measurement): number | undefined =>
  m.seconds === undefined ? undefined : tflops(s, m.seconds);

/** Speedup of `a` over `b` (time of b / time of a), or undefined when either is missing. */
export function speedup(a: Measurement, b: Measurement): number | undefined {
  return a.seconds === undefined || b.seconds === undefined ? undefined : b.seconds / a.seconds;
}

/** Our TFLOPS over the reference DeepGEMM figure of the shape. */
export function oursOverDeepGemm(r: GemmRow): number | undefined {
  const t = tflopsOf(r, r.ours);
  return t === undefined || r.reference === undefined ? undefined : t / r.reference.deepGemm;
}

/** Fixed-point text, or 'n/a'. */
export function fmt(v: number | undefined, digits: number): string {
  return v === undefined || !Number.isFinite(v) ? 'n/a' : v.toFixed(digits);
}

/** calcDiff in scientific notation (these are 1e-6 .. 1e-3), or 'n/a'. */
export function fmtDiff(v: number | undefined): string {
  return v === undefined || !Number.isFinite(v) ? 'n/a' : v.toExponential(2);
}

export const GEMM_HEADER = [
  'M',
  'N',
  'K',
  'ours µs',
  'ours TFLOPS',
  'ours GB/s',
  'cuBLASLt blockwise µs',
  'blockwise TFLOPS',
  'per-tensor TFLOPS',
  'BF16 TFLOPS',
  'ours / blockwise',
  'DeepGEMM ref TFLOPS',
  'ours / DeepGEMM',
  'blockwise / ref',
  'ours diff vs blockwise',
  'ours diff vs FP64',
  'blockwise diff vs FP64',
  'per-tensor diff vs FP64',
];

/** One markdown row per shape, in the columns of GEMM_HEADER. */
export function gemmTableRow(r: GemmRow): string[] {
  const us = (m: Measurement) => (m.seconds === undefined ? undefined : m.seconds * 1e6);
  const oursGbps = r.ours.seconds === undefined ? undefined : fp8GemmBytes(r) / r.ours.seconds / 1e9;
  const blk = tflopsOf(r, r.blockwise);
  const ref = r.reference;
  return [
    String(r.m),
    String(r.n),
    String(r.k),
    fmt(us(r.ours), 1),
    fmt(tflopsOf(r, r.ours), 0),
    fmt(oursGbps, 0),
    fmt(us(r.blockwise), 1),
    fmt(blk, 0),
    fmt(tflopsOf(r, r.perTensor), 0),
    fmt(tflopsOf(r, r.bf16), 0),
    fmt(speedup(r.ours, r.blockwise), 2),
    fmt(ref?.deepGemm, 0),
    fmt(oursOverDeepGemm(r), 2),
    fmt(blk === undefined || ref === undefined ? undefined : blk / ref.cublasLtBlockwise, 2),
    fmtDiff(r.ours.diffVsBlockwise),
    fmtDiff(r.ours.diffVsFp64),
    fmtDiff(r.blockwise.diffVsFp64),
    fmtDiff(r.perTensor.diffVsFp64),
  ];
}

export interface SummaryRow {
  what: string;
  value: number;
  /** Shapes that entered the mean. */
  shapes: number;
}

function mean(what: string, rows: readonly GemmRow[], pick: (r: GemmRow) => number | undefined): SummaryRow {
  const v = rows.map(pick).filter((x): x is number => x !== undefined && Number.isFinite(x) && x > 0);
  return { what, value: geomean(v), shapes: v.length };
}

/** Geometric means over all shapes and over M = 4096 (the reference's 1.07x / 1.11x). */
export function summarize(rows: readonly GemmRow[]): SummaryRow[] {
  const big = rows.filter((r) => r.m === 4096);
  return [
    mean('ours TFLOPS', rows, (r) => tflopsOf(r, r.ours)),
    mean('cuBLASLt blockwise TFLOPS', rows, (r) => tflopsOf(r, r.blockwise)),
    mean('cuBLASLt per-tensor TFLOPS', rows, (r) => tflopsOf(r, r.perTensor)),
    mean('cuBLASLt BF16 TFLOPS', rows, (r) => tflopsOf(r, r.bf16)),
    mean('ours / cuBLASLt blockwise, all shapes', rows, (r) => speedup(r.ours, r.blockwise)),
    mean('ours / cuBLASLt blockwise, M = 4096', big, (r) => speedup(r.ours, r.blockwise)),
    mean('ours / DeepGEMM (reference), all shapes', rows, oursOverDeepGemm),
    mean('ours / DeepGEMM (reference), M = 4096', big, oursOverDeepGemm),
    mean('DeepGEMM / cuBLASLt blockwise (reference table), same shapes', rows, (r) =>
      r.reference === undefined ? undefined : r.reference.deepGemm / r.reference.cublasLtBlockwise,
    ),
    mean('cuBLASLt blockwise here / reference (setup check, ~1.0)', rows, (r) => {
      const t = tflopsOf(r, r.blockwise);
      return t === undefined || r.reference === undefined ? undefined : t / r.reference.cublasLtBlockwise;
    }),
  ];
}

export const SUMMARY_HEADER = ['geometric mean', 'value', 'shapes'];

export function summaryTableRow(s: SummaryRow): string[] {
  return [s.what, fmt(s.value, s.what.includes('TFLOPS') ? 0 : 3), String(s.shapes)];
}

/** The reasons an implementation did not run, one line per distinct reason with the shapes it hit. */
export function missingNotes(rows: readonly GemmRow[]): string[] {
  const notes = new Map<string, string[]>();
  const columns = [
    ['ours', (r: GemmRow) => r.ours],
    ['cuBLASLt blockwise', (r: GemmRow) => r.blockwise],
    ['cuBLASLt per-tensor', (r: GemmRow) => r.perTensor],
    ['cuBLASLt BF16', (r: GemmRow) => r.bf16],
  ] as const;
  for (const r of rows) {
    for (const [name, pick] of columns) {
      const e = pick(r).error;
      if (e === undefined) continue;
      const key = `${name}: ${e}`;
      const list = notes.get(key) ?? [];
      list.push(`${r.m}x${r.n}x${r.k}`);
      notes.set(key, list);
    }
  }
  return [...notes].map(
    ([key, shapes]) => `${key} (${shapes.length === rows.length ? 'all shapes' : shapes.join(', ')})`,
  );
}
