// DeepGEMM's scale-factor layout utilities on tensors (cpu or cuda). The kernels read per-token scales with TMA boxes
// {BLOCK_MN, 1}: each K block's scales must be a contiguous, 16-byte aligned run over MN ("MN-major, TMA-aligned":
// strides [1, align(mn, 4)], and [align(mn, 4) * sfK, 1, align(mn, 4)] per group).

import { getTmaAlignedSize, toMnMajorTmaAligned as hostToMnMajorTmaAligned } from '@dg/quant';
import { toMnMajorTmaAligned as deviceToMnMajorTmaAligned } from '@dg/quant/device';
import { type Stream, Tensor } from '@dg/runtime';
import { expectDtype, expectSizes, tensorArg } from './checks.js';
import { describeValue, shapeText } from './describe.js';
import { DgArgumentError, DgShapeError, DgUnsupportedError } from './errors.js';

export interface LayoutOptions {
  /** CUDA tensors: the stream the transposing kernel runs on (default: the device's default stream). */
  readonly stream?: Stream;
}

export interface TransformSfOptions extends LayoutOptions {
  /** Grouped scales [numGroups, mn', k']; omitted: 2-D scales [mn', k']. */
  readonly numGroups?: number;
}

/** [groups, mn, sfK] of 2-D or 3-D scales. */
function scaleDims(fn: string, sf: Tensor): [number, number, number] {
  const [x = 0, y = 0, z = 0] = sf.shape;
  if (sf.shape.length === 2) return [1, x, y];
  if (sf.shape.length === 3) return [x, y, z];
  throw new DgShapeError(fn, 'sf', '2-D [mn, sfK] or 3-D [groups, mn, sfK]', `shape ${shapeText(sf.shape)}`);
}

function isMnMajorTmaAligned(sf: Tensor, mn: number, sfK: number): boolean {
  const aligned = getTmaAlignedSize(mn, 4);
  const [s0, s1, s2] = sf.strides;
  return sf.shape.length === 2 ? s0 === 1 && s1 === aligned : s0 === aligned * sfK && s1 === 1 && s2 === aligned;
}

function mnMajorTmaAligned(fn: string, sfArg: unknown, opts: LayoutOptions): Tensor<'f32'> {
  const sf = expectDtype(fn, 'sf', tensorArg(fn, 'sf', sfArg), ['f32']);
  const [groups, mn, sfK] = scaleDims(fn, sf);
  if (isMnMajorTmaAligned(sf, mn, sfK)) return sf;
  if (sf.isCuda) {
    const rowMajor = sf.isContiguous() ? sf : sf.contiguous();
    const out = deviceToMnMajorTmaAligned(rowMajor, { stream: opts.stream }) as Tensor<'f32'>;
    // cuMemFree synchronizes the device before it releases the memory: the kernel above has read it by then.
    if (rowMajor !== sf) rowMajor.dispose();
    return out;
  }
  // toArray gathers any strides into row-major order.
  const host = hostToMnMajorTmaAligned(sf.toArray(), mn, sfK, groups);
  const out = Tensor.emptyStrided(host.shape, host.strides, 'f32', 'cpu', { storageElements: host.data.length });
  const storage = out.storage;
  if (storage.kind === 'host' && storage.data instanceof Float32Array) storage.data.set(host.data);
  return out;
}

/**
 * `sf` (f32 [mn, sfK] or [groups, mn, sfK], any strides) in the MN-major TMA-aligned layout: `sf` itself when it
 * already is, else a new tensor on the same device (asynchronous on `opts.stream` for CUDA tensors).
 */
export function getMnMajorTmaAlignedTensor(sf: Tensor, opts: LayoutOptions = {}): Tensor<'f32'> {
  return mnMajorTmaAligned('getMnMajorTmaAlignedTensor', sf, opts);
}

function isKMajorTmaAligned(sf: Tensor, mn: number, sfK: number): boolean {
  const aligned = getTmaAlignedSize(sfK, 4);
  const [s0, s1, s2] = sf.strides;
  return sf.shape.length === 2 ? s0 === aligned && s1 === 1 : s0 === aligned * mn && s1 === aligned && s2 === 1;
}

/**
 * The K-major counterpart, the layout the 1D2D kernel's TMA reads per-block B scales in: each row of sfK floats
 * contiguous and starting 16-byte aligned (strides [align(sfK, 4), 1], grouped [mn * align(sfK, 4), align(sfK, 4),
 * 1]). It is the MN-major TMA-aligned layout of the transposed scales. On the host that is one transposing copy; on
 * a device, two passes of the transposing kernel: [g, mn, sfK] -> [g][sfK][align(mn, 4)], then that buffer read as
 * row-major [g, sfK, align(mn, 4)] -> [g][align(mn, 4)][align(sfK, 4)], of which the first mn rows are the result.
 */
