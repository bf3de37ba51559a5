import { checkArrayLike } from './args.js';

/**
 * DeepGEMM's similarity error: 1 - 2·Σxy / Σ(x² + y²), accumulated in double precision. 0 means identical,
 * and it is 0 when both inputs are all zero. Typical thresholds: < 1e-5 for the same quantized math,
 * < 1e-3 against an unquantized product.
 */
export function calcDiff(x: ArrayLike<number>, y: ArrayLike<number>): number {
  checkArrayLike('calcDiff', 'x', x);
  checkArrayLike('calcDiff', 'y', y);
  if (x.length !== y.length) {
    throw new RangeError(`calcDiff: 'y' must have the length of 'x' (${x.length}); got length ${y.length}`);
  }
  let dot = 0;
  let norms = 0;
  for (let i = 0; i < x.length; i++) {
    const a = Number(x[i]);
    const b = Number(y[i]);
    dot += a * b;
    norms += a * a + b * b;
  }
  return norms === 0 ? 0 : 1 - (2 * dot) / norms;
}
