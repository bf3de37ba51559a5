// Opens libcuda.so.1 and NVRTC with dlopen on first use. Nothing here throws: failures become a reason string that
// the TypeScript layer reports through unavailableReason() / nvrtcUnavailableReason().
#include "loader.h"

#include <dirent.h>
#include <dlfcn.h>

#include <algorithm>
#include <cstdlib>
#include <mutex>
#include <vector>

namespace dg {

Driver cu;
Nvrtc nvrtc;

namespace {

std::string dlerrorText() {
  const char* e = dlerror();
  return e != nullptr ? std::string(e) : std::string("unknown dlopen error");
}

std::string resultName(CUresult r) {
  const char* name = nullptr;
  if (cu.cuGetErrorName != nullptr && cu.cuGetErrorName(r, &name) == CUDA_SUCCESS && name != nullptr) {
    return std::string(name) + " (" + std::to_string(r) + ")";
  }
  return "CUresult " + std::to_string(r);
}

std::string versionText(int v) { return std::to_string(v / 1000) + "." + std::to_string((v % 1000) / 10); }

DriverState loadDriver() {
  DriverState s;
  dlerror();
  // RTLD_LOCAL: the driver's symbols stay private to this addon; other addons may load their own copy of the handle.
  void* lib = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
  if (lib == nullptr) {
    s.reason = "the CUDA driver library libcuda.so.1 could not be loaded (" + dlerrorText() +
               "); install the NVIDIA driver or run on a machine with an NVIDIA GPU";
    return s;
  }
  auto getProcV2 = reinterpret_cast<PFN_cuGetProcAddress_v2>(dlsym(lib, "cuGetProcAddress_v2"));
  auto getProcV1 = reinterpret_cast<PFN_cuGetProcAddress_v1>(dlsym(lib, "cuGetProcAddress"));
  auto getVersion = reinterpret_cast<PFN_cuDriverGetVersion>(dlsym(lib, "cuDriverGetVersion"));
  if (getVersion != nullptr) getVersion(&s.version);
  if (getProcV2 == nullptr && getProcV1 == nullptr) {
    s.reason = "the CUDA driver in libcuda.so.1 is too old: it has no cuGetProcAddress (driver API " +
               versionText(s.version) + ", need CUDA 12.0 or newer)";
    return s;
  }
  if (s.version < kMinDriverVersion) {
    s.reason = "the CUDA driver is too old: driver API " + versionText(s.version) +
               ", need CUDA 12.0 or newer for cuTensorMapEncodeTiled and cuLaunchKernelEx; update the NVIDIA driver";
    return s;
  }
  std::string missing;
  auto resolve = [&](const char* name, int version, void** out) {
    *out = nullptr;
    CUresult r;
    if (getProcV2 != nullptr) {
      int status = 0;
      r = getProcV2(name, out, version, CU_GET_PROC_ADDRESS_LEGACY_STREAM, &status);
    } else {
      r = getProcV1(name, out, version, CU_GET_PROC_ADDRESS_LEGACY_STREAM);
    }
    if (r != CUDA_SUCCESS || *out == nullptr) {
      *out = nullptr;
      missing += missing.empty() ? name : std::string(", ") + name;
    }
  };
#define DG_RESOLVE(name, version) resolve(#name, version, reinterpret_cast<void**>(&cu.name));
  DG_DRIVER_SYMBOLS(DG_RESOLVE)
#undef DG_RESOLVE
  if (!missing.empty()) {
    s.reason = "the CUDA driver (API " + versionText(s.version) + ") lacks entry points: " + missing +
               "; update the NVIDIA driver";
    return s;
  }
  // Optional: when missing (driver < 12.4) launches fall back to the `extra` parameter buffer; without
  // cuFuncGetParamCount (driver < 13.0) the parameter count is probed.
  resolve("cuFuncGetParamInfo", 12040, reinterpret_cast<void**>(&cu.cuFuncGetParamInfo));
  resolve("cuFuncGetParamCount", 13000, reinterpret_cast<void**>(&cu.cuFuncGetParamCount));
  missing.clear();
  CUresult r = cu.cuInit(0);
  if (r != CUDA_SUCCESS) {
    s.reason = "cuInit failed with " + resultName(r) +
               (r == 100 ? ": no CUDA device is visible (check CUDA_VISIBLE_DEVICES and the driver)" : "");
    return s;
  }
  r = cu.cuDeviceGetCount(&s.deviceCount);
  if (r != CUDA_SUCCESS) {
    s.reason = "cuDeviceGetCount failed with " + resultName(r);
    return s;
  }
  if (s.deviceCount <= 0) {
    s.reason = "no CUDA device is visible (cuDeviceGetCount returned 0)";
    return s;
  }
  s.available = true;
  return s;
}

// NVRTC candidates in the documented order: the CUDA 13 and 12 sonames, $DG_NVRTC_PATH, then $CUDA_HOME/lib64.
std::vector<std::string> nvrtcCandidates() {
  std::vector<std::string> c = {"libnvrtc.so.13", "libnvrtc.so.12"};
  if (const char* p = std::getenv("DG_NVRTC_PATH"); p != nullptr && *p != '\0') c.emplace_back(p);
  if (const char* home = std::getenv("CUDA_HOME"); home != nullptr && *home != '\0') {
    std::string dir = std::string(home) + "/lib64";
    std::vector<std::string> found;
    if (DIR* d = opendir(dir.c_str()); d != nullptr) {
      while (dirent* e = readdir(d)) {
        std::string n = e->d_name;
        // libnvrtc.so, libnvrtc.so.13, libnvrtc.so.13.0.88 (not libnvrtc-builtins)
        if (n.rfind("libnvrtc.so", 0) == 0) found.push_back(dir + "/" + n);
      }
      closedir(d);
    }
    // Longest (most specific) names last so that the plain soname symlink is tried first.
    std::sort(found.begin(), found.end());
    c.insert(c.end(), found.begin(), found.end());
  }
  return c;
}

NvrtcState loadNvrtc() {
  NvrtcState s;
  std::string tried;
  void* lib = nullptr;
  for (const std::string& name : nvrtcCandidates()) {
    dlerror();
    lib = dlopen(name.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (lib != nullptr) {
      s.path = name;
      break;
    }
    tried += "\n  " + name + ": " + dlerrorText();
  }
  if (lib == nullptr) {
    s.reason =
        "the CUDA run-time compiler NVRTC (libnvrtc.so.13 or libnvrtc.so.12) could not be loaded; install the CUDA "
        "toolkit or the nvidia-cuda-nvrtc package, or set DG_NVRTC_PATH to the library. Tried:" +
        tried;
    return s;
  }
  std::string missing;
#define DG_RESOLVE(name)                                                          \
  nvrtc.name = reinterpret_cast<PFN_##name>(dlsym(lib, #name));                   \
  if (nvrtc.name == nullptr) missing += missing.empty() ? #name : ", " #name;
  DG_NVRTC_SYMBOLS(DG_RESOLVE)
#undef DG_RESOLVE
  if (!missing.empty()) {
    s.reason = "the NVRTC library " + s.path + " lacks entry points: " + missing;
    return s;
  }
  s.available = true;
  return s;
}

std::mutex ctxMutex;
std::vector<CUcontext> contexts;  // primary contexts by device index, retained for the life of the process

}  // namespace

const DriverState& driverState() {
  static const DriverState state = loadDriver();  // C++11 guarantees thread-safe one-time initialisation
  return state;
}

const NvrtcState& nvrtcState() {
  static const NvrtcState state = loadNvrtc();
  return state;
}

CUresult makeCurrent(int device) {
  // Every launch comes through here, so the common case (this thread already has the device's primary context
  // current) must cost no lock and no cuCtxSetCurrent. The thread-local pair remembers our last switch; the
  // cuCtxGetCurrent check (a thread-local read in the driver) catches anyone else who changed it since.
  thread_local int lastDevice = -1;
  thread_local CUcontext lastCtx = nullptr;
  if (device == lastDevice && lastCtx != nullptr) {
    CUcontext cur = nullptr;
    if (cu.cuCtxGetCurrent(&cur) == CUDA_SUCCESS && cur == lastCtx) return CUDA_SUCCESS;
  }
  CUcontext ctx = nullptr;
  {
    std::lock_guard<std::mutex> lock(ctxMutex);
    if (contexts.empty()) contexts.assign(static_cast<size_t>(driverState().deviceCount), nullptr);
    if (device < 0 || static_cast<size_t>(device) >= contexts.size()) return 101;  // CUDA_ERROR_INVALID_DEVICE
    ctx = contexts[static_cast<size_t>(device)];
    if (ctx == nullptr) {
      CUdevice dev = 0;
      CUresult r = cu.cuDeviceGet(&dev, device);
      if (r != CUDA_SUCCESS) return r;
      r = cu.cuDevicePrimaryCtxRetain(&ctx, dev);
      if (r != CUDA_SUCCESS) return r;
      contexts[static_cast<size_t>(device)] = ctx;
    }
  }
  const CUresult r = cu.cuCtxSetCurrent(ctx);
  if (r == CUDA_SUCCESS) {
    lastDevice = device;
    lastCtx = ctx;
  }
  return r;
}

}  // namespace dg
