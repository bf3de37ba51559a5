// The few CUDA driver and NVRTC declarations this addon needs, written out here so that it builds on a machine
// without the CUDA toolkit: <cuda.h> and <nvrtc.h> are never included and neither library is linked. Values and
// layouts follow the public CUDA 12/13 headers; the driver entry points are resolved at run time with an explicit
// API version (see loader.cc), so the signatures below are those of the versions requested there.
#pragma once

#include <cstddef>
#include <cstdint>

namespace dg {

// ---- driver API types ----------------------------------------------------------------------------------------------

using CUresult = int;
using CUdevice = int;
using CUdeviceptr = unsigned long long;  // 64-bit on every platform this addon supports
using cuuint32_t = uint32_t;
using cuuint64_t = uint64_t;
struct CUctx_st;
struct CUmod_st;
struct CUfunc_st;
struct CUstream_st;
struct CUevent_st;
struct CUgraph_st;
struct CUgraphExec_st;
using CUcontext = CUctx_st*;
using CUmodule = CUmod_st*;
using CUfunction = CUfunc_st*;
using CUstream = CUstream_st*;
using CUevent = CUevent_st*;
using CUgraph = CUgraph_st*;
using CUgraphExec = CUgraphExec_st*;

constexpr CUresult CUDA_SUCCESS = 0;
constexpr CUresult CUDA_ERROR_NOT_READY = 600;

// CUdevice_attribute values used by getDeviceProperties.
enum CUdevice_attribute : int {
  CU_DEVICE_ATTRIBUTE_MAX_THREADS_PER_BLOCK = 1,
  CU_DEVICE_ATTRIBUTE_WARP_SIZE = 10,
  CU_DEVICE_ATTRIBUTE_CLOCK_RATE = 13,
  CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT = 16,
  CU_DEVICE_ATTRIBUTE_MEMORY_CLOCK_RATE = 36,
  CU_DEVICE_ATTRIBUTE_GLOBAL_MEMORY_BUS_WIDTH = 37,
  CU_DEVICE_ATTRIBUTE_L2_CACHE_SIZE = 38,
  CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR = 75,
  CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR = 76,
  CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN = 97,
};

enum CUfunction_attribute : int {
  CU_FUNC_ATTRIBUTE_MAX_THREADS_PER_BLOCK = 0,
  CU_FUNC_ATTRIBUTE_SHARED_SIZE_BYTES = 1,
  CU_FUNC_ATTRIBUTE_CONST_SIZE_BYTES = 2,
  CU_FUNC_ATTRIBUTE_LOCAL_SIZE_BYTES = 3,
  CU_FUNC_ATTRIBUTE_NUM_REGS = 4,
  CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES = 8,
};

constexpr unsigned int CU_STREAM_NON_BLOCKING = 0x1;
constexpr unsigned int CU_EVENT_DISABLE_TIMING = 0x2;
constexpr uint64_t CU_GET_PROC_ADDRESS_LEGACY_STREAM = 1;  // the null stream is the legacy default stream

using CUstreamCaptureMode = int;  // 0 global, 1 thread-local, 2 relaxed

// cuLaunchKernelEx configuration. The attribute value is a 64-byte union; only the members used here are spelled out.
enum CUlaunchAttributeID : int {
  CU_LAUNCH_ATTRIBUTE_CLUSTER_DIMENSION = 4,
  CU_LAUNCH_ATTRIBUTE_PROGRAMMATIC_STREAM_SERIALIZATION = 6,
};

union CUlaunchAttributeValue {
  char pad[64];
  struct {
    unsigned int x;
    unsigned int y;
    unsigned int z;
  } clusterDim;
  int programmaticStreamSerializationAllowed;
};

struct CUlaunchAttribute {
  CUlaunchAttributeID id;
  char pad[8 - sizeof(CUlaunchAttributeID)];
  CUlaunchAttributeValue value;
};

struct CUlaunchConfig {
  unsigned int gridDimX;
  unsigned int gridDimY;
  unsigned int gridDimZ;
  unsigned int blockDimX;
  unsigned int blockDimY;
  unsigned int blockDimZ;
  unsigned int sharedMemBytes;
  CUstream hStream;
  CUlaunchAttribute* attrs;
  unsigned int numAttrs;
};

static_assert(sizeof(CUlaunchAttribute) == 72, "CUlaunchAttribute layout");

// The `extra` array markers of cuLaunchKernel/cuLaunchKernelEx.
#define DG_CU_LAUNCH_PARAM_END (reinterpret_cast<void*>(0x00))
#define DG_CU_LAUNCH_PARAM_BUFFER_POINTER (reinterpret_cast<void*>(0x01))
#define DG_CU_LAUNCH_PARAM_BUFFER_SIZE (reinterpret_cast<void*>(0x02))

// Tensor maps: an opaque 128-byte, 64-byte aligned descriptor.
struct alignas(64) CUtensorMap {
  cuuint64_t opaque[16];
};
static_assert(sizeof(CUtensorMap) == 128, "CUtensorMap is 128 bytes");

using CUtensorMapDataType = int;     // CU_TENSOR_MAP_DATA_TYPE_UINT8 = 0 ... TFLOAT32_FTZ = 12
using CUtensorMapInterleave = int;   // NONE, 16B, 32B
using CUtensorMapSwizzle = int;      // NONE, 32B, 64B, 128B
using CUtensorMapL2promotion = int;  // NONE, 64B, 128B, 256B
using CUtensorMapFloatOOBfill = int; // NONE, NAN_REQUEST_ZERO_FMA

// ---- driver API entry points (signatures of the requested versions) ------------------------------------------------

using PFN_cuGetProcAddress_v2 = CUresult (*)(const char* symbol, void** pfn, int cudaVersion, cuuint64_t flags,
                                             int* symbolStatus);
using PFN_cuGetProcAddress_v1 = CUresult (*)(const char* symbol, void** pfn, int cudaVersion, cuuint64_t flags);
using PFN_cuDriverGetVersion = CUresult (*)(int* version);
using PFN_cuInit = CUresult (*)(unsigned int flags);
using PFN_cuGetErrorName = CUresult (*)(CUresult error, const char** str);
using PFN_cuGetErrorString = CUresult (*)(CUresult error, const char** str);
using PFN_cuDeviceGetCount = CUresult (*)(int* count);
using PFN_cuDeviceGet = CUresult (*)(CUdevice* device, int ordinal);
using PFN_cuDeviceGetName = CUresult (*)(char* name, int len, CUdevice dev);
using PFN_cuDeviceTotalMem = CUresult (*)(size_t* bytes, CUdevice dev);
using PFN_cuDeviceGetAttribute = CUresult (*)(int* value, CUdevice_attribute attr, CUdevice dev);
using PFN_cuDevicePrimaryCtxRetain = CUresult (*)(CUcontext* ctx, CUdevice dev);
using PFN_cuCtxSetCurrent = CUresult (*)(CUcontext ctx);
using PFN_cuCtxGetCurrent = CUresult (*)(CUcontext* pctx);
using PFN_cuCtxSynchronize = CUresult (*)();
using PFN_cuMemGetInfo = CUresult (*)(size_t* free, size_t* total);
using PFN_cuMemAlloc = CUresult (*)(CUdeviceptr* ptr, size_t bytes);
using PFN_cuMemFree = CUresult (*)(CUdeviceptr ptr);
using PFN_cuMemcpyHtoD = CUresult (*)(CUdeviceptr dst, const void* src, size_t bytes);
using PFN_cuMemcpyDtoH = CUresult (*)(void* dst, CUdeviceptr src, size_t bytes);
using PFN_cuMemcpyDtoD = CUresult (*)(CUdeviceptr dst, CUdeviceptr src, size_t bytes);
using PFN_cuMemcpyHtoDAsync = CUresult (*)(CUdeviceptr dst, const void* src, size_t bytes, CUstream stream);
using PFN_cuMemcpyDtoHAsync = CUresult (*)(void* dst, CUdeviceptr src, size_t bytes, CUstream stream);
using PFN_cuMemcpyDtoDAsync = CUresult (*)(CUdeviceptr dst, CUdeviceptr src, size_t bytes, CUstream stream);
using PFN_cuMemsetD8 = CUresult (*)(CUdeviceptr dst, unsigned char value, size_t count);
using PFN_cuMemsetD16 = CUresult (*)(CUdeviceptr dst, unsigned short value, size_t count);
using PFN_cuMemsetD32 = CUresult (*)(CUdeviceptr dst, unsigned int value, size_t count);
using PFN_cuMemsetD8Async = CUresult (*)(CUdeviceptr dst, unsigned char value, size_t count, CUstream stream);
using PFN_cuMemsetD16Async = CUresult (*)(CUdeviceptr dst, unsigned short value, size_t count, CUstream stream);
using PFN_cuMemsetD32Async = CUresult (*)(CUdeviceptr dst, unsigned int value, size_t count, CUstream stream);
using PFN_cuStreamCreateWithPriority = CUresult (*)(CUstream* stream, unsigned int flags, int priority);
using PFN_cuStreamDestroy = CUresult (*)(CUstream stream);
using PFN_cuStreamSynchronize = CUresult (*)(CUstream stream);
using PFN_cuStreamQuery = CUresult (*)(CUstream stream);
using PFN_cuEventCreate = CUresult (*)(CUevent* event, unsigned int flags);
using PFN_cuEventDestroy = CUresult (*)(CUevent event);
using PFN_cuEventRecord = CUresult (*)(CUevent event, CUstream stream);
using PFN_cuEventSynchronize = CUresult (*)(CUevent event);
using PFN_cuEventQuery = CUresult (*)(CUevent event);
using PFN_cuEventElapsedTime = CUresult (*)(float* ms, CUevent start, CUevent end);
using PFN_cuModuleLoadData = CUresult (*)(CUmodule* module, const void* image);
using PFN_cuModuleUnload = CUresult (*)(CUmodule module);
using PFN_cuModuleGetFunction = CUresult (*)(CUfunction* fn, CUmodule module, const char* name);
using PFN_cuFuncGetAttribute = CUresult (*)(int* value, CUfunction_attribute attr, CUfunction fn);
using PFN_cuFuncSetAttribute = CUresult (*)(CUfunction fn, CUfunction_attribute attr, int value);
using PFN_cuFuncGetParamInfo = CUresult (*)(CUfunction fn, size_t index, size_t* offset, size_t* size);
using PFN_cuFuncGetParamCount = CUresult (*)(CUfunction fn, size_t* count);
using PFN_cuLaunchKernelEx = CUresult (*)(const CUlaunchConfig* config, CUfunction fn, void** params, void** extra);
using PFN_cuTensorMapEncodeTiled = CUresult (*)(CUtensorMap* map, CUtensorMapDataType dataType, cuuint32_t rank,
                                                void* address, const cuuint64_t* dims, const cuuint64_t* stridesBytes,
                                                const cuuint32_t* boxDims, const cuuint32_t* elementStrides,
                                                CUtensorMapInterleave interleave, CUtensorMapSwizzle swizzle,
                                                CUtensorMapL2promotion l2Promotion, CUtensorMapFloatOOBfill oobFill);
using PFN_cuStreamBeginCapture = CUresult (*)(CUstream stream, CUstreamCaptureMode mode);
using PFN_cuStreamEndCapture = CUresult (*)(CUstream stream, CUgraph* graph);
using PFN_cuGraphInstantiateWithFlags = CUresult (*)(CUgraphExec* exec, CUgraph graph, unsigned long long flags);
using PFN_cuGraphLaunch = CUresult (*)(CUgraphExec exec, CUstream stream);
using PFN_cuGraphDestroy = CUresult (*)(CUgraph graph);
using PFN_cuGraphExecDestroy = CUresult (*)(CUgraphExec exec);

// ---- NVRTC ---------------------------------------------------------------------------------------------------------

using nvrtcResult = int;
constexpr nvrtcResult NVRTC_SUCCESS = 0;
struct _nvrtcProgram;
using nvrtcProgram = _nvrtcProgram*;

using PFN_nvrtcVersion = nvrtcResult (*)(int* major, int* minor);
using PFN_nvrtcGetErrorString = const char* (*)(nvrtcResult result);
using PFN_nvrtcCreateProgram = nvrtcResult (*)(nvrtcProgram* prog, const char* src, const char* name, int numHeaders,
                                               const char* const* headers, const char* const* includeNames);
using PFN_nvrtcDestroyProgram = nvrtcResult (*)(nvrtcProgram* prog);
using PFN_nvrtcCompileProgram = nvrtcResult (*)(nvrtcProgram prog, int numOptions, const char* const* options);
using PFN_nvrtcGetProgramLogSize = nvrtcResult (*)(nvrtcProgram prog, size_t* size);
using PFN_nvrtcGetProgramLog = nvrtcResult (*)(nvrtcProgram prog, char* log);
using PFN_nvrtcGetCUBINSize = nvrtcResult (*)(nvrtcProgram prog, size_t* size);
using PFN_nvrtcGetCUBIN = nvrtcResult (*)(nvrtcProgram prog, char* cubin);
using PFN_nvrtcGetPTXSize = nvrtcResult (*)(nvrtcProgram prog, size_t* size);
using PFN_nvrtcGetPTX = nvrtcResult (*)(nvrtcProgram prog, char* ptx);
using PFN_nvrtcAddNameExpression = nvrtcResult (*)(nvrtcProgram prog, const char* nameExpression);
using PFN_nvrtcGetLoweredName = nvrtcResult (*)(nvrtcProgram prog, const char* nameExpression,
                                                const char** loweredName);

}  // namespace dg
