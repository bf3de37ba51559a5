// NVRTC: compile CUDA C++ to a cubin, synchronously or on the libuv pool (napi async work), so that a long compile
// does not block the event loop. Compilation needs no CUDA context.
#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "common.h"

namespace dg {

namespace {

struct CompileRequest {
  std::string source;
  std::string fileName;
  std::vector<std::string> options;
  std::vector<std::string> headerNames;
  std::vector<std::string> headerSources;
  std::vector<std::string> nameExpressions;
  bool wantPtx = false;
};

struct CompileResult {
  nvrtcResult status = NVRTC_SUCCESS;
  std::string failedCall;  // empty on success
  std::string log;
  std::string cubin;
  std::string ptx;
  bool hasPtx = false;
  std::vector<std::pair<std::string, std::string>> loweredNames;
};

std::vector<std::string> stringArray(Napi::Value v) {
  std::vector<std::string> out;
  if (!v.IsArray()) return out;
  Napi::Array a = v.As<Napi::Array>();
  out.reserve(a.Length());
  for (uint32_t i = 0; i < a.Length(); ++i) out.push_back(a.Get(i).As<Napi::String>().Utf8Value());
  return out;
}

// Reads the request object (already validated by TypeScript) into owned strings, so that the worker thread never
// touches JS values.
CompileRequest readRequest(Napi::Object o) {
  CompileRequest r;
  r.source = o.Get("source").As<Napi::String>().Utf8Value();
  r.fileName = o.Get("fileName").As<Napi::String>().Utf8Value();
  r.options = stringArray(o.Get("options"));
  r.headerNames = stringArray(o.Get("headerNames"));
  r.headerSources = stringArray(o.Get("headerSources"));
  r.nameExpressions = stringArray(o.Get("nameExpressions"));
  r.wantPtx = o.Get("wantPtx").ToBoolean().Value();
  return r;
}

// Pure C++: runs on whichever thread calls it.
CompileResult compile(const CompileRequest& req) {
  CompileResult res;
  auto fail = [&](nvrtcResult r, const char* call) {
    res.status = r;
    res.failedCall = call;
    return r != NVRTC_SUCCESS;
  };
  std::vector<const char*> headers;
  std::vector<const char*> names;
  for (size_t i = 0; i < req.headerNames.size() && i < req.headerSources.size(); ++i) {
    headers.push_back(req.headerSources[i].c_str());
    names.push_back(req.headerNames[i].c_str());
  }
  nvrtcProgram prog = nullptr;
  if (fail(nvrtc.nvrtcCreateProgram(&prog, req.source.c_str(), req.fileName.c_str(), static_cast<int>(headers.size()),
                                    headers.data(), names.data()),
           "nvrtcCreateProgram")) {
    return res;
  }
  for (const std::string& e : req.nameExpressions) {
    if (fail(nvrtc.nvrtcAddNameExpression(prog, e.c_str()), "nvrtcAddNameExpression")) {
      nvrtc.nvrtcDestroyProgram(&prog);
      return res;
    }
  }
  std::vector<const char*> opts;
  opts.reserve(req.options.size());
  for (const std::string& o : req.options) opts.push_back(o.c_str());
  nvrtcResult compiled = nvrtc.nvrtcCompileProgram(prog, static_cast<int>(opts.size()), opts.data());
  // The log is wanted on success too (warnings), and above all on failure.
  size_t logSize = 0;
  if (nvrtc.nvrtcGetProgramLogSize(prog, &logSize) == NVRTC_SUCCESS && logSize > 1) {
    res.log.resize(logSize);
    if (nvrtc.nvrtcGetProgramLog(prog, res.log.data()) != NVRTC_SUCCESS) res.log.clear();
    while (!res.log.empty() && res.log.back() == '\0') res.log.pop_back();
  }
  if (fail(compiled, "nvrtcCompileProgram")) {
    nvrtc.nvrtcDestroyProgram(&prog);
    return res;
  }
  size_t size = 0;
  if (fail(nvrtc.nvrtcGetCUBINSize(prog, &size), "nvrtcGetCUBINSize")) {
    nvrtc.nvrtcDestroyProgram(&prog);
    return res;
  }
  res.cubin.resize(size);
  if (size > 0 && fail(nvrtc.nvrtcGetCUBIN(prog, res.cubin.data()), "nvrtcGetCUBIN")) {
    nvrtc.nvrtcDestroyProgram(&prog);
    return res;
  }
  if (req.wantPtx) {
    if (fail(nvrtc.nvrtcGetPTXSize(prog, &size), "nvrtcGetPTXSize")) {
      nvrtc.nvrtcDestroyProgram(&prog);
      return res;
    }
    res.ptx.resize(size);
    if (size > 0 && fail(nvrtc.nvrtcGetPTX(prog, res.ptx.data()), "nvrtcGetPTX")) {
      nvrtc.nvrtcDestroyProgram(&prog);
      return res;
    }
    while (!res.ptx.empty() && res.ptx.back() == '\0') res.ptx.pop_back();
    res.hasPtx = true;
  }
  for (const std::string& e : req.nameExpressions) {
    const char* lowered = nullptr;
    if (fail(nvrtc.nvrtcGetLoweredName(prog, e.c_str(), &lowered), "nvrtcGetLoweredName")) {
      nvrtc.nvrtcDestroyProgram(&prog);
      return res;
    }
    res.loweredNames.emplace_back(e, lowered != nullptr ? lowered : "");
  }
  nvrtc.nvrtcDestroyProgram(&prog);
  return res;
}

// A CompileResult as the JS value TypeScript expects, or the NvrtcError to reject/throw with.
Napi::Value toJs(Napi::Env env, const CompileResult& res, bool* failed) {
  *failed = res.status != NVRTC_SUCCESS;
  if (*failed) return makeError(env, "nvrtc", res.status, res.failedCall.c_str(), res.log);
  Napi::Object o = Napi::Object::New(env);
  Napi::ArrayBuffer ab = Napi::ArrayBuffer::New(env, res.cubin.size());
  if (!res.cubin.empty()) std::copy(res.cubin.begin(), res.cubin.end(), static_cast<char*>(ab.Data()));
  o.Set("cubin", Napi::Uint8Array::New(env, res.cubin.size(), ab, 0));
  o.Set("log", res.log);
  o.Set("ptx", res.hasPtx ? Napi::Value(Napi::String::New(env, res.ptx)) : env.Undefined());
  Napi::Object lowered = Napi::Object::New(env);
  for (const auto& [expr, name] : res.loweredNames) lowered.Set(expr, name);
  o.Set("loweredNames", lowered);
  return o;
}

bool requireNvrtc(Napi::Env env) {
  const NvrtcState& s = nvrtcState();
  if (s.available) return true;
  Napi::Value e = makeError(env, "nvrtc-unavailable", 0, "", s.reason);
  if (!env.IsExceptionPending()) napi_throw(env, e);
  return false;
}

Napi::Value Version(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!requireNvrtc(env)) return env.Undefined();
  int major = 0;
  int minor = 0;
  nvrtcResult r = nvrtc.nvrtcVersion(&major, &minor);
  if (r != NVRTC_SUCCESS) {
    Napi::Value e = makeError(env, "nvrtc", r, "nvrtcVersion", "");
    if (!env.IsExceptionPending()) napi_throw(env, e);
    return env.Undefined();
  }
  Napi::Array a = Napi::Array::New(env, 2);
  a.Set(0u, major);
  a.Set(1u, minor);
  return a;
}

Napi::Value CompileSync(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!requireNvrtc(env)) return env.Undefined();
  CompileRequest req = readRequest(info[0].As<Napi::Object>());
  CompileResult res = compile(req);
  bool failed = false;
  Napi::Value v = toJs(env, res, &failed);
  if (env.IsExceptionPending()) return env.Undefined();
  if (failed) {
    napi_throw(env, v);
    return env.Undefined();
  }
  return v;
}

