// Scale-factor layouts the GEMM kernels read with TMA. A TMA box {BLOCK_MN, 1} fetches one K-block's scales for a
// run of rows, so each K-block column must be a contiguous, 16-byte aligned run over MN: the "MN-major, TMA-aligned"
// layout. Per group g, K-block j, row i lives at g*(alignedMn*sfK) + j*alignedMn + i, alignedMn = align(mn, 4).
// Padding rows are zero.

import { checkDim, describeValue } from './args.js';

/** An MN-major, TMA-aligned scale tensor: logical shape [mn, sfK] (or [groups, mn, sfK]) with element strides. */
export interface MnMajorScales<T extends Float32Array | Int32Array = Float32Array> {
  data: T;
  shape: number[];
  strides: number[];
  /** mn rounded up so each column starts 16-byte aligned. */
  alignedMn: number;
}

/** Rounds `x` elements up so that they span a multiple of 16 bytes (TMA's global-stride rule). */
export function getTmaAlignedSize(x: number, elementSize: number): number {
  const fn = 'getTmaAlignedSize';
  checkDim(fn, 'x', x);
  if (![1, 2, 4, 8, 16].includes(elementSize)) {
    throw new RangeError(`${fn}: 'elementSize' must be 1, 2, 4, 8 or 16 bytes; got ${describeValue(elementSize)}`);
  }
  const per16 = 16 / elementSize;
  return Math.ceil(x / per16) * per16;
}

function checkLayoutArgs(fn: string, data: unknown, ctor: 'Float32Array' | 'Int32Array', length: number, how: string) {
  const ok = ctor === 'Float32Array' ? data instanceof Float32Array : data instanceof Int32Array;
  if (!ok) throw new TypeError(`${fn}: 'sf' must be a ${ctor}; got ${describeValue(data)}`);
  const actual = (data as Float32Array | Int32Array).length;
  if (actual !== length) throw new RangeError(`${fn}: 'sf' must have length ${how} = ${length}; got length ${actual}`);
}

function dims(fn: string, mn: number, sfK: number, groups: number): void {
  checkDim(fn, 'mn', mn);
  checkDim(fn, 'sfK', sfK);
  checkDim(fn, 'groups', groups);
  if (groups === 0) throw new RangeError(`${fn}: 'groups' must be at least 1; got 0`);
}

function shapeOf(mn: number, cols: number, groups: number, alignedMn: number): { shape: number[]; strides: number[] } {
  return groups === 1
    ? { shape: [mn, cols], strides: [1, alignedMn] }
    : { shape: [groups, mn, cols], strides: [alignedMn * cols, 1, alignedMn] };
}

/** Row-major FP32 scales [groups, mn, sfK] → MN-major TMA-aligned layout (2-D result when groups is 1). */
export function toMnMajorTmaAligned(sf: Float32Array, mn: number, sfK: number, groups = 1): MnMajorScales {
  const fn = 'toMnMajorTmaAligned';
  dims(fn, mn, sfK, groups);
  checkLayoutArgs(fn, sf, 'Float32Array', groups * mn * sfK, `groups*mn*sfK (${groups}*${mn}*${sfK})`);
  const alignedMn = getTmaAlignedSize(mn, 4);
  const data = new Float32Array(groups * sfK * alignedMn);
  for (let g = 0; g < groups; g++) {
    const src = g * mn * sfK;
    const dst = g * sfK * alignedMn;
    for (let i = 0; i < mn; i++) {
      for (let j = 0; j < sfK; j++) data[dst + j * alignedMn + i] = sf[src + i * sfK + j]!;
    }
  }
  return { data, alignedMn, ...shapeOf(mn, sfK, groups, alignedMn) };
}

