import type { JitEnv } from './env.js';
import { JitArgumentError, JitUnavailableError } from './errors.js';
import { cacheKey, includeTreeDigest } from './hash.js';
import { debug } from './log.js';
import { locateNvcc, type NvccTool, nvccOptions } from './nvcc.js';
import { nvrtcLabel, nvrtcOptions } from './nvrtc.js';
import type { Normalized } from './options.js';
import { nvrtcRuntime, type RuntimeModule } from './runtime.js';

export type Compiler =
  | { readonly kind: 'nvrtc'; readonly rt: RuntimeModule; readonly label: string }
  | { readonly kind: 'nvcc'; readonly tool: NvccTool; readonly label: string };

/** Everything one compile needs, resolved once: options, compiler, key. */
export interface Plan {
  readonly n: Normalized;
  readonly env: JitEnv;
  readonly compiler: Compiler;
  readonly options: readonly string[];
  readonly key: string;
  readonly entryName: string;
}

function chooseCompiler(env: JitEnv, n: Normalized): Compiler {
  let compiler: Compiler;
  if (env.useNvcc) {
    const nvcc = locateNvcc(env);
    if (nvcc.tool === undefined)
      throw new JitUnavailableError('DG_JIT_USE_NVCC is set but nvcc cannot be used', [nvcc.reason]);
    compiler = { kind: 'nvcc', tool: nvcc.tool, label: nvcc.tool.label };
  } else {
    const nvrtc = nvrtcRuntime();
    if (nvrtc.runtime !== undefined) {
      compiler = { kind: 'nvrtc', rt: nvrtc.runtime, label: nvrtcLabel(nvrtc.runtime) };
    } else {
      const nvcc = locateNvcc(env);
      if (nvcc.tool === undefined) {
        throw new JitUnavailableError('no CUDA compiler available', [`NVRTC: ${nvrtc.reason}`, nvcc.reason]);
      }
      debug(env, `NVRTC unavailable (${nvrtc.reason}); using ${nvcc.tool.path}`);
      compiler = { kind: 'nvcc', tool: nvcc.tool, label: nvcc.tool.label };
    }
  }
  if (compiler.kind === 'nvcc' && n.nameExpression !== undefined) {
    throw new JitArgumentError(
      'nameExpression',
      `no name expression with ${compiler.label} (name expressions need NVRTC; with NVCC define an extern "C" entry and pass its name)`,
      n.nameExpression,
    );
  }
  return compiler;
}

export function makePlan(n: Normalized, env: JitEnv): Plan {
  const compiler = chooseCompiler(env, n);
  const options = compiler.kind === 'nvrtc' ? nvrtcOptions(n, env) : nvccOptions(n, env);
  const key = cacheKey({
    recipe: 1,
    name: n.name,
    compiler: compiler.label,
    arch: n.arch,
    // Include paths stay out: the headers' content is in `headers`, so a moved checkout keeps its cache.
    options: options.filter((o) => !o.startsWith('-I')),
    nameExpression: n.nameExpression ?? null,
    dumpPtx: env.dumpPtx,
    source: n.source,
    headers: includeTreeDigest(n.source, n.includeDirs).digest,
  });
  return { n, env, compiler, options, key, entryName: `${n.name}.${key}` };
}
