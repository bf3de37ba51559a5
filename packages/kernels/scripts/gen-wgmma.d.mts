/** The text of cuda/dg/ptx/wgmma_ops.cuh. */
export function renderWgmmaOps(): string;
