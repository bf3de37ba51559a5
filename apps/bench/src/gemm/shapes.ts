// The dense GEMM shapes and the reference figures they are compared with. Both are copied from the shared perf notes
// (../shared/perf/shapes.json "dense" / "denseExtra" and the "Dense FP8 GEMM" table of ../shared/perf/h100-reference.md,
// measured 2026-11-21 on one H100 SXM), because those files are not part of this repository and so not on the GPU
// host; test/gemmShapes.test.ts checks the copies against the files wherever they exist. parseDenseReference() reads
// the table from the markdown (`dg-bench gemm --reference FILE` uses it instead of the copy).

export interface GemmShape {
  m: number;
  n: number;
  k: number;
}

/** ../shared/perf/shapes.json */
export const SHAPE_SETS = {
  dense: {
    m: [64, 128, 4096],
    nk: [
      [2112, 7168],
      [24576, 1536],
      [32768, 512],
      [7168, 16384],
      [4096, 7168],
      [7168, 2048],
    ],
  },
  denseExtra: {
    m: [1, 17, 4097],
    nk: [
      [576, 7168],
      [136, 1024],
      [8, 256],
      [2112, 7296],
    ],
  },
} as const satisfies Record<string, { m: readonly number[]; nk: readonly (readonly [number, number])[] }>;

export type ShapeSetName = keyof typeof SHAPE_SETS | 'all';

/** `--quick`: one `dense` shape per M, small enough to run in seconds. */
export const QUICK_SHAPES: readonly GemmShape[] = [
  { m: 64, n: 2112, k: 7168 },
  { m: 128, n: 7168, k: 2048 },
  { m: 4096, n: 4096, k: 7168 },
];

/** The shapes of a set in the order of the reference table: M outer, then the (N, K) list. */
export function shapesOf(set: ShapeSetName): GemmShape[] {
  if (set === 'all') return [...shapesOf('dense'), ...shapesOf('denseExtra')];
  const s = SHAPE_SETS[set];
  if (s === undefined) throw new RangeError(`shapesOf: unknown shape set '${String(set)}'`);
  return s.m.flatMap((m) => s.nk.map(([n, k]) => ({ m, n, k })));
}

/** One row of the reference table: TFLOPS of each implementation on one H100, same inputs and method. */
export interface ReferenceRow extends GemmShape {
  deepGemm: number;
  cublasLtBlockwise: number;
  cublasLtPerTensor: number;
  bf16Cublas: number;
}

/** ../shared/perf/h100-reference.md, "Dense FP8 GEMM, D = A·Bᵀ" (TFLOPS). */
export const H100_REFERENCE: readonly ReferenceRow[] = [
  [64, 2112, 7168, 118, 79, 142, 89],
  [64, 24576, 1536, 183, 188, 197, 120],
  [64, 32768, 512, 131, 142, 152, 96],
  [64, 7168, 16384, 251, 250, 266, 152],
  [64, 4096, 7168, 165, 135, 195, 108],
  [64, 7168, 2048, 128, 139, 145, 95],
  [128, 2112, 7168, 226, 151, 263, 171],
  [128, 24576, 1536, 355, 377, 405, 231],
  [128, 32768, 512, 239, 275, 278, 188],
  [128, 7168, 16384, 491, 494, 541, 292],
  [128, 4096, 7168, 322, 272, 378, 225],
  [128, 7168, 2048, 236, 270, 297, 197],
  [4096, 2112, 7168, 1204, 1068, 1226, 778],
  [4096, 24576, 1536, 1261, 1162, 1272, 748],
  [4096, 32768, 512, 978, 819, 886, 620],
  [4096, 7168, 16384, 1454, 1302, 1402, 735],
  [4096, 4096, 7168, 1381, 1278, 1230, 721],
  [4096, 7168, 2048, 1223, 1143, 1097, 683],
].map(([m, n, k, deepGemm, cublasLtBlockwise, cublasLtPerTensor, bf16Cublas]) => ({
  m: m!,
  n: n!,
  k: k!,
  deepGemm: deepGemm!,
  cublasLtBlockwise: cublasLtBlockwise!,
  cublasLtPerTensor: cublasLtPerTensor!,
  bf16Cublas: bf16Cublas!,
}));

/**
 * Reads the "Dense FP8 GEMM" table of h100-reference.md: the first markdown table after a heading that starts with
 * "## Dense FP8 GEMM", rows `| M | N | K | DeepGEMM | cuBLASLt blockwise | cuBLASLt per-tensor | BF16 cuBLAS |`.
 * Throws when the section, the table or a numeric cell is missing.
 */
export function parseDenseReference(markdown: string): ReferenceRow[] {
  const lines = markdown.split(/\r?\n/);
  const start = lines.findIndex((l) => /^##\s+Dense FP8 GEMM/.test(l));
  if (start < 0) throw new Error("parseDenseReference: no '## Dense FP8 GEMM' section");
  const rows: ReferenceRow[] = [];
  let inTable = false;
  for (let i = start + 1; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (/^#{1,2}\s/.test(line)) break;
    if (!line.startsWith('|')) {
      if (inTable) break;
      continue;
    }
    inTable = true;
    const cells = line
      .slice(1, line.endsWith('|') ? -1 : undefined)
      .split('|')
      .map((c) => c.trim());
    if (cells.every((c) => /^:?-+:?$/.test(c)) || !/^\d/.test(cells[0] ?? '')) continue; // rule or header
    if (cells.length < 7) throw new Error(`parseDenseReference: expected 7 cells in '${line}'`);
    const v = cells.slice(0, 7).map((c) => {
      const x = Number(c);
      if (!Number.isFinite(x) || c === '') throw new Error(`parseDenseReference: '${c}' is not a number in '${line}'`);
      return x;
    });
    rows.push({
      m: v[0]!,
      n: v[1]!,
      k: v[2]!,
      deepGemm: v[3]!,
      cublasLtBlockwise: v[4]!,
      cublasLtPerTensor: v[5]!,
      bf16Cublas: v[6]!,
    });
  }
  if (rows.length === 0) throw new Error('parseDenseReference: the Dense FP8 GEMM section has no table rows');
  return rows;
}

/** The reference row of a shape, if the table has one. */
export function referenceFor(table: readonly ReferenceRow[], s: GemmShape): ReferenceRow | undefined {
  return table.find((r) => r.m === s.m && r.n === s.n && r.k === s.k);
}
