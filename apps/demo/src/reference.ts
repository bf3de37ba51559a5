// The accuracy yardstick: rows of A · Bᵀ in double precision from the unquantized inputs, so the error measured
// covers FP8 quantization, the kernel's accumulation and the bf16 output together.

/** Rows `rows` of x · wᵀ (x [m, k], w [n, k], row-major), each n long, in FP64. */
export function referenceRows(x: Float32Array, w: Float32Array, rows: readonly number[], n: number, k: number) {
  const out = new Float64Array(rows.length * n);
  rows.forEach((row, r) => {
    const xRow = x.subarray(row * k, (row + 1) * k);
    for (let j = 0; j < n; j++) {
      const wRow = j * k;
      let s = 0;
      for (let t = 0; t < k; t++) s += xRow[t]! * w[wRow + t]!;
      out[r * n + j] = s;
    }
  });
  return out;
}

/** The elements of `rows` of a row-major [?, n] matrix, concatenated. */
export function pickRows(values: Float32Array, rows: readonly number[], n: number): Float32Array {
  const out = new Float32Array(rows.length * n);
  rows.forEach((row, r) => {
    out.set(values.subarray(row * n, (row + 1) * n), r * n);
  });
  return out;
}

/** `count` distinct row indices below `m` (all of them when m <= count), ascending, from a fixed seed. */
export function sampleRows(m: number, count: number): number[] {
  if (m <= count) return Array.from({ length: m }, (_, i) => i);
  const picked = new Set<number>();
  let s = 7;
  while (picked.size < count) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    picked.add(s % m);
  }
  return [...picked].sort((a, b) => a - b);
}
