// Modules loaded from in-memory images and the kernel functions they hold.
import { describe, expectInt, expectString } from './args.js';
import { driver, resolveDevice } from './device.js';
import { kNative, trackForRelease, untrack } from './handles.js';
import type { FunctionHandle, ModuleHandle } from './native.js';

const kCreate = Symbol('Module.create');

export interface KernelAttributes {
  numRegs: number;
  localSizeBytes: number;
  sharedSizeBytes: number;
  maxThreadsPerBlock: number;
  constSizeBytes: number;
}

export class Module implements Disposable {
  readonly device: number;
  /** @internal */
  readonly [kNative]: ModuleHandle;
  readonly #functions = new Map<string, KernelFunction>();
  #disposed = false;

  /** @internal use loadModule() */
  constructor(token: typeof kCreate, handle: ModuleHandle, device: number) {
    if (token !== kCreate) throw new TypeError('Module: use loadModule()');
    this[kNative] = handle;
    this.device = device;
  }

  get disposed(): boolean {
    return this.#disposed;
  }

  /** The kernel called `name`: the mangled (lowered) name unless the kernel is `extern "C"`. */
  getFunction(name: string): KernelFunction {
    expectString('name', name);
    if (name.length === 0) throw new RangeError('name must be a non-empty kernel name, got ""');
    if (this.#disposed) throw new Error('getFunction: the module has been disposed');
    let fn = this.#functions.get(name);
    if (fn === undefined) {
      fn = new KernelFunction(kCreate, driver().moduleGetFunction(this[kNative], name), name, this);
      this.#functions.set(name, fn);
    }
    return fn;
  }

  /** Unloads the module; its functions can no longer be launched. */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    untrack(this);
    this.#functions.clear();
    driver().moduleUnload(this[kNative]);
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}

export class KernelFunction {
  readonly name: string;
  readonly device: number;
  /** The module it lives in: held so that the module is not collected while the function is in use. */
  readonly module: Module;
  /** @internal */
  readonly [kNative]: FunctionHandle;

  /** @internal use Module.getFunction() */
  constructor(token: typeof kCreate, handle: FunctionHandle, name: string, module: Module) {
    if (token !== kCreate) throw new TypeError('KernelFunction: use Module.getFunction()');
    this[kNative] = handle;
    this.name = name;
    this.module = module;
    this.device = module.device;
  }

  /** Allows launches with up to `bytes` of dynamic shared memory (above the 48 KiB default). */
  setMaxDynamicSharedMemory(bytes: number): void {
    expectInt('bytes', bytes, 0, 2 ** 31 - 1);
    this.#checkLive();
    driver().funcSetMaxDynamicSharedMemory(this[kNative], bytes);
  }

  attributes(): KernelAttributes {
    this.#checkLive();
    return driver().funcAttributes(this[kNative]);
  }

  #checkLive(): void {
    if (this.module.disposed) throw new Error(`kernel ${this.name}: its module has been disposed`);
  }
}

/** Loads a cubin (or PTX / fatbin) image from memory into the primary context of `device`. */
export function loadModule(image: Uint8Array, device?: number): Module {
  if (!(image instanceof Uint8Array)) throw new TypeError(`image must be a Uint8Array, got ${describe(image)}`);
  if (image.byteLength === 0) throw new RangeError('image must not be empty, got 0 bytes');
  const d = resolveDevice(device);
  const b = driver();
  const handle = b.moduleLoad(d, image);
  const m = new Module(kCreate, handle, d);
  trackForRelease(m, () => b.moduleUnload(handle), m);
  return m;
}