/** Inverse of {@link toMnMajorTmaAligned}: back to row-major [groups, mn, sfK]. */
export function fromMnMajorTmaAligned(sf: Float32Array, mn: number, sfK: number, groups = 1): Float32Array {
  const fn = 'fromMnMajorTmaAligned';
  dims(fn, mn, sfK, groups);
  const alignedMn = getTmaAlignedSize(mn, 4);
  checkLayoutArgs(
    fn,
    sf,
    'Float32Array',
    groups * sfK * alignedMn,
    `groups*sfK*align(mn,4) (${groups}*${sfK}*${alignedMn})`,
  );
  const out = new Float32Array(groups * mn * sfK);
  for (let g = 0; g < groups; g++) {
    const src = g * sfK * alignedMn;
    const dst = g * mn * sfK;
    for (let i = 0; i < mn; i++) {
      for (let j = 0; j < sfK; j++) out[dst + i * sfK + j] = sf[src + j * alignedMn + i]!;
    }
  }
  return out;
}

/**
 * Row-major FP32 power-of-two scales [groups, mn, sfK] → UE8M0 bytes packed four K-blocks to an int32 (byte t of word
 * j is K-block 4j + t; missing K-blocks are 0), MN-major and TMA-aligned: logical shape [.., mn, ceil(sfK / 4)].
 * Every scale must be a positive power of two in the normal range (round with `ceilToUe8m0` first).
 */
export function toMnMajorTmaAlignedPackedUe8m0(
  sf: Float32Array,
  mn: number,
  sfK: number,
  groups = 1,
): MnMajorScales<Int32Array> {
  const fn = 'toMnMajorTmaAlignedPackedUe8m0';
  dims(fn, mn, sfK, groups);
  checkLayoutArgs(fn, sf, 'Float32Array', groups * mn * sfK, `groups*mn*sfK (${groups}*${mn}*${sfK})`);
  const bits = new Uint32Array(sf.buffer, sf.byteOffset, sf.length);
  for (let i = 0; i < bits.length; i++) {
    const b = bits[i]!;
    const e = (b >>> 23) & 0xff;
    if ((b & 0x807fffff) !== 0 || e === 0 || e === 255) {
      throw new RangeError(
        `${fn}: 'sf' must hold positive powers of two (use ceilToUe8m0 first); got sf[${i}] = ${sf[i]}`,
      );
    }
  }
  const alignedMn = getTmaAlignedSize(mn, 4);
  const packedK = Math.ceil(sfK / 4);
  const data = new Int32Array(groups * packedK * alignedMn);
  for (let g = 0; g < groups; g++) {
    const src = g * mn * sfK;
    const dst = g * packedK * alignedMn;
    for (let i = 0; i < mn; i++) {
      for (let j = 0; j < sfK; j++) {
        const at = dst + (j >> 2) * alignedMn + i;
        data[at] = data[at]! | (((bits[src + i * sfK + j]! >>> 23) & 0xff) << (8 * (j & 3)));
      }
    }
  }
  return { data, alignedMn, ...shapeOf(mn, packedK, groups, alignedMn) };
}

/** Inverse of {@link toMnMajorTmaAlignedPackedUe8m0}: row-major FP32 scales [groups, mn, sfK]. */
export function fromMnMajorTmaAlignedPackedUe8m0(sf: Int32Array, mn: number, sfK: number, groups = 1): Float32Array {
  const fn = 'fromMnMajorTmaAlignedPackedUe8m0';
  dims(fn, mn, sfK, groups);
  const alignedMn = getTmaAlignedSize(mn, 4);
  const packedK = Math.ceil(sfK / 4);
  checkLayoutArgs(
    fn,
    sf,
    'Int32Array',
    groups * packedK * alignedMn,
    `groups*ceil(sfK/4)*align(mn,4) (${groups}*${packedK}*${alignedMn})`,
  );
  const out = new Float32Array(groups * mn * sfK);
  const outBits = new Uint32Array(out.buffer);
  for (let g = 0; g < groups; g++) {
    const src = g * packedK * alignedMn;
    const dst = g * mn * sfK;
    for (let i = 0; i < mn; i++) {
      for (let j = 0; j < sfK; j++) {
        outBits[dst + i * sfK + j] = ((sf[src + (j >> 2) * alignedMn + i]! >>> (8 * (j & 3))) & 0xff) << 23;
      }
    }
  }
  return out;
}
