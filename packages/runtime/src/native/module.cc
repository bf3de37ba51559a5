// Modules, kernel functions and the launch path.
#include <algorithm>
#include <cstdlib>
#include <string>
#include <vector>

#include "common.h"

namespace dg {

namespace {

// Kernels with more parameters than this launch through the `extra` buffer instead of kernelParams.
constexpr size_t kMaxLaunchParams = 64;

// The alignment ParamBuilder gives a parameter of `size` bytes: 64 for tensor maps (alignas(64) CUtensorMap), else
// the natural alignment of 8-, 4-, 2- or 1-byte values.
uint32_t blobAlignment(size_t size) {
  if (size >= 64 && size % 64 == 0) return 64;
  if (size % 8 == 0) return 8;
  if (size % 4 == 0) return 4;
  if (size % 2 == 0) return 2;
  return 1;
}

// moduleLoad(device, image) -> handle. PTX must be NUL-terminated for cuModuleLoadData; cubin and fatbin images
// (ELF / fatbin magic) are passed as they are.
Napi::Value ModuleLoad(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int device = argI32(env, info[0]);
  void* data = nullptr;
  size_t n = 0;
  if (!argBytes(env, info[1], &data, &n, "image") || !enter(env, device)) return env.Undefined();
  const auto* bytes = static_cast<const unsigned char*>(data);
  bool elf = n >= 4 && bytes[0] == 0x7f && bytes[1] == 'E' && bytes[2] == 'L' && bytes[3] == 'F';
  bool fatbin = n >= 4 && bytes[0] == 0x50 && bytes[1] == 0xed && bytes[2] == 0x55 && bytes[3] == 0xba;
  std::string text;
  const void* image = data;
  if (!elf && !fatbin) {
    text.assign(static_cast<const char*>(data), n);  // adds the terminating NUL that PTX text needs
    image = text.c_str();
  }
  CUmodule m = nullptr;
  if (!check(env, cu.cuModuleLoadData(&m, image), "cuModuleLoadData")) return env.Undefined();
  return makeHandle(env, Kind::Module, device, reinterpret_cast<uint64_t>(m));
}

Napi::Value ModuleUnload(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Handle* h = getHandle(env, info[0], Kind::Module, "module");
  if (h == nullptr || !enter(env, h->device)) return env.Undefined();
  h->live = false;
  check(env, cu.cuModuleUnload(reinterpret_cast<CUmodule>(h->value)), "cuModuleUnload");
  return env.Undefined();
}

// moduleGetFunction(module, name) -> handle
Napi::Value ModuleGetFunction(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Handle* h = getHandle(env, info[0], Kind::Module, "module");
  if (h == nullptr || !enter(env, h->device)) return env.Undefined();
  std::string name = info[1].As<Napi::String>().Utf8Value();
  CUfunction f = nullptr;
  if (!check(env, cu.cuModuleGetFunction(&f, reinterpret_cast<CUmodule>(h->value), name.c_str()),
             "cuModuleGetFunction")) {
    return env.Undefined();
  }
  auto* fn = new Handle{Kind::Function, h->device, reinterpret_cast<uint64_t>(f), true};
  // Where each parameter sits in the packed blob: the C struct layout ParamBuilder writes (natural alignment, 64 for
  // a 128-byte CUtensorMap). This is not the device-side layout: the driver aligns parameters to absolute addresses in
  // the constant bank (they start at an offset that is a multiple of 16 only), so a CUtensorMap lands at device offset
  // 48, not 0. Passing the blob through `extra` would copy it verbatim and misplace every 64-byte aligned parameter
  // (TMA then faults with CUDA_ERROR_ILLEGAL_INSTRUCTION); kernelParams pointing into the blob let the driver place
  // each parameter itself. The sizes come from cuFuncGetParamInfo, read once here. The count comes from
  // cuFuncGetParamCount where the driver has it; older drivers are probed until the first index they reject (one past
  // the last parameter), which tools such as compute-sanitizer report as an API error.
  if (cu.cuFuncGetParamInfo != nullptr) {
    std::vector<uint32_t> offsets;
    size_t deviceOffset = 0;
    size_t size = 0;
    uint32_t end = 0;
    size_t count = kMaxLaunchParams;
    if (cu.cuFuncGetParamCount != nullptr && cu.cuFuncGetParamCount(f, &count) != CUDA_SUCCESS) count = kMaxLaunchParams;
    while (offsets.size() < kMaxLaunchParams && offsets.size() < count &&
           cu.cuFuncGetParamInfo(f, offsets.size(), &deviceOffset, &size) == CUDA_SUCCESS) {
      uint32_t align = blobAlignment(size);
      uint32_t at = (end + align - 1) / align * align;
      offsets.push_back(at);
      end = at + static_cast<uint32_t>(size);
    }
    if (offsets.size() < kMaxLaunchParams) {
      fn->paramCount = static_cast<uint32_t>(offsets.size());
      fn->paramEnd = end;
      fn->paramOffsets = new uint32_t[offsets.size() + 1];
      std::copy(offsets.begin(), offsets.end(), fn->paramOffsets);
    }
  }
  return makeHandle(env, fn);
}

// funcSetMaxDynamicSharedMemory(fn, bytes)
Napi::Value FuncSetMaxDynamicSharedMemory(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Handle* h = getHandle(env, info[0], Kind::Function, "function");
  if (h == nullptr || !enter(env, h->device)) return env.Undefined();
  check(env,
        cu.cuFuncSetAttribute(reinterpret_cast<CUfunction>(h->value), CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES,
                              argI32(env, info[1])),
        "cuFuncSetAttribute");
  return env.Undefined();
}

// funcAttributes(fn) -> { numRegs, localSizeBytes, sharedSizeBytes, maxThreadsPerBlock, constSizeBytes }
Napi::Value FuncAttributes(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Handle* h = getHandle(env, info[0], Kind::Function, "function");
  if (h == nullptr || !enter(env, h->device)) return env.Undefined();
  struct Attr {
    const char* key;
    CUfunction_attribute attr;
  };
  const Attr attrs[] = {
      {"numRegs", CU_FUNC_ATTRIBUTE_NUM_REGS},
      {"localSizeBytes", CU_FUNC_ATTRIBUTE_LOCAL_SIZE_BYTES},
      {"sharedSizeBytes", CU_FUNC_ATTRIBUTE_SHARED_SIZE_BYTES},
      {"maxThreadsPerBlock", CU_FUNC_ATTRIBUTE_MAX_THREADS_PER_BLOCK},
      {"constSizeBytes", CU_FUNC_ATTRIBUTE_CONST_SIZE_BYTES},
  };
  Napi::Object o = Napi::Object::New(env);
  for (const Attr& a : attrs) {
    int v = 0;
    if (!check(env, cu.cuFuncGetAttribute(&v, a.attr, reinterpret_cast<CUfunction>(h->value)), "cuFuncGetAttribute")) {
      return env.Undefined();
    }
    o.Set(a.key, v);
  }
  return o;
}

// Diagnostic switch: DG_LAUNCH_PARAMS=extra forces the `extra` parameter buffer for every launch.
const bool g_forceExtra = [] {
  const char* v = std::getenv("DG_LAUNCH_PARAMS");
  return v != nullptr && std::string(v) == "extra";
}();

// launch(fn, stream, cfg: Uint32Array [gx, gy, gz, bx, by, bz, cx, cy, cz, smem, pdl], params: Uint8Array)
//
// The hot path of the whole library, so it is a raw napi_callback: no CallbackInfo (which allocates past six
// arguments), no strings and no heap on success. The kernel parameters arrive as one packed blob; the driver gets
// kernelParams pointing into it (a stack array), or the blob itself through `extra` on drivers older than 12.4.
napi_value Launch(napi_env env, napi_callback_info cbinfo) {
  size_t argc = 4;
  napi_value argv[4];
  napi_get_cb_info(env, cbinfo, &argc, argv, nullptr, nullptr);
  Napi::Env e(env);
  if (argc < 4) {
    napi_throw_type_error(env, nullptr, "launch: expected 4 arguments");
    return nullptr;
  }
  Handle* fn = getHandle(e, argv[0], Kind::Function, "function");
  if (fn == nullptr) return nullptr;
  Handle* stream = getHandle(e, argv[1], Kind::Stream, "stream");
  if (stream == nullptr) return nullptr;
  void* cfgData = nullptr;
  size_t cfgLen = 0;
  if (!argBytes(env, argv[2], &cfgData, &cfgLen, "launch config") || cfgLen < 11 * sizeof(uint32_t)) {
    if (!e.IsExceptionPending()) napi_throw_type_error(env, nullptr, "launch: config must hold 11 uint32 values");
    return nullptr;
  }
  void* params = nullptr;
  size_t paramBytes = 0;
  if (!argBytes(env, argv[3], &params, &paramBytes, "params")) return nullptr;
  if (!enter(e, fn->device)) return nullptr;
  const auto* c = static_cast<const uint32_t*>(cfgData);

  CUlaunchAttribute attrs[2];
  unsigned int numAttrs = 0;
  if (c[6] != 1 || c[7] != 1 || c[8] != 1) {
    attrs[numAttrs].id = CU_LAUNCH_ATTRIBUTE_CLUSTER_DIMENSION;
    attrs[numAttrs].value.clusterDim.x = c[6];
    attrs[numAttrs].value.clusterDim.y = c[7];
    attrs[numAttrs].value.clusterDim.z = c[8];
    ++numAttrs;
  }
  if (c[10] != 0) {
    attrs[numAttrs].id = CU_LAUNCH_ATTRIBUTE_PROGRAMMATIC_STREAM_SERIALIZATION;
    attrs[numAttrs].value.programmaticStreamSerializationAllowed = 1;
    ++numAttrs;
  }
  CUlaunchConfig cfg;
  cfg.gridDimX = c[0];
  cfg.gridDimY = c[1];
  cfg.gridDimZ = c[2];
  cfg.blockDimX = c[3];
  cfg.blockDimY = c[4];
  cfg.blockDimZ = c[5];
  cfg.sharedMemBytes = c[9];
  cfg.hStream = reinterpret_cast<CUstream>(stream->value);
  cfg.attrs = numAttrs > 0 ? attrs : nullptr;
  cfg.numAttrs = numAttrs;

  auto* bytes = static_cast<unsigned char*>(params);
  if (fn->paramOffsets != nullptr && !g_forceExtra) {
    // kernelParams pointing into the blob (see ModuleGetFunction for why not `extra`).
    if (paramBytes < fn->paramEnd) {
      napi_throw_range_error(env, nullptr,
                             ("params must hold the kernel's " + std::to_string(fn->paramEnd) +
                              " bytes of parameters, got " + std::to_string(paramBytes))
                                 .c_str());
      return nullptr;
    }
    void* args[kMaxLaunchParams];
    for (uint32_t i = 0; i < fn->paramCount; ++i) args[i] = bytes + fn->paramOffsets[i];
    check(e, cu.cuLaunchKernelEx(&cfg, reinterpret_cast<CUfunction>(fn->value), args, nullptr), "cuLaunchKernelEx");
    return nullptr;
  }
  // Drivers before 12.4 cannot report the layout: the blob goes through `extra`, which is exact only while no
  // parameter needs more than 16-byte alignment. A kernel without parameters gets no `extra` at all.
  void* extra[] = {DG_CU_LAUNCH_PARAM_BUFFER_POINTER, params, DG_CU_LAUNCH_PARAM_BUFFER_SIZE, &paramBytes,
                   DG_CU_LAUNCH_PARAM_END};
  check(e, cu.cuLaunchKernelEx(&cfg, reinterpret_cast<CUfunction>(fn->value), nullptr, paramBytes > 0 ? extra : nullptr),
        "cuLaunchKernelEx");
  return nullptr;
}

}  // namespace

void registerModule(Napi::Env env, Napi::Object exports) {
  exports.Set("moduleLoad", Napi::Function::New(env, ModuleLoad, "moduleLoad"));
  exports.Set("moduleUnload", Napi::Function::New(env, ModuleUnload, "moduleUnload"));
  exports.Set("moduleGetFunction", Napi::Function::New(env, ModuleGetFunction, "moduleGetFunction"));
  exports.Set("funcSetMaxDynamicSharedMemory",
              Napi::Function::New(env, FuncSetMaxDynamicSharedMemory, "funcSetMaxDynamicSharedMemory"));
  exports.Set("funcAttributes", Napi::Function::New(env, FuncAttributes, "funcAttributes"));
  napi_value launch;
  napi_create_function(env, "launch", NAPI_AUTO_LENGTH, Launch, nullptr, &launch);
  exports.Set("launch", Napi::Value(env, launch));
}

}  // namespace dg
