// The one inner loop of the CPU reference: every dot product of a row of A with a row of B over a K range, in
// double precision. Rows are taken two by two from each side (a 2x2 tile: four sums from four loads per step), which
// about doubles the speed of one dot at a time in V8, and K is walked in blocks so that the operands stay in cache.

/** A row-major matrix of decoded values. */
export interface DenseRows {
  readonly values: Float64Array;
  /** Elements per row. */
  readonly stride: number;
}

/** Rows of B per pass over A: 64 rows of a 128-wide K block (64 KiB of doubles) stay in L2 while A streams by. */
const B_ROWS_PER_PASS = 64;

/**
 * sums[i * n + j] += Σ_{t in [k0, k1)} a[i, t] · b[j, t] for every i < m and j < n, in double precision and in a
 * fixed order (deterministic results). Callers keep k1 - k0 small (a K block), so the rows of B a pass reads stay in
 * cache.
 */
export function addDotProducts(
  a: DenseRows,
  b: DenseRows,
  m: number,
  n: number,
  k0: number,
  k1: number,
  sums: Float64Array,
): void {
  const av = a.values;
  const bv = b.values;
  const mPairs = m - (m % 2);
  for (let j0 = 0; j0 < n; j0 += B_ROWS_PER_PASS) {
    const j1 = Math.min(n, j0 + B_ROWS_PER_PASS);
    const jPairsEnd = j1 - ((j1 - j0) % 2);
    for (let i = 0; i < mPairs; i += 2) {
      const a0 = i * a.stride;
      const a1 = a0 + a.stride;
      for (let j = j0; j < jPairsEnd; j += 2) {
        const b0 = j * b.stride;
        const b1 = b0 + b.stride;
        let s00 = 0;
        let s01 = 0;
        let s10 = 0;
        let s11 = 0;
        for (let t = k0; t < k1; t++) {
          const x0 = av[a0 + t]!;
          const x1 = av[a1 + t]!;
          const y0 = bv[b0 + t]!;
          const y1 = bv[b1 + t]!;
          s00 += x0 * y0;
          s01 += x0 * y1;
          s10 += x1 * y0;
          s11 += x1 * y1;
        }
        sums[i * n + j] = sums[i * n + j]! + s00;
        sums[i * n + j + 1] = sums[i * n + j + 1]! + s01;
        sums[(i + 1) * n + j] = sums[(i + 1) * n + j]! + s10;
        sums[(i + 1) * n + j + 1] = sums[(i + 1) * n + j + 1]! + s11;
      }
      for (let j = jPairsEnd; j < j1; j++) {
        sums[i * n + j] = sums[i * n + j]! + dot(av, a0, bv, j * b.stride, k0, k1);
        sums[(i + 1) * n + j] = sums[(i + 1) * n + j]! + dot(av, a1, bv, j * b.stride, k0, k1);
      }
    }
    for (let i = mPairs; i < m; i++) {
      for (let j = j0; j < j1; j++)
        sums[i * n + j] = sums[i * n + j]! + dot(av, i * a.stride, bv, j * b.stride, k0, k1);
    }
  }
}

function dot(av: Float64Array, aRow: number, bv: Float64Array, bRow: number, k0: number, k1: number): number {
  let s = 0;
  for (let t = k0; t < k1; t++) s += av[aRow + t]! * bv[bRow + t]!;
  return s;
}
