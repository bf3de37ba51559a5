// Fine-grained FP8 casts, bit for bit the reference recipe as PyTorch evaluates it in FP32:
//   amax  = max |x| over the group (zero padding never raises it; NaN propagates), clamped below at fl(1e-4)
//   sf    = fl(amax * fl(1/448))          PyTorch divides a tensor by a scalar through the scalar's FP32 reciprocal
//   sf    = ceilToUe8m0(sf)               only with `ue8m0`
//   inv   = fl(1 / sf)                    correctly rounded (the double quotient rounded to FP32 is: 53 >= 2*24 + 2)
//   data  = e4m3fn(fl(x * inv))           non-saturating conversion; the FP32 product is exact in double first
// The groups are 1 x g along K (per token), g x g tiles (per block) or g x 1 along K (per channel).

import { checkBoolean, checkDim, checkFloat32Array, checkGranularity } from './args.js';
import { amaxBits, scaleEncodeE4m3, scaleFromAmaxBits } from './castKernel.js';
import { type WasmCast, wasmCast } from './wasm/castWasm.js';

/** Input elements copied into the WebAssembly memory per batch (256 KiB), rounded to whole rows. */
const BATCH = 1 << 16;

export interface CastOptions {
  /** Group size along the grouped dimension(s); a positive multiple of 16. Default 128. */
  granularity?: number;
  /** Round every scale up to a power of two (UE8M0). Default false. */
  ue8m0?: boolean;
}

export interface Fp8Cast {
  /** e4m3fn codes, same shape and order as the input. */
  data: Uint8Array;
  /** FP32 scale factors, row-major; `x ≈ decode(data) * scale` group by group. */
  scale: Float32Array;
}

/** Validates a cast's matrix `x` ([rows, cols] named as in the signature) and its options. */
function readArgs(
  fn: string,
  x: unknown,
  [rowsName, rows]: [string, number],
  [colsName, cols]: [string, number],
  opts: CastOptions,
): { g: number; ue8m0: boolean } {
  checkDim(fn, rowsName, rows);
  checkDim(fn, colsName, cols);
  checkFloat32Array(fn, 'x', x, rows * cols, `${rowsName}*${colsName} (${rowsName}=${rows}, ${colsName}=${cols})`);
  return {
    g: checkGranularity(fn, opts.granularity ?? 128),
    ue8m0: checkBoolean(fn, 'opts.ue8m0', opts.ue8m0, false),
  };
}

/** The input's bit patterns and a one-element scratch (as float and as bits) for rounding products to FP32. */
function views(x: Float32Array): { bits: Int32Array; f32: Float32Array; i32: Int32Array } {
  const f32 = new Float32Array(1);
  return { bits: new Int32Array(x.buffer, x.byteOffset, x.length), f32, i32: new Int32Array(f32.buffer) };
}

/** Casts `x` ([m, k] row-major) to e4m3fn with one scale per token and K group: scale is [m, ceil(k / g)]. */
export function perTokenCastToFp8(x: Float32Array, m: number, k: number, opts: CastOptions = {}): Fp8Cast {
  const fn = 'perTokenCastToFp8';
  const { g, ue8m0 } = readArgs(fn, x, ['m', m], ['k', k], opts);
  const groups = Math.ceil(k / g);
  const data = new Uint8Array(m * k);
  const scale = new Float32Array(m * groups);
  const w = wasmCast();
  if (w !== null) {
    perTokenWasm(w, x, m, k, g, ue8m0, data, scale);
    return { data, scale };
  }
  const { bits, f32, i32 } = views(x);
  for (let row = 0; row < m; row++) {
    for (let grp = 0; grp < groups; grp++) {
      const start = row * k + grp * g;
      const len = Math.min(g, k - grp * g);
      const sf = scaleFromAmaxBits(amaxBits(bits, start, len), ue8m0);
      scaleEncodeE4m3(x, start, len, Math.fround(1 / sf), data, start, f32, i32);
      scale[row * groups + grp] = sf;
    }
  }
  return { data, scale };
}

/** Casts `x` ([m, k] row-major) with one scale per g x g tile: scale is [ceil(m / g), ceil(k / g)]. */
export function perBlockCastToFp8(x: Float32Array, m: number, k: number, opts: CastOptions = {}): Fp8Cast {
  const fn = 'perBlockCastToFp8';
  const { g, ue8m0 } = readArgs(fn, x, ['m', m], ['k', k], opts);
  const tileRows = Math.ceil(m / g);
  const tileCols = Math.ceil(k / g);
  const data = new Uint8Array(m * k);
  const scale = new Float32Array(tileRows * tileCols);
  const w = wasmCast();
  if (w !== null) {
    perBlockWasm(w, x, m, k, g, ue8m0, data, scale);
    return { data, scale };
  }
  const { bits, f32, i32 } = views(x);
  for (let tr = 0; tr < tileRows; tr++) {
    const r0 = tr * g;
    const r1 = Math.min(r0 + g, m);
    for (let tc = 0; tc < tileCols; tc++) {
      const c0 = tc * g;
      const len = Math.min(g, k - c0);
      let amax = 0;
      for (let r = r0; r < r1; r++) amax = amaxBits(bits, r * k + c0, len, amax);
      const sf = scaleFromAmaxBits(amax, ue8m0);
      const inv = Math.fround(1 / sf);
      for (let r = r0; r < r1; r++) scaleEncodeE4m3(x, r * k + c0, len, inv, data, r * k + c0, f32, i32);
      scale[tr * tileCols + tc] = sf;
    }
  }
  return { data, scale };
}

