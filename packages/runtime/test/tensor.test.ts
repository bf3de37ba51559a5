import { describe, expect, it } from 'vitest';
import { isAvailable } from '../src/device.js';
import { CudaUnavailableError, DgRuntimeError } from '../src/errors.js';
import { DTYPES, type DType, dtypeSize, Tensor, type TypedArray } from '../src/tensor/index.js';

/** A host array of `dtype` holding 0, 1, 2, ... (wrapping for u8/FP8), so element identity is visible. */
function iota(dtype: DType, n: number): TypedArray {
  switch (dtype) {
    case 'f32':
      return Float32Array.from({ length: n }, (_, i) => i);
    case 'bf16':
    case 'f16':
      return Uint16Array.from({ length: n }, (_, i) => i);
    case 'e4m3fn':
    case 'e5m2':
    case 'u8':
      return Uint8Array.from({ length: n }, (_, i) => i & 0xff);
    case 'i32':
      return Int32Array.from({ length: n }, (_, i) => i);
    case 'i64':
      return BigInt64Array.from({ length: n }, (_, i) => BigInt(i) * 0x1_0000_0001n);
  }
}

/** Elements of a row-major [d0, d1, d2] array after swapping dims a and b, computed by index arithmetic. */
function transposed3d(src: TypedArray, shape: readonly [number, number, number], a: number, b: number): unknown[] {
  const perm = [0, 1, 2];
  [perm[a], perm[b]] = [perm[b] ?? 0, perm[a] ?? 0];
  const out = [...shape].map((_, i) => shape[perm[i] ?? 0] ?? 0);
  const [o0, o1, o2] = out as [number, number, number];
  const values: unknown[] = [];
  for (let i = 0; i < o0; i++) {
    for (let j = 0; j < o1; j++) {
      for (let k = 0; k < o2; k++) {
        const idx = [0, 0, 0];
        const at = [i, j, k];
        for (let d = 0; d < 3; d++) idx[perm[d] ?? 0] = at[d] ?? 0;
        const [x, y, z] = idx as [number, number, number];
        values.push(src[(x * shape[1] + y) * shape[2] + z]);
      }
    }
  }
  return values;
}

describe('dtypes', () => {
  it('has the element sizes of the contract', () => {
    expect(DTYPES.map((d) => [d, dtypeSize(d)])).toEqual([
      ['f32', 4],
      ['bf16', 2],
      ['f16', 2],
      ['e4m3fn', 1],
      ['e5m2', 1],
      ['i32', 4],
      ['i64', 8],
      ['u8', 1],
    ]);
  });

  it('rejects an unknown dtype naming the argument, the expected and the actual value', () => {
    expect(() => dtypeSize('f64' as DType)).toThrow(TypeError);
    expect(() => dtypeSize('f64' as DType)).toThrow(/dtypeSize\(d\): expected one of f32, .*u8, got "f64"/);
  });

  it.each([
    ['f32', Float32Array],
    ['bf16', Uint16Array],
    ['f16', Uint16Array],
    ['e4m3fn', Uint8Array],
    ['e5m2', Uint8Array],
    ['i32', Int32Array],
    ['i64', BigInt64Array],
    ['u8', Uint8Array],
  ] as const)('maps %s to %o on the host', (dtype, cls) => {
    const t = Tensor.zeros([2, 3], dtype);
    const a = t.toArray();
    expect(a).toBeInstanceOf(cls);
    expect(a.length).toBe(6);
    expect(t.nbytes).toBe(6 * dtypeSize(dtype));
  });
});

