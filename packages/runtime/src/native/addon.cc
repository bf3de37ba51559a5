// Module entry point and the shared helpers declared in common.h.
#include <napi.h>

#include <string>

#include "common.h"

namespace dg {

namespace {

// Random 128-bit tags, one per Kind (napi_type_tag_object compares them by value).
const napi_type_tag kTags[static_cast<size_t>(Kind::Count)] = {
    {0x9a1c3f7e52b04d11ULL, 0x8e2f6a0c4b7d9135ULL},  // Stream
    {0x3b7e9d21c4a85f60ULL, 0x17c2e8f4a9b06d53ULL},  // Event
    {0x5d0f8a3e6c2b7914ULL, 0xa4e1b9c7d3f08256ULL},  // Module
    {0xc81e4b6f0a3d9257ULL, 0x62f9d0a7e5b3c418ULL},  // Function
    {0x1f6a2c9e8b4d7035ULL, 0xd9b3e5017c8a4f62ULL},  // Graph
    {0x7e3c5a9f1d2b8460ULL, 0x4b8d0e6a2f9c7153ULL},  // GraphExec
};

// The instance data of the addon: the error factory is per environment (main thread and each worker).
struct InstanceData {
  Napi::FunctionReference errorFactory;
};

}  // namespace

Napi::Object makeHandle(Napi::Env env, Kind kind, int device, uint64_t value) {
  Napi::Object obj = Napi::Object::New(env);
  napi_type_tag_object(env, obj, &kTags[static_cast<size_t>(kind)]);
  return wrapHandle(env, obj, new Handle{kind, device, value, true});
}

Napi::Object wrapHandle(Napi::Env env, Napi::Object obj, Handle* h) {
  auto release = [](napi_env, void* data, void*) {
    auto* handle = static_cast<Handle*>(data);
    delete[] handle->paramOffsets;
    delete handle;
  };
  if (napi_wrap(env, obj, h, release, nullptr, nullptr) != napi_ok) {
    delete[] h->paramOffsets;
    delete h;
  }
  return obj;
}

Napi::Object makeHandle(Napi::Env env, Handle* h) {
  Napi::Object obj = Napi::Object::New(env);
  napi_type_tag_object(env, obj, &kTags[static_cast<size_t>(h->kind)]);
  return wrapHandle(env, obj, h);
}

Handle* getHandle(Napi::Env env, napi_value v, Kind kind, const char* what) {
  bool tagged = false;
  // A non-object fails the tag check itself (napi_object_expected), leaving `tagged` false.
  if (napi_check_object_type_tag(env, v, &kTags[static_cast<size_t>(kind)], &tagged) != napi_ok) tagged = false;
  void* data = nullptr;
  if (!tagged || napi_unwrap(env, v, &data) != napi_ok || data == nullptr) {
    Napi::TypeError::New(env, std::string(what) + ": expected a native " + what + " handle").ThrowAsJavaScriptException();
    return nullptr;
  }
  auto* h = static_cast<Handle*>(data);
  if (!h->live) {
    Napi::Error::New(env, std::string(what) + " has been disposed").ThrowAsJavaScriptException();
    return nullptr;
  }
  return h;
}

void setErrorFactory(const Napi::CallbackInfo& info) {
  auto* data = info.Env().GetInstanceData<InstanceData>();
  if (data != nullptr && info.Length() > 0 && info[0].IsFunction()) {
    data->errorFactory = Napi::Persistent(info[0].As<Napi::Function>());
  }
}

Napi::Value makeError(Napi::Env env, const char* kind, int result, const char* call, const std::string& detail) {
  auto* data = env.GetInstanceData<InstanceData>();
  if (data != nullptr && !data->errorFactory.IsEmpty()) {
    Napi::Value e = data->errorFactory.Call({Napi::String::New(env, kind), Napi::Number::New(env, result),
                                             Napi::String::New(env, call), Napi::String::New(env, detail)});
    if (!env.IsExceptionPending()) return e;
    return env.Undefined();
  }
  // Only reached if the TypeScript loader did not install the factory: still a readable error.
  return Napi::Error::New(env, std::string(call) + " failed (" + kind + " " + std::to_string(result) + ") " + detail)
      .Value();
}

bool throwCuda(Napi::Env env, CUresult r, const char* call) {
  Napi::Value e = makeError(env, "cuda", r, call, "");
  if (!env.IsExceptionPending()) napi_throw(env, e);
  return false;
}

bool requireDriver(Napi::Env env) {
  const DriverState& s = driverState();
  if (s.available) return true;
  Napi::Value e = makeError(env, "unavailable", 0, "", s.reason);
  if (!env.IsExceptionPending()) napi_throw(env, e);
  return false;
}

bool enter(Napi::Env env, int device) {
  if (!requireDriver(env)) return false;
  return check(env, makeCurrent(device), "cuCtxSetCurrent");
}

int32_t argI32(napi_env env, napi_value v) {
  int32_t x = 0;
  napi_get_value_int32(env, v, &x);
  return x;
}

uint32_t argU32(napi_env env, napi_value v) {
  uint32_t x = 0;
  napi_get_value_uint32(env, v, &x);
  return x;
}

double argF64(napi_env env, napi_value v) {
  double x = 0;
  napi_get_value_double(env, v, &x);
  return x;
}

uint64_t argU64(napi_env env, napi_value v) {
  uint64_t x = 0;
  bool lossless = false;
  napi_get_value_bigint_uint64(env, v, &x, &lossless);
  return x;
}

bool argBool(napi_env env, napi_value v) {
  bool x = false;
  napi_get_value_bool(env, v, &x);
  return x;
}

bool argBytes(napi_env env, napi_value v, void** data, size_t* length, const char* what) {
  bool is = false;
  if (napi_is_typedarray(env, v, &is) == napi_ok && is) {
    napi_typedarray_type type;
    size_t count = 0;
    napi_value ab;
    size_t offset = 0;
    napi_get_typedarray_info(env, v, &type, &count, data, &ab, &offset);
    size_t elem = 1;
    switch (type) {
      case napi_int16_array:
      case napi_uint16_array:
        elem = 2;
        break;
      case napi_int32_array:
      case napi_uint32_array:
      case napi_float32_array:
        elem = 4;
        break;
      case napi_float64_array:
      case napi_bigint64_array:
      case napi_biguint64_array:
        elem = 8;
        break;
      default:
        elem = 1;
    }
    *length = count * elem;
    return true;
  }
  if (napi_is_dataview(env, v, &is) == napi_ok && is) {
    napi_value ab;
    size_t offset = 0;
    napi_get_dataview_info(env, v, length, data, &ab, &offset);
    return true;
  }
  napi_throw_type_error(env, nullptr, (std::string(what) + ": expected an ArrayBufferView").c_str());
  return false;
}

namespace {

// availability(): never throws; the TypeScript layer caches the answer.
Napi::Value Availability(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const DriverState& s = driverState();
  Napi::Object o = Napi::Object::New(env);
  o.Set("available", s.available);
  o.Set("reason", s.reason);
  o.Set("driverVersion", s.version);
  o.Set("deviceCount", s.deviceCount);
  return o;
}

Napi::Value NvrtcAvailability(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const NvrtcState& s = nvrtcState();
  Napi::Object o = Napi::Object::New(env);
  o.Set("available", s.available);
  o.Set("reason", s.reason);
  o.Set("path", s.path);
  return o;
}

Napi::Value SetErrorFactory(const Napi::CallbackInfo& info) {
  setErrorFactory(info);
  return info.Env().Undefined();
}

}  // namespace

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  env.SetInstanceData(new InstanceData());
  exports.Set("availability", Napi::Function::New(env, Availability, "availability"));
  exports.Set("nvrtcAvailability", Napi::Function::New(env, NvrtcAvailability, "nvrtcAvailability"));
  exports.Set("setErrorFactory", Napi::Function::New(env, SetErrorFactory, "setErrorFactory"));
  registerDevice(env, exports);
  registerMemory(env, exports);
  registerStream(env, exports);
  registerModule(env, exports);
  registerTensorMap(env, exports);
  registerGraph(env, exports);
  registerNvrtc(env, exports);
  return exports;
}

}  // namespace dg

namespace {
Napi::Object InitModule(Napi::Env env, Napi::Object exports) { return dg::Init(env, exports); }
}  // namespace

NODE_API_MODULE(dg_runtime, InitModule)
