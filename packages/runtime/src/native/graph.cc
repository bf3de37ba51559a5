// CUDA graphs through stream capture.
#include "common.h"

namespace dg {

namespace {

// beginCapture(stream, mode 0 global | 1 thread-local | 2 relaxed)
Napi::Value BeginCapture(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Handle* s = getHandle(env, info[0], Kind::Stream, "stream");
  if (s == nullptr || !enter(env, s->device)) return env.Undefined();
  check(env, cu.cuStreamBeginCapture(reinterpret_cast<CUstream>(s->value), argI32(env, info[1])),
        "cuStreamBeginCapture");
  return env.Undefined();
}

// endCapture(stream) -> graph handle
Napi::Value EndCapture(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Handle* s = getHandle(env, info[0], Kind::Stream, "stream");
  if (s == nullptr || !enter(env, s->device)) return env.Undefined();
  CUgraph g = nullptr;
  if (!check(env, cu.cuStreamEndCapture(reinterpret_cast<CUstream>(s->value), &g), "cuStreamEndCapture")) {
    return env.Undefined();
  }
  return makeHandle(env, Kind::Graph, s->device, reinterpret_cast<uint64_t>(g));
}

// graphInstantiate(graph) -> graph exec handle
Napi::Value GraphInstantiate(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Handle* g = getHandle(env, info[0], Kind::Graph, "graph");
  if (g == nullptr || !enter(env, g->device)) return env.Undefined();
  CUgraphExec x = nullptr;
  if (!check(env, cu.cuGraphInstantiateWithFlags(&x, reinterpret_cast<CUgraph>(g->value), 0),
             "cuGraphInstantiateWithFlags")) {
    return env.Undefined();
  }
  return makeHandle(env, Kind::GraphExec, g->device, reinterpret_cast<uint64_t>(x));
}

// graphLaunch(exec, stream)
Napi::Value GraphLaunch(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Handle* x = getHandle(env, info[0], Kind::GraphExec, "graph exec");
  if (x == nullptr) return env.Undefined();
  Handle* s = getHandle(env, info[1], Kind::Stream, "stream");
  if (s == nullptr || !enter(env, x->device)) return env.Undefined();
  check(env, cu.cuGraphLaunch(reinterpret_cast<CUgraphExec>(x->value), reinterpret_cast<CUstream>(s->value)),
        "cuGraphLaunch");
  return env.Undefined();
}

Napi::Value GraphDestroy(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Handle* g = getHandle(env, info[0], Kind::Graph, "graph");
  if (g == nullptr || !enter(env, g->device)) return env.Undefined();
  g->live = false;
  check(env, cu.cuGraphDestroy(reinterpret_cast<CUgraph>(g->value)), "cuGraphDestroy");
  return env.Undefined();
}

Napi::Value GraphExecDestroy(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Handle* x = getHandle(env, info[0], Kind::GraphExec, "graph exec");
  if (x == nullptr || !enter(env, x->device)) return env.Undefined();
  x->live = false;
  check(env, cu.cuGraphExecDestroy(reinterpret_cast<CUgraphExec>(x->value)), "cuGraphExecDestroy");
  return env.Undefined();
}

}  // namespace

void registerGraph(Napi::Env env, Napi::Object exports) {
  exports.Set("beginCapture", Napi::Function::New(env, BeginCapture, "beginCapture"));
  exports.Set("endCapture", Napi::Function::New(env, EndCapture, "endCapture"));
  exports.Set("graphInstantiate", Napi::Function::New(env, GraphInstantiate, "graphInstantiate"));
  exports.Set("graphLaunch", Napi::Function::New(env, GraphLaunch, "graphLaunch"));
  exports.Set("graphDestroy", Napi::Function::New(env, GraphDestroy, "graphDestroy"));
  exports.Set("graphExecDestroy", Napi::Function::New(env, GraphExecDestroy, "graphExecDestroy"));
}

}  // namespace dg
