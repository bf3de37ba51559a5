// TMA descriptors through cuTensorMapEncodeTiled. The TypeScript layer validates the descriptor first (rank, dims,
// strides, box, alignment), so a bad one is reported with argument names before the driver sees it.
#include <cstring>

#include "common.h"

namespace dg {

namespace {

// encodeTiled(dataType, rank, address, dims: BigUint64Array, strides: BigUint64Array (rank-1),
//             box: Uint32Array, elementStrides: Uint32Array, interleave, swizzle, l2Promotion, oobFill) -> Uint8Array
Napi::Value EncodeTiled(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!requireDriver(env)) return env.Undefined();
  uint32_t rank = argU32(env, info[1]);
  void* dims = nullptr;
  void* strides = nullptr;
  void* box = nullptr;
  void* elementStrides = nullptr;
  size_t n = 0;
  if (!argBytes(env, info[3], &dims, &n, "globalDims") || n < rank * 8) return env.Undefined();
  if (!argBytes(env, info[4], &strides, &n, "globalStrides") || n + 8 < rank * 8) return env.Undefined();
  if (!argBytes(env, info[5], &box, &n, "boxDims") || n < rank * 4) return env.Undefined();
  if (!argBytes(env, info[6], &elementStrides, &n, "elementStrides") || n < rank * 4) return env.Undefined();
  CUtensorMap map;
  std::memset(&map, 0, sizeof(map));
  CUresult r = cu.cuTensorMapEncodeTiled(
      &map, argI32(env, info[0]), rank, reinterpret_cast<void*>(argU64(env, info[2])),
      static_cast<const cuuint64_t*>(dims), static_cast<const cuuint64_t*>(strides),
      static_cast<const cuuint32_t*>(box), static_cast<const cuuint32_t*>(elementStrides), argI32(env, info[7]),
      argI32(env, info[8]), argI32(env, info[9]), argI32(env, info[10]));
  if (!check(env, r, "cuTensorMapEncodeTiled")) return env.Undefined();
  Napi::ArrayBuffer ab = Napi::ArrayBuffer::New(env, sizeof(map));
  std::memcpy(ab.Data(), &map, sizeof(map));
  return Napi::Uint8Array::New(env, sizeof(map), ab, 0);
}

}  // namespace

void registerTensorMap(Napi::Env env, Napi::Object exports) {
  exports.Set("encodeTiled", Napi::Function::New(env, EncodeTiled, "encodeTiled"));
}

}  // namespace dg
