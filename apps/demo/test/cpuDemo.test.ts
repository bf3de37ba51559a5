// The demo's no-GPU path on a tiny problem: it runs, times and reports an accuracy within FP8's usual error.

import { describe, expect, it } from 'vitest';
import { runCpuDemo } from '../src/cpuDemo.js';
import { sampleRows } from '../src/reference.js';

describe('GEMM demo on the CPU reference', () => {
  it('reports a time and an accuracy below 1e-3 against FP64 of the unquantized inputs', () => {
    const lines: string[] = [];
    const r = runCpuDemo({ m: 16, n: 32, k: 256 }, 1, (line) => lines.push(line));
    expect(r.calcDiff).toBeLessThan(1e-3);
    expect(r.calcDiff).toBeGreaterThan(0);
    expect(r.msPerCall).toBeGreaterThan(0);
    expect(r.rowsChecked).toBe(16);
    expect(lines.length).toBeGreaterThan(0);
  });

  it('samples distinct rows in range, or all of them when there are few', () => {
    const rows = sampleRows(4096, 64);
    expect(new Set(rows).size).toBe(64);
    expect(rows.every((r) => r >= 0 && r < 4096)).toBe(true);
    expect(sampleRows(10, 64)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });
});
