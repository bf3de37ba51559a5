// fp8GemmNt: every bad input throws its error class, naming the argument, before any work. CUDA tensors here wrap
// made-up pointers (Tensor.fromDevicePointer with an explicit device touches no driver), which validation never
// dereferences.

import { Tensor } from '@dg/runtime';
import { describe, expect, it } from 'vitest';
import {
  DgArgumentError,
  DgDeviceError,
  DgDtypeError,
  type DgGemmError,
  DgLayoutError,
  DgShapeError,
  fp8GemmNt,
} from '../src/index.js';
import { validateFp8GemmNt } from '../src/validate.js';
import { expectGemmError } from './helpers.js';

const M = 32;
const N = 64;
const K = 256;

interface Args {
  a: unknown;
  b: unknown;
  d: unknown;
  opts?: unknown;
}

function cpuArgs(): { a: { data: Tensor; scale: Tensor }; b: { data: Tensor; scale: Tensor }; d: Tensor } {
  return {
    a: { data: Tensor.zeros([M, K], 'e4m3fn'), scale: Tensor.zeros([M, K / 128], 'f32') },
    b: { data: Tensor.zeros([N, K], 'e4m3fn'), scale: Tensor.zeros([1, K / 128], 'f32') },
    d: Tensor.zeros([M, N], 'bf16'),
  };
}

/** CUDA tensors on made-up, well separated, 256-byte aligned addresses. */
function cudaTensor(slot: number, shape: number[], dtype: 'e4m3fn' | 'f32' | 'bf16', strides?: number[]): Tensor {
  return Tensor.fromDevicePointer(BigInt(slot) << 24n, shape, dtype, { device: 'cuda:0', strides });
}

function cudaArgs(): Args {
  return {
    a: { data: cudaTensor(1, [M, K], 'e4m3fn'), scale: cudaTensor(2, [M, K / 128], 'f32') },
    b: { data: cudaTensor(3, [N, K], 'e4m3fn'), scale: cudaTensor(4, [1, K / 128], 'f32') },
    d: cudaTensor(5, [M, N], 'bf16'),
  };
}

function call(x: Args): void {
  fp8GemmNt(x.a as never, x.b as never, x.d as never, x.opts as never);
}

function withA(patch: Record<string, unknown>): Args {
  const x = cpuArgs();
  return { ...x, a: { ...x.a, ...patch } };
}

function withB(patch: Record<string, unknown>): Args {
  const x = cpuArgs();
  return { ...x, b: { ...x.b, ...patch } };
}

const disposed = Tensor.zeros([M, K], 'e4m3fn');
disposed.dispose();

/** Two tensors of other dtypes over one ArrayBuffer: d's bytes are a's first bytes. */
function aliasedOutput(): Args {
  const bytes = new ArrayBuffer(M * K);
  const x = cpuArgs();
  return {
    a: { ...x.a, data: Tensor.fromArray(new Uint8Array(bytes), [M, K], 'e4m3fn') },
    b: x.b,
    d: Tensor.fromArray(new Uint16Array(bytes, 0, M * N), [M, N], 'bf16'),
  };
}

