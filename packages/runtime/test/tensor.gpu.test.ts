// Tensor against the real driver: every dtype through cpu -> cuda -> cpu, device-side layout changes, fills and
// foreign pointers. Values are compared bit for bit with the same operations on the host.
import {
  copyHostToDevice,
  DTYPES,
  type DType,
  deviceAlloc,
  isAvailable,
  Stream,
  Tensor,
  type TypedArray,
  unavailableReason,
} from '@dg/runtime';
import { describe, expect, it } from 'vitest';

const gpu = isAvailable();
const DEV = 'cuda:0';

/** Deterministic raw bits of every dtype (NaN and infinity patterns included for the float formats). */
function bits(dtype: DType, n: number): TypedArray {
  let state = 0x9e3779b9;
  const next = (): number => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state;
  };
  switch (dtype) {
    case 'f32':
      return new Float32Array(Uint32Array.from({ length: n }, next).buffer);
    case 'bf16':
    case 'f16':
      return Uint16Array.from({ length: n }, () => next() & 0xffff);
    case 'e4m3fn':
    case 'e5m2':
    case 'u8':
      return Uint8Array.from({ length: n }, () => next() & 0xff);
    case 'i32':
      return Int32Array.from({ length: n }, () => next() | 0);
    case 'i64':
      return BigInt64Array.from({ length: n }, () => BigInt.asIntN(64, (BigInt(next()) << 32n) | BigInt(next())));
  }
}

/** Byte view of a host array, so float NaN payloads compare exactly. */
function raw(a: TypedArray): number[] {
  return [...new Uint8Array(a.buffer, a.byteOffset, a.byteLength)];
}

describe.skipIf(!gpu)(`Tensor on a CUDA device${gpu ? '' : ` (skipped: ${unavailableReason()})`}`, () => {
  it.each(DTYPES)('%s: round trips cpu -> cuda -> cpu bit for bit', (dtype) => {
    const data = bits(dtype, 1000);
    const d = Tensor.fromArray(data, [10, 100], dtype, DEV);
    expect(d.device).toBe(DEV);
    expect(d.dataPtr % 256n).toBe(0n);
    const back = d.to('cpu');
    expect(raw(back.toArray())).toEqual(raw(data));
    expect(raw(d.toArray())).toEqual(raw(data));
    const viaTo = Tensor.fromArray(data, [1000], dtype).to(DEV);
    expect(raw(viaTo.toArray())).toEqual(raw(data));
    d.dispose();
    viaTo.dispose();
  });

  it.each(DTYPES)('%s: transpose().contiguous() on the device matches the host', (dtype) => {
    const data = bits(dtype, 3 * 5 * 7);
    const host = Tensor.fromArray(data, [3, 5, 7], dtype);
    const d = host.to(DEV);
    for (const [a, b] of [
      [0, 1],
      [0, 2],
      [1, 2],
    ] as const) {
      const expected = raw(host.transpose(a, b).contiguous().toArray());
      const c = d.transpose(a, b).contiguous();
      expect(c.device).toBe(DEV);
      expect(c.isContiguous()).toBe(true);
      expect(raw(c.toArray())).toEqual(expected);
      expect(raw(d.transpose(a, b).toArray())).toEqual(expected);
      const r = d.transpose(a, b).reshape([-1]);
      expect(raw(r.toArray())).toEqual(expected);
      c.dispose();
      r.dispose();
    }
    d.dispose();
  });

  it.each([
    ['f32', 0.1],
    ['bf16', -1.5],
    ['f16', 65504],
    ['i32', -7],
    ['i64', -1],
    ['i64', 2n ** 40n + 3n],
    ['u8', 200],
  ] as const)('%s: fill(%s) on the device matches the host, contiguous and strided', (dtype, value) => {
    const expected = raw(Tensor.zeros([6, 8], dtype).fill(value).toArray());
    const d = Tensor.empty([6, 8], dtype, DEV).fill(value);
    expect(raw(d.toArray())).toEqual(expected);
    const z = Tensor.zeros([6, 8], dtype, DEV);
    z.transpose(0, 1).fill(value);
    expect(raw(z.toArray())).toEqual(expected);
    d.dispose();
    z.dispose();
  });

  it('fills FP8 bytes with fillBits and keeps the gaps of a strided fill', () => {
    const t = Tensor.zeros([16], 'e4m3fn', DEV).fillBits(0x38);
    expect([...t.toArray()]).toEqual(new Array(16).fill(0x38));
    const every2 = Tensor.fromDevicePointer(t.dataPtr, [8], 'e4m3fn', { strides: [2], device: DEV, owner: t });
    every2.fillBits(0x7e);
    expect([...t.toArray()]).toEqual(Array.from({ length: 16 }, (_, i) => (i % 2 === 0 ? 0x7e : 0x38)));
    every2.dispose();
    t.dispose();
  });

  it('wraps a foreign pointer without ever freeing it', () => {
    const buf = deviceAlloc(4 * 12);
    const values = Float32Array.from({ length: 12 }, (_, i) => i);
    copyHostToDevice(buf.ptr, values);
    const f = Tensor.fromDevicePointer(buf.ptr, [3, 4], 'f32', { device: DEV, owner: buf });
    expect(f.dataPtr).toBe(buf.ptr);
    expect([...f.toArray()]).toEqual([...values]);
    const t = Tensor.fromDevicePointer(buf.ptr, [4, 3], 'f32', { strides: [1, 4], device: DEV, owner: buf });
    expect([...t.toArray()]).toEqual([...Tensor.fromArray(values, [3, 4]).transpose(0, 1).toArray()]);
    expect([...t.contiguous().toArray()]).toEqual([...t.toArray()]);
    f.view([12]).fill(2);
    expect([...t.toArray()]).toEqual(new Array(12).fill(2));
    f.dispose();
    t.dispose();
    expect(buf.disposed).toBe(false);
    buf.dispose();
  });

  it('copies on a stream', () => {
    const stream = Stream.create();
    const data = bits('bf16', 4096);
    const d = Tensor.fromArray(data, [64, 64], 'bf16').to(DEV, stream);
    const back = d.transpose(0, 1).to('cpu', stream);
    expect(raw(back.toArray())).toEqual(raw(Tensor.fromArray(data, [64, 64], 'bf16').transpose(0, 1).toArray()));
    d.dispose();
    stream.dispose();
  });

  it('frees its buffer when the tensor that allocated it is disposed', () => {
    const t = Tensor.zeros([1024], 'f32', DEV);
    const s = t.storage;
    if (s.kind !== 'device' || s.buffer === undefined) throw new Error('expected owned device storage');
    const v = t.view([32, 32]).transpose(0, 1);
    expect([...v.toArray()].every((x) => x === 0)).toBe(true);
    v.dispose();
    expect(s.buffer.disposed).toBe(false);
    const w = t.view([1024]);
    t.dispose();
    expect(s.buffer.disposed).toBe(true);
    expect(() => w.toArray()).toThrow(/was freed/);
  });

  it('handles empty tensors on the device', () => {
    const e = Tensor.zeros([0, 16], 'i64', DEV);
    expect(e.toArray().length).toBe(0);
    expect(e.to('cpu').numel).toBe(0);
    expect(e.transpose(0, 1).contiguous().shape).toEqual([16, 0]);
    e.fill(1);
    e.dispose();
  });
});
