// The scales in layouts the kernels' TMA can read. A (and 1D1D's B) per-token scales: MN-major, each K-block column
// a 16-byte aligned run of MN floats. 1D2D's per-block B scales: K-major, each row a 16-byte aligned run of K blocks.
//
// Scales in another layout are converted on the device on every call. The common cases (row-major scales, as the
// casts return them; unpadded MN-major B scales) are converted into a scratch buffer kept per (stream, operand), so a
// call allocates nothing, frees nothing (cuMemFree synchronizes the device) and, because the converted tensor is the
// same object from call to call, still finds its launch plan. Reuse is safe because every use of a scratch is ordered
// on its stream: the next conversion into it runs after the kernel that read the last one. That holds for eager calls
// only, so no conversion is queued while the stream is captured into a CUDA graph (checkScalesCapturable): a graph
// would keep the scratch's address and replay it unordered with later eager calls, possibly after it was freed.

import { toMnMajorTmaAligned as deviceToMnMajorTmaAligned } from '@dg/quant/device';
import { isCapturing, Stream, Tensor } from '@dg/runtime';
import { DgUnsupportedError } from '../errors.js';
import { getKMajorTmaAlignedTensor, getMnMajorTmaAlignedTensor } from '../layout.js';

/** Whose scales a scratch holds: the two conversions of one call must not share a buffer. */
export type ScaleOperand = 'a' | 'b';

/** Alignment in floats of the second region of a two-pass conversion: 128 bytes (TMA needs 16). */
const REGION_ALIGN = 32;
/** Views kept per scratch: one per (shape, strides, offset) seen, dropped all at once past this many. */
const MAX_VIEWS = 64;

const align = (x: number, a: number) => Math.ceil(x / a) * a;

/**
 * One stream's and operand's scratch: a device buffer that only grows, and the views handed out over it. Buffers it
 * outgrew stay alive with it (freeing one would synchronize the device); all of them go when the Stream object does.
 */
class ScaleScratch {
  readonly #device: number;
  readonly #buffers: Tensor<'f32'>[] = [];
  readonly #views = new Map<string, Tensor<'f32'>>();

  constructor(device: number) {
    this.#device = device;
  }

