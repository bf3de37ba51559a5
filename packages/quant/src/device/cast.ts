// FP8 casts of device tensors: the kernels of @dg/kernels (quant_cast.cuh), bit-identical to this package's CPU
// casts on the same FP32 values (a BF16 input is exactly its FP32 widening).

import { type QuantCastConfig, quantCastScaleShape } from '@dg/kernels';
import { type DType, launch, ParamBuilder, type Stream, Tensor } from '@dg/runtime';
import { checkBoolean, checkGranularity, describeValue } from '../args.js';
import { checkCudaTensor, deviceIndex } from './args.js';
import { load, quantCastKernel, smCount } from './kernels.js';

export interface DeviceCastOptions {
  /** Group size along K (per token only); default 128. */
  granularity?: number;
  /** Round every scale up to a power of two (UE8M0). Default false. */
  ue8m0?: boolean;
  /** Per token only: write the scales row-major [m, ceil(k/g)] (default) or MN-major TMA-aligned, as the GEMMs read. */
  scaleLayout?: 'rowMajor' | 'mnMajorTmaAligned';
  /** Stream to run on; default: the device's default stream. */
  stream?: Stream;
  /** Write into these tensors instead of allocating (no allocation on the call path; graph-capturable). */
  out?: DeviceFp8Cast;
}

export interface DeviceFp8Cast {
  /** e4m3fn [m, k]. */
  data: Tensor<'e4m3fn'>;
  /** FP32 scales (see `scaleLayout`). */
  scale: Tensor<'f32'>;
}

function scaleLayoutOf(fn: string, v: unknown): 'rowMajor' | 'mnMajorTmaAligned' {
  if (v === undefined || v === 'rowMajor' || v === 'mnMajorTmaAligned') return v ?? 'rowMajor';
  throw new TypeError(`${fn}: 'opts.scaleLayout' must be 'rowMajor' or 'mnMajorTmaAligned'; got ${describeValue(v)}`);
}

function checkOut(fn: string, out: unknown, want: { data: Layout; scale: Layout }, device: string): DeviceFp8Cast {
  if (typeof out !== 'object' || out === null) {
    throw new TypeError(`${fn}: 'opts.out' must be { data, scale } tensors; got ${describeValue(out)}`);
  }
  const { data, scale } = out as Partial<DeviceFp8Cast>;
  for (const [name, got, expected] of [
    ['opts.out.data', data, want.data],
    ['opts.out.scale', scale, want.scale],
  ] as const) {
    if (!(got instanceof Tensor)) throw new TypeError(`${fn}: '${name}' must be a Tensor; got ${describeValue(got)}`);
    const same =
      got.dtype === expected.dtype &&
      got.device === device &&
      got.shape.join() === expected.shape.join() &&
      got.strides.join() === expected.strides.join();
    if (!same) {
      throw new RangeError(
        `${fn}: '${name}' must be ${expected.dtype} [${expected.shape.join(', ')}] strides [${expected.strides.join(', ')}] on ${device}; ` +
          `got ${got.dtype} [${got.shape.join(', ')}] strides [${got.strides.join(', ')}] on ${got.device}`,
      );
    }
  }
  return out as DeviceFp8Cast;
}

function run(fn: string, x: unknown, c: QuantCastConfig, opts: DeviceCastOptions): DeviceFp8Cast {
  const t = checkCudaTensor(fn, 'x', x, ['bf16', 'f32'], 2);
  const [m, k] = t.shape as [number, number];
  if (k % 16 !== 0) {
    throw new RangeError(`${fn}: 'x' must have K (shape[1]) a multiple of 16 (16-byte FP8 rows); got ${k}`);
  }
  if (m === 0 || k === 0)
    return { data: Tensor.empty([m, k], 'e4m3fn', t.device), scale: emptyScale(c, m, k, t.device) };
  const device = deviceIndex(t);
  const p = quantCastKernel(c);
  const grid = p.rendered.gridFor({ m, k, numSms: smCount(device) });
  const outputs = opts.out === undefined ? undefined : checkOut(fn, opts.out, expectedOut(c, m, k), t.device);
  const kernel = load(p, device); // compiles on first use: before any allocation, so a failure leaks nothing
  const { data, scale } = outputs ?? {
    data: Tensor.empty([m, k], 'e4m3fn', t.device),
    scale: emptyScale(c, m, k, t.device),
  };
  const params = new ParamBuilder().ptr(t.dataPtr).ptr(data.dataPtr).ptr(scale.dataPtr).u32(m).u32(k).bytes();
  launch(kernel, { grid, block: p.rendered.blockDim, stream: opts.stream }, params);
  return { data, scale };
}

interface Layout {
  readonly dtype: DType;
  readonly shape: readonly number[];
  readonly strides: readonly number[];
}

/** Dtypes, shapes and strides of the outputs (descriptions only, nothing allocated). */
function expectedOut(c: QuantCastConfig, m: number, k: number): { data: Layout; scale: Layout } {
  return {
    data: { dtype: 'e4m3fn', shape: [m, k], strides: [k, 1] },
    scale: { dtype: 'f32', ...quantCastScaleShape(c, m, k) },
  };
}

function emptyScale(c: QuantCastConfig, m: number, k: number, device: Tensor['device']): Tensor<'f32'> {
  const { shape, strides } = quantCastScaleShape(c, m, k);
  // MN-major: every K-block column, the last one included, is padded to align(m, 4) rows, which the kernel writes.
  const storageElements = c.scaleLayout === 'mnMajorTmaAligned' ? (shape[1] ?? 0) * (strides[1] ?? 0) : 0;
  return Tensor.emptyStrided(shape, strides, 'f32', device, { storageElements });
}

/** Per-token (1 x g along K) FP8 cast of a CUDA bf16/f32 [m, k] tensor; asynchronous on `opts.stream`. */
export function perTokenCastToFp8(x: Tensor, opts: DeviceCastOptions = {}): DeviceFp8Cast {
  const fn = 'perTokenCastToFp8';
  const config: QuantCastConfig = {
    kind: 'perToken',
    input: x instanceof Tensor && x.dtype === 'f32' ? 'f32' : 'bf16',
    granularity: checkGranularity(fn, opts.granularity ?? 128),
    ue8m0: checkBoolean(fn, 'opts.ue8m0', opts.ue8m0, false),
    scaleLayout: scaleLayoutOf(fn, opts.scaleLayout),
  };
  return run(fn, x, config, opts);
}

/** Per-block (128 x 128) FP8 cast of a CUDA bf16/f32 [m, k] tensor; scale [ceil(m/128), ceil(k/128)]. */
export function perBlockCastToFp8(
  x: Tensor,
  opts: Omit<DeviceCastOptions, 'granularity' | 'scaleLayout'> = {},
): DeviceFp8Cast {
  const fn = 'perBlockCastToFp8';
  const config: QuantCastConfig = {
    kind: 'perBlock',
    input: x instanceof Tensor && x.dtype === 'f32' ? 'f32' : 'bf16',
    granularity: 128,
    ue8m0: checkBoolean(fn, 'opts.ue8m0', opts.ue8m0, false),
    scaleLayout: 'rowMajor',
  };
  return run(fn, x, config, opts);
}
