// The few cuBLASLt declarations this addon uses, written out so that it builds without the CUDA toolkit: <cublasLt.h>
// is never included and libcublasLt is never linked (it is opened with dlopen, see loader.cc). Values follow the public
// cublasLt.h / cublas_api.h / library_types.h of cuBLAS 12.9 and 13.0 (the block-scaling modes appeared in 12.9).
#pragma once

#include <cstddef>
#include <cstdint>

namespace dgb {

using cublasStatus_t = int;
constexpr cublasStatus_t CUBLAS_STATUS_SUCCESS = 0;
constexpr cublasStatus_t CUBLAS_STATUS_NOT_SUPPORTED = 15;

// cudaDataType_t (library_types.h)
constexpr int CUDA_R_32F = 0;
constexpr int CUDA_R_16BF = 14;
constexpr int CUDA_R_8F_E4M3 = 28;

// cublasComputeType_t (cublas_api.h)
constexpr int CUBLAS_COMPUTE_32F = 68;

// cublasOperation_t (cublas_api.h)
constexpr int32_t CUBLAS_OP_N = 0;
constexpr int32_t CUBLAS_OP_T = 1;

// cublasLtMatmulDescAttributes_t: only the ones set here.
constexpr int CUBLASLT_MATMUL_DESC_TRANSA = 3;           // int32_t (cublasOperation_t)
constexpr int CUBLASLT_MATMUL_DESC_TRANSB = 4;           // int32_t
constexpr int CUBLASLT_MATMUL_DESC_A_SCALE_POINTER = 17;  // const void* (device)
constexpr int CUBLASLT_MATMUL_DESC_B_SCALE_POINTER = 18;  // const void* (device)
constexpr int CUBLASLT_MATMUL_DESC_A_SCALE_MODE = 31;     // int32_t (cublasLtMatmulMatrixScale_t)
constexpr int CUBLASLT_MATMUL_DESC_B_SCALE_MODE = 32;     // int32_t

// cublasLtMatmulMatrixScale_t (12.9+)
constexpr int32_t CUBLASLT_MATMUL_MATRIX_SCALE_SCALAR_32F = 0;
constexpr int32_t CUBLASLT_MATMUL_MATRIX_SCALE_VEC128_32F = 4;
constexpr int32_t CUBLASLT_MATMUL_MATRIX_SCALE_BLK128x128_32F = 5;

// cublasLtMatmulPreferenceAttributes_t
constexpr int CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES = 1;  // uint64_t

struct cublasLtContext;
struct cublasLtMatmulDescOpaque_t;
struct cublasLtMatrixLayoutOpaque_t;
struct cublasLtMatmulPreferenceOpaque_t;
struct CUstream_st;
using cublasLtHandle_t = cublasLtContext*;
using cublasLtMatmulDesc_t = cublasLtMatmulDescOpaque_t*;
using cublasLtMatrixLayout_t = cublasLtMatrixLayoutOpaque_t*;
using cublasLtMatmulPreference_t = cublasLtMatmulPreferenceOpaque_t*;
using cudaStream_t = CUstream_st*;  // nullptr: the legacy default stream

struct cublasLtMatmulAlgo_t {
  uint64_t data[8];
};

struct cublasLtMatmulHeuristicResult_t {
  cublasLtMatmulAlgo_t algo;
  size_t workspaceSize;
  cublasStatus_t state;
  float wavesCount;
  int reserved[4];
};
static_assert(sizeof(cublasLtMatmulHeuristicResult_t) == 96, "cublasLtMatmulHeuristicResult_t layout");

using PFN_cublasLtGetVersion = size_t (*)();
using PFN_cublasLtGetStatusName = const char* (*)(cublasStatus_t status);
using PFN_cublasLtCreate = cublasStatus_t (*)(cublasLtHandle_t* handle);
using PFN_cublasLtMatmulDescCreate = cublasStatus_t (*)(cublasLtMatmulDesc_t* desc, int computeType, int scaleType);
using PFN_cublasLtMatmulDescDestroy = cublasStatus_t (*)(cublasLtMatmulDesc_t desc);
using PFN_cublasLtMatmulDescSetAttribute = cublasStatus_t (*)(cublasLtMatmulDesc_t desc, int attr, const void* buf,
                                                              size_t sizeInBytes);
using PFN_cublasLtMatrixLayoutCreate = cublasStatus_t (*)(cublasLtMatrixLayout_t* layout, int type, uint64_t rows,
                                                          uint64_t cols, int64_t ld);
using PFN_cublasLtMatrixLayoutDestroy = cublasStatus_t (*)(cublasLtMatrixLayout_t layout);
using PFN_cublasLtMatmulPreferenceCreate = cublasStatus_t (*)(cublasLtMatmulPreference_t* pref);
using PFN_cublasLtMatmulPreferenceDestroy = cublasStatus_t (*)(cublasLtMatmulPreference_t pref);
using PFN_cublasLtMatmulPreferenceSetAttribute = cublasStatus_t (*)(cublasLtMatmulPreference_t pref, int attr,
                                                                    const void* buf, size_t sizeInBytes);
using PFN_cublasLtMatmulAlgoGetHeuristic = cublasStatus_t (*)(
    cublasLtHandle_t handle, cublasLtMatmulDesc_t desc, cublasLtMatrixLayout_t a, cublasLtMatrixLayout_t b,
    cublasLtMatrixLayout_t c, cublasLtMatrixLayout_t d, cublasLtMatmulPreference_t pref, int requestedAlgoCount,
    cublasLtMatmulHeuristicResult_t* results, int* returnAlgoCount);
using PFN_cublasLtMatmul = cublasStatus_t (*)(cublasLtHandle_t handle, cublasLtMatmulDesc_t desc, const void* alpha,
                                              const void* a, cublasLtMatrixLayout_t aDesc, const void* b,
                                              cublasLtMatrixLayout_t bDesc, const void* beta, const void* c,
                                              cublasLtMatrixLayout_t cDesc, void* d, cublasLtMatrixLayout_t dDesc,
                                              const cublasLtMatmulAlgo_t* algo, void* workspace,
                                              size_t workspaceSizeInBytes, cudaStream_t stream);

}  // namespace dgb
