// Streams and events.
#include "common.h"

namespace dg {

namespace {

// streamCreate(device, nonBlocking, priority) -> handle
Napi::Value StreamCreate(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int device = argI32(env, info[0]);
  if (!enter(env, device)) return env.Undefined();
  CUstream s = nullptr;
  unsigned int flags = argBool(env, info[1]) ? CU_STREAM_NON_BLOCKING : 0u;
  if (!check(env, cu.cuStreamCreateWithPriority(&s, flags, argI32(env, info[2])), "cuStreamCreateWithPriority")) {
    return env.Undefined();
  }
  return makeHandle(env, Kind::Stream, device, reinterpret_cast<uint64_t>(s));
}

// streamDefault(device) -> handle of the legacy default (null) stream; it is never destroyed.
Napi::Value StreamDefault(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int device = argI32(env, info[0]);
  if (!requireDriver(env)) return env.Undefined();
  return makeHandle(env, Kind::Stream, device, 0);
}

Napi::Value StreamDestroy(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Handle* h = getHandle(env, info[0], Kind::Stream, "stream");
  if (h == nullptr || !enter(env, h->device)) return env.Undefined();
  h->live = false;
  if (h->value != 0) check(env, cu.cuStreamDestroy(reinterpret_cast<CUstream>(h->value)), "cuStreamDestroy");
  return env.Undefined();
}

Napi::Value StreamSynchronize(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Handle* h = getHandle(env, info[0], Kind::Stream, "stream");
  if (h == nullptr || !enter(env, h->device)) return env.Undefined();
  check(env, cu.cuStreamSynchronize(reinterpret_cast<CUstream>(h->value)), "cuStreamSynchronize");
  return env.Undefined();
}

// streamQuery(stream) -> true when all work is done, false while some is pending.
Napi::Value StreamQuery(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Handle* h = getHandle(env, info[0], Kind::Stream, "stream");
  if (h == nullptr || !enter(env, h->device)) return env.Undefined();
  CUresult r = cu.cuStreamQuery(reinterpret_cast<CUstream>(h->value));
  if (r == CUDA_ERROR_NOT_READY) return Napi::Boolean::New(env, false);
  if (!check(env, r, "cuStreamQuery")) return env.Undefined();
  return Napi::Boolean::New(env, true);
}

// eventCreate(device, timing) -> handle
Napi::Value EventCreate(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int device = argI32(env, info[0]);
  if (!enter(env, device)) return env.Undefined();
  CUevent e = nullptr;
  unsigned int flags = argBool(env, info[1]) ? 0u : CU_EVENT_DISABLE_TIMING;
  if (!check(env, cu.cuEventCreate(&e, flags), "cuEventCreate")) return env.Undefined();
  return makeHandle(env, Kind::Event, device, reinterpret_cast<uint64_t>(e));
}

Napi::Value EventDestroy(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Handle* h = getHandle(env, info[0], Kind::Event, "event");
  if (h == nullptr || !enter(env, h->device)) return env.Undefined();
  h->live = false;
  check(env, cu.cuEventDestroy(reinterpret_cast<CUevent>(h->value)), "cuEventDestroy");
  return env.Undefined();
}

// eventRecord(event, stream)
Napi::Value EventRecord(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Handle* e = getHandle(env, info[0], Kind::Event, "event");
  if (e == nullptr) return env.Undefined();
  Handle* s = getHandle(env, info[1], Kind::Stream, "stream");
  if (s == nullptr || !enter(env, s->device)) return env.Undefined();
  check(env, cu.cuEventRecord(reinterpret_cast<CUevent>(e->value), reinterpret_cast<CUstream>(s->value)),
        "cuEventRecord");
  return env.Undefined();
}

Napi::Value EventSynchronize(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Handle* h = getHandle(env, info[0], Kind::Event, "event");
  if (h == nullptr || !enter(env, h->device)) return env.Undefined();
  check(env, cu.cuEventSynchronize(reinterpret_cast<CUevent>(h->value)), "cuEventSynchronize");
  return env.Undefined();
}

Napi::Value EventQuery(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Handle* h = getHandle(env, info[0], Kind::Event, "event");
  if (h == nullptr || !enter(env, h->device)) return env.Undefined();
  CUresult r = cu.cuEventQuery(reinterpret_cast<CUevent>(h->value));
  if (r == CUDA_ERROR_NOT_READY) return Napi::Boolean::New(env, false);
  if (!check(env, r, "cuEventQuery")) return env.Undefined();
  return Napi::Boolean::New(env, true);
}

// eventElapsed(start, end) -> milliseconds
Napi::Value EventElapsed(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Handle* a = getHandle(env, info[0], Kind::Event, "start event");
  if (a == nullptr) return env.Undefined();
  Handle* b = getHandle(env, info[1], Kind::Event, "end event");
  if (b == nullptr || !enter(env, a->device)) return env.Undefined();
  float ms = 0;
  if (!check(env, cu.cuEventElapsedTime(&ms, reinterpret_cast<CUevent>(a->value), reinterpret_cast<CUevent>(b->value)),
             "cuEventElapsedTime")) {
    return env.Undefined();
  }
  return Napi::Number::New(env, ms);
}

}  // namespace

void registerStream(Napi::Env env, Napi::Object exports) {
  exports.Set("streamCreate", Napi::Function::New(env, StreamCreate, "streamCreate"));
  exports.Set("streamDefault", Napi::Function::New(env, StreamDefault, "streamDefault"));
  exports.Set("streamDestroy", Napi::Function::New(env, StreamDestroy, "streamDestroy"));
  exports.Set("streamSynchronize", Napi::Function::New(env, StreamSynchronize, "streamSynchronize"));
  exports.Set("streamQuery", Napi::Function::New(env, StreamQuery, "streamQuery"));
  exports.Set("eventCreate", Napi::Function::New(env, EventCreate, "eventCreate"));
  exports.Set("eventDestroy", Napi::Function::New(env, EventDestroy, "eventDestroy"));
  exports.Set("eventRecord", Napi::Function::New(env, EventRecord, "eventRecord"));
  exports.Set("eventSynchronize", Napi::Function::New(env, EventSynchronize, "eventSynchronize"));
  exports.Set("eventQuery", Napi::Function::New(env, EventQuery, "eventQuery"));
  exports.Set("eventElapsed", Napi::Function::New(env, EventElapsed, "eventElapsed"));
}

}  // namespace dg
