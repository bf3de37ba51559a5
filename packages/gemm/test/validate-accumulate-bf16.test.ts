// fp8GemmNtAccumulate and bf16GemmNt: the rules they add to (or change from) fp8GemmNt's, one bad input per test.

import { Tensor } from '@dg/runtime';
import { describe, expect, it } from 'vitest';
import {
  bf16GemmNt,
  DgArgumentError,
  DgDeviceError,
  DgDtypeError,
  type DgGemmError,
  DgLayoutError,
  DgShapeError,
  fp8GemmNtAccumulate,
} from '../src/index.js';
import { validateBf16GemmNt, validateFp8GemmNtAccumulate } from '../src/validate.js';
import { expectGemmError } from './helpers.js';

const M = 32;
const N = 64;
const K = 256;

type ErrorClass = abstract new (...args: never[]) => DgGemmError;

describe('fp8GemmNtAccumulate validation', () => {
  interface Args {
    a: unknown;
    b: unknown;
    d: unknown;
    c?: unknown;
    opts?: unknown;
  }
  const base = () => ({
    a: { data: Tensor.zeros([M, K], 'e4m3fn'), scale: Tensor.zeros([M, 2], 'f32') },
    b: { data: Tensor.zeros([N, K], 'e4m3fn'), scale: Tensor.zeros([N, 2], 'f32') },
    d: Tensor.zeros([M, N], 'f32'),
  });
  const call = (x: Args) =>
    fp8GemmNtAccumulate(x.a as never, x.b as never, x.d as never, x.c as never, x.opts as never);
  const withB = (patch: Record<string, unknown>): Args => ({ ...base(), b: { ...base().b, ...patch } });
  const overlappingC = (): Args => {
    const storage = new Float32Array(M * N + 8);
    return {
      ...base(),
      d: Tensor.fromArray(storage.subarray(0, M * N), [M, N], 'f32'),
      c: Tensor.fromArray(storage.subarray(4, 4 + M * N), [M, N], 'f32'),
    };
  };

  const cases: [string, () => Args, ErrorClass, string][] = [
    ['d is bf16', () => ({ ...base(), d: Tensor.zeros([M, N], 'bf16') }), DgDtypeError, 'd'],
    ['c is bf16', () => ({ ...base(), c: Tensor.zeros([M, N], 'bf16') }), DgDtypeError, 'c'],
    ['c is a number', () => ({ ...base(), c: 1 }), DgArgumentError, 'c'],
    [
      'c on a CUDA device',
      () => ({ ...base(), c: Tensor.fromDevicePointer(1n << 24n, [M, N], 'f32', { device: 'cuda:0' }) }),
      DgDeviceError,
      'c',
    ],
    ['b.scale is per block', () => withB({ scale: Tensor.zeros([1, 2], 'f32') }), DgShapeError, 'b.scale'],
    ['c has another shape', () => ({ ...base(), c: Tensor.zeros([M, N + 8], 'f32') }), DgShapeError, 'c'],
    [
      'b.scale is neither row-major nor MN-major',
      () => withB({ scale: Tensor.emptyStrided([N, 2], [4, 2], 'f32') }),
      DgLayoutError,
      'b.scale',
    ],
    [
      'd rows are not 16-byte multiples',
      () => ({ ...base(), d: Tensor.emptyStrided([M, N], [N + 2, 1], 'f32') }),
      DgLayoutError,
      'd',
    ],
    ['c is column-major', () => ({ ...base(), c: Tensor.zeros([N, M], 'f32').transpose(0, 1) }), DgLayoutError, 'c'],
    ['c partly overlaps d', overlappingC, DgLayoutError, 'c'],
    ['opts.stream is a string', () => ({ ...base(), opts: { stream: 'default' } }), DgArgumentError, 'opts.stream'],
  ];

  it.each(cases)('%s', (_name, args, cls, argument) => {
    expectGemmError(() => call(args()), cls, argument);
  });

  it('takes c omitted, null, separate, or d itself', () => {
    const x = base();
    expect(validateFp8GemmNtAccumulate(x.a, x.b, x.d, undefined, undefined).c).toBeNull();
    expect(validateFp8GemmNtAccumulate(x.a, x.b, x.d, null, undefined).c).toBeNull();
    const c = Tensor.zeros([M, N], 'f32');
    expect(validateFp8GemmNtAccumulate(x.a, x.b, x.d, c, undefined).c).toBe(c);
    expect(validateFp8GemmNtAccumulate(x.a, x.b, x.d, x.d, undefined).c).toBe(x.d);
    expect(validateFp8GemmNtAccumulate(x.a, x.b, x.d, x.d.view([M, N]), undefined).c).not.toBeNull();
  });

  it('accepts MN-major scales for both operands', () => {
    const x = base();
    const a = { ...x.a, scale: Tensor.zeros([2, M], 'f32').transpose(0, 1) };
    const b = { ...x.b, scale: Tensor.zeros([2, N], 'f32').transpose(0, 1) };
    expect(() => call({ a, b, d: x.d })).not.toThrow();
  });
});

