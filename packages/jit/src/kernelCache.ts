import type { KernelFunction, Module } from '@dg/runtime';
import { type CompileResult, clearCompileMemory, compilePlanAsync, compilePlanSync } from './compile.js';
import { readEnv } from './env.js';
import { JitArgumentError } from './errors.js';
import { type CompileOptions, normalize } from './options.js';
import { makePlan, type Plan } from './plan.js';
import { type RuntimeModule, requireRuntime } from './runtime.js';

/**
 * A kernel to compile and load. getKernel() resolves a spec object once (options, compiler, cache key) and
 * remembers it by identity: treat a spec as immutable after its first use (make a new object to change it).
 */
export interface KernelSpec extends CompileOptions {
  readonly source: string;
  /** Dynamic shared memory per block; above 48 KiB the function's maximum is raised to it once, when loaded. */
  readonly dynamicSmemBytes?: number;
}

interface Loaded {
  readonly fn: KernelFunction;
  readonly module: Module;
  smem: number;
}

const DEFAULT_SMEM_LIMIT = 48 * 1024;

let plans = new WeakMap<KernelSpec, Plan>();
// device -> cache key -> loaded function: two Map lookups on a hit, no string building.
const loaded = new Map<number, Map<string, Loaded>>();
const loading = new Map<string, Promise<{ loaded: Loaded; result: CompileResult | undefined }>>();
// Functions handed out stay valid after clearMemoryCache(): their modules are kept, never unloaded.
const retired: Module[] = [];
let rt: RuntimeModule | undefined;

function runtime(): RuntimeModule {
  rt ??= requireRuntime('getKernel');
  return rt;
}

function planOf(spec: KernelSpec): Plan {
  const known = plans.get(spec);
  if (known !== undefined) return known;
  if (typeof spec !== 'object' || spec === null) throw new JitArgumentError('spec', 'a KernelSpec object', spec);
  const smem = spec.dynamicSmemBytes;
  if (smem !== undefined && !(Number.isInteger(smem) && smem >= 0)) {
    throw new JitArgumentError('spec.dynamicSmemBytes', 'a non-negative integer', smem);
  }
  const plan = makePlan(normalize(spec.source, spec, 'spec'), readEnv());
  plans.set(spec, plan);
  return plan;
}

function checkDevice(device: unknown): number {
  if (!Number.isInteger(device) || (device as number) < 0) {
    throw new JitArgumentError('opts.device', 'a non-negative integer device index', device);
  }
  return device as number;
}

function ensureSmem(entry: Loaded, spec: KernelSpec): void {
  const bytes = spec.dynamicSmemBytes ?? 0;
  if (bytes > DEFAULT_SMEM_LIMIT && bytes > entry.smem) {
    entry.fn.setMaxDynamicSharedMemory(bytes);
    entry.smem = bytes;
  }
}

function find(device: number, plan: Plan): Loaded | undefined {
  return loaded.get(device)?.get(plan.key);
}

function install(device: number, plan: Plan, spec: KernelSpec, result: CompileResult): Loaded {
  const module = runtime().loadModule(result.cubin, device);
  const entry: Loaded = { fn: module.getFunction(result.loweredName), module, smem: 0 };
  ensureSmem(entry, spec);
  let perDevice = loaded.get(device);
  if (perDevice === undefined) {
    perDevice = new Map();
    loaded.set(device, perDevice);
  }
  perDevice.set(plan.key, entry);
  return entry;
}

/**
 * The loaded function for `spec` on `device` (default: the runtime's current device). In-process hit: two Map
 * lookups; miss: disk cache, then compileSync() (blocks the thread; use getKernelAsync() or warmup() to avoid it).
 */
export function getKernel(spec: KernelSpec, opts?: { device?: number }): KernelFunction {
  const device = opts?.device ?? runtime().getDevice();
  const plan = plans.get(spec);
  if (plan !== undefined) {
    const hit = loaded.get(device)?.get(plan.key);
    if (hit !== undefined) return hit.fn;
  }
  checkDevice(device);
  const p = planOf(spec);
  const have = find(device, p);
  if (have !== undefined) {
    ensureSmem(have, spec);
    return have.fn;
  }
  return install(device, p, spec, compilePlanSync(p)).fn;
}

/** getKernel() plus the compile result where this call went to the disk cache or the compiler (warmup()). */
export async function loadKernelAsync(
  spec: KernelSpec,
  device: number | undefined,
): Promise<{ fn: KernelFunction; result: CompileResult | undefined }> {
  const d = checkDevice(device ?? runtime().getDevice());
  const plan = planOf(spec);
  const have = find(d, plan);
  if (have !== undefined) {
    ensureSmem(have, spec);
    return { fn: have.fn, result: undefined };
  }
  const id = `${d}\0${plan.key}`;
  let pending = loading.get(id);
  if (pending === undefined) {
    pending = compilePlanAsync(plan)
      .then((result) => ({ loaded: install(d, plan, spec, result), result }))
      .finally(() => loading.delete(id));
    loading.set(id, pending);
  }
  const { loaded: entry, result } = await pending;
  ensureSmem(entry, spec);
  return { fn: entry.fn, result };
}

/** getKernel() whose compile (on a miss) runs off the event loop. */
export async function getKernelAsync(spec: KernelSpec, opts?: { device?: number }): Promise<KernelFunction> {
  return (await loadKernelAsync(spec, opts?.device)).fn;
}

/**
 * Forgets every loaded function, resolved spec and memory-only compile result of this process (tests, and
 * re-reading DG_JIT_* for specs already seen). Functions handed out stay usable: their modules are not unloaded.
 */
export function clearMemoryCache(): void {
  for (const perDevice of loaded.values()) for (const entry of perDevice.values()) retired.push(entry.module);
  loaded.clear();
  plans = new WeakMap();
  clearCompileMemory();
}
