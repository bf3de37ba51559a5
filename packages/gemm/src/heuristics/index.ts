export {
  BF16_GEMM_NT_BLOCK_NS,
  type Bf16GemmNtCost,
  clearBf16GemmNtConfigCache,
  describeBf16GemmNtConfig,
  estimateBf16GemmNtCost,
  listBf16GemmNtCandidates,
  printBf16ConfigOnce,
  selectBf16GemmNtConfig,
} from './bf16Gemm.js';
export { checkGemmDeviceInfo, type GemmDeviceInfo, H100_SXM_DEVICE } from './device.js';
export {
  clearFp8GemmNtAccumulateConfigCache,
  describeFp8GemmNtAccumulateConfig,
  estimateFp8GemmNtAccumulateCost,
  FP8_GEMM_NT_ACCUMULATE_BLOCK_NS,
  type Fp8GemmNtAccumulateCost,
  fp8GemmNtAccumulateConfigsForShapes,
  listFp8GemmNtAccumulateCandidates,
  printAccumulateConfigOnce,
  selectFp8GemmNtAccumulateConfig,
} from './fp8Gemm1d1d.js';
export {
  clearFp8GemmNtConfigCache,
  describeFp8GemmNtConfig,
  estimateFp8GemmNtCost,
  explainFp8GemmNtConfig,
  FP8_GEMM_NT_BLOCK_NS,
  type Fp8GemmNtCost,
  fp8GemmNtConfigsForShapes,
  type GemmShape,
  listFp8GemmNtCandidates,
  PER_WARPGROUP_EPILOGUE_MAX_K,
  printConfigOnce,
  resetPrintedConfigs,
  selectFp8GemmNtConfig,
  TWO_SLAB_TILES_MIN_K,
} from './fp8Gemm1d2d.js';