describe('bf16GemmNt validation', () => {
  interface Args {
    a: unknown;
    b: unknown;
    d: unknown;
    opts?: unknown;
  }
  const base = () => ({
    a: Tensor.zeros([M, K], 'bf16'),
    b: Tensor.zeros([N, K], 'bf16'),
    d: Tensor.zeros([M, N], 'f32'),
  });
  const call = (x: Args) => bf16GemmNt(x.a as never, x.b as never, x.d as never, x.opts as never);

  const cases: [string, () => Args, ErrorClass, string][] = [
    ['a is f32', () => ({ ...base(), a: Tensor.zeros([M, K], 'f32') }), DgDtypeError, 'a'],
    ['b is e4m3fn', () => ({ ...base(), b: Tensor.zeros([N, K], 'e4m3fn') }), DgDtypeError, 'b'],
    ['d is f16', () => ({ ...base(), d: Tensor.zeros([M, N], 'f16') }), DgDtypeError, 'd'],
    ['a is a plain object', () => ({ ...base(), a: { dtype: 'bf16', shape: [M, K] } }), DgArgumentError, 'a'],
    [
      'K is not a multiple of 8',
      () => ({ a: Tensor.zeros([M, 20], 'bf16'), b: Tensor.zeros([N, 20], 'bf16'), d: Tensor.zeros([M, N], 'f32') }),
      DgShapeError,
      'a',
    ],
    [
      'N is not a multiple of 8',
      () => ({ ...base(), b: Tensor.zeros([20, K], 'bf16'), d: Tensor.zeros([M, 20], 'f32') }),
      DgShapeError,
      'b',
    ],
    [
      'a is MN-major with a leading dim not a multiple of 8',
      () => ({ ...base(), a: Tensor.emptyStrided([M, K], [1, M + 4], 'bf16') }),
      DgLayoutError,
      'a',
    ],
    [
      'b has two strided dims',
      () => ({ ...base(), b: Tensor.emptyStrided([N, K], [2 * K, 2], 'bf16') }),
      DgLayoutError,
      'b',
    ],
    ['opts.c is not a tensor', () => ({ ...base(), opts: { c: [1, 2] } }), DgArgumentError, 'opts.c'],
    [
      'opts.c has another dtype than d',
      () => ({ ...base(), opts: { c: Tensor.zeros([M, N], 'bf16') } }),
      DgDtypeError,
      'opts.c',
    ],
    [
      'opts.c has another shape',
      () => ({ ...base(), opts: { c: Tensor.zeros([M, 8], 'f32') } }),
      DgShapeError,
      'opts.c',
    ],
    [
      'd is b (over the same bytes)',
      () => {
        const shared = new Uint16Array(N * K);
        return {
          a: Tensor.zeros([M, K], 'bf16'),
          b: Tensor.fromArray(shared, [N, K], 'bf16'),
          d: Tensor.fromArray(shared.subarray(0, M * N), [M, N], 'bf16'),
        };
      },
      DgLayoutError,
      'd',
    ],
    ['opts is a number', () => ({ ...base(), opts: 7 }), DgArgumentError, 'opts'],
  ];

  it.each(cases)('%s', (_name, args, cls, argument) => {
    expectGemmError(() => call(args()), cls, argument);
  });

  it('reads the major-ness of each operand', () => {
    const x = base();
    const p = validateBf16GemmNt(Tensor.zeros([K, M], 'bf16').transpose(0, 1), x.b, x.d, undefined);
    expect([p.aMajor, p.bMajor]).toEqual(['mn', 'k']);
    expect(p.c).toBeNull();
  });
});

describe('bf16GemmNt repeat calls (validation memo)', () => {
  const dev = (slot: number, shape: number[], dtype: 'bf16' | 'f32') =>
    Tensor.fromDevicePointer(BigInt(slot) << 24n, shape, dtype, { device: 'cuda:0' });

  it('returns the remembered problem for the same tensors and C, and validates again when C changes', () => {
    const a = dev(1, [M, K], 'bf16');
    const b = dev(2, [N, K], 'bf16');
    const d = dev(3, [M, N], 'f32');
    const c = dev(4, [M, N], 'f32');
    const first = validateBf16GemmNt(a, b, d, { c });
    expect(validateBf16GemmNt(a, b, d, { c })).toBe(first);
    const withoutC = validateBf16GemmNt(a, b, d, {});
    expect(withoutC).not.toBe(first);
    expect(withoutC.c).toBeNull();
    expect(validateBf16GemmNt(a, b, d, undefined)).toBe(withoutC);
    expectGemmError(() => validateBf16GemmNt(a, b, d, { c: dev(5, [M, N + 8], 'f32') }), DgShapeError, 'opts.c');
  });
});

describe('fp8GemmNtAccumulate repeat calls (validation memo)', () => {
  const dev = (slot: number, shape: number[], dtype: 'e4m3fn' | 'f32') =>
    Tensor.fromDevicePointer(BigInt(slot) << 24n, shape, dtype, { device: 'cuda:0' });

  it('returns the remembered problem for the same tensors and C, and validates again when C changes', () => {
    const a = { data: dev(1, [M, K], 'e4m3fn'), scale: dev(2, [M, 2], 'f32') };
    const b = { data: dev(3, [N, K], 'e4m3fn'), scale: dev(4, [N, 2], 'f32') };
    const d = dev(5, [M, N], 'f32');
    const c = dev(6, [M, N], 'f32');
    const first = validateFp8GemmNtAccumulate(a, b, d, c, undefined);
    expect(validateFp8GemmNtAccumulate({ ...a }, { ...b }, d, c, {})).toBe(first);
    const onto = validateFp8GemmNtAccumulate(a, b, d, null, undefined);
    expect(onto).not.toBe(first);
    expect(onto.c).toBeNull();
    expect(validateFp8GemmNtAccumulate(a, b, d, undefined, undefined)).toBe(onto);
    expectGemmError(
      () => validateFp8GemmNtAccumulate(a, b, d, dev(7, [M, N + 8], 'f32'), undefined),
      DgShapeError,
      'c',
    );
  });
});
