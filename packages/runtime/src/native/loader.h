// Lazy loading of the CUDA driver (libcuda.so.1) and NVRTC (libnvrtc.so.*) with dlopen, and the resolved entry points.
#pragma once

#include <string>

#include "cuda_decls.h"

namespace dg {

// Every driver entry point used by the addon, with the CUDA API version passed to cuGetProcAddress. The version picks
// the ABI variant (for example cuMemAlloc -> cuMemAlloc_v2, cuStreamBeginCapture -> _v2, cuCtxSynchronize -> the
// 12.x form without a context argument) so that the signatures in cuda_decls.h are the ones we get. Graph
// instantiation is asked for by its explicit name: "cuGraphInstantiate" still resolves to the old five-argument ABI.
#define DG_DRIVER_SYMBOLS(X)              \
  X(cuDriverGetVersion, 2020)             \
  X(cuInit, 2000)                         \
  X(cuGetErrorName, 6000)                 \
  X(cuGetErrorString, 6000)               \
  X(cuDeviceGetCount, 2000)               \
  X(cuDeviceGet, 2000)                    \
  X(cuDeviceGetName, 2000)                \
  X(cuDeviceTotalMem, 12000)              \
  X(cuDeviceGetAttribute, 2000)           \
  X(cuDevicePrimaryCtxRetain, 7000)       \
  X(cuCtxSetCurrent, 4000)                \
  X(cuCtxGetCurrent, 4000)                \
  X(cuCtxSynchronize, 12000)              \
  X(cuMemGetInfo, 12000)                  \
  X(cuMemAlloc, 12000)                    \
  X(cuMemFree, 12000)                     \
  X(cuMemcpyHtoD, 12000)                  \
  X(cuMemcpyDtoH, 12000)                  \
  X(cuMemcpyDtoD, 12000)                  \
  X(cuMemcpyHtoDAsync, 12000)             \
  X(cuMemcpyDtoHAsync, 12000)             \
  X(cuMemcpyDtoDAsync, 12000)             \
  X(cuMemsetD8, 12000)                    \
  X(cuMemsetD16, 12000)                   \
  X(cuMemsetD32, 12000)                   \
  X(cuMemsetD8Async, 12000)               \
  X(cuMemsetD16Async, 12000)              \
  X(cuMemsetD32Async, 12000)              \
  X(cuStreamCreateWithPriority, 12000)    \
  X(cuStreamDestroy, 12000)               \
  X(cuStreamSynchronize, 12000)           \
  X(cuStreamQuery, 12000)                 \
  X(cuEventCreate, 12000)                 \
  X(cuEventDestroy, 12000)                \
  X(cuEventRecord, 12000)                 \
  X(cuEventSynchronize, 12000)            \
  X(cuEventQuery, 12000)                  \
  X(cuEventElapsedTime, 12000)            \
  X(cuModuleLoadData, 12000)              \
  X(cuModuleUnload, 12000)                \
  X(cuModuleGetFunction, 12000)           \
  X(cuFuncGetAttribute, 12000)            \
  X(cuFuncSetAttribute, 12000)            \
  X(cuLaunchKernelEx, 12000)              \
  X(cuTensorMapEncodeTiled, 12000)        \
  X(cuStreamBeginCapture, 12000)          \
  X(cuStreamEndCapture, 12000)            \
  X(cuGraphInstantiateWithFlags, 11040)   \
  X(cuGraphLaunch, 12000)                 \
  X(cuGraphDestroy, 12000)                \
  X(cuGraphExecDestroy, 12000)

struct Driver {
#define DG_DECLARE_MEMBER(name, version) PFN_##name name = nullptr;
  DG_DRIVER_SYMBOLS(DG_DECLARE_MEMBER)
#undef DG_DECLARE_MEMBER
  // Optional (CUDA 12.4+): the device-side parameter layout of a kernel, used to launch through kernelParams.
  PFN_cuFuncGetParamInfo cuFuncGetParamInfo = nullptr;
  PFN_cuFuncGetParamCount cuFuncGetParamCount = nullptr;  // CUDA 13.0 drivers and newer; optional
};

#define DG_NVRTC_SYMBOLS(X) \
  X(nvrtcVersion)           \
  X(nvrtcGetErrorString)    \
  X(nvrtcCreateProgram)     \
  X(nvrtcDestroyProgram)    \
  X(nvrtcCompileProgram)    \
  X(nvrtcGetProgramLogSize) \
  X(nvrtcGetProgramLog)     \
  X(nvrtcGetCUBINSize)      \
  X(nvrtcGetCUBIN)          \
  X(nvrtcGetPTXSize)        \
  X(nvrtcGetPTX)            \
  X(nvrtcAddNameExpression) \
  X(nvrtcGetLoweredName)

struct Nvrtc {
#define DG_DECLARE_MEMBER(name) PFN_##name name = nullptr;
  DG_NVRTC_SYMBOLS(DG_DECLARE_MEMBER)
#undef DG_DECLARE_MEMBER
};

// The oldest driver API this addon accepts: cuTensorMapEncodeTiled and cuLaunchKernelEx with clusters need CUDA 12.
constexpr int kMinDriverVersion = 12000;

struct DriverState {
  bool available = false;
  std::string reason;  // empty when available
  int version = 0;     // cuDriverGetVersion, 0 when unknown
  int deviceCount = 0;
};

struct NvrtcState {
  bool available = false;
  std::string reason;
  std::string path;  // the library that was opened
};

// Both run the loading once (thread-safe) and return the cached outcome; they never throw.
const DriverState& driverState();
const NvrtcState& nvrtcState();

// Valid only after driverState().available / nvrtcState().available.
extern Driver cu;
extern Nvrtc nvrtc;

// Makes the primary context of `device` current on the calling thread, retaining it the first time.
CUresult makeCurrent(int device);

}  // namespace dg