/**
 * Casts `x` ([k, n] row-major, k a multiple of g) with one scale per column and g consecutive rows:
 * scale is [k / g, n]. This is the per-channel recipe of weight-gradient operands.
 */
export function perChannelCastToFp8(x: Float32Array, k: number, n: number, opts: CastOptions = {}): Fp8Cast {
  const fn = 'perChannelCastToFp8';
  const { g, ue8m0 } = readArgs(fn, x, ['k', k], ['n', n], opts);
  if (k % g !== 0) {
    throw new RangeError(`${fn}: 'k' must be a multiple of the granularity ${g}; got ${k}`);
  }
  const groups = k / g;
  const data = new Uint8Array(k * n);
  const scale = new Float32Array(groups * n);
  const amax = new Int32Array(n);
  const inv = new Float64Array(n);
  const { bits, f32, i32 } = views(x);
  for (let grp = 0; grp < groups; grp++) {
    amax.fill(0);
    for (let r = grp * g; r < (grp + 1) * g; r++) {
      const base = r * n;
      for (let c = 0; c < n; c++) {
        const mag = bits[base + c]! & 0x7fffffff;
        if (mag > amax[c]!) amax[c] = mag;
      }
    }
    for (let c = 0; c < n; c++) {
      const sf = scaleFromAmaxBits(amax[c]!, ue8m0);
      scale[grp * n + c] = sf;
      inv[c] = Math.fround(1 / sf);
    }
    // Per-column scales: encode one element at a time with its column's reciprocal.
    for (let r = grp * g; r < (grp + 1) * g; r++) {
      const base = r * n;
      for (let c = 0; c < n; c++) scaleEncodeE4m3(x, base + c, 1, inv[c]!, data, base + c, f32, i32);
    }
  }
  return { data, scale };
}

// The WebAssembly drivers. The SIMD encoder writes whole 16-byte blocks, so each call may scribble up to 15 bytes past
// its group into the next one's output: groups are therefore encoded in increasing address order, and the batch has
// slack after it (see WasmCast.reserve).

function perTokenWasm(
  w: WasmCast,
  x: Float32Array,
  m: number,
  k: number,
  g: number,
  ue8m0: boolean,
  data: Uint8Array,
  scale: Float32Array,
): void {
  const groups = Math.ceil(k / g);
  const rowsPerBatch = Math.max(1, Math.floor(BATCH / Math.max(k, 1)));
  w.reserve(Math.min(m, rowsPerBatch) * k);
  const { amaxBits: amaxOf, scaleEncodeE4m3: encode } = w.exports;
  const { src, dst } = w;
  for (let r0 = 0; r0 < m; r0 += rowsPerBatch) {
    const r1 = Math.min(m, r0 + rowsPerBatch);
    w.f32.set(x.subarray(r0 * k, r1 * k), src >> 2);
    for (let row = r0; row < r1; row++) {
      const rowOffset = (row - r0) * k;
      for (let grp = 0; grp < groups; grp++) {
        const off = rowOffset + grp * g;
        const len = Math.min(g, k - grp * g);
        const sf = scaleFromAmaxBits(amaxOf(src + off * 4, len), ue8m0);
        encode(src + off * 4, len, Math.fround(1 / sf), dst + off);
        scale[row * groups + grp] = sf;
      }
    }
    data.set(w.u8.subarray(dst, dst + (r1 - r0) * k), r0 * k);
  }
}

function perBlockWasm(
  w: WasmCast,
  x: Float32Array,
  m: number,
  k: number,
  g: number,
  ue8m0: boolean,
  data: Uint8Array,
  scale: Float32Array,
): void {
  const tileCols = Math.ceil(k / g);
  const inv = new Float64Array(tileCols);
  w.reserve(Math.min(m, g) * k);
  const { amaxBits: amaxOf, scaleEncodeE4m3: encode } = w.exports;
  const { src, dst } = w;
  for (let r0 = 0; r0 < m; r0 += g) {
    const r1 = Math.min(m, r0 + g);
    w.f32.set(x.subarray(r0 * k, r1 * k), src >> 2); // a band of whole rows is contiguous
    for (let tc = 0; tc < tileCols; tc++) {
      const c0 = tc * g;
      const len = Math.min(g, k - c0);
      let amax = 0;
      for (let r = r0; r < r1; r++) amax = Math.max(amax, amaxOf(src + ((r - r0) * k + c0) * 4, len));
      const sf = scaleFromAmaxBits(amax, ue8m0);
      scale[(r0 / g) * tileCols + tc] = sf;
      inv[tc] = Math.fround(1 / sf);
    }
    for (let r = r0; r < r1; r++) {
      for (let tc = 0; tc < tileCols; tc++) {
        const off = (r - r0) * k + tc * g;
        encode(src + off * 4, Math.min(g, k - tc * g), inv[tc]!, dst + off);
      }
    }
    data.set(w.u8.subarray(dst, dst + (r1 - r0) * k), r0 * k);
  }
}
