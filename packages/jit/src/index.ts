export { resolveCacheDir } from './cacheDir.js';
export { type CompileResult, compile, compileSync } from './compile.js';
export { type JitEnv, readEnv } from './env.js';
export {
  JitArgumentError,
  JitCompileError,
  JitError,
  JitPtxasCheckError,
  JitUnavailableError,
} from './errors.js';
export { clearMemoryCache, getKernel, getKernelAsync, type KernelSpec } from './kernelCache.js';
export type { CompileOptions, DefineValue } from './options.js';
export { type WarmupOptions, type WarmupProgress, warmup } from './warmup.js';
