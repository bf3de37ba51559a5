// The GEMM shape lists of the project's performance brief (dense: DeepSeek-V3's projections at M = 64, 128, 4096;
// denseExtra: odd sizes that exercise tails), as [m, n, k].

const denseM = [64, 128, 4096];
const denseNk: [number, number][] = [
  [2112, 7168],
  [24576, 1536],
  [32768, 512],
  [7168, 16384],
  [4096, 7168],
  [7168, 2048],
];
const extraM = [1, 17, 4097];
const extraNk: [number, number][] = [
  [576, 7168],
  [136, 1024],
  [8, 256],
  [2112, 7296],
];

const cross = (ms: number[], nks: [number, number][]) =>
  ms.flatMap((m) => nks.map(([n, k]): [number, number, number] => [m, n, k]));

export const DENSE_SHAPES = cross(denseM, denseNk);
export const DENSE_EXTRA_SHAPES = cross(extraM, extraNk);

/** Seeded random shapes: M in 1..8192, N a multiple of 8 up to 16384, K a multiple of 16 up to 8192. */
export function randomShapes(count: number, seed: number): [number, number, number][] {
  let s = seed >>> 0;
  const next = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
  return Array.from({ length: count }, (): [number, number, number] => [
    1 + Math.floor(next() * 8192),
    8 * (1 + Math.floor(next() * 2048)),
    16 * (1 + Math.floor(next() * 512)),
  ]);
}

/**
 * Seeded random shapes for the BF16 GEMM: M in 1..8192, N a multiple of 8 up to 16384, K a multiple of 8 up to 8192
 * (so most are not a multiple of the kernel's 64-wide K block).
 */
export function randomBf16Shapes(count: number, seed: number): [number, number, number][] {
  let s = seed >>> 0;
  const next = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
  return Array.from({ length: count }, (): [number, number, number] => [
    1 + Math.floor(next() * 8192),
    8 * (1 + Math.floor(next() * 2048)),
    8 * (1 + Math.floor(next() * 1024)),
  ]);
}