describe('Tensor.fromArray', () => {
  it('infers the dtype where the array type is unambiguous', () => {
    expect(Tensor.fromArray(new Float32Array(2), [2]).dtype).toBe('f32');
    expect(Tensor.fromArray(new Int32Array(2), [2]).dtype).toBe('i32');
    expect(Tensor.fromArray(new BigInt64Array(2), [2]).dtype).toBe('i64');
    expect(Tensor.fromArray(new Uint8Array(2), [2]).dtype).toBe('u8');
    expect(Tensor.fromArray(new Uint8Array(2), [2], 'e4m3fn').dtype).toBe('e4m3fn');
    expect(Tensor.fromArray(new Uint16Array(2), [2], 'bf16').dtype).toBe('bf16');
  });

  it('needs the dtype of a Uint16Array (bf16 or f16)', () => {
    expect(() => Tensor.fromArray(new Uint16Array(2), [2])).toThrow(TypeError);
    expect(() => Tensor.fromArray(new Uint16Array(2), [2])).toThrow(
      /fromArray\(dtype\).*expected dtype 'bf16' or 'f16', got undefined/,
    );
  });

  it('checks that the array type matches the dtype', () => {
    expect(() => Tensor.fromArray(new Float32Array(2), [2], 'i32')).toThrow(TypeError);
    expect(() => Tensor.fromArray(new Float32Array(2), [2], 'i32')).toThrow(
      /fromArray\(data\): expected a Int32Array for dtype 'i32', got Float32Array\(2\)/,
    );
    expect(() => Tensor.fromArray(new Uint8Array(2), [2], 'bf16')).toThrow(/Uint16Array.*got Uint8Array\(2\)/);
  });

  it('rejects arrays a tensor cannot hold', () => {
    const bad = [new Float64Array(2), new Uint8ClampedArray(2), [1, 2]] as unknown as TypedArray[];
    for (const data of bad)
      expect(() => Tensor.fromArray(data, [2])).toThrow(/fromArray\(data\): expected a Float32Array/);
  });

  it('checks the length against the shape', () => {
    expect(() => Tensor.fromArray(new Float32Array(5), [2, 3])).toThrow(RangeError);
    expect(() => Tensor.fromArray(new Float32Array(5), [2, 3])).toThrow(
      /fromArray\(data\): expected 6 elements for shape \[2, 3\], got Float32Array\(5\)/,
    );
  });

  it.each([
    [[-1, 2], /shape\)\[0\]: expected a non-negative integer, got -1/],
    [[2, 1.5], /shape\)\[1\]: expected a non-negative integer, got 1.5/],
    [[2, '3'], /shape\)\[1\]: expected a non-negative integer, got "3"/],
    [[Number.NaN], /shape\)\[0\]: expected a non-negative integer, got NaN/],
    [[2 ** 30, 2 ** 30], /shape\): expected at most \d+ elements/],
  ])('rejects the shape %o', (shape, message) => {
    expect(() => Tensor.fromArray(new Float32Array(6), shape as number[])).toThrow(RangeError);
    expect(() => Tensor.fromArray(new Float32Array(6), shape as number[])).toThrow(message);
  });

  it('rejects a shape that is not an array', () => {
    expect(() => Tensor.fromArray(new Float32Array(6), 6 as unknown as number[])).toThrow(
      /fromArray\(shape\): expected an array of non-negative integers, got 6/,
    );
  });

  it('rejects an unknown dtype', () => {
    expect(() => Tensor.fromArray(new Float32Array(2), [2], 'float' as DType)).toThrow(
      /fromArray\(dtype\): expected one of f32, bf16, .*, got "float"/,
    );
  });

  it.each(['gpu', 'cuda:-1', 'cuda', 'cuda:01', 'CUDA:0', 'cuda:0 ', 'cuda:1.5', ''])(
    'rejects the device %o',
    (device) => {
      expect(() => Tensor.fromArray(new Float32Array(2), [2], 'f32', device as 'cpu')).toThrow(TypeError);
      expect(() => Tensor.fromArray(new Float32Array(2), [2], 'f32', device as 'cpu')).toThrow(
        /fromArray\(device\): expected 'cpu' or 'cuda:N' with N a non-negative integer, got "/,
      );
    },
  );

  it('views the caller array on the host (no copy)', () => {
    const data = new Float32Array([1, 2, 3, 4]);
    const t = Tensor.fromArray(data, [2, 2]);
    expect(t.storage).toEqual({ kind: 'host', data });
    data[3] = 9;
    expect([...t.toArray()]).toEqual([1, 2, 3, 9]);
    t.fill(0.5);
    expect([...data]).toEqual([0.5, 0.5, 0.5, 0.5]);
  });

  it('holds a scalar (shape []) and empty tensors', () => {
    const s = Tensor.fromArray(new Int32Array([7]), []);
    expect(s.numel).toBe(1);
    expect(s.strides).toEqual([]);
    expect(s.isContiguous()).toBe(true);
    expect([...s.toArray()]).toEqual([7]);
    const e = Tensor.fromArray(new Float32Array(0), [3, 0, 2]);
    expect(e.numel).toBe(0);
    expect(e.nbytes).toBe(0);
    expect(e.isContiguous()).toBe(true);
    expect(e.toArray().length).toBe(0);
    expect(e.transpose(0, 2).contiguous().shape).toEqual([2, 0, 3]);
  });
});

