// The WebAssembly SIMD version of the cast loops (wasm/cast.wat), instantiated synchronously on first use. Inputs
// are copied into the module's memory a batch of whole rows at a time, outputs copied back, so the JS heap arrays are
// never shared with the module. Where WebAssembly or its SIMD extension is missing, callers use the JS loops.

import { CAST_WASM_BASE64 } from './castModule.js';

// The few WebAssembly and base64 globals used, typed here: the package compiles without DOM or Node type libraries.
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmGlobals {
  WebAssembly?: {
    validate(bytes: Uint8Array): boolean;
    Module: new (bytes: Uint8Array) => object;
    Instance: new (module: object) => { readonly exports: unknown };
  };
  atob?: (data: string) => string;
}
const host = globalThis as WasmGlobals;

interface Exports {
  memory: WasmMemory;
  amaxBits(p: number, n: number): number;
  scaleEncodeE4m3(src: number, n: number, inv: number, dst: number): void;
}

export interface WasmCast {
  readonly exports: Exports;
  /** Byte address of the FP32 input batch and of the code output batch (valid until the next reserve). */
  src: number;
  dst: number;
  f32: Float32Array;
  u8: Uint8Array;
  /** Makes room for a batch of `elements` inputs and outputs (plus the slack the SIMD loops overrun into). */
  reserve(elements: number): void;
}

const PAGE = 65536;
let instance: WasmCast | null | undefined;
let forced: 'js' | 'wasm' | undefined;

function decodeBase64(s: string, atob: (data: string) => string): Uint8Array {
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

function instantiate(): WasmCast | null {
  const wasm = host.WebAssembly;
  if (wasm === undefined || host.atob === undefined) return null;
  const bytes = decodeBase64(CAST_WASM_BASE64, host.atob);
  if (!wasm.validate(bytes)) return null; // no SIMD in this engine
  const exports = new wasm.Instance(new wasm.Module(bytes)).exports as Exports;
  const state: WasmCast = {
    exports,
    src: 0,
    dst: 0,
    f32: new Float32Array(exports.memory.buffer),
    u8: new Uint8Array(exports.memory.buffer),
    reserve(elements: number) {
      const srcBytes = elements * 4 + 64;
      const need = srcBytes + elements + 16;
      const have = exports.memory.buffer.byteLength;
      if (need > have) exports.memory.grow(Math.ceil((need - have) / PAGE));
      if (this.f32.buffer !== exports.memory.buffer) {
        this.f32 = new Float32Array(exports.memory.buffer);
        this.u8 = new Uint8Array(exports.memory.buffer);
      }
      this.src = 0;
      this.dst = srcBytes;
    },
  };
  return state;
}

/** The SIMD loops, or null where this engine cannot run them (then the JS loops are used). */
export function wasmCast(): WasmCast | null {
  if (forced === 'js') return null;
  if (instance === undefined) instance = instantiate();
  if (forced === 'wasm' && instance === null) throw new Error('@dg/quant: WebAssembly SIMD is not available here');
  return instance;
}

/** For tests and benchmarks: pin the cast loops to one implementation (undefined: WebAssembly when available). */
export function forceCastBackend(backend: 'js' | 'wasm' | undefined): void {
  forced = backend;
}