const cases: [string, () => Args, abstract new (...args: never[]) => DgGemmError, string][] = [
  ['a is not an object', () => ({ ...cpuArgs(), a: null }), DgArgumentError, 'a'],
  ['a is a tuple', () => ({ ...cpuArgs(), a: [cpuArgs().a.data, cpuArgs().a.scale] }), DgArgumentError, 'a'],
  ['a.data is a typed array', () => withA({ data: new Uint8Array(M * K) }), DgArgumentError, 'a.data'],
  ['a.data is missing', () => withA({ data: undefined }), DgArgumentError, 'a.data'],
  ['a.data is disposed', () => withA({ data: disposed }), DgArgumentError, 'a.data'],
  ['a.data is u8', () => withA({ data: Tensor.zeros([M, K], 'u8') }), DgDtypeError, 'a.data'],
  ['a.data is e5m2', () => withA({ data: Tensor.zeros([M, K], 'e5m2') }), DgDtypeError, 'a.data'],
  ['a.scale is bf16', () => withA({ scale: Tensor.zeros([M, 2], 'bf16') }), DgDtypeError, 'a.scale'],
  ['b.scale is i32', () => withB({ scale: Tensor.zeros([1, 2], 'i32') }), DgDtypeError, 'b.scale'],
  ['d is f32', () => ({ ...cpuArgs(), d: Tensor.zeros([M, N], 'f32') }), DgDtypeError, 'd'],
  ['d is a number', () => ({ ...cpuArgs(), d: 3 }), DgArgumentError, 'd'],
  ['b.data on another device', () => withB({ data: cudaTensor(3, [N, K], 'e4m3fn') }), DgDeviceError, 'b.data'],
  [
    'd on another CUDA device',
    () => ({ ...cudaArgs(), d: Tensor.fromDevicePointer(5n << 24n, [M, N], 'bf16', { device: 'cuda:1' }) }),
    DgDeviceError,
    'd',
  ],
  ['a.data is 3-D', () => withA({ data: Tensor.zeros([1, M, K], 'e4m3fn') }), DgShapeError, 'a.data'],
  ['b.data is 1-D', () => withB({ data: Tensor.zeros([N * K], 'e4m3fn') }), DgShapeError, 'b.data'],
  ['b.data has another K', () => withB({ data: Tensor.zeros([N, K + 16], 'e4m3fn') }), DgShapeError, 'b.data'],
  [
    'N is not a multiple of 8',
    () => ({
      a: cpuArgs().a,
      b: { data: Tensor.zeros([60, K], 'e4m3fn'), scale: Tensor.zeros([1, 2], 'f32') },
      d: Tensor.zeros([M, 60], 'bf16'),
    }),
    DgShapeError,
    'b.data',
  ],
  [
    'K is not a multiple of 16',
    () => ({
      a: { data: Tensor.zeros([M, 200], 'e4m3fn'), scale: Tensor.zeros([M, 2], 'f32') },
      b: { data: Tensor.zeros([N, 200], 'e4m3fn'), scale: Tensor.zeros([1, 2], 'f32') },
      d: Tensor.zeros([M, N], 'bf16'),
    }),
    DgShapeError,
    'a.data',
  ],
  ['a.scale has ceil(K/128) + 1 columns', () => withA({ scale: Tensor.zeros([M, 3], 'f32') }), DgShapeError, 'a.scale'],
  ['a.scale is 1-D', () => withA({ scale: Tensor.zeros([M * 2], 'f32') }), DgShapeError, 'a.scale'],
  ['b.scale is per channel', () => withB({ scale: Tensor.zeros([N, 2], 'f32') }), DgShapeError, 'b.scale'],
  ['d has another shape', () => ({ ...cpuArgs(), d: Tensor.zeros([N, M], 'bf16') }), DgShapeError, 'd'],
  [
    'a.data is MN-major',
    () => withA({ data: Tensor.zeros([K, M], 'e4m3fn').transpose(0, 1) }),
    DgLayoutError,
    'a.data',
  ],
  [
    'a.data rows are not 16-byte multiples',
    () => withA({ data: Tensor.emptyStrided([M, K], [K + 8, 1], 'e4m3fn') }),
    DgLayoutError,
    'a.data',
  ],
  [
    'b.data rows overlap',
    () => withB({ data: Tensor.emptyStrided([N, K], [K - 16, 1], 'e4m3fn') }),
    DgLayoutError,
    'b.data',
  ],
  [
    'a.scale is neither row-major nor MN-major',
    () => withA({ scale: Tensor.emptyStrided([M, 2], [4, 2], 'f32') }),
    DgLayoutError,
    'a.scale',
  ],
  ['d is column-major', () => ({ ...cpuArgs(), d: Tensor.zeros([N, M], 'bf16').transpose(0, 1) }), DgLayoutError, 'd'],
  [
    'd rows are not 16-byte multiples',
    () => ({ ...cpuArgs(), d: Tensor.emptyStrided([M, N], [N + 4, 1], 'bf16') }),
    DgLayoutError,
    'd',
  ],
  [
    'd starts 8 bytes into its ArrayBuffer',
    () => ({ ...cpuArgs(), d: Tensor.fromArray(new Uint16Array(M * N + 4).subarray(4), [M, N], 'bf16') }),
    DgLayoutError,
    'd',
  ],
  [
    'a.scale on CUDA starts at a misaligned address',
    () => {
      const x = cudaArgs();
      const a = x.a as { data: Tensor };
      return {
        ...x,
        a: { data: a.data, scale: Tensor.fromDevicePointer((2n << 24n) + 4n, [M, 2], 'f32', { device: 'cuda:0' }) },
      };
    },
    DgLayoutError,
    'a.scale',
  ],
  ['d overlaps a.data (host)', aliasedOutput, DgLayoutError, 'd'],
  [
    'd overlaps b.data (CUDA)',
    () => ({ ...cudaArgs(), d: Tensor.fromDevicePointer((3n << 24n) + 1024n, [M, N], 'bf16', { device: 'cuda:0' }) }),
    DgLayoutError,
    'd',
  ],
  ['opts is a string', () => ({ ...cpuArgs(), opts: 'fast' }), DgArgumentError, 'opts'],
  ['opts is null', () => ({ ...cpuArgs(), opts: null }), DgArgumentError, 'opts'],
  ['opts.stream is a number', () => ({ ...cudaArgs(), opts: { stream: 0 } }), DgArgumentError, 'opts.stream'],
];

