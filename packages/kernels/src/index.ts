import { quantCast } from './quantCast.js';
import { sfLayout } from './sfLayout.js';

export type { Dim3, KernelFamily, KernelParam, KernelParamType, RenderedKernel } from './kernel.js';
export { cudaIncludeDir } from './paths.js';
export {
  checkQuantCastConfig,
  listQuantCastVariants,
  QUANT_CAST_GRANULARITIES,
  QUANT_CAST_INPUTS,
  QUANT_CAST_KINDS,
  QUANT_CAST_PARAMS,
  QUANT_CAST_SCALE_LAYOUTS,
  type QuantCastConfig,
  type QuantCastShape,
  quantCast,
  quantCastKernelName,
  quantCastScaleShape,
  renderQuantCast,
} from './quantCast.js';
export {
  checkSfLayoutConfig,
  listSfLayoutVariants,
  renderSfLayout,
  SF_LAYOUT_KINDS,
  SF_LAYOUT_PARAMS,
  type SfLayoutConfig,
  type SfLayoutShape,
  sfLayout,
  sfLayoutKernelName,
  sfLayoutOutputShape,
} from './sfLayout.js';

/** Every kernel family of the package, for tools that walk all variants (compile test, warm-up). */
export const kernelFamilies = [quantCast, sfLayout] as const;
