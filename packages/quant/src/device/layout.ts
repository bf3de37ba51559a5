// Scale layouts on the device: row-major FP32 scales [mn, sfK] or [groups, mn, sfK] into the MN-major TMA-aligned
// layout (FP32, or UE8M0 packed four K-blocks to an int32), the same layouts as this package's CPU functions.

import { launch, ParamBuilder, type Stream, Tensor } from '@dg/runtime';
import { describeValue } from '../args.js';
import { deviceIndex } from './args.js';
import { load, sfLayoutKernel } from './kernels.js';

function checkScales(fn: string, sf: unknown): { t: Tensor<'f32'>; groups: number; mn: number; sfk: number } {
  if (!(sf instanceof Tensor)) throw new TypeError(`${fn}: 'sf' must be a Tensor; got ${describeValue(sf)}`);
  if (!sf.isCuda) throw new TypeError(`${fn}: 'sf' must be on a CUDA device; got device '${sf.device}'`);
  if (sf.dtype !== 'f32') throw new TypeError(`${fn}: 'sf' must have dtype f32; got ${sf.dtype}`);
  if (sf.shape.length !== 2 && sf.shape.length !== 3) {
    throw new RangeError(`${fn}: 'sf' must have rank 2 or 3; got shape [${sf.shape.join(', ')}]`);
  }
  if (!sf.isContiguous()) {
    throw new RangeError(`${fn}: 'sf' must be row-major contiguous; got strides [${sf.strides.join(', ')}]`);
  }
  const [groups, mn, sfk] =
    sf.shape.length === 3 ? (sf.shape as [number, number, number]) : [1, sf.shape[0]!, sf.shape[1]!];
  return { t: sf as Tensor<'f32'>, groups, mn, sfk };
}

/** Options of the layout functions: the stream to run on, and optionally the tensor to write into. */
export interface DeviceLayoutOptions {
  readonly stream?: Stream;
  /**
   * Written instead of a new allocation and returned: a tensor on the input's device with the result's dtype, shape
   * and strides, whose storage covers the padded layout from its first element (the kernel writes the padding rows
   * of every column, past the view's last element), disjoint from `sf`. Lets a caller convert into a buffer it
   * reuses.
   */
  readonly out?: Tensor;
}

/** Bytes of storage from `t`'s first element to the end of its storage (0 on the host). */
function storageBytesFrom(t: Tensor): number {
  const st = t.storage;
  return st.kind === 'device' ? st.byteLength - Number(t.dataPtr - st.ptr) : 0;
}

function checkOut(
  fn: string,
  out: unknown,
  sf: Tensor,
  dtype: 'f32' | 'i32',
  shape: readonly number[],
  strides: readonly number[],
  elements: number,
): Tensor {
  const what = `${fn}: 'opts.out'`;
  if (!(out instanceof Tensor)) throw new TypeError(`${what} must be a Tensor; got ${describeValue(out)}`);
  if (out.device !== sf.device) throw new TypeError(`${what} must be on ${sf.device} (as 'sf'); got ${out.device}`);
  if (out.dtype !== dtype) throw new TypeError(`${what} must have dtype ${dtype}; got ${out.dtype}`);
  const same = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((x, i) => x === b[i]);
  if (!same(out.shape, shape) || !same(out.strides, strides)) {
    throw new RangeError(
      `${what} must have shape [${shape.join(', ')}] and strides [${strides.join(', ')}]; got shape ` +
        `[${out.shape.join(', ')}] and strides [${out.strides.join(', ')}]`,
    );
  }
  const bytes = elements * 4;
  if (storageBytesFrom(out) < bytes) {
    throw new RangeError(
      `${what} must have ${bytes} bytes of storage from its first element (the padded layout); got ${storageBytesFrom(out)}`,
    );
  }
  // The kernel reads 'sf' and writes 'out' from different CTAs: an overlap would corrupt the result silently.
  const outStart = out.dataPtr;
  const sfStart = sf.dataPtr;
  if (outStart < sfStart + BigInt(sf.numel * 4) && sfStart < outStart + BigInt(bytes)) {
    throw new RangeError(
      `${what} must not overlap 'sf'; got bytes [0x${outStart.toString(16)}, +${bytes}) over 'sf' at ` +
        `[0x${sfStart.toString(16)}, +${sf.numel * 4})`,
    );
  }
  return out;
}

function transform(fn: string, sf: unknown, packed: boolean, opts: DeviceLayoutOptions): Tensor {
  const { t, groups, mn, sfk } = checkScales(fn, sf);
  const alignedMn = Math.ceil(mn / 4) * 4;
  const cols = packed ? Math.ceil(sfk / 4) : sfk;
  const dtype = packed ? 'i32' : 'f32';
  const [shape, strides] =
    t.shape.length === 3
      ? [
          [groups, mn, cols],
          [cols * alignedMn, 1, alignedMn],
        ]
      : [
          [mn, cols],
          [1, alignedMn],
        ];
  // The kernel writes every padding row of every column: the storage covers groups * cols * align(mn, 4) elements.
  const elements = groups * cols * alignedMn;
  const out =
    opts.out === undefined
      ? Tensor.emptyStrided(shape, strides, dtype, t.device, { storageElements: elements })
      : checkOut(fn, opts.out, t, dtype, shape, strides, elements);
  if (groups * mn * sfk === 0) return out;
  const p = sfLayoutKernel({ kind: packed ? 'packUe8m0' : 'transposeFp32' });
  const grid = p.rendered.gridFor({ mn, sfk, groups });
  const params = new ParamBuilder().ptr(t.dataPtr).ptr(out.dataPtr).u32(mn).u32(sfk).bytes();
  launch(load(p, deviceIndex(t)), { grid, block: p.rendered.blockDim, stream: opts.stream }, params);
  return out;
}

/** FP32 scales into the MN-major TMA-aligned layout: shape unchanged, strides (1, align(mn, 4)) per group. */
export function toMnMajorTmaAligned(sf: Tensor, opts: DeviceLayoutOptions = {}): Tensor {
  return transform('toMnMajorTmaAligned', sf, false, opts);
}

/** Power-of-two FP32 scales into packed UE8M0 int32 words, MN-major TMA-aligned: shape [.., mn, ceil(sfK/4)]. */
export function toMnMajorTmaAlignedPackedUe8m0(sf: Tensor, opts: DeviceLayoutOptions = {}): Tensor {
  return transform('toMnMajorTmaAlignedPackedUe8m0', sf, true, opts);
}