  /** A view of `shape` / `strides` at float `offset` of a buffer of at least `floats` floats. */
  view(shape: readonly number[], strides: readonly number[], offset: number, floats: number): Tensor<'f32'> {
    let buffer = this.#buffers.at(-1);
    if (buffer === undefined || buffer.numel < floats) {
      buffer = Tensor.empty([Math.max(floats, 2 * (buffer?.numel ?? 0))], 'f32', `cuda:${this.#device}`);
      this.#buffers.push(buffer);
      this.#views.clear();
    }
    const key = `${shape.join(',')}|${strides.join(',')}|${offset}`;
    let v = this.#views.get(key);
    if (v === undefined) {
      if (this.#views.size >= MAX_VIEWS) this.#views.clear();
      v = Tensor.fromDevicePointer(buffer.dataPtr + BigInt(offset * 4), shape, 'f32', {
        strides,
        device: `cuda:${this.#device}`,
        owner: buffer,
        byteLength: (buffer.numel - offset) * 4,
      });
      this.#views.set(key, v);
    }
    return v;
  }
}

const scratches = new WeakMap<Stream, Map<ScaleOperand, ScaleScratch>>();

function scratchFor(sf: Tensor, stream: Stream | undefined, operand: ScaleOperand): ScaleScratch {
  const storage = sf.storage;
  const device = storage.kind === 'device' ? storage.device : 0; // callers pass CUDA tensors only
  const key = stream ?? Stream.default(device);
  let byOperand = scratches.get(key);
  if (byOperand === undefined) {
    byOperand = new Map();
    scratches.set(key, byOperand);
  }
  let scratch = byOperand.get(operand);
  if (scratch === undefined) {
    scratch = new ScaleScratch(device);
    byOperand.set(operand, scratch);
  }
  return scratch;
}

/**
 * True when TMA can read an [outer, inner] run layout as is: unit stride along `inner` (or a single element) and an
 * outer stride that keeps each run 16-byte aligned (>= inner, a multiple of 4 floats). Looser than the exact
 * align(inner, 4) of the layout helpers, so padded layouts made elsewhere need no copy.
 */
function tmaReadable(
  inner: number,
  outer: number,
  innerStride: number | undefined,
  outerStride: number | undefined,
): boolean {
  return (
    (innerStride === 1 || inner === 1) &&
    (outerStride === undefined || outer === 1 || (outerStride >= inner && outerStride % 4 === 0))
  );
}

/** The outer stride in elements of such a layout (the tensor map's stride); aligned when there is one run only. */
function runStride(inner: number, outer: number, outerStride: number | undefined): number {
  return outer <= 1 ? Math.ceil(inner / 4) * 4 : (outerStride ?? 0);
}

/** Whether TMA reads `sf` ([mn, sfk]) MN-major in place. */
function mnMajorReadable(sf: Tensor): boolean {
  const [mn = 0, sfk = 0] = sf.shape;
  return tmaReadable(mn, sfk, sf.strides[0], sf.strides[1]);
}

/** Whether TMA reads `sf` ([rows, sfk]) K-major in place. */
function kMajorReadable(sf: Tensor): boolean {
  const [rows = 0, sfk = 0] = sf.shape;
  return tmaReadable(sfk, rows, sf.strides[1], sf.strides[0]);
}

/**
 * Throws DgUnsupportedError, before anything is queued, when `stream` is being captured into a CUDA graph and one of
 * `scales` (argument name, tensor, the layout its kernel reads: 'mn' or 'k' major) would need a conversion.
 */
export function checkScalesCapturable(
  fn: string,
  stream: Stream | undefined,
  scales: readonly (readonly [string, Tensor, 'mn' | 'k'])[],
): void {
  if (stream === undefined || !isCapturing(stream)) return;
  for (const [name, sf, major] of scales) {
    if (major === 'mn' ? mnMajorReadable(sf) : kMajorReadable(sf)) continue;
    const layout =
      major === 'mn'
        ? 'MN-major TMA-aligned (strides [1, s], s a multiple of 4 and >= rows: transformSfIntoRequiredLayout(sf, mn, k, [1, 128]))'
        : 'K-major TMA-aligned (strides [s, 1], s a multiple of 4: transformSfIntoRequiredLayout(sf, n, k, [128, 128]))';
    throw new DgUnsupportedError(
      fn,
      name,
      `scales the kernel reads in place while its stream is captured into a CUDA graph: ${layout}`,
      `strides [${sf.strides.join(', ')}] for shape [${sf.shape.join(', ')}]`,
    );
  }
}

/**
 * `sf` ([mn, sfk] f32) itself when a TMA box {BLOCK_M, 1} can read it MN-major (each K-block column a run of mn
 * floats), else the MN-major TMA-aligned copy made on the device, asynchronously on `stream`: in the `operand`
 * scratch of the stream when `sf` is row-major, else in a new allocation. Never called on a capturing stream for
 * scales that need a copy (checkScalesCapturable runs first).
 */
export function mnMajorTmaAlignedScales(
  sf: Tensor<'f32'>,
  stream: Stream | undefined,
  operand: ScaleOperand,
): Tensor<'f32'> {
  const [mn = 0, sfk = 0] = sf.shape;
  if (mnMajorReadable(sf)) return sf;
  // The layout kernel reads row-major contiguous scales (what the casts return); other strides take a new copy.
  if (!sf.isCuda || sf.shape.length !== 2 || !sf.isContiguous()) return getMnMajorTmaAlignedTensor(sf, { stream });
  const alignedMn = align(mn, 4);
  const out = scratchFor(sf, stream, operand).view([mn, sfk], [1, alignedMn], 0, sfk * alignedMn);
  return deviceToMnMajorTmaAligned(sf, { stream, out }) as Tensor<'f32'>;
}

/** Column stride in elements of an MN-major [mn, sfk] scale tensor (the tensor map's outer stride). */
export function mnMajorColumnStride(sf: Tensor): number {
  const [mn = 0, sfk = 0] = sf.shape;
  return runStride(mn, sfk, sf.strides[1]);
}

/**
 * `sf` ([rows, sfk] f32) itself when TMA boxes {4, rows} can read it K-major (each row a run of sfk floats), else
 * the K-major TMA-aligned copy made on the device, asynchronously on `stream`, in the `operand` scratch of the stream
 * when `sf` is MN-major (one transposing pass of its transpose) or row-major with sfk not a multiple of 4 (two
 * passes, through an MN-major intermediate in the same scratch), else in a new allocation.
 */
export function kMajorTmaAlignedScales(
  sf: Tensor<'f32'>,
  stream: Stream | undefined,
  operand: ScaleOperand,
): Tensor<'f32'> {
  const [rows = 0, sfk = 0] = sf.shape;
  if (kMajorReadable(sf)) return sf;
  if (!sf.isCuda || sf.shape.length !== 2) return getKMajorTmaAlignedTensor(sf, { stream });
  const scratch = scratchFor(sf, stream, operand);
  const alignedK = align(sfk, 4);
  const transposed = sf.transpose(0, 1);
  if (transposed.isContiguous()) {
    // The MN-major TMA-aligned layout of sfᵀ ([sfk, rows]) is the K-major one of sf.
    const floats = rows * alignedK;
    const outT = scratch.view([sfk, rows], [1, alignedK], 0, floats);
    deviceToMnMajorTmaAligned(transposed, { stream, out: outT });
    return scratch.view([rows, sfk], [alignedK, 1], 0, floats);
  }
  if (!sf.isContiguous()) return getKMajorTmaAlignedTensor(sf, { stream });
  // Pass 1: sf -> [sfk][align(rows, 4)] (MN-major); pass 2: that, read as row-major [sfk, align(rows, 4)] ->
  // [align(rows, 4)][align(sfk, 4)], whose first `rows` rows are the result.
  const alignedRows = align(rows, 4);
  const second = align(sfk * alignedRows, REGION_ALIGN);
  const floats = second + alignedRows * alignedK;
  const first = scratch.view([rows, sfk], [1, alignedRows], 0, floats);
  deviceToMnMajorTmaAligned(sf, { stream, out: first });
  const firstRowMajor = scratch.view([sfk, alignedRows], [alignedRows, 1], 0, floats);
  const secondOut = scratch.view([sfk, alignedRows], [1, alignedK], second, floats);
  deviceToMnMajorTmaAligned(firstRowMajor, { stream, out: secondOut });
  return scratch.view([rows, sfk], [alignedK, 1], second, floats);
}

/** Row stride in elements of a K-major [rows, sfk] scale tensor (the tensor map's outer stride). */
export function kMajorRowStride(sf: Tensor): number {
  const [rows = 0, sfk = 0] = sf.shape;
  return runStride(sfk, rows, sf.strides[0]);
}
