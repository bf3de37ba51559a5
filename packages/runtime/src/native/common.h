// Shared helpers of the binding: type-tagged handles, argument reading and error reporting. The addon is compiled with
// NAPI_DISABLE_CPP_EXCEPTIONS, so every failure is a pending JavaScript exception and the binding returns at once; no
// C++ exception can cross the Node-API boundary.
#pragma once

#include <napi.h>

#include <cstdint>

#include "loader.h"

namespace dg {

// One tag per handle family, so that a stream can never be passed where a module is expected.
enum class Kind : uint32_t { Stream = 0, Event, Module, Function, Graph, GraphExec, Count };

struct Handle {
  Kind kind;
  int device;
  uint64_t value;  // the CUstream / CUevent / ... pointer, 0 for the null (legacy default) stream
  bool live;       // false once destroyed, so that a second dispose is a no-op rather than a double free
  // Functions only: the device-side parameter layout (cuFuncGetParamInfo), so that a launch can point kernelParams
  // into the packed blob. paramOffsets is null when the driver cannot report the layout.
  uint32_t paramCount = 0;
  uint32_t paramEnd = 0;  // offset + size of the last parameter: the blob must be at least this long
  uint32_t* paramOffsets = nullptr;
};

// A new JS object tagged with `kind` and owning a Handle (freed with the object; the CUDA resource itself is released
// only by an explicit destroy call from TypeScript).
Napi::Object makeHandle(Napi::Env env, Kind kind, int device, uint64_t value);

// Tags `h->kind` onto a fresh object and attaches `h` (owned by the object from then on).
Napi::Object makeHandle(Napi::Env env, Handle* h);
Napi::Object wrapHandle(Napi::Env env, Napi::Object obj, Handle* h);

// The Handle behind `v`, or nullptr with a TypeError pending when `v` is not a live handle of that kind.
Handle* getHandle(Napi::Env env, napi_value v, Kind kind, const char* what);

// Stores the JS factory that builds typed errors (src/errors.ts) so that native failures surface as CudaError,
// NvrtcError and CudaUnavailableError with no translation step on the success path.
void setErrorFactory(const Napi::CallbackInfo& info);

// Builds the typed error through the factory: kind is "cuda", "nvrtc" or "unavailable".
Napi::Value makeError(Napi::Env env, const char* kind, int result, const char* call, const std::string& detail);

// Throws a CudaError for `r` from `call`; always returns false so callers can `return fail(...)`-style chain.
bool throwCuda(Napi::Env env, CUresult r, const char* call);

inline bool check(Napi::Env env, CUresult r, const char* call) { return r == CUDA_SUCCESS || throwCuda(env, r, call); }

// Throws CudaUnavailableError unless the driver loaded and has a device.
bool requireDriver(Napi::Env env);

// requireDriver + makeCurrent(device).
bool enter(Napi::Env env, int device);

// Argument readers: they assume the TypeScript layer validated the values and only guard memory safety.
int32_t argI32(napi_env env, napi_value v);
uint32_t argU32(napi_env env, napi_value v);
double argF64(napi_env env, napi_value v);
uint64_t argU64(napi_env env, napi_value v);  // from a bigint
bool argBool(napi_env env, napi_value v);

// The bytes of an ArrayBufferView (TypedArray or DataView); false with a TypeError pending otherwise.
bool argBytes(napi_env env, napi_value v, void** data, size_t* length, const char* what);

void registerDevice(Napi::Env env, Napi::Object exports);
void registerMemory(Napi::Env env, Napi::Object exports);
void registerStream(Napi::Env env, Napi::Object exports);
void registerModule(Napi::Env env, Napi::Object exports);
void registerTensorMap(Napi::Env env, Napi::Object exports);
void registerGraph(Napi::Env env, Napi::Object exports);
void registerNvrtc(Napi::Env env, Napi::Object exports);

}  // namespace dg
