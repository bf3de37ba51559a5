// Figures and tables of `dg-bench gemm-bf16`: pure functions over measured times, unit-tested without a GPU.

import { bf16GemmBytes, fmt, fmtDiff, geomean, type Measurement, speedup, tflopsOf } from '../gemm/report.js';
import type { GemmShape, ReferenceRow } from '../gemm/shapes.js';

/** One shape: ours and cuBLASLt BF16 (same inputs, same method), and the reference figure of the shape. */
export interface Bf16Row extends GemmShape {
  ours: Measurement & {
    /** The config the heuristic picked, as "128x256 s3 mc=b". */
    config?: string;
    /** calcDiff of our output against cuBLASLt's (both FP32-accumulated, rounded to bf16). */
    diffVsCublas?: number;
  };
  cublas: Measurement;
  /** h100-reference.md's BF16 cuBLAS column for the shape (measured through the same cuBLASLt), if any. */
  reference?: ReferenceRow;
}

export const BF16_HEADER = [
  'M',
  'N',
  'K',
  'config',
  'ours µs',
  'ours TFLOPS',
  'ours GB/s',
  'cuBLASLt µs',
  'cuBLASLt TFLOPS',
  'ours / cuBLASLt',
  'ref cuBLAS TFLOPS',
  'ours diff vs cuBLASLt',
];

export function bf16TableRow(r: Bf16Row): string[] {
  const us = (m: Measurement) => (m.seconds === undefined ? undefined : m.seconds * 1e6);
  const gbps = r.ours.seconds === undefined ? undefined : bf16GemmBytes(r) / r.ours.seconds / 1e9;
  return [
    String(r.m),
    String(r.n),
    String(r.k),
    r.ours.config ?? 'n/a',
    fmt(us(r.ours), 1),
    fmt(tflopsOf(r, r.ours), 0),
    fmt(gbps, 0),
    fmt(us(r.cublas), 1),
    fmt(tflopsOf(r, r.cublas), 0),
    fmt(speedup(r.ours, r.cublas), 3),
    fmt(r.reference?.bf16Cublas, 0),
    fmtDiff(r.ours.diffVsCublas),
  ];
}

export interface Bf16Summary {
  what: string;
  value: number;
  shapes: number;
}

function mean(what: string, rows: readonly Bf16Row[], pick: (r: Bf16Row) => number | undefined): Bf16Summary {
  const v = rows.map(pick).filter((x): x is number => x !== undefined && Number.isFinite(x) && x > 0);
  return { what, value: geomean(v), shapes: v.length };
}

/** Geometric means: TFLOPS of each, ours / cuBLASLt over all shapes and per M, and the setup check. */
export function summarizeBf16(rows: readonly Bf16Row[]): Bf16Summary[] {
  const ms = [...new Set(rows.map((r) => r.m))];
  return [
    mean('ours TFLOPS', rows, (r) => tflopsOf(r, r.ours)),
    mean('cuBLASLt BF16 TFLOPS', rows, (r) => tflopsOf(r, r.cublas)),
    mean('ours / cuBLASLt, all shapes', rows, (r) => speedup(r.ours, r.cublas)),
    ...ms.map((m) =>
      mean(
        `ours / cuBLASLt, M = ${m}`,
        rows.filter((r) => r.m === m),
        (r) => speedup(r.ours, r.cublas),
      ),
    ),
    mean('cuBLASLt here / reference BF16 cuBLAS (setup check, ~1.0)', rows, (r) => {
      const t = tflopsOf(r, r.cublas);
      return t === undefined || r.reference === undefined ? undefined : t / r.reference.bf16Cublas;
    }),
  ];
}

export const BF16_SUMMARY_HEADER = ['geometric mean', 'value', 'shapes'];

export function bf16SummaryRow(s: Bf16Summary): string[] {
  return [s.what, fmt(s.value, s.what.includes('TFLOPS') ? 0 : 3), String(s.shapes)];
}

/** One timed candidate config of the sweep (`--sweep N`). */
export interface Bf16SweepRow extends GemmShape {
  config: string;
  picked: boolean;
  modelCycles: number;
  seconds?: number;
  error?: string;
}

export const BF16_SWEEP_HEADER = ['M', 'N', 'K', 'config', 'picked', 'model cycles', 'µs', 'TFLOPS', 'best', 'error'];

/** The sweep rows as table rows, marking the fastest config of each shape. */
export function bf16SweepTable(rows: readonly Bf16SweepRow[]): string[][] {
  const best = new Map<string, number>();
  for (const r of rows) {
    if (r.seconds === undefined) continue;
    const key = `${r.m}x${r.n}x${r.k}`;
    best.set(key, Math.min(best.get(key) ?? Number.POSITIVE_INFINITY, r.seconds));
  }
  return rows.map((r) => [
    String(r.m),
    String(r.n),
    String(r.k),
    r.config,
    r.picked ? 'yes' : '',
    r.modelCycles.toFixed(0),
    fmt(r.seconds === undefined ? undefined : r.seconds * 1e6, 1),
    fmt(r.seconds === undefined ? undefined : (2 * r.m * r.n * r.k) / r.seconds / 1e12, 0),
    r.seconds !== undefined && r.seconds === best.get(`${r.m}x${r.n}x${r.k}`) ? 'best' : '',
    r.error ?? '',
  ]);
}
