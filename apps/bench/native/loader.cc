// dlopen of libcublasLt: $DG_CUBLASLT_PATH, the CUDA 13 and 12 sonames, $CUDA_HOME/lib64/libcublasLt.so, then
// /usr/local/cuda/lib64/libcublasLt.so (where the toolkit usually lives when the loader path does not name it).
#include "loader.h"

#include <dlfcn.h>

#include <cstdlib>
#include <vector>

namespace dgb {

CublasLt lt;

namespace {

std::string dlerrorText() {
  const char* e = dlerror();
  return e != nullptr ? std::string(e) : std::string("unknown dlopen error");
}

std::vector<std::string> candidates() {
  std::vector<std::string> c;
  if (const char* p = std::getenv("DG_CUBLASLT_PATH"); p != nullptr && *p != '\0') c.emplace_back(p);
  c.emplace_back("libcublasLt.so.13");
  c.emplace_back("libcublasLt.so.12");
  if (const char* home = std::getenv("CUDA_HOME"); home != nullptr && *home != '\0') {
    c.push_back(std::string(home) + "/lib64/libcublasLt.so");
  }
  c.emplace_back("/usr/local/cuda/lib64/libcublasLt.so");
  return c;
}

LibraryState load() {
  LibraryState s;
  std::string tried;
  void* lib = nullptr;
  for (const std::string& name : candidates()) {
    dlerror();
    // RTLD_LOCAL: cuBLASLt's symbols stay private to this addon.
    lib = dlopen(name.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (lib != nullptr) {
      s.path = name;
      break;
    }
    tried += "\n  " + name + ": " + dlerrorText();
  }
  if (lib == nullptr) {
    s.reason =
        "libcublasLt (libcublasLt.so.13 or libcublasLt.so.12) could not be loaded; install the CUDA toolkit or the "
        "nvidia-cublas package, or set DG_CUBLASLT_PATH (or CUDA_HOME). Tried:" +
        tried;
    return s;
  }
  std::string missing;
#define DGB_RESOLVE(name)                                          \
  lt.name = reinterpret_cast<PFN_##name>(dlsym(lib, #name));       \
  if (lt.name == nullptr) missing += missing.empty() ? #name : ", " #name;
  DGB_CUBLASLT_SYMBOLS(DGB_RESOLVE)
#undef DGB_RESOLVE
  lt.cublasLtGetStatusName = reinterpret_cast<PFN_cublasLtGetStatusName>(dlsym(lib, "cublasLtGetStatusName"));
  if (!missing.empty()) {
    s.reason = "the cuBLASLt library " + s.path + " lacks entry points: " + missing;
    return s;
  }
  s.version = lt.cublasLtGetVersion();
  s.available = true;
  return s;
}

}  // namespace

const LibraryState& libraryState() {
  static const LibraryState state = load();  // thread-safe one-time initialisation
  return state;
}

std::string statusName(cublasStatus_t status) {
  if (lt.cublasLtGetStatusName != nullptr) {
    if (const char* n = lt.cublasLtGetStatusName(status); n != nullptr) return n;
  }
  switch (status) {
    case 0:
      return "CUBLAS_STATUS_SUCCESS";
    case 1:
      return "CUBLAS_STATUS_NOT_INITIALIZED";
    case 3:
      return "CUBLAS_STATUS_ALLOC_FAILED";
    case 7:
      return "CUBLAS_STATUS_INVALID_VALUE";
    case 8:
      return "CUBLAS_STATUS_ARCH_MISMATCH";
    case 11:
      return "CUBLAS_STATUS_MAPPING_ERROR";
    case 13:
      return "CUBLAS_STATUS_EXECUTION_FAILED";
    case 14:
      return "CUBLAS_STATUS_INTERNAL_ERROR";
    case 15:
      return "CUBLAS_STATUS_NOT_SUPPORTED";
    case 16:
      return "CUBLAS_STATUS_LICENSE_ERROR";
    default:
      return "CUBLAS_STATUS_" + std::to_string(status);
  }
}

}  // namespace dgb
