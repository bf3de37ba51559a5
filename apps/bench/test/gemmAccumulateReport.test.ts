// The shapes, figures and tables of `dg-bench gemm-accumulate` from synthetic measurements.
import { describe, expect, it } from 'vitest';
import {
  ACCUMULATE_HEADER,
  ACCUMULATE_QUICK_SHAPES,
  ACCUMULATE_SUMMARY_HEADER,
  type AccumulateRow,
  accumulateBytes,
  accumulateMissingNotes,
  accumulateShapesOf,
  accumulateSummaryRow,
  accumulateTableRow,
  accumulateTflops,
  summarizeAccumulate,
  WGRAD_SHAPES,
} from '../src/gemmAccumulate/report.js';

type Shape = { m: number; n: number; k: number };
const secondsAt = (tflops: number, s: Shape) => (2 * s.m * s.n * s.k) / (tflops * 1e12);

function row(s: Shape, ours?: number, lt?: number): AccumulateRow {
  return {
    ...s,
    config: 'block 128x152',
    ours:
      ours === undefined ? { error: 'boom' } : { seconds: secondsAt(ours, s), diffVsFp64: 4e-4, diffVsCublasLt: 1e-9 },
    cublasLt: lt === undefined ? { error: 'no algorithm' } : { seconds: secondsAt(lt, s), diffVsFp64: 5e-4 },
    sampledRows: 4,
  };
}

describe('gemm-accumulate shapes', () => {
  it('dense = the 18 reference shapes, wgrad = 9 weight-gradient shapes, all = both', () => {
    expect(accumulateShapesOf('dense')).toHaveLength(18);
    expect(accumulateShapesOf('wgrad')).toEqual(WGRAD_SHAPES);
    expect(accumulateShapesOf('all')).toHaveLength(27);
    expect(WGRAD_SHAPES).toContainEqual({ m: 7168, n: 16384, k: 4096 });
    expect(ACCUMULATE_QUICK_SHAPES).toHaveLength(3);
    expect(() => accumulateShapesOf('x' as 'all')).toThrow(/unknown shape set/);
  });
});

describe('gemm-accumulate figures', () => {
  it('TFLOPS and bytes (A, B, scales, D read and written)', () => {
    const s = { m: 4096, n: 7168, k: 4096 };
    expect(accumulateTflops(s, 1e-3)).toBeCloseTo((2 * 4096 * 7168 * 4096) / 1e-3 / 1e12, 9);
    expect(accumulateBytes(s)).toBe(4096 * 4096 + 7168 * 4096 + 4 * (4096 + 7168) * 32 + 8 * 4096 * 7168);
    expect(accumulateBytes({ m: 1, n: 8, k: 16 })).toBe(16 + 128 + 4 * 9 + 64);
  });

  it('one table row per shape, in the header columns', () => {
    const r = accumulateTableRow(row({ m: 4096, n: 7168, k: 4096 }, 900, 600));
    expect(r).toHaveLength(ACCUMULATE_HEADER.length);
    expect(r.slice(0, 3)).toEqual(['4096', '7168', '4096']);
    expect(r[4]).toBe('900');
    expect(r[7]).toBe('600');
    expect(r[8]).toBe('1.50');
    expect(r[9]).toBe('4.00e-4');
    expect(r[12]).toBe('block 128x152');
    const missing = accumulateTableRow(row({ m: 64, n: 2112, k: 7168 }, undefined, undefined));
    expect(missing[3]).toBe('n/a');
    expect(missing[8]).toBe('n/a');
  });

  it('summaries split dense and weight-gradient shapes; notes list why a column is missing', () => {
    const rows = [row({ m: 4096, n: 7168, k: 4096 }, 900, 450), row({ m: 128, n: 7168, k: 2048 }, 400)];
    const summary = summarizeAccumulate(rows);
    const get = (what: string) => summary.find((s) => s.what === what);
    expect(get('ours TFLOPS, all shapes')?.value).toBeCloseTo(600, 6);
    expect(get('ours TFLOPS, weight-gradient shapes')).toMatchObject({ value: expect.closeTo(900, 6), shapes: 1 });
    expect(get('ours TFLOPS, dense shapes')).toMatchObject({ value: expect.closeTo(400, 6), shapes: 1 });
    expect(get('ours / cuBLASLt, all shapes')).toMatchObject({ value: expect.closeTo(2, 6), shapes: 1 });
    expect(accumulateSummaryRow(summary[0]!)).toEqual(['ours TFLOPS, all shapes', '600', '2']);
    expect(ACCUMULATE_SUMMARY_HEADER).toHaveLength(3);
    expect(accumulateMissingNotes(rows)).toEqual([
      'cuBLASLt (VEC128 x VEC128, FP32 out, beta = 1): no algorithm (128x7168x2048)',
    ]);
  });
});
