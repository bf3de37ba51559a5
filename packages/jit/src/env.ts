import { resolveCacheDir } from './cacheDir.js';

/**
 * The DG_JIT_* switches, read from the environment at call time: every compile()/compileSync() call and every
 * first sight of a KernelSpec object by getKernel() reads them again. A spec that getKernel() has already resolved
 * keeps the key (and so the options) it got until clearMemoryCache().
 */
export interface JitEnv {
  /** DG_JIT_CACHE_DIR, else $XDG_CACHE_HOME/dg, else ~/.cache/dg (absolute). */
  readonly cacheDir: string;
  /** DG_JIT_DEBUG: compile commands, cache hits and misses, timings on stderr. */
  readonly debug: boolean;
  /** DG_JIT_PRINT_COMPILER_COMMAND: the compiler command (or NVRTC options) on stderr. */
  readonly printCommand: boolean;
  /** DG_JIT_PTXAS_VERBOSE: ask ptxas for its report (-v) and print it. */
  readonly ptxasVerbose: boolean;
  /** DG_JIT_PTXAS_CHECK: fail when the ptxas report shows spills, a stack frame or local memory. */
  readonly ptxasCheck: boolean;
  /** DG_JIT_DUMP_PTX: keep kernel.ptx in the cache entry. */
  readonly dumpPtx: boolean;
  /** DG_JIT_DUMP_SASS: keep kernel.sass (cuobjdump -sass or nvdisasm) in the cache entry. */
  readonly dumpSass: boolean;
  /** DG_JIT_WITH_LINEINFO: -lineinfo. */
  readonly lineinfo: boolean;
  /** DG_JIT_NVCC_COMPILER: the nvcc to use instead of a search of PATH and CUDA_HOME. */
  readonly nvccCompiler: string | undefined;
  /** DG_JIT_USE_NVCC: compile with NVCC even where NVRTC is available. */
  readonly useNvcc: boolean;
}

function flag(value: string | undefined): boolean {
  if (value === undefined) return false;
  const v = value.trim().toLowerCase();
  return v !== '' && v !== '0' && v !== 'false' && v !== 'no' && v !== 'off';
}

export function readEnv(env: NodeJS.ProcessEnv = process.env): JitEnv {
  const nvcc = env.DG_JIT_NVCC_COMPILER;
  return {
    cacheDir: resolveCacheDir(env),
    debug: flag(env.DG_JIT_DEBUG),
    printCommand: flag(env.DG_JIT_PRINT_COMPILER_COMMAND),
    ptxasVerbose: flag(env.DG_JIT_PTXAS_VERBOSE),
    ptxasCheck: flag(env.DG_JIT_PTXAS_CHECK),
    dumpPtx: flag(env.DG_JIT_DUMP_PTX),
    dumpSass: flag(env.DG_JIT_DUMP_SASS),
    lineinfo: flag(env.DG_JIT_WITH_LINEINFO),
    nvccCompiler: nvcc === undefined || nvcc === '' ? undefined : nvcc,
    useNvcc: flag(env.DG_JIT_USE_NVCC),
  };
}
