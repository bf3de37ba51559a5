// The shape sets and the reference table of `dg-bench gemm`, and their copies of the shared perf notes.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  H100_REFERENCE,
  parseDenseReference,
  QUICK_SHAPES,
  referenceFor,
  SHAPE_SETS,
  shapesOf,
} from '../src/gemm/shapes.js';

// ../shared/perf beside the repository root (present on the development machine, absent in CI and on the GPU host).
const shared = (name: string) => fileURLToPath(new URL(`../../../../shared/perf/${name}`, import.meta.url));
const referenceMd = shared('h100-reference.md');
const shapesJson = shared('shapes.json');

const EXCERPT = `# Reference

## Dense FP8 GEMM, D = A·Bᵀ

|  M   |   N   |   K   | DeepGEMM TFLOPS | cuBLASLt blockwise | cuBLASLt per-tensor | BF16 cuBLAS |
|-----:|------:|------:|----:|----:|----:|----:|
|   64 |  2112 |  7168 |  118 |   79 |  142 |  89 |
| 4096 |  7168 |  2048 | 1223 | 1143 | 1097 | 683 |

Geometric means: ...

## Grouped FP8 GEMMs (DeepGEMM)

| groups | M per group |  N   |  K   | TFLOPS | GB/s |
|---:|---:|---:|---:|---:|---:|
| 4 | 8192 | 4096 | 7168 | 1393 | 445 |
`;

describe('shapes', () => {
  it('dense: 18 shapes, M outer as in the reference table', () => {
    const s = shapesOf('dense');
    expect(s).toHaveLength(18);
    expect(s[0]).toEqual({ m: 64, n: 2112, k: 7168 });
    expect(s[6]).toEqual({ m: 128, n: 2112, k: 7168 });
    expect(s[17]).toEqual({ m: 4096, n: 7168, k: 2048 });
    expect(s.map(({ m, n, k }) => [m, n, k])).toEqual(H100_REFERENCE.map(({ m, n, k }) => [m, n, k]));
  });

  it('denseExtra and all', () => {
    expect(shapesOf('denseExtra')).toHaveLength(12);
    expect(shapesOf('all')).toHaveLength(30);
    expect(shapesOf('all').slice(18)).toEqual(shapesOf('denseExtra'));
  });

  it('quick: three dense shapes, one per M', () => {
    expect(QUICK_SHAPES).toHaveLength(3);
    for (const q of QUICK_SHAPES) expect(shapesOf('dense')).toContainEqual(q);
    expect(new Set(QUICK_SHAPES.map((q) => q.m)).size).toBe(3);
  });

  it('referenceFor', () => {
    expect(referenceFor(H100_REFERENCE, { m: 128, n: 4096, k: 7168 })?.deepGemm).toBe(322);
    expect(referenceFor(H100_REFERENCE, { m: 17, n: 576, k: 7168 })).toBeUndefined();
  });
});

describe('parseDenseReference', () => {
  it('reads the dense table and stops at the next section', () => {
    expect(parseDenseReference(EXCERPT)).toEqual([
      { m: 64, n: 2112, k: 7168, deepGemm: 118, cublasLtBlockwise: 79, cublasLtPerTensor: 142, bf16Cublas: 89 },
      { m: 4096, n: 7168, k: 2048, deepGemm: 1223, cublasLtBlockwise: 1143, cublasLtPerTensor: 1097, bf16Cublas: 683 },
    ]);
  });

  it('fails loudly on a missing section or a bad cell', () => {
    expect(() => parseDenseReference('# nothing here\n')).toThrow(/no '## Dense FP8 GEMM' section/);
    expect(() => parseDenseReference('## Dense FP8 GEMM\n\ntext only\n')).toThrow(/has no table rows/);
    expect(() => parseDenseReference(EXCERPT.replace('|  142 |', '| n/a |'))).toThrow(/'n\/a' is not a number/);
  });

  it.skipIf(!existsSync(referenceMd))('the copy in shapes.ts is the table of h100-reference.md', () => {
    expect(parseDenseReference(readFileSync(referenceMd, 'utf8'))).toEqual(H100_REFERENCE);
  });

  it.skipIf(!existsSync(shapesJson))('the shape sets are those of shapes.json', () => {
    const json = JSON.parse(readFileSync(shapesJson, 'utf8')) as Record<string, unknown>;
    expect(json.dense).toEqual(SHAPE_SETS.dense);
    expect(json.denseExtra).toEqual(SHAPE_SETS.denseExtra);
  });
});
