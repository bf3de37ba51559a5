// dg_bench_cublaslt: the cuBLASLt baseline of `dg-bench gemm`, in the same process as the kernels it is compared with.
//
// Our problem is row-major: D bf16 [M, N] = A [M, K] · B [N, K]ᵀ, A and B K-major. cuBLASLt is column-major and its
// FP8 path needs transa = T, transb = N, so it computes Dᵀ [N, M] = B · Aᵀ: cuBLAS "A" is our B (K x N, ld K, op T),
// cuBLAS "B" is our A (K x M, ld K, op N), and Dᵀ column-major with ld N is our row-major D. The scales swap with the
// operands: cuBLAS A_SCALE_* belong to our B, B_SCALE_* to our A. Everything runs on the legacy default stream
// (stream 0), the stream of the bench's kernels and timing events.
//
// One handle per process, created on the first GEMM; one plan (descriptors + the heuristic's algorithm) per
// (kind, m, n, k, workspace), created on first use and kept. The handle is never destroyed: destroying it at exit can
// race the driver's own teardown, and the process is about to end anyway.
#include <napi.h>

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <tuple>

#include "loader.h"

namespace dgb {

namespace {

// kFp8Vec128Acc: both operands scaled 1x128 (VEC128_32F), FP32 D accumulated onto itself (C = D, beta = 1): the
// weight-gradient GEMM of `dg-bench gemm-accumulate`.
enum Kind : int32_t { kFp8Blockwise = 0, kFp8PerTensor = 1, kBf16 = 2, kFp8Vec128Acc = 3 };

struct Plan {
  cublasLtMatmulDesc_t desc = nullptr;
  cublasLtMatrixLayout_t a = nullptr;  // cuBLAS A = our B
  cublasLtMatrixLayout_t b = nullptr;  // cuBLAS B = our A
  cublasLtMatrixLayout_t d = nullptr;  // also C
  cublasLtMatmulAlgo_t algo{};
  size_t workspaceNeeded = 0;
};

using PlanKey = std::tuple<int32_t, int64_t, int64_t, int64_t, uint64_t>;

std::mutex mutex;
cublasLtHandle_t handle = nullptr;
std::map<PlanKey, Plan> plans;

void destroyPlan(Plan& p) {
  if (p.desc != nullptr) lt.cublasLtMatmulDescDestroy(p.desc);
  if (p.a != nullptr) lt.cublasLtMatrixLayoutDestroy(p.a);
  if (p.b != nullptr) lt.cublasLtMatrixLayoutDestroy(p.b);
  if (p.d != nullptr) lt.cublasLtMatrixLayoutDestroy(p.d);
  p = Plan{};
}

// A pending JS Error naming the call and the status; always returns false.
bool fail(Napi::Env env, const char* call, cublasStatus_t status, const std::string& detail = "") {
  const std::string name = statusName(status);
  std::string message = std::string(call) + " failed with " + name + " (" + std::to_string(status) + ")";
  if (!detail.empty()) message += ": " + detail;
  Napi::Error e = Napi::Error::New(env, message);
  e.Set("code", Napi::String::New(env, "DG_CUBLASLT"));
  e.Set("call", Napi::String::New(env, call));
  e.Set("status", Napi::Number::New(env, status));
  e.Set("statusName", Napi::String::New(env, name));
  e.ThrowAsJavaScriptException();
  return false;
}

bool check(Napi::Env env, cublasStatus_t status, const char* call) {
  return status == CUBLAS_STATUS_SUCCESS || fail(env, call, status);
}

bool requireLibrary(Napi::Env env) {
  const LibraryState& s = libraryState();
  if (s.available) return true;
  Napi::Error e = Napi::Error::New(env, "cuBLASLt is not available: " + s.reason);
  e.Set("code", Napi::String::New(env, "DG_CUBLASLT_UNAVAILABLE"));
  e.ThrowAsJavaScriptException();
  return false;
}

template <typename T>
cublasStatus_t setDesc(cublasLtMatmulDesc_t desc, int attr, const T& value) {
  return lt.cublasLtMatmulDescSetAttribute(desc, attr, &value, sizeof(value));
}

// Sets the scale pointers of a plan for this call (host-side descriptor state, no device work).
bool setScales(Napi::Env env, Plan& p, uint64_t scaleA, uint64_t scaleB) {
  const void* cublasA = reinterpret_cast<const void*>(static_cast<uintptr_t>(scaleB));  // our B is cuBLAS A
  const void* cublasB = reinterpret_cast<const void*>(static_cast<uintptr_t>(scaleA));  // our A is cuBLAS B
  return check(env, setDesc(p.desc, CUBLASLT_MATMUL_DESC_A_SCALE_POINTER, cublasA),
               "cublasLtMatmulDescSetAttribute(A_SCALE_POINTER)") &&
         check(env, setDesc(p.desc, CUBLASLT_MATMUL_DESC_B_SCALE_POINTER, cublasB),
               "cublasLtMatmulDescSetAttribute(B_SCALE_POINTER)");
}

// Builds the descriptors and asks the heuristic for one algorithm. On failure the JS error is pending and `p` holds
// whatever was created (the caller destroys it).
bool buildPlan(Napi::Env env, Plan& p, int32_t kind, int64_t m, int64_t n, int64_t k, uint64_t scaleA,
               uint64_t scaleB, uint64_t workspaceBytes) {
  const int inType = kind == kBf16 ? CUDA_R_16BF : CUDA_R_8F_E4M3;
  if (!check(env, lt.cublasLtMatmulDescCreate(&p.desc, CUBLAS_COMPUTE_32F, CUDA_R_32F), "cublasLtMatmulDescCreate"))
    return false;
  if (!check(env, setDesc(p.desc, CUBLASLT_MATMUL_DESC_TRANSA, CUBLAS_OP_T), "cublasLtMatmulDescSetAttribute(TRANSA)") ||
      !check(env, setDesc(p.desc, CUBLASLT_MATMUL_DESC_TRANSB, CUBLAS_OP_N), "cublasLtMatmulDescSetAttribute(TRANSB)"))
    return false;
  if (kind == kFp8Blockwise) {
    // Our B (per 128x128 block) is cuBLAS A; our A (per token, 1x128) is cuBLAS B.
    if (!check(env, setDesc(p.desc, CUBLASLT_MATMUL_DESC_A_SCALE_MODE, CUBLASLT_MATMUL_MATRIX_SCALE_BLK128x128_32F),
               "cublasLtMatmulDescSetAttribute(A_SCALE_MODE = BLK128x128_32F)") ||
        !check(env, setDesc(p.desc, CUBLASLT_MATMUL_DESC_B_SCALE_MODE, CUBLASLT_MATMUL_MATRIX_SCALE_VEC128_32F),
               "cublasLtMatmulDescSetAttribute(B_SCALE_MODE = VEC128_32F)"))
      return false;
  }
  if (kind == kFp8Vec128Acc) {
    if (!check(env, setDesc(p.desc, CUBLASLT_MATMUL_DESC_A_SCALE_MODE, CUBLASLT_MATMUL_MATRIX_SCALE_VEC128_32F),
               "cublasLtMatmulDescSetAttribute(A_SCALE_MODE = VEC128_32F)") ||
        !check(env, setDesc(p.desc, CUBLASLT_MATMUL_DESC_B_SCALE_MODE, CUBLASLT_MATMUL_MATRIX_SCALE_VEC128_32F),
               "cublasLtMatmulDescSetAttribute(B_SCALE_MODE = VEC128_32F)"))
      return false;
  }
  // Per tensor needs no mode: SCALAR_32F is the default (and setting it would fail before cuBLAS 12.8).
  if (kind != kBf16 && !setScales(env, p, scaleA, scaleB)) return false;
  if (!check(env, lt.cublasLtMatrixLayoutCreate(&p.a, inType, k, n, k), "cublasLtMatrixLayoutCreate(A)") ||
      !check(env, lt.cublasLtMatrixLayoutCreate(&p.b, inType, k, m, k), "cublasLtMatrixLayoutCreate(B)") ||
      !check(env, lt.cublasLtMatrixLayoutCreate(&p.d, kind == kFp8Vec128Acc ? CUDA_R_32F : CUDA_R_16BF, n, m, n),
             "cublasLtMatrixLayoutCreate(D)"))
    return false;
  cublasLtMatmulPreference_t pref = nullptr;
  if (!check(env, lt.cublasLtMatmulPreferenceCreate(&pref), "cublasLtMatmulPreferenceCreate")) return false;
  cublasLtMatmulHeuristicResult_t result{};
  int returned = 0;
  cublasStatus_t st = lt.cublasLtMatmulPreferenceSetAttribute(pref, CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES,
                                                              &workspaceBytes, sizeof(workspaceBytes));
  if (st == CUBLAS_STATUS_SUCCESS) {
    st = lt.cublasLtMatmulAlgoGetHeuristic(handle, p.desc, p.a, p.b, p.d, p.d, pref, 1, &result, &returned);
  }
  lt.cublasLtMatmulPreferenceDestroy(pref);
  if (st != CUBLAS_STATUS_SUCCESS) return fail(env, "cublasLtMatmulAlgoGetHeuristic", st);
  if (returned < 1) {
    return fail(env, "cublasLtMatmulAlgoGetHeuristic", CUBLAS_STATUS_NOT_SUPPORTED,
                "no algorithm for this problem (m=" + std::to_string(n) + ", n=" + std::to_string(m) +
                    ", k=" + std::to_string(k) + " in cuBLAS terms)");
  }
  p.algo = result.algo;
  p.workspaceNeeded = result.workspaceSize;
  return true;
}

int64_t argInt(const Napi::Value& v) {
  int64_t x = 0;
  napi_get_value_int64(v.Env(), v, &x);
  return x;
}

uint64_t argPtr(const Napi::Value& v) {
  uint64_t x = 0;
  bool lossless = false;
  napi_get_value_bigint_uint64(v.Env(), v, &x, &lossless);
  return x;
}

void* asPtr(uint64_t v) { return reinterpret_cast<void*>(static_cast<uintptr_t>(v)); }

// status(): never throws; loads the library on the first call.
Napi::Value Status(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const LibraryState& s = libraryState();
  Napi::Object o = Napi::Object::New(env);
  o.Set("available", s.available);
  o.Set("reason", s.reason);
  o.Set("path", s.path);
  o.Set("version", Napi::Number::New(env, static_cast<double>(s.version)));
  return o;
}

// matmul(kind, m, n, k, a, b, d, scaleA, scaleB, workspace, workspaceBytes): pointers are bigints, the rest numbers.
// The TypeScript wrapper validated every argument; this only guards memory safety.
Napi::Value Matmul(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() != 11) {
    Napi::TypeError::New(env, "matmul: expected 11 arguments").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  if (!requireLibrary(env)) return env.Undefined();
  const int32_t kind = static_cast<int32_t>(argInt(info[0]));
  const int64_t m = argInt(info[1]), n = argInt(info[2]), k = argInt(info[3]);
  const uint64_t a = argPtr(info[4]), b = argPtr(info[5]), d = argPtr(info[6]);
  const uint64_t scaleA = argPtr(info[7]), scaleB = argPtr(info[8]);
  const uint64_t workspace = argPtr(info[9]);
  const int64_t workspaceBytesSigned = argInt(info[10]);
  if (kind < kFp8Blockwise || kind > kFp8Vec128Acc || m <= 0 || n <= 0 || k <= 0 || workspaceBytesSigned < 0) {
    Napi::RangeError::New(env, "matmul: bad kind or sizes").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  const uint64_t workspaceBytes = static_cast<uint64_t>(workspaceBytesSigned);
  std::lock_guard<std::mutex> lock(mutex);
  if (handle == nullptr && !check(env, lt.cublasLtCreate(&handle), "cublasLtCreate")) return env.Undefined();
  const PlanKey key{kind, m, n, k, workspaceBytes};
  auto it = plans.find(key);
  if (it == plans.end()) {
    Plan p;
    if (!buildPlan(env, p, kind, m, n, k, scaleA, scaleB, workspaceBytes)) {
      destroyPlan(p);
      return env.Undefined();
    }
    it = plans.emplace(key, p).first;
  } else if (kind != kBf16 && !setScales(env, it->second, scaleA, scaleB)) {
    return env.Undefined();
  }
  Plan& p = it->second;
  const float alpha = 1.0f;
  // C = D in every kind: ignored (beta = 0), or accumulated onto (kFp8Vec128Acc, beta = 1).
  const float beta = kind == kFp8Vec128Acc ? 1.0f : 0.0f;
  // A, B and D in cuBLAS terms: our B, our A and our D.
  check(env,
        lt.cublasLtMatmul(handle, p.desc, &alpha, asPtr(b), p.a, asPtr(a), p.b, &beta, asPtr(d), p.d, asPtr(d), p.d,
                          &p.algo, asPtr(workspace), static_cast<size_t>(workspaceBytes), nullptr),
        "cublasLtMatmul");
  return env.Undefined();
}

// planInfo(): the cached plans, for the report (workspace the chosen algorithm needs).
Napi::Value PlanInfo(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::lock_guard<std::mutex> lock(mutex);
  Napi::Array out = Napi::Array::New(env, plans.size());
  uint32_t i = 0;
  for (const auto& [key, plan] : plans) {
    Napi::Object o = Napi::Object::New(env);
    o.Set("kind", Napi::Number::New(env, std::get<0>(key)));
    o.Set("m", Napi::Number::New(env, static_cast<double>(std::get<1>(key))));
    o.Set("n", Napi::Number::New(env, static_cast<double>(std::get<2>(key))));
    o.Set("k", Napi::Number::New(env, static_cast<double>(std::get<3>(key))));
    o.Set("workspaceNeeded", Napi::Number::New(env, static_cast<double>(plan.workspaceNeeded)));
    out.Set(i++, o);
  }
  return out;
}

void Cleanup(void*) {
  std::lock_guard<std::mutex> lock(mutex);
  for (auto& [key, plan] : plans) destroyPlan(plan);
  plans.clear();
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("status", Napi::Function::New(env, Status, "status"));
  exports.Set("matmul", Napi::Function::New(env, Matmul, "matmul"));
  exports.Set("planInfo", Napi::Function::New(env, PlanInfo, "planInfo"));
  napi_add_env_cleanup_hook(env, Cleanup, nullptr);
  return exports;
}

}  // namespace

}  // namespace dgb

namespace {
Napi::Object InitModule(Napi::Env env, Napi::Object exports) { return dgb::Init(env, exports); }
}  // namespace

NODE_API_MODULE(dg_bench_cublaslt, InitModule)
