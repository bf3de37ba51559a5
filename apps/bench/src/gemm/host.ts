// Host-side pieces of `dg-bench gemm`: seeded normal inputs rounded to BF16 (the reference's `randn` BF16), the
// per-tensor FP8 cast cuBLASLt's per-tensor column needs (@dg/quant has no per-tensor cast), row sampling and the FP64
// product of the unquantized inputs on the sampled rows.

import { encodeFp8 } from '@dg/quant';

/** A 32-bit seed from a few integers (shape sizes, operand tag). */
export function seedOf(...parts: number[]): number {
  let h = 0x9e3779b9;
  for (const p of parts) {
    h = Math.imul(h ^ (p >>> 0), 0x85ebca6b);
    h ^= h >>> 13;
  }
  return h >>> 0;
}

/** mulberry32: uniform floats in [0, 1). */
function uniform(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Fills `out` with standard normal values (Box-Muller), the same for the same seed. */
export function fillNormal(out: Float32Array, seed: number): void {
  const next = uniform(seed);
  for (let i = 0; i < out.length; i += 2) {
    const u = 1 - next(); // (0, 1]: log(u) is finite
    const r = Math.sqrt(-2 * Math.log(u));
    const t = 2 * Math.PI * next();
    out[i] = r * Math.cos(t);
    if (i + 1 < out.length) out[i + 1] = r * Math.sin(t);
  }
}

/**
 * Rounds every value of `x` to BF16 in place (round to nearest, ties to even; inputs are finite) and returns the BF16
 * bit patterns, so `x` then holds exactly the values the device sees.
 */
export function roundToBf16(x: Float32Array): Uint16Array {
  const u32 = new Uint32Array(x.buffer, x.byteOffset, x.length);
  const bits = new Uint16Array(x.length);
  for (let i = 0; i < u32.length; i++) {
    const v = u32[i]!;
    const r = (v + 0x7fff + ((v >>> 16) & 1)) >>> 16;
    bits[i] = r;
    u32[i] = r << 16;
  }
  return bits;
}

/**
 * One scale for the whole tensor, with the recipe of @dg/quant's casts (every step in FP32): amax = max|x| clamped
 * below at 1e-4, scale = amax · (1/448), data = e4m3fn(x · (1/scale)).
 */
export function perTensorCastToFp8(x: Float32Array): { data: Uint8Array; scale: number } {
  let amax = 0;
  for (let i = 0; i < x.length; i++) {
    const a = Math.abs(x[i]!);
    if (a > amax) amax = a;
  }
  const scale = Math.fround(Math.max(amax, 1e-4) * Math.fround(1 / 448));
  const inv = Math.fround(1 / scale);
  const data = new Uint8Array(x.length);
  const CHUNK = 1 << 20;
  const scaled = new Float32Array(Math.min(CHUNK, x.length));
  for (let start = 0; start < x.length; start += CHUNK) {
    const len = Math.min(CHUNK, x.length - start);
    const view = len === scaled.length ? scaled : scaled.subarray(0, len);
    for (let i = 0; i < len; i++) view[i] = x[start + i]! * inv;
    data.set(encodeFp8(view, 'e4m3fn'), start);
  }
  return { data, scale };
}

/** `count` distinct row indices of [0, m), sorted (all rows when m <= count). */
export function sampleRows(m: number, count: number, seed: number): number[] {
  if (m <= count) return Array.from({ length: m }, (_, i) => i);
  const next = uniform(seed);
  const picked = new Set<number>();
  while (picked.size < count) picked.add(Math.floor(next() * m));
  return [...picked].sort((a, b) => a - b);
}

/** The FP64 product A · Bᵀ on the given rows of A: [rows.length, n], row-major. A is [m, k], B is [n, k]. */
export function fp64Rows(
  a: Float32Array,
  b: Float32Array,
  n: number,
  k: number,
  rows: readonly number[],
): Float64Array {
  const out = new Float64Array(rows.length * n);
  const row = new Float64Array(k);
  rows.forEach((r, i) => {
    for (let t = 0; t < k; t++) row[t] = a[r * k + t]!;
    for (let j = 0; j < n; j++) {
      let acc = 0;
      const base = j * k;
      for (let t = 0; t < k; t++) acc += row[t]! * b[base + t]!;
      out[i * n + j] = acc;
    }
  });
  return out;
}

/** The given rows of a row-major [m, n] matrix, packed. */
export function pickRows(d: ArrayLike<number>, n: number, rows: readonly number[]): Float64Array {
  const out = new Float64Array(rows.length * n);
  rows.forEach((r, i) => {
    for (let j = 0; j < n; j++) out[i * n + j] = d[r * n + j]!;
  });
  return out;
}