class CompileWorker : public Napi::AsyncWorker {
 public:
  CompileWorker(Napi::Env env, CompileRequest req)
      : Napi::AsyncWorker(env, "dg:nvrtcCompile"), deferred_(Napi::Promise::Deferred::New(env)), req_(std::move(req)) {}

  Napi::Promise promise() const { return deferred_.Promise(); }

  void Execute() override { res_ = compile(req_); }

  void OnOK() override {
    Napi::Env env = Env();
    Napi::HandleScope scope(env);
    bool failed = false;
    Napi::Value v = toJs(env, res_, &failed);
    if (env.IsExceptionPending()) {
      deferred_.Reject(env.GetAndClearPendingException().Value());
    } else if (failed) {
      deferred_.Reject(v);
    } else {
      deferred_.Resolve(v);
    }
  }

 private:
  Napi::Promise::Deferred deferred_;
  CompileRequest req_;
  CompileResult res_;
};

Napi::Value CompileAsync(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!requireNvrtc(env)) return env.Undefined();
  auto* w = new CompileWorker(env, readRequest(info[0].As<Napi::Object>()));
  Napi::Promise p = w->promise();
  w->Queue();  // the worker deletes itself after OnOK
  return p;
}

}  // namespace

void registerNvrtc(Napi::Env env, Napi::Object exports) {
  exports.Set("nvrtcVersion", Napi::Function::New(env, Version, "nvrtcVersion"));
  exports.Set("nvrtcCompile", Napi::Function::New(env, CompileSync, "nvrtcCompile"));
  exports.Set("nvrtcCompileAsync", Napi::Function::New(env, CompileAsync, "nvrtcCompileAsync"));
}

}  // namespace dg
