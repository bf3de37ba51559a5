// The figures and tables of `dg-bench gemm` from synthetic measurements.
import { describe, expect, it } from 'vitest';
import {
  fp8GemmBytes,
  GEMM_HEADER,
  type GemmRow,
  gemmTableRow,
  geomean,
  missingNotes,
  SUMMARY_HEADER,
  summarize,
  summaryTableRow,
  tflops,
} from '../src/gemm/report.js';
import { H100_REFERENCE, referenceFor } from '../src/gemm/shapes.js';

const shape = { m: 4096, n: 7168, k: 16384 };
const secondsAt = (t: number, s = shape) => (2 * s.m * s.n * s.k) / (t * 1e12);

function row(s: { m: number; n: number; k: number }, ours?: number, blk?: number): GemmRow {
  const reference = referenceFor(H100_REFERENCE, s);
  return {
    ...s,
    ours: ours === undefined ? { error: 'unsupported: not yet' } : { seconds: secondsAt(ours, s) },
    blockwise: blk === undefined ? { error: 'cuBLASLt unavailable' } : { seconds: secondsAt(blk, s) },
    perTensor: { seconds: secondsAt(1400, s) },
    bf16: { seconds: secondsAt(735, s) },
    sampledRows: 16,
    ...(reference ? { reference } : {}),
  };
}

describe('figures', () => {
  it('geomean', () => {
    expect(geomean([1, 4])).toBeCloseTo(2, 12);
    expect(geomean([2, 2, 2])).toBeCloseTo(2, 12);
    expect(geomean([1.1, 0.9, 1.3])).toBeCloseTo(Math.cbrt(1.1 * 0.9 * 1.3), 12);
    expect(geomean([4, Number.NaN, 0, -1, Number.POSITIVE_INFINITY, 1])).toBeCloseTo(2, 12);
    expect(geomean([])).toBeNaN();
  });

  it('TFLOPS and bytes', () => {
    expect(tflops({ m: 1000, n: 1000, k: 1000 }, 1e-3)).toBeCloseTo(2, 12);
    // A 4096x16384 + B 7168x16384 FP8, D 4096x7168 BF16, scales 4096x128 + 56x128 FP32
    expect(fp8GemmBytes(shape)).toBe(4096 * 16384 + 7168 * 16384 + 2 * 4096 * 7168 + 4 * (4096 * 128 + 56 * 128));
    expect(fp8GemmBytes(shape, 'perTensor')).toBe(4096 * 16384 + 7168 * 16384 + 2 * 4096 * 7168 + 8);
    expect(fp8GemmBytes({ m: 1, n: 8, k: 256 })).toBe(256 + 8 * 256 + 16 + 4 * (2 + 2));
  });
});

