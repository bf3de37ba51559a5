// Devices: properties and synchronisation.
#include <string>

#include "common.h"

namespace dg {

namespace {

// deviceProperties(index) -> plain object; the TypeScript layer shapes it into DeviceProperties.
Napi::Value DeviceProperties(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!requireDriver(env)) return env.Undefined();
  int index = argI32(env, info[0]);
  CUdevice dev = 0;
  if (!check(env, cu.cuDeviceGet(&dev, index), "cuDeviceGet")) return env.Undefined();
  char name[256] = {0};
  if (!check(env, cu.cuDeviceGetName(name, sizeof(name) - 1, dev), "cuDeviceGetName")) return env.Undefined();
  size_t total = 0;
  if (!check(env, cu.cuDeviceTotalMem(&total, dev), "cuDeviceTotalMem")) return env.Undefined();
  Napi::Object o = Napi::Object::New(env);
  o.Set("name", std::string(name));
  o.Set("totalMemoryBytes", Napi::BigInt::New(env, static_cast<uint64_t>(total)));
  struct Attr {
    const char* key;
    CUdevice_attribute attr;
  };
  const Attr attrs[] = {
      {"major", CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR},
      {"minor", CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR},
      {"smCount", CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT},
      {"maxSharedMemoryPerBlockOptin", CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN},
      {"l2CacheBytes", CU_DEVICE_ATTRIBUTE_L2_CACHE_SIZE},
      {"clockRateKHz", CU_DEVICE_ATTRIBUTE_CLOCK_RATE},
      {"memoryClockRateKHz", CU_DEVICE_ATTRIBUTE_MEMORY_CLOCK_RATE},
      {"memoryBusWidthBits", CU_DEVICE_ATTRIBUTE_GLOBAL_MEMORY_BUS_WIDTH},
      {"maxThreadsPerBlock", CU_DEVICE_ATTRIBUTE_MAX_THREADS_PER_BLOCK},
      {"warpSize", CU_DEVICE_ATTRIBUTE_WARP_SIZE},
  };
  for (const Attr& a : attrs) {
    int v = 0;
    if (!check(env, cu.cuDeviceGetAttribute(&v, a.attr, dev), "cuDeviceGetAttribute")) return env.Undefined();
    o.Set(a.key, v);
  }
  return o;
}

Napi::Value SynchronizeDevice(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!enter(env, argI32(env, info[0]))) return env.Undefined();
  check(env, cu.cuCtxSynchronize(), "cuCtxSynchronize");
  return env.Undefined();
}

}  // namespace

void registerDevice(Napi::Env env, Napi::Object exports) {
  exports.Set("deviceProperties", Napi::Function::New(env, DeviceProperties, "deviceProperties"));
  exports.Set("synchronizeDevice", Napi::Function::New(env, SynchronizeDevice, "synchronizeDevice"));
}

}  // namespace dg
