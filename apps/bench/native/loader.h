// Opens libcuBLASLt with dlopen on first use and resolves the entry points the bench needs. Never throws: a failure is
// a reason string that the TypeScript layer reports through unavailableReason().
#pragma once

#include <string>

#include "cublaslt_decls.h"

namespace dgb {

#define DGB_CUBLASLT_SYMBOLS(X)          \
  X(cublasLtGetVersion)                  \
  X(cublasLtCreate)                      \
  X(cublasLtMatmulDescCreate)            \
  X(cublasLtMatmulDescDestroy)           \
  X(cublasLtMatmulDescSetAttribute)      \
  X(cublasLtMatrixLayoutCreate)          \
  X(cublasLtMatrixLayoutDestroy)         \
  X(cublasLtMatmulPreferenceCreate)      \
  X(cublasLtMatmulPreferenceDestroy)     \
  X(cublasLtMatmulPreferenceSetAttribute) \
  X(cublasLtMatmulAlgoGetHeuristic)      \
  X(cublasLtMatmul)

struct CublasLt {
#define DGB_DECLARE_MEMBER(name) PFN_##name name = nullptr;
  DGB_CUBLASLT_SYMBOLS(DGB_DECLARE_MEMBER)
#undef DGB_DECLARE_MEMBER
  PFN_cublasLtGetStatusName cublasLtGetStatusName = nullptr;  // optional: names come from a table otherwise
};

struct LibraryState {
  bool available = false;
  std::string reason;  // empty when available
  std::string path;    // the library that was opened
  size_t version = 0;  // cublasLtGetVersion(), e.g. 120901 or 130100
};

// Loads once (thread-safe) and returns the cached outcome.
const LibraryState& libraryState();

// Valid only after libraryState().available.
extern CublasLt lt;

// "CUBLAS_STATUS_NOT_SUPPORTED" for 15, from cuBLASLt when it can tell, else from a table.
std::string statusName(cublasStatus_t status);

}  // namespace dgb
