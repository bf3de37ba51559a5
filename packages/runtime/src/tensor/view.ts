// When can a reshape be a view? PyTorch's rule (at::detail::computeStride): split the old dims into chunks that are
// contiguous with each other; every new dim must fall within one chunk. Ported so reshape() copies exactly when
// PyTorch's would.

import { contiguousStrides, product } from './shape.js';

/** Strides that give `newShape` over the same elements as (oldShape, oldStrides), or undefined when none exist. */
export function viewStrides(
  oldShape: readonly number[],
  oldStrides: readonly number[],
  newShape: readonly number[],
): number[] | undefined {
  // No elements: any strides describe them. A scalar: every new dim has size 1, so any stride works.
  if (product(oldShape) === 0 || oldShape.length === 0) return contiguousStrides(newShape);
  const newStrides = new Array<number>(newShape.length);
  let viewD = newShape.length - 1;
  let chunkBaseStride = oldStrides[oldStrides.length - 1] ?? 1;
  let tensorNumel = 1;
  let viewNumel = 1;
  for (let tensorD = oldShape.length - 1; tensorD >= 0; tensorD--) {
    tensorNumel *= oldShape[tensorD] ?? 1;
    // A chunk ends at dim 0 or where the next-outer dim does not continue it.
    const outerSize = oldShape[tensorD - 1] ?? 1;
    const outerStride = oldStrides[tensorD - 1] ?? 0;
    if (tensorD === 0 || (outerSize !== 1 && outerStride !== tensorNumel * chunkBaseStride)) {
      while (viewD >= 0 && (viewNumel < tensorNumel || newShape[viewD] === 1)) {
        newStrides[viewD] = viewNumel * chunkBaseStride;
        viewNumel *= newShape[viewD] ?? 1;
        viewD--;
      }
      if (viewNumel !== tensorNumel) return undefined;
      if (tensorD > 0) {
        chunkBaseStride = outerStride;
        tensorNumel = 1;
        viewNumel = 1;
      }
    }
  }
  return viewD === -1 ? newStrides : undefined;
}
