import { quantCast } from './quantCast.js';
import { sfLayout } from './sfLayout.js';
import { sm90Bf16Gemm } from './sm90Bf16Gemm.js';
import { sm90Fp8Gemm1d1d } from './sm90Fp8Gemm1d1d.js';
import { sm90Fp8Gemm1d2d } from './sm90Fp8Gemm1d2d.js';

export {
  type Dim3,
  GEMM_COMPILER_FLAGS,
  type KernelFamily,
  type KernelParam,
  type KernelParamType,
  type RenderedKernel,
} from './kernel.js';
export { type StreamedOperand, streamedOperand } from './l2Policy.js';
export { cudaIncludeDir } from './paths.js';
export { type PersistentTile, persistentGridSize } from './persistentGrid.js';
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
export {
  BF16_GEMM_BLOCK_K,
  checkSm90Bf16GemmConfig,
  checkSm90Bf16GemmLayout,
  checkSm90Bf16GemmTile,
  listSm90Bf16GemmVariants,
  renderSm90Bf16Gemm,
  SM90_BF16_GEMM_BLOCK_MS,
  SM90_BF16_GEMM_MAJORS,
  SM90_BF16_GEMM_MULTICASTS,
  SM90_BF16_GEMM_OUTPUTS,
  SM90_BF16_GEMM_PARAMS,
  type Sm90Bf16GemmConfig,
  type Sm90Bf16GemmLayout,
  type Sm90Bf16GemmShape,
  type Sm90Bf16GemmTile,
  sm90Bf16Gemm,
  sm90Bf16GemmBRows,
  sm90Bf16GemmKernelName,
  sm90Bf16GemmMaxStages,
  sm90Bf16GemmOutputSwizzleBytes,
  sm90Bf16GemmShapeProblem,
  sm90Bf16GemmSmemBytes,
  sm90Bf16GemmStageBytes,
  sm90Bf16GemmWarpgroups,
} from './sm90Bf16Gemm.js';
export {
  checkSm90Fp8Gemm1d1dConfig,
  listSm90Fp8Gemm1d1dVariants,
  renderSm90Fp8Gemm1d1d,
  SM90_FP8_GEMM_1D1D_BLOCK_MS,
  SM90_FP8_GEMM_1D1D_MAX_BLOCK_N,
  SM90_FP8_GEMM_1D1D_MULTICASTS,
  SM90_FP8_GEMM_1D1D_PARAMS,
  SM90_FP8_GEMM_1D1D_STORE_BLOCK_M,
  type Sm90Fp8Gemm1d1dConfig,
  type Sm90Fp8Gemm1d1dShape,
  sm90Fp8Gemm1d1d,
  sm90Fp8Gemm1d1dKernelName,
  sm90Fp8Gemm1d1dMaxStages,
  sm90Fp8Gemm1d1dShapeProblem,
  sm90Fp8Gemm1d1dSmemBytes,
  sm90Fp8Gemm1d1dStageBytes,
} from './sm90Fp8Gemm1d1d.js';
export {
  checkSm90Fp8Gemm1d2dConfig,
  FP8_GEMM_BLOCK_K,
  listSm90Fp8Gemm1d2dVariants,
  renderSm90Fp8Gemm1d2d,
  SM90_FP8_GEMM_1D2D_BLOCK_MS,
  SM90_FP8_GEMM_1D2D_EPILOGUES,
  SM90_FP8_GEMM_1D2D_MULTICASTS,
  SM90_FP8_GEMM_1D2D_PARAMS,
  SM90_MAX_SMEM_BYTES,
  type Sm90Fp8Gemm1d2dConfig,
  type Sm90Fp8Gemm1d2dShape,
  sm90Fp8Gemm1d2d,
  sm90Fp8Gemm1d2dExactKUnrollProblem,
  sm90Fp8Gemm1d2dKernelName,
  sm90Fp8Gemm1d2dKUnroll,
  sm90Fp8Gemm1d2dMaxStages,
  sm90Fp8Gemm1d2dPipelined,
  sm90Fp8Gemm1d2dScaleBBox,
  sm90Fp8Gemm1d2dShapeProblem,
  sm90Fp8Gemm1d2dSmemBytes,
  sm90Fp8Gemm1d2dStageBytes,
  sm90Fp8Gemm1d2dStoreBox,
  sm90Fp8Gemm1d2dWantsExactKUnroll,
  sm90Fp8Gemm1d2dWarpgroups,
  sm90OutputSwizzleBytes,
  sm90RasterGroup,
  withExactKUnroll,
} from './sm90Fp8Gemm1d2d.js';

/** Every kernel family of the package, for tools that walk all variants (compile test, warm-up). */
export const kernelFamilies = [quantCast, sfLayout, sm90Fp8Gemm1d2d, sm90Bf16Gemm, sm90Fp8Gemm1d1d] as const;
