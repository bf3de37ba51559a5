// Whether two tensors share bytes. A kernel that writes D while it still reads A, B or (another view of) C would
// read its own output, so outputs must be disjoint from every input, except C, which may be D itself.
// Ranges are spans (first to last element touched), so two interleaved views of one buffer count as overlapping: a
// conservative answer that no GEMM layout in practice runs into.

import { dtypeSize, type Tensor } from '@dg/runtime';
import { describeTensor } from './describe.js';
import { DgLayoutError } from './errors.js';

interface ByteRange {
  /** The address space: the host ArrayBuffer, or the CUDA device (pointers are unique per device). */
  readonly space: ArrayBufferLike | string;
  readonly start: bigint;
  readonly end: bigint;
}

/** Elements from the first one to one past the last one the layout reaches. */
function spanElements(t: Tensor): number {
  let last = 0;
  t.shape.forEach((d, i) => {
    last += (d - 1) * (t.strides[i] ?? 0);
  });
  return last + 1;
}

function byteRange(t: Tensor): ByteRange | undefined {
  if (t.numel === 0) return undefined;
  const size = dtypeSize(t.dtype);
  const length = BigInt(spanElements(t) * size);
  const storage = t.storage;
  if (storage.kind === 'device') return { space: t.device, start: t.dataPtr, end: t.dataPtr + length };
  const start = BigInt(storage.data.byteOffset + t.offset * size);
  return { space: storage.data.buffer, start, end: start + length };
}

function overlaps(x: Tensor, y: Tensor): boolean {
  const rx = byteRange(x);
  const ry = byteRange(y);
  return rx !== undefined && ry !== undefined && rx.space === ry.space && rx.start < ry.end && ry.start < rx.end;
}

/** Whether `x` and `y` are the same elements in the same layout (the same tensor, or an identical view of it). */
export function isSameView(x: Tensor, y: Tensor): boolean {
  if (x === y) return true;
  const rx = byteRange(x);
  const ry = byteRange(y);
  const same = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((v, i) => v === b[i]);
  return (
    rx !== undefined &&
    ry !== undefined &&
    rx.space === ry.space &&
    rx.start === ry.start &&
    x.dtype === y.dtype &&
    same(x.shape, y.shape) &&
    same(x.strides, y.strides)
  );
}

/** DgLayoutError unless the output `out` shares no byte with `input`. */
export function expectDisjoint(
  fn: string,
  out: { name: string; tensor: Tensor },
  input: { name: string; tensor: Tensor },
): void {
  if (overlaps(out.tensor, input.tensor)) {
    throw new DgLayoutError(
      fn,
      out.name,
      `stored apart from '${input.name}' (${describeTensor(input.tensor)})`,
      `a tensor ${describeTensor(out.tensor)} over the same bytes`,
    );
  }
}

/** DgLayoutError unless the accumulator input `c` is the output `d` itself or disjoint from it. */
export function expectSameOrDisjoint(
  fn: string,
  c: { name: string; tensor: Tensor },
  d: { name: string; tensor: Tensor },
) {
  if (isSameView(c.tensor, d.tensor) || !overlaps(c.tensor, d.tensor)) return;
  throw new DgLayoutError(
    fn,
    c.name,
    `'${d.name}' itself (same elements and strides) or stored apart from it`,
    `a tensor ${describeTensor(c.tensor)} partly over the bytes of ${describeTensor(d.tensor)}`,
  );
}
