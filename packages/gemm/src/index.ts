// @dg/gemm: dense FP8 and BF16 GEMMs for Hopper with DeepGEMM's semantics, and a CPU reference of every op.

export { bf16GemmNt, fp8GemmNt, fp8GemmNtAccumulate } from './api.js';
export {
  DgArgumentError,
  DgDeviceError,
  DgDtypeError,
  DgGemmError,
  type DgGemmErrorCode,
  DgLayoutError,
  DgShapeError,
  DgUnsupportedError,
} from './errors.js';
export {
  BF16_GEMM_NT_BLOCK_NS,
  type Bf16GemmNtCost,
  checkGemmDeviceInfo,
  clearBf16GemmNtConfigCache,
  clearFp8GemmNtAccumulateConfigCache,
  clearFp8GemmNtConfigCache,
  describeBf16GemmNtConfig,
  describeFp8GemmNtAccumulateConfig,
  describeFp8GemmNtConfig,
  estimateBf16GemmNtCost,
  estimateFp8GemmNtAccumulateCost,
  estimateFp8GemmNtCost,
  FP8_GEMM_NT_ACCUMULATE_BLOCK_NS,
  FP8_GEMM_NT_BLOCK_NS,
  type Fp8GemmNtAccumulateCost,
  type Fp8GemmNtCost,
  fp8GemmNtAccumulateConfigsForShapes,
  fp8GemmNtConfigsForShapes,
  type GemmDeviceInfo,
  type GemmShape,
  H100_SXM_DEVICE,
  listBf16GemmNtCandidates,
  listFp8GemmNtAccumulateCandidates,
  listFp8GemmNtCandidates,
  selectBf16GemmNtConfig,
  selectFp8GemmNtAccumulateConfig,
  selectFp8GemmNtConfig,
} from './heuristics/index.js';
export { getNumSms, getPdl, getTcUtil, setNumSms, setPdl, setTcUtil } from './knobs.js';
export {
  getKMajorTmaAlignedTensor,
  getMnMajorTmaAlignedTensor,
  type LayoutOptions,
  type TransformSfOptions,
  transformSfIntoRequiredLayout,
} from './layout.js';
export type { Bf16GemmNtOptions } from './options.js';
export type {
  Bf16GemmNtProblem,
  Fp8GemmNtAccumulateOptions,
  Fp8GemmNtAccumulateProblem,
  Fp8GemmNtOptions,
  Fp8GemmNtProblem,
  Fp8Operand,
  GemmBackend,
  GemmOptions,
  GemmProblem,
  ProblemDevice,
} from './problem.js';
