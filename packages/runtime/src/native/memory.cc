// Device memory: allocation, copies and memsets. A null stream argument means the synchronous form of the call.
#include "common.h"

namespace dg {

namespace {

// Reads an optional stream handle; `*ok` is false with an exception pending when the value is not a stream.
CUstream optStream(Napi::Env env, napi_value v, bool* ok) {
  napi_valuetype t = napi_undefined;
  napi_typeof(env, v, &t);
  *ok = true;
  if (t == napi_undefined || t == napi_null) return nullptr;
  Handle* h = getHandle(env, v, Kind::Stream, "stream");
  if (h == nullptr) {
    *ok = false;
    return nullptr;
  }
  return reinterpret_cast<CUstream>(h->value);
}

// memAlloc(device, bytes) -> bigint
Napi::Value MemAlloc(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!enter(env, argI32(env, info[0]))) return env.Undefined();
  CUdeviceptr p = 0;
  if (!check(env, cu.cuMemAlloc(&p, static_cast<size_t>(argF64(env, info[1]))), "cuMemAlloc")) return env.Undefined();
  return Napi::BigInt::New(env, static_cast<uint64_t>(p));
}

// memFree(device, ptr): also called from the FinalizationRegistry, so it must not throw for the unavailable case.
Napi::Value MemFree(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!enter(env, argI32(env, info[0]))) return env.Undefined();
  check(env, cu.cuMemFree(static_cast<CUdeviceptr>(argU64(env, info[1]))), "cuMemFree");
  return env.Undefined();
}

// memGetInfo(device) -> [free, total]
Napi::Value MemGetInfo(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!enter(env, argI32(env, info[0]))) return env.Undefined();
  size_t freeBytes = 0;
  size_t total = 0;
  if (!check(env, cu.cuMemGetInfo(&freeBytes, &total), "cuMemGetInfo")) return env.Undefined();
  Napi::Array a = Napi::Array::New(env, 2);
  a.Set(0u, Napi::BigInt::New(env, static_cast<uint64_t>(freeBytes)));
  a.Set(1u, Napi::BigInt::New(env, static_cast<uint64_t>(total)));
  return a;
}

// copyHtoD(device, dst, view, stream|null). The driver stages pageable host memory before an async call returns,
// so the JS view may be collected or changed afterwards.
Napi::Value CopyHtoD(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  void* src = nullptr;
  size_t n = 0;
  if (!argBytes(env, info[2], &src, &n, "src")) return env.Undefined();
  bool ok = true;
  CUstream s = optStream(env, info[3], &ok);
  if (!ok || !enter(env, argI32(env, info[0]))) return env.Undefined();
  CUdeviceptr dst = static_cast<CUdeviceptr>(argU64(env, info[1]));
  bool hasStream = !(info[3].IsUndefined() || info[3].IsNull());
  if (hasStream) {
    check(env, cu.cuMemcpyHtoDAsync(dst, src, n, s), "cuMemcpyHtoDAsync");
  } else {
    check(env, cu.cuMemcpyHtoD(dst, src, n), "cuMemcpyHtoD");
  }
  return env.Undefined();
}

// copyDtoH(device, view, src, stream|null). For pageable destinations the async form also returns only once the
// data has arrived, which keeps the JS view valid.
Napi::Value CopyDtoH(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  void* dst = nullptr;
  size_t n = 0;
  if (!argBytes(env, info[1], &dst, &n, "dst")) return env.Undefined();
  bool ok = true;
  CUstream s = optStream(env, info[3], &ok);
  if (!ok || !enter(env, argI32(env, info[0]))) return env.Undefined();
  CUdeviceptr src = static_cast<CUdeviceptr>(argU64(env, info[2]));
  bool hasStream = !(info[3].IsUndefined() || info[3].IsNull());
  if (hasStream) {
    check(env, cu.cuMemcpyDtoHAsync(dst, src, n, s), "cuMemcpyDtoHAsync");
  } else {
    check(env, cu.cuMemcpyDtoH(dst, src, n), "cuMemcpyDtoH");
  }
  return env.Undefined();
}

// copyDtoD(device, dst, src, bytes, stream|null)
Napi::Value CopyDtoD(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  bool ok = true;
  CUstream s = optStream(env, info[4], &ok);
  if (!ok || !enter(env, argI32(env, info[0]))) return env.Undefined();
  CUdeviceptr dst = static_cast<CUdeviceptr>(argU64(env, info[1]));
  CUdeviceptr src = static_cast<CUdeviceptr>(argU64(env, info[2]));
  size_t n = static_cast<size_t>(argF64(env, info[3]));
  bool hasStream = !(info[4].IsUndefined() || info[4].IsNull());
  if (hasStream) {
    check(env, cu.cuMemcpyDtoDAsync(dst, src, n, s), "cuMemcpyDtoDAsync");
  } else {
    check(env, cu.cuMemcpyDtoD(dst, src, n), "cuMemcpyDtoD");
  }
  return env.Undefined();
}

// memset(device, width 1|2|4, dst, value, count, stream|null)
Napi::Value Memset(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  bool ok = true;
  CUstream s = optStream(env, info[5], &ok);
  if (!ok || !enter(env, argI32(env, info[0]))) return env.Undefined();
  uint32_t width = argU32(env, info[1]);
  CUdeviceptr dst = static_cast<CUdeviceptr>(argU64(env, info[2]));
  uint32_t value = argU32(env, info[3]);
  size_t count = static_cast<size_t>(argF64(env, info[4]));
  bool hasStream = !(info[5].IsUndefined() || info[5].IsNull());
  switch (width) {
    case 1:
      if (hasStream) {
        check(env, cu.cuMemsetD8Async(dst, static_cast<unsigned char>(value), count, s), "cuMemsetD8Async");
      } else {
        check(env, cu.cuMemsetD8(dst, static_cast<unsigned char>(value), count), "cuMemsetD8");
      }
      break;
    case 2:
      if (hasStream) {
        check(env, cu.cuMemsetD16Async(dst, static_cast<unsigned short>(value), count, s), "cuMemsetD16Async");
      } else {
        check(env, cu.cuMemsetD16(dst, static_cast<unsigned short>(value), count), "cuMemsetD16");
      }
      break;
    default:
      if (hasStream) {
        check(env, cu.cuMemsetD32Async(dst, value, count, s), "cuMemsetD32Async");
      } else {
        check(env, cu.cuMemsetD32(dst, value, count), "cuMemsetD32");
      }
  }
  return env.Undefined();
}

}  // namespace

void registerMemory(Napi::Env env, Napi::Object exports) {
  exports.Set("memAlloc", Napi::Function::New(env, MemAlloc, "memAlloc"));
  exports.Set("memFree", Napi::Function::New(env, MemFree, "memFree"));
  exports.Set("memGetInfo", Napi::Function::New(env, MemGetInfo, "memGetInfo"));
  exports.Set("copyHtoD", Napi::Function::New(env, CopyHtoD, "copyHtoD"));
  exports.Set("copyDtoH", Napi::Function::New(env, CopyDtoH, "copyDtoH"));
  exports.Set("copyDtoD", Napi::Function::New(env, CopyDtoD, "copyDtoD"));
  exports.Set("memset", Napi::Function::New(env, Memset, "memset"));
}

}  // namespace dg
