// The L2 cache policy of the GEMM kernels' operand loads, chosen on the host and passed as the `streamed` launch
// parameter: which operand is read once (and so loaded EVICT_FIRST, the other EVICT_LAST), if either.
import { ceilDiv } from './checks.js';
import { type PersistentTile, persistentGridSize } from './persistentGrid.js';

/** 0: normal policy for both operands; 1: A is read once; 2: B is read once. */
export type StreamedOperand = 0 | 1 | 2;

/**
 * B is read once when there is a single block of M rows, or when every tile runs in the first wave of the persistent
 * grid (each B tile is then loaded by its few M-block CTAs at about the same time, and never again); A likewise with
 * a single block of N columns. The streamed operand loads EVICT_FIRST: it leaves in L2 what other CTAs re-read, and
 * the dirty lines of earlier kernels, which would otherwise be written back to make room for data that is never read
 * again. `l2Hints` false: 0. The same rule for every GEMM family (measured on the H100 for all three).
 */
export function streamedOperand(
  tile: PersistentTile & { readonly l2Hints?: boolean },
  shape: { readonly m: number; readonly n: number },
): StreamedOperand {
  if (tile.l2Hints === false) return 0;
  const mBlocks = ceilDiv(shape.m, tile.blockM);
  const nBlocks = ceilDiv(shape.n, tile.blockN);
  const oneWave = persistentGridSize(tile, shape) >= mBlocks * nBlocks;
  if (mBlocks === 1 || (oneWave && mBlocks <= nBlocks)) return 2;
  if (nBlocks === 1 || oneWave) return 1;
  return 0;
}
