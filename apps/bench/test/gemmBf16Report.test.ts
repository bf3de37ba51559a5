// The figures and tables of `dg-bench gemm-bf16` from synthetic measurements.
import { describe, expect, it } from 'vitest';
import { H100_REFERENCE, referenceFor } from '../src/gemm/shapes.js';
import {
  BF16_HEADER,
  BF16_SWEEP_HEADER,
  type Bf16Row,
  bf16SummaryRow,
  bf16SweepTable,
  bf16TableRow,
  summarizeBf16,
} from '../src/gemmBf16/report.js';

const secondsAt = (tflops: number, s: { m: number; n: number; k: number }) => (2 * s.m * s.n * s.k) / (tflops * 1e12);

function row(m: number, n: number, k: number, ours: number | undefined, cublas: number): Bf16Row {
  const s = { m, n, k };
  const reference = referenceFor(H100_REFERENCE, s);
  return {
    ...s,
    ours: ours === undefined ? { error: 'unsupported' } : { seconds: secondsAt(ours, s), config: '128x256 s3 mc=b' },
    cublas: { seconds: secondsAt(cublas, s) },
    ...(reference ? { reference } : {}),
  };
}

describe('gemm-bf16 report', () => {
  it('renders one row per shape with ratio and reference', () => {
    const r = row(4096, 7168, 16384, 800, 735);
    const cells = bf16TableRow({ ...r, ours: { ...r.ours, diffVsCublas: 2.5e-6 } });
    expect(cells).toHaveLength(BF16_HEADER.length);
    expect(cells.slice(0, 4)).toEqual(['4096', '7168', '16384', '128x256 s3 mc=b']);
    expect(cells[5]).toBe('800');
    expect(cells[8]).toBe('735');
    expect(cells[9]).toBe((800 / 735).toFixed(3));
    expect(cells[10]).toBe('735');
    expect(cells[11]).toBe('2.50e-6');
    expect(bf16TableRow(row(64, 2112, 7168, undefined, 89))[4]).toBe('n/a');
  });

  it('summarizes with geometric means, per M, and the setup check against the reference', () => {
    const rows = [row(64, 2112, 7168, 100, 89), row(4096, 7168, 16384, 800, 735)];
    const s = summarizeBf16(rows);
    const by = (what: string) => s.find((x) => x.what === what);
    expect(by('ours TFLOPS')?.value).toBeCloseTo(Math.sqrt(100 * 800), 6);
    expect(by('ours / cuBLASLt, all shapes')?.value).toBeCloseTo(Math.sqrt((100 / 89) * (800 / 735)), 6);
    expect(by('ours / cuBLASLt, M = 64')?.value).toBeCloseTo(100 / 89, 6);
    expect(by('ours / cuBLASLt, M = 4096')?.shapes).toBe(1);
    expect(by('cuBLASLt here / reference BF16 cuBLAS (setup check, ~1.0)')?.value).toBeCloseTo(1, 6);
    expect(bf16SummaryRow(by('ours / cuBLASLt, all shapes')!)[1]).toMatch(/^1\.\d{3}$/);
  });

  it('marks the fastest swept config of each shape', () => {
    const s = { m: 128, n: 7168, k: 2048 };
    const table = bf16SweepTable([
      { ...s, config: 'a', picked: true, modelCycles: 10, seconds: 2e-5 },
      { ...s, config: 'b', picked: false, modelCycles: 12, seconds: 1e-5 },
      { ...s, config: 'c', picked: false, modelCycles: 14, error: 'boom' },
    ]);
    expect(table[0]).toHaveLength(BF16_SWEEP_HEADER.length);
    expect(table.map((r) => r[8])).toEqual(['', 'best', '']);
    expect(table[0]?.[4]).toBe('yes');
    expect(table[2]?.[9]).toBe('boom');
  });
});