describe('tables', () => {
  it('a full row', () => {
    const r = row(shape, 1500, 1300);
    r.ours.diffVsBlockwise = 1.234e-6;
    r.ours.diffVsFp64 = 6.8e-4;
    const cells = gemmTableRow(r);
    expect(cells).toHaveLength(GEMM_HEADER.length);
    const at = (name: string) => cells[GEMM_HEADER.indexOf(name)];
    expect(at('M')).toBe('4096');
    expect(at('ours TFLOPS')).toBe('1500');
    expect(at('ours µs')).toBe((secondsAt(1500) * 1e6).toFixed(1));
    expect(at('ours / blockwise')).toBe((1500 / 1300).toFixed(2));
    expect(at('DeepGEMM ref TFLOPS')).toBe('1454');
    expect(at('ours / DeepGEMM')).toBe((1500 / 1454).toFixed(2));
    expect(at('blockwise / ref')).toBe((1300 / 1302).toFixed(2));
    expect(at('ours diff vs blockwise')).toBe('1.23e-6');
    expect(at('ours diff vs FP64')).toBe('6.80e-4');
    expect(at('blockwise diff vs FP64')).toBe('n/a');
  });

  it('missing columns print n/a', () => {
    const cells = gemmTableRow(row({ m: 1, n: 8, k: 256 }));
    const at = (name: string) => cells[GEMM_HEADER.indexOf(name)];
    expect(at('ours µs')).toBe('n/a');
    expect(at('ours / blockwise')).toBe('n/a');
    expect(at('DeepGEMM ref TFLOPS')).toBe('n/a'); // not a shape of the reference table
  });

  it('summary: geometric means over all shapes and over M = 4096', () => {
    const rows = [
      row({ m: 64, n: 2112, k: 7168 }, 100, 80),
      row({ m: 4096, n: 2112, k: 7168 }, 1200, 1000),
      row({ m: 4096, n: 7168, k: 2048 }, 1100, 1100),
      row({ m: 128, n: 7168, k: 2048 }), // ours missing: left out of every ratio
    ];
    const s = summarize(rows);
    const get = (what: string) => s.find((x) => x.what === what)!;
    expect(get('ours / cuBLASLt blockwise, all shapes').value).toBeCloseTo(Math.cbrt(1.25 * 1.2 * 1), 9);
    expect(get('ours / cuBLASLt blockwise, all shapes').shapes).toBe(3);
    expect(get('ours / cuBLASLt blockwise, M = 4096').value).toBeCloseTo(Math.sqrt(1.2), 9);
    expect(get('ours / cuBLASLt blockwise, M = 4096').shapes).toBe(2);
    expect(get('ours / DeepGEMM (reference), all shapes').value).toBeCloseTo(
      Math.cbrt((100 / 118) * (1200 / 1204) * (1100 / 1223)),
      9,
    );
    expect(get('ours TFLOPS').value).toBeCloseTo(Math.cbrt(100 * 1200 * 1100), 6);
    expect(get('cuBLASLt per-tensor TFLOPS').shapes).toBe(4);
    expect(get('DeepGEMM / cuBLASLt blockwise (reference table), same shapes').value).toBeCloseTo(
      geomean([118 / 79, 1204 / 1068, 1223 / 1143, 236 / 270]),
      9,
    );
    const cells = summaryTableRow(get('ours / cuBLASLt blockwise, M = 4096'));
    expect(cells).toHaveLength(SUMMARY_HEADER.length);
    expect(cells[1]).toBe(Math.sqrt(1.2).toFixed(3));
    expect(summaryTableRow(get('ours TFLOPS'))[1]).toBe(Math.cbrt(100 * 1200 * 1100).toFixed(0));
  });

  it('the reference table reproduces its own summary (1.07x all, 1.11x at M = 4096)', () => {
    const rows = H100_REFERENCE.map((ref) => row(ref, ref.deepGemm, ref.cublasLtBlockwise));
    const s = summarize(rows);
    expect(s.find((x) => x.what === 'ours / cuBLASLt blockwise, all shapes')!.value).toBeCloseTo(1.07, 2);
    expect(s.find((x) => x.what === 'ours / cuBLASLt blockwise, M = 4096')!.value).toBeCloseTo(1.11, 2);
    expect(s.find((x) => x.what === 'ours TFLOPS')!.value).toBeCloseTo(387, -1);
    expect(s.find((x) => x.what === 'ours / DeepGEMM (reference), all shapes')!.value).toBeCloseTo(1, 9);
  });

  it('missingNotes groups reasons by column', () => {
    const rows = [row({ m: 64, n: 2112, k: 7168 }), row({ m: 128, n: 2112, k: 7168 }, 200, 150)];
    expect(missingNotes(rows)).toEqual([
      'ours: unsupported: not yet (64x2112x7168)',
      'cuBLASLt blockwise: cuBLASLt unavailable (64x2112x7168)',
    ]);
    expect(missingNotes([row({ m: 64, n: 2112, k: 7168 })])[0]).toBe('ours: unsupported: not yet (all shapes)');
  });
});