describe('metadata', () => {
  it('has row-major element strides, offset 0, device cpu', () => {
    const t = Tensor.empty([2, 3, 4], 'bf16');
    expect(t.shape).toEqual([2, 3, 4]);
    expect(t.strides).toEqual([12, 4, 1]);
    expect(t.offset).toBe(0);
    expect(t.device).toBe('cpu');
    expect(t.isCuda).toBe(false);
    expect(t.numel).toBe(24);
    expect(t.nbytes).toBe(48);
    expect(t.isContiguous()).toBe(true);
    expect(Object.isFrozen(t.shape) && Object.isFrozen(t.strides)).toBe(true);
  });

  it('does not let a caller mutate a tensor through the shape it passed', () => {
    const shape = [2, 3];
    const t = Tensor.zeros(shape, 'f32');
    shape[0] = 5;
    expect(t.shape).toEqual([2, 3]);
  });

  it('treats dims of size 1 as contiguous whatever their stride', () => {
    const t = Tensor.zeros([1, 4], 'f32').transpose(0, 1).view([4]);
    expect(t.isContiguous()).toBe(true);
    const u = Tensor.zeros([3, 1], 'f32').transpose(0, 1);
    expect(u.strides).toEqual([1, 1]);
    expect(u.isContiguous()).toBe(true);
  });

  it('refuses dataPtr on a cpu tensor', () => {
    expect(() => Tensor.zeros([2], 'f32').dataPtr).toThrow(TypeError);
    expect(() => Tensor.zeros([2], 'f32').dataPtr).toThrow(
      /dataPtr: expected a cuda tensor, got a cpu tensor \(f32 \[2\]/,
    );
  });

  it('prints shape, dtype and device', () => {
    const t = Tensor.zeros([2, 3], 'e4m3fn');
    expect(String(t)).toBe('Tensor(e4m3fn [2, 3] on cpu)');
    t.dispose();
    expect(String(t)).toBe('Tensor(e4m3fn [2, 3] on cpu, disposed)');
  });
});

describe('transpose', () => {
  it('swaps sizes and strides and shares the storage', () => {
    const t = Tensor.fromArray(iota('f32', 24), [2, 3, 4]);
    const u = t.transpose(0, 2);
    expect(u.shape).toEqual([4, 3, 2]);
    expect(u.strides).toEqual([1, 4, 12]);
    expect(u.offset).toBe(0);
    expect(u.isContiguous()).toBe(false);
    expect(u.storage).toBe(t.storage);
    expect(t.transpose(-1, 0).strides).toEqual([1, 4, 12]);
    expect(t.transpose(1, 1).strides).toEqual([12, 4, 1]);
  });

  it('reads a 2-D transpose in logical order', () => {
    const t = Tensor.fromArray(new Float32Array([1, 2, 3, 4, 5, 6]), [2, 3]);
    expect([...t.transpose(0, 1).toArray()]).toEqual([1, 4, 2, 5, 3, 6]);
    expect([...t.transpose(0, 1).transpose(0, 1).toArray()]).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it.each([
    [3, 1, /transpose\(dim0\): expected an integer in \[-2, 1\], got 3/],
    [0, -3, /transpose\(dim1\): expected an integer in \[-2, 1\], got -3/],
    [0.5, 1, /transpose\(dim0\): expected an integer in \[-2, 1\], got 0.5/],
  ])('rejects dims (%o, %o)', (a, b, message) => {
    const t = Tensor.zeros([2, 3], 'f32');
    expect(() => t.transpose(a, b)).toThrow(RangeError);
    expect(() => t.transpose(a, b)).toThrow(message);
  });
});

describe('transpose + contiguous on 3-D tensors', () => {
  const shape = [3, 4, 5] as const;
  const pairs = [
    [0, 1],
    [0, 2],
    [1, 2],
  ] as const;
  for (const dtype of DTYPES) {
    for (const [a, b] of pairs) {
      it(`${dtype}: transpose(${a}, ${b}) then contiguous() matches index arithmetic`, () => {
        const data = iota(dtype, 60);
        const t = Tensor.fromArray(data, [...shape], dtype);
        const u = t.transpose(a, b);
        const expected = transposed3d(data, shape, a, b);
        expect([...u.toArray()]).toEqual(expected);
        const c = u.contiguous();
        expect(c.isContiguous()).toBe(true);
        expect(c.shape).toEqual(u.shape);
        expect(c.storage).not.toBe(t.storage);
        expect([...c.toArray()]).toEqual(expected);
        // The copy is independent of the source.
        if (dtype === 'i64') t.fill(-1);
        else t.fillBits(1);
        expect([...c.toArray()]).toEqual(expected);
      });
    }
  }

  it('gives the copy row-major strides', () => {
    const c = Tensor.zeros([3, 4, 5], 'f32').transpose(0, 2).contiguous();
    expect(c.shape).toEqual([5, 4, 3]);
    expect(c.strides).toEqual([12, 3, 1]);
  });

  it('returns a new Tensor over the same storage when already contiguous', () => {
    const t = Tensor.zeros([2, 3], 'f32');
    const c = t.contiguous();
    expect(c).not.toBe(t);
    expect(c.storage).toBe(t.storage);
    c.dispose();
    expect(t.disposed).toBe(false);
    expect([...t.toArray()]).toEqual([0, 0, 0, 0, 0, 0]);
  });
});

describe('toArray', () => {
  it('returns a fresh copy', () => {
    const t = Tensor.fromArray(new Int32Array([1, 2, 3]), [3]);
    const a = t.toArray();
    a[0] = 100;
    expect([...t.toArray()]).toEqual([1, 2, 3]);
    expect(t.toArray()).not.toBe(t.storage.kind === 'host' ? t.storage.data : undefined);
  });

  it('reads views in logical order', () => {
    const t = Tensor.fromArray(iota('i64', 6), [2, 3]);
    expect([...t.transpose(0, 1).toArray()]).toEqual([0n, 3n, 1n, 4n, 2n, 5n].map((v) => v * 0x1_0000_0001n));
    expect([...t.view([3, 2]).transpose(0, 1).toArray()]).toEqual(
      [0n, 2n, 4n, 1n, 3n, 5n].map((v) => v * 0x1_0000_0001n),
    );
  });

  it('keeps float bits exactly (no decode/encode on the way)', () => {
    const bits = new Uint32Array([0x7fc00001, 0xffbfffff, 0x00000001, 0x80000000]);
    const t = Tensor.fromArray(new Float32Array(bits.buffer), [2, 2]).transpose(0, 1);
    const out = t.toArray();
    expect([...new Uint32Array(out.buffer)]).toEqual([0x7fc00001, 0x00000001, 0xffbfffff, 0x80000000]);
  });
});

describe('view and reshape', () => {
  it('views a contiguous tensor with another shape, inferring -1', () => {
    const t = Tensor.fromArray(iota('f32', 24), [2, 3, 4]);
    const v = t.view([-1, 4]);
    expect(v.shape).toEqual([6, 4]);
    expect(v.strides).toEqual([4, 1]);
    expect(v.storage).toBe(t.storage);
    expect(t.view([4, -1, 3]).shape).toEqual([4, 2, 3]);
    expect(t.view([24]).toArray()).toEqual(t.toArray());
    expect(Tensor.zeros([1], 'f32').view([]).shape).toEqual([]);
  });

  it('writes through a view', () => {
    const t = Tensor.zeros([2, 3], 'i32');
    t.view([6]).fill(4);
    expect([...t.toArray()]).toEqual([4, 4, 4, 4, 4, 4]);
  });

  it.each([
    [[5, 5], /view\(shape\): expected a shape of 24 elements \(shape \[2, 3, 4\]\), got \[5, 5\] with 25/],
    [[-1, -1], /view\(shape\): expected at most one -1, got \[-1, -1\]/],
    [[-1, 5], /view\(shape\): cannot infer the -1 dim of \[-1, 5\] for 24 elements/],
    [[-2, 12], /view\(shape\)\[0\]: expected a non-negative integer or -1, got -2/],
    [[0, -1], /cannot infer the -1 dim/],
  ])('rejects the view shape %o', (shape, message) => {
    const t = Tensor.zeros([2, 3, 4], 'f32');
    expect(() => t.view(shape)).toThrow(RangeError);
    expect(() => t.view(shape)).toThrow(message);
  });

  it('refuses to view a non-contiguous tensor', () => {
    const t = Tensor.zeros([2, 3], 'f32').transpose(0, 1);
    expect(() => t.view([6])).toThrow(RangeError);
    expect(() => t.view([6])).toThrow(
      /view\(shape\): expected a contiguous tensor, got strides \[1, 3\] for shape \[3, 2\]; use reshape\(\)/,
    );
  });

  it('reshapes a contiguous tensor as a view', () => {
    const t = Tensor.fromArray(iota('u8', 12), [3, 4]);
    const r = t.reshape([2, -1]);
    expect(r.shape).toEqual([2, 6]);
    expect(r.storage).toBe(t.storage);
  });

  it('reshapes a transposed tensor as a view where the strides allow it', () => {
    const t = Tensor.fromArray(iota('f32', 24), [4, 6]).transpose(0, 1); // [6, 4], strides [1, 6]
    const r = t.reshape([3, 2, 4]); // splits the stride-1 dim only
    expect(r.storage).toBe(t.storage);
    expect(r.strides).toEqual([2, 1, 6]);
    expect([...r.toArray()]).toEqual([...t.toArray()]);
    const s = t.reshape([6, 2, 2]); // splits the stride-6 dim
    expect(s.storage).toBe(t.storage);
    expect(s.strides).toEqual([1, 12, 6]);
    expect([...s.toArray()]).toEqual([...t.toArray()]);
  });

  it('reshapes by copying where no view exists', () => {
    const t = Tensor.fromArray(iota('bf16', 6), [2, 3], 'bf16').transpose(0, 1);
    const r = t.reshape([6]);
    expect(r.storage).not.toBe(t.storage);
    expect(r.isContiguous()).toBe(true);
    expect([...r.toArray()]).toEqual([0, 3, 1, 4, 2, 5]);
  });

  it('validates the reshape shape before copying', () => {
    const t = Tensor.zeros([2, 3], 'f32').transpose(0, 1);
    expect(() => t.reshape([4])).toThrow(/reshape\(shape\): expected a shape of 6 elements/);
  });
});

describe('fill', () => {
  it('fills f32 with the f32 rounding of the value', () => {
    const t = Tensor.zeros([3], 'f32').fill(0.1);
    expect([...t.toArray()]).toEqual([Math.fround(0.1), Math.fround(0.1), Math.fround(0.1)]);
    expect(Number.isNaN(Tensor.zeros([1], 'f32').fill(Number.NaN).toArray()[0])).toBe(true);
  });

  it('returns the tensor itself', () => {
    const t = Tensor.zeros([2], 'i32');
    expect(t.fill(1)).toBe(t);
    expect(t.fillBits(1)).toBe(t);
  });

  it.each([
    ['bf16', 1, 0x3f80],
    ['bf16', -0.1, 0xbdcd],
    ['bf16', 1 + 2 ** -8, 0x3f80],
    ['bf16', Number.NaN, 0x7fc0],
    ['f16', 1, 0x3c00],
    ['f16', 0.1, 0x2e66],
    ['f16', 65520, 0x7c00],
    ['f16', Number.NaN, 0x7e00],
  ] as const)('encodes %s %d as 0x%s', (dtype, value, bits) => {
    expect([...Tensor.zeros([2, 2], dtype).fill(value).toArray()]).toEqual([bits, bits, bits, bits]);
  });

  it('fills integers exactly', () => {
    expect([...Tensor.zeros([2], 'i32').fill(-5).toArray()]).toEqual([-5, -5]);
    expect([...Tensor.zeros([2], 'u8').fill(255).toArray()]).toEqual([255, 255]);
    expect([...Tensor.zeros([2], 'i64').fill(-1).toArray()]).toEqual([-1n, -1n]);
    expect([
      ...Tensor.zeros([2], 'i64')
        .fill(2n ** 62n + 1n)
        .toArray(),
    ]).toEqual([2n ** 62n + 1n, 2n ** 62n + 1n]);
  });

  it.each([
    ['i32', 1.5, RangeError, /fill\(value\): expected an integer in \[-2\^31, 2\^31\) for 'i32', got 1.5/],
    ['i32', 2 ** 31, RangeError, /for 'i32', got 2147483648/],
    ['u8', 256, RangeError, /fill\(value\): expected an integer in \[0, 255\] for 'u8', got 256/],
    ['u8', -1, RangeError, /for 'u8', got -1/],
    [
      'i64',
      2 ** 60,
      RangeError,
      /fill\(value\): expected a safe integer or a bigint for 'i64', got 1152921504606847000 \(pass a bigint beyond 2\^53\)/,
    ],
    ['i64', 2n ** 63n, RangeError, /for 'i64', got 9223372036854775808n/],
    ['f32', 1n, TypeError, /fill\(value\): expected a number for 'f32', got 1n/],
    ['e4m3fn', 1, TypeError, /fill\(value\): the runtime has no e4m3fn encoder; expected fillBits\(bits\)/],
    ['e5m2', 0, TypeError, /no e5m2 encoder; expected fillBits/],
  ] as const)('rejects %s fill(%s)', (dtype, value, type, message) => {
    const t = Tensor.zeros([2], dtype);
    expect(() => t.fill(value)).toThrow(type);
    expect(() => t.fill(value)).toThrow(message);
    expect([...t.toArray()].every((v) => v === 0 || v === 0n)).toBe(true);
  });

  it('writes raw bits with fillBits', () => {
    expect([...Tensor.zeros([3], 'e4m3fn').fillBits(0x7e).toArray()]).toEqual([0x7e, 0x7e, 0x7e]);
    expect([...Tensor.zeros([2], 'bf16').fillBits(0xff80).toArray()]).toEqual([0xff80, 0xff80]);
    const f = Tensor.zeros([2], 'f32').fillBits(0x7fc00001).toArray();
    expect([...new Uint32Array(f.buffer)]).toEqual([0x7fc00001, 0x7fc00001]);
    expect([...Tensor.zeros([2], 'i32').fillBits(0xffffffff).toArray()]).toEqual([-1, -1]);
  });

  it.each([
    ['e5m2', 256, RangeError, /fillBits\(bits\): expected an integer in \[0, 0xff\] for 'e5m2', got 256/],
    ['f16', -1, RangeError, /expected an integer in \[0, 0xffff\] for 'f16', got -1/],
    ['u8', 1.5, RangeError, /for 'u8', got 1.5/],
    ['i64', 1, TypeError, /fillBits\(bits\): expected a dtype of at most 4 bytes, got 'i64'; use fill\(\)/],
  ] as const)('rejects %s fillBits(%s)', (dtype, bits, type, message) => {
    expect(() => Tensor.zeros([2], dtype).fillBits(bits)).toThrow(type);
    expect(() => Tensor.zeros([2], dtype).fillBits(bits)).toThrow(message);
  });

  it('fills only the elements of a strided view', () => {
    // Column 1 of a [3, 4] matrix, reached as row 1 of its transpose viewed through a [4, 3] -> transpose.
    const t = Tensor.zeros([2, 3, 2], 'i64');
    t.transpose(0, 2).fill(7);
    expect([...t.toArray()].every((v) => v === 7n)).toBe(true);
    const u = Tensor.zeros([2, 3], 'bf16');
    u.transpose(0, 1).fill(2);
    expect([...u.toArray()]).toEqual([0x4000, 0x4000, 0x4000, 0x4000, 0x4000, 0x4000]);
  });
});

describe('to', () => {
  it('returns a new Tensor over the same storage for the same device', () => {
    const t = Tensor.fromArray(iota('f32', 4), [2, 2]).transpose(0, 1);
    const u = t.to('cpu');
    expect(u).not.toBe(t);
    expect(u.storage).toBe(t.storage);
    expect(u.strides).toEqual(t.strides);
    u.dispose();
    expect(t.disposed).toBe(false);
  });

  it('rejects a bad device', () => {
    expect(() => Tensor.zeros([2], 'f32').to('gpu' as 'cpu')).toThrow(
      /to\(device\): expected 'cpu' or 'cuda:N' with N a non-negative integer, got "gpu"/,
    );
  });
});

describe('dispose', () => {
  it('is idempotent and makes every later use throw, naming the tensor', () => {
    const t = Tensor.zeros([2, 3], 'f32');
    t.dispose();
    t.dispose();
    t[Symbol.dispose]();
    expect(t.disposed).toBe(true);
    const uses: [string, () => unknown][] = [
      ['toArray', () => t.toArray()],
      ['to', () => t.to('cpu')],
      ['view', () => t.view([6])],
      ['reshape', () => t.reshape([6])],
      ['transpose', () => t.transpose(0, 1)],
      ['contiguous', () => t.contiguous()],
      ['fill', () => t.fill(1)],
      ['fillBits', () => t.fillBits(1)],
      ['storage', () => t.storage],
      ['dataPtr', () => t.dataPtr],
    ];
    for (const [op, use] of uses) {
      expect(use).toThrow(DgRuntimeError);
      expect(use).toThrow(`${op}: the tensor (f32 [2, 3] on cpu) was disposed`);
      expect(use).toThrow(expect.objectContaining({ code: 'DG_TENSOR_DISPOSED' }));
    }
    // Metadata stays readable for messages and logs.
    expect(t.shape).toEqual([2, 3]);
    expect(t.numel).toBe(6);
  });

  it('leaves views of a disposed tensor usable', () => {
    const t = Tensor.fromArray(iota('i32', 6), [2, 3]);
    const v = t.transpose(0, 1);
    t.dispose();
    expect([...v.toArray()]).toEqual([0, 3, 1, 4, 2, 5]);
    expect(v.disposed).toBe(false);
  });

  it('works with Symbol.dispose', () => {
    const t = Tensor.zeros([1], 'u8');
    t[Symbol.dispose]();
    expect(t.disposed).toBe(true);
  });
});

describe('Tensor.fromDevicePointer (metadata only: no device call is made)', () => {
  it('wraps a foreign pointer with the given strides and device', () => {
    const owner = { name: 'torch tensor' };
    const t = Tensor.fromDevicePointer(0x7f00_0000_1000n, [4, 8], 'bf16', { strides: [1, 4], device: 'cuda:1', owner });
    expect(t.device).toBe('cuda:1');
    expect(t.isCuda).toBe(true);
    expect(t.strides).toEqual([1, 4]);
    expect(t.isContiguous()).toBe(false);
    expect(t.dataPtr).toBe(0x7f00_0000_1000n);
    expect(t.storage).toEqual({
      kind: 'device',
      ptr: 0x7f00_0000_1000n,
      byteLength: 64,
      device: 1,
      buffer: undefined,
      owner,
    });
    const v = t.transpose(0, 1);
    expect(v.shape).toEqual([8, 4]);
    expect(v.isContiguous()).toBe(true);
    expect(v.view([32]).dataPtr).toBe(0x7f00_0000_1000n);
    t.dispose();
    expect(t.disposed).toBe(true);
    expect(v.disposed).toBe(false);
  });

  it('defaults to row-major strides', () => {
    const t = Tensor.fromDevicePointer(0x1000n, [2, 3], 'f32', { device: 'cuda:0' });
    expect(t.strides).toEqual([3, 1]);
    expect(t.nbytes).toBe(24);
    expect(t.storage.kind === 'device' && t.storage.byteLength).toBe(24);
  });

  it('takes a storage size beyond the view (padding a kernel may write)', () => {
    // An MN-major [3, 2] view with a column stride of 4: its span is 7 floats, the padded layout 8.
    const t = Tensor.fromDevicePointer(0x1000n, [3, 2], 'f32', { strides: [1, 4], device: 'cuda:0', byteLength: 32 });
    expect(t.storage.kind === 'device' && t.storage.byteLength).toBe(32);
    expect(t.nbytes).toBe(24);
  });

  it.each([
    [-1n, [2], 'f32', {}, TypeError, /fromDevicePointer\(ptr\): expected a bigint in \[0, 2\^64\), got -1n/],
    [2n ** 64n, [2], 'f32', {}, TypeError, /fromDevicePointer\(ptr\): expected a bigint/],
    [4096, [2], 'f32', {}, TypeError, /fromDevicePointer\(ptr\): expected a bigint in \[0, 2\^64\), got 4096/],
    [0n, [2], 'f32', {}, RangeError, /fromDevicePointer\(ptr\): expected a non-null pointer for 2 elements, got 0n/],
    [
      0x1002n,
      [2],
      'f32',
      {},
      RangeError,
      /fromDevicePointer\(ptr\): expected a multiple of 4 \(the size of f32\), got 0x1002/,
    ],
    [
      0x1000n,
      [2, -3],
      'f32',
      {},
      RangeError,
      /fromDevicePointer\(shape\)\[1\]: expected a non-negative integer, got -3/,
    ],
    [0x1000n, [2], 'f64', {}, TypeError, /fromDevicePointer\(dtype\): expected one of/],
    [0x1000n, [2, 3], 'f32', { strides: [1] }, TypeError, /opts.strides\): expected an array of 2 non-negative/],
    [
      0x1000n,
      [2, 3],
      'f32',
      { strides: [1, -1] },
      RangeError,
      /opts.strides\)\[1\]: expected a non-negative integer, got -1/,
    ],
    [
      0x1000n,
      [2],
      'f32',
      { device: 'cpu' },
      TypeError,
      /fromDevicePointer\(opts.device\): expected 'cuda:N', got 'cpu'/,
    ],
    [
      0x1000n,
      [2],
      'f32',
      { device: 'cuda:x' },
      TypeError,
      /fromDevicePointer\(opts.device\): expected 'cpu' or 'cuda:N'/,
    ],
    [0x1000n, [2], 'f32', null, TypeError, /fromDevicePointer\(opts\): expected an object, got null/],
    [
      0x1000n,
      [3, 2],
      'f32',
      { strides: [1, 4], byteLength: 24 },
      RangeError,
      /fromDevicePointer\(opts.byteLength\): expected an integer >= 28 \(the view's span in bytes\), got 24/,
    ],
    [0x1000n, [2], 'f32', { byteLength: 8.5 }, RangeError, /opts.byteLength\): expected an integer >= 8 .*got 8.5/],
  ])('rejects ptr=%s shape=%o dtype=%s opts=%o', (ptr, shape, dtype, opts, type, message) => {
    const call = (): unknown =>
      Tensor.fromDevicePointer(ptr as bigint, shape, dtype as DType, opts as { device: 'cuda:0' });
    expect(call).toThrow(type);
    expect(call).toThrow(message);
  });

  it('allows a null pointer for an empty tensor', () => {
    expect(Tensor.fromDevicePointer(0n, [0, 4], 'f32', { device: 'cuda:0' }).numel).toBe(0);
  });
});

describe.skipIf(isAvailable())('device paths without CUDA (skipped: this machine has a CUDA device)', () => {
  it('throws the CudaUnavailableError of the memory API', () => {
    expect(() => Tensor.empty([2, 2], 'f32', 'cuda:0')).toThrow(CudaUnavailableError);
    expect(() => Tensor.zeros([2, 2], 'f32', 'cuda:0')).toThrow(CudaUnavailableError);
    expect(() => Tensor.fromArray(new Float32Array(4), [2, 2], 'f32', 'cuda:0')).toThrow(CudaUnavailableError);
    expect(() => Tensor.zeros([2, 2], 'f32').to('cuda:0')).toThrow(CudaUnavailableError);
    const foreign = Tensor.fromDevicePointer(0x1000n, [2], 'f32', { device: 'cuda:0' });
    expect(() => foreign.toArray()).toThrow(CudaUnavailableError);
    expect(() => foreign.fill(1)).toThrow(CudaUnavailableError);
  });

  it('still validates arguments before touching CUDA', () => {
    expect(() => Tensor.empty([2, -2], 'f32', 'cuda:0')).toThrow(RangeError);
    expect(() => Tensor.empty([2, 2], 'f32', 'cuda:-1' as 'cuda:0')).toThrow(TypeError);
  });
});