describe('fp8GemmNt validation', () => {
  it.each(cases)('%s', (_name, args, cls, argument) => {
    expectGemmError(() => call(args()), cls, argument);
  });

  it('names what was expected and what was given', () => {
    const err = expectGemmError(() => call(withA({ scale: Tensor.zeros([M, 3], 'f32') })), DgShapeError, 'a.scale');
    expect(err.message).toBe("fp8GemmNt: 'a.scale' must be of shape [M, ceil(K/128)] = [32, 2]; got shape [32, 3]");
    expect(err.code).toBe('DG_SHAPE');
  });

  it('accepts operands with extra fields and options with unknown fields', () => {
    const x = cpuArgs();
    expect(() => call({ a: { ...x.a, note: 'weights' }, b: x.b, d: x.d, opts: { tag: 1 } })).not.toThrow();
  });

  it('accepts a row-major A scale with padded rows and an MN-major one', () => {
    const padded = withA({ scale: Tensor.emptyStrided([M, 2], [4, 1], 'f32') });
    expect(() => call(padded)).not.toThrow();
    const mnMajor = withA({ scale: Tensor.emptyStrided([M, 2], [1, M + 4], 'f32') });
    expect(() => call(mnMajor)).not.toThrow();
  });

  it('accepts B scales with any strides', () => {
    expect(() => call(withB({ scale: Tensor.zeros([2, 1], 'f32').transpose(0, 1) }))).not.toThrow();
  });

  it('turns valid CUDA arguments into a problem on that device without touching CUDA', () => {
    const x = cudaArgs();
    const p = validateFp8GemmNt(x.a, x.b, x.d, undefined);
    expect(p).toMatchObject({ kind: 'fp8GemmNt', device: 0, m: M, n: N, k: K });
  });

  describe('repeat calls with the same tensors (validation memo)', () => {
    it('returns the remembered problem for the same tensor objects, in fresh operand wrappers', () => {
      const x = cudaArgs() as { a: { data: Tensor; scale: Tensor }; b: { data: Tensor; scale: Tensor }; d: Tensor };
      const first = validateFp8GemmNt(x.a, x.b, x.d, undefined);
      expect(validateFp8GemmNt({ ...x.a }, { ...x.b }, x.d, {})).toBe(first);
    });

    it('validates again when any tensor differs: a bad one after a good call still throws', () => {
      const x = cudaArgs() as { a: { data: Tensor; scale: Tensor }; b: { data: Tensor; scale: Tensor }; d: Tensor };
      validateFp8GemmNt(x.a, x.b, x.d, undefined);
      const badScale = cudaTensor(6, [M, 3], 'f32');
      expectGemmError(
        () => validateFp8GemmNt({ ...x.a, scale: badScale }, x.b, x.d, undefined),
        DgShapeError,
        'a.scale',
      );
      const overlapping = cudaTensor(1, [M, N], 'bf16');
      expectGemmError(() => validateFp8GemmNt(x.a, x.b, overlapping, undefined), DgLayoutError, 'd');
    });

    it('checks the options on every call and rejects a disposed tensor', () => {
      const x = cpuArgs();
      call(x);
      expectGemmError(() => call({ ...x, opts: { stream: 5 } }), DgArgumentError, 'opts.stream');
      x.b.scale.dispose();
      expect(() => call(x)).toThrow(/disposed/);
    });
  });
});
