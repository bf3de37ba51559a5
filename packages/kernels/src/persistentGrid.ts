// The persistent grid of the GEMM kernels (dg/scheduler.cuh): one CTA per SM at most, never more CTAs than tiles,
// whole 2-CTA clusters when multicasting.
import { alignUp, ceilDiv } from './checks.js';

/** What the grid depends on, common to the configs of every GEMM family. */
export interface PersistentTile {
  readonly blockM: number;
  readonly blockN: number;
  readonly multicast: 'none' | 'a' | 'b';
  readonly numSms: number;
}

/** CTAs launched for an m x n output: min(numSms, tiles rounded up to whole clusters). */
export function persistentGridSize(tile: PersistentTile, shape: { readonly m: number; readonly n: number }): number {
  const tiles = ceilDiv(shape.m, tile.blockM) * ceilDiv(shape.n, tile.blockN);
  return Math.min(tile.numSms, alignUp(tiles, tile.multicast === 'none' ? 1 : 2));
}