function kMajorTmaAligned(fn: string, sfArg: unknown, opts: LayoutOptions): Tensor<'f32'> {
  const sf = expectDtype(fn, 'sf', tensorArg(fn, 'sf', sfArg), ['f32']);
  const [groups, mn, sfK] = scaleDims(fn, sf);
  if (isKMajorTmaAligned(sf, mn, sfK)) return sf;
  const [mnDim, kDim] = sf.shape.length === 2 ? [0, 1] : [1, 2];
  if (!sf.isCuda) return mnMajorTmaAligned(fn, sf.transpose(mnDim, kDim), opts).transpose(mnDim, kDim);
  const alignedMn = getTmaAlignedSize(mn, 4);
  const alignedK = getTmaAlignedSize(sfK, 4);
  const device = sf.device;
  const first = mnMajorTmaAligned(fn, sf, opts);
  const firstRowMajor = Tensor.fromDevicePointer(first.dataPtr, [groups, sfK, alignedMn], 'f32', {
    device,
    owner: first,
  });
  const second = deviceToMnMajorTmaAligned(firstRowMajor, { stream: opts.stream });
  // cuMemFree synchronizes the device before it releases the memory: the second pass has read it by then.
  if (first !== sf) first.dispose();
  const strides = sf.shape.length === 2 ? [alignedK, 1] : [alignedMn * alignedK, alignedK, 1];
  return Tensor.fromDevicePointer(second.dataPtr, sf.shape, 'f32', { strides, device, owner: second });
}

/**
 * `sf` (f32 [mn, sfK] or [groups, mn, sfK], any strides) in the K-major TMA-aligned layout: `sf` itself when it
 * already is, else a new tensor on the same device (asynchronous on `opts.stream` for CUDA tensors). The copy is a
 * view of padded storage (the layout has no owning tensor of its own shape): its dispose() retires the view, and
 * the memory is released once no tensor refers to it. On a device the copy frees an intermediate buffer, which
 * synchronizes the device: prepare B scales once, not per call.
 */
export function getKMajorTmaAlignedTensor(sf: Tensor, opts: LayoutOptions = {}): Tensor<'f32'> {
  return kMajorTmaAligned('getKMajorTmaAlignedTensor', sf, opts);
}

function sizeArg(fn: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) {
    throw new DgArgumentError(fn, name, 'a non-negative integer', describeValue(v));
  }
  return v;
}

function recipeArg(fn: string, v: unknown): [number, number] {
  const ok =
    Array.isArray(v) && v.length === 2 && v.every((g) => typeof g === 'number' && Number.isInteger(g) && g > 0);
  if (!ok) throw new DgArgumentError(fn, 'recipe', '[gran_mn, gran_k], two positive integers', describeValue(v));
  return [v[0], v[1]];
}

/**
 * The scale factors of one GEMM operand in the layout the SM90 kernels read, as DeepGEMM's
 * transform_sf_into_required_layout: `sf` must be f32 [ceil(mn/gran_mn), ceil(k/gran_k)] (or with a leading
 * `opts.numGroups` dim). Recipe [1, 128] (per token): the MN-major TMA-aligned layout, no copy when already in it.
 * Recipe [128, 128] (per block): the K-major TMA-aligned layout (getKMajorTmaAlignedTensor), no copy when already
 * in it. fp8GemmNt accepts per-block scales at any strides but converts them into this layout on every call otherwise.
 */
export function transformSfIntoRequiredLayout(
  sf: Tensor,
  mn: number,
  k: number,
  recipe: readonly [number, number],
  opts: TransformSfOptions = {},
): Tensor<'f32'> {
  const fn = 'transformSfIntoRequiredLayout';
  const t = expectDtype(fn, 'sf', tensorArg(fn, 'sf', sf), ['f32']);
  const mnSize = sizeArg(fn, 'mn', mn);
  const kSize = sizeArg(fn, 'k', k);
  const [granMn, granK] = recipeArg(fn, recipe);
  const groups = opts.numGroups === undefined ? undefined : sizeArg(fn, 'opts.numGroups', opts.numGroups);
  const expected = [Math.ceil(mnSize / granMn), Math.ceil(kSize / granK)];
  if (groups !== undefined) expected.unshift(groups);
  const dims =
    groups === undefined ? '[ceil(mn/gran_mn), ceil(k/gran_k)]' : '[numGroups, ceil(mn/gran_mn), ceil(k/gran_k)]';
  expectSizes(fn, 'sf', t, expected, dims);
  if (granMn === 1 && granK === 128) return mnMajorTmaAligned(fn, t, opts);
  if (granMn === 128 && granK === 128) return kMajorTmaAligned(fn, t, opts);
  throw new DgUnsupportedError(fn, 'recipe', '[1, 128] or [128, 128] (the SM90 FP32 scale recipes)', shapeText(recipe));
}
