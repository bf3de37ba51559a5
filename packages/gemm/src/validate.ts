// One checker per entry point: raw arguments in, the checked problem of problem.ts out, or the typed error of the
// first broken rule. Checks run in a fixed order, cheapest and most basic first: kinds and dtypes, devices, shapes,
// layouts, alignment, aliasing, options. Nothing here reads tensor memory, allocates or touches CUDA.

import type { Tensor } from '@dg/runtime';
import {
  expectAlignedBase,
  expectDevice,
  expectDtype,
  expectMultiple,
  expectRowMajor,
  expectSizes,
  majorOf,
  matrixSizes,
  rowStrideMultiple,
  tensorArg,
} from './checks.js';
import { describeValue, shapeText } from './describe.js';
import { DgArgumentError, DgShapeError } from './errors.js';
import { checkStream, optionsArg } from './options.js';
import { expectDisjoint, expectSameOrDisjoint } from './overlap.js';
import type { Bf16GemmNtProblem, Fp8GemmNtAccumulateProblem, Fp8GemmNtProblem, ProblemDevice } from './problem.js';
import { peekField, peekOperand, ValidationMemo } from './validationMemo.js';

/** Scale factors cover 128 elements along K (and 128 rows of B in fp8GemmNt): the granularity of the recipes. */
const SF_BLOCK = 128;

interface Named {
  readonly name: string;
  readonly tensor: Tensor;
}

function problemDevice(t: Tensor): ProblemDevice {
  return t.device === 'cpu' ? 'cpu' : Number(t.device.slice('cuda:'.length));
}

function sameDevice(fn: string, tensors: readonly Named[]): ProblemDevice {
  const [first, ...rest] = tensors;
  if (first === undefined) throw new Error(`${fn}: no tensors to place`);
  for (const t of rest) expectDevice(fn, t.name, t.tensor, first);
  return problemDevice(first.tensor);
}

function alignedBases(fn: string, tensors: readonly Named[]): void {
  for (const t of tensors) expectAlignedBase(fn, t.name, t.tensor);
}

/** `{ data, scale }` of an FP8 operand; other fields of the object are ignored. */
function fp8OperandArg(fn: string, name: 'a' | 'b', v: unknown): { data: Tensor<'e4m3fn'>; scale: Tensor<'f32'> } {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    throw new DgArgumentError(fn, name, '{ data: e4m3fn tensor, scale: f32 tensor }', describeValue(v));
  }
  const { data, scale } = v as { data?: unknown; scale?: unknown };
  return {
    data: expectDtype(fn, `${name}.data`, tensorArg(fn, `${name}.data`, data), ['e4m3fn']),
    scale: expectDtype(fn, `${name}.scale`, tensorArg(fn, `${name}.scale`, scale), ['f32']),
  };
}

/** M, N, K of A [M, K] and B [N, K], with the 16-byte rules on N (D rows) and K (FP8 rows). */
function operandSizes(
  fn: string,
  a: Named,
  b: Named,
  kMultiple: number,
  kWhy: string,
): { m: number; n: number; k: number } {
  const [m, k] = matrixSizes(fn, a.name, a.tensor, '[M, K]');
  const [n, kb] = matrixSizes(fn, b.name, b.tensor, '[N, K]');
  if (kb !== k) {
    throw new DgShapeError(
      fn,
      b.name,
      `[N, K] with K = ${k} (the K of '${a.name}')`,
      `shape ${shapeText(b.tensor.shape)}`,
    );
  }
  expectMultiple(fn, b.name, '[N, K]', 'N', n, 8, '16-byte rows of the output');
  expectMultiple(fn, a.name, '[M, K]', 'K', k, kMultiple, kWhy);
  return { m, n, k };
}

const FP8_K_WHY = '16-byte rows of e4m3fn';

const fp8GemmNtMemo = new ValidationMemo<Fp8GemmNtProblem>();
const bf16GemmNtMemo = new ValidationMemo<Bf16GemmNtProblem>();
const fp8GemmNtAccumulateMemo = new ValidationMemo<Fp8GemmNtAccumulateProblem>();

/**
 * fp8GemmNt(a, b, d, opts): D (bf16 [M, N]) = A · Bᵀ, A scaled per token (1x128), B per 128x128 block.
 */
export function validateFp8GemmNt(aArg: unknown, bArg: unknown, dArg: unknown, opts: unknown): Fp8GemmNtProblem {
  const fn = 'fp8GemmNt';
  const [aData0, aScale0] = peekOperand(aArg);
  const [bData0, bScale0] = peekOperand(bArg);
  const seen = fp8GemmNtMemo.lookup(dArg, [aData0, aScale0, bData0, bScale0]);
  if (seen !== undefined) {
    checkStream(fn, optionsArg(fn, opts).stream, seen.device);
    return seen;
  }
  const a = fp8OperandArg(fn, 'a', aArg);
  const b = fp8OperandArg(fn, 'b', bArg);
  const d = expectDtype(fn, 'd', tensorArg(fn, 'd', dArg), ['bf16']);
  const aData: Named = { name: 'a.data', tensor: a.data };
  const bData: Named = { name: 'b.data', tensor: b.data };
  const inputs: Named[] = [aData, { name: 'a.scale', tensor: a.scale }, bData, { name: 'b.scale', tensor: b.scale }];
  const out: Named = { name: 'd', tensor: d };
  const device = sameDevice(fn, [...inputs, out]);

  const { m, n, k } = operandSizes(fn, aData, bData, 16, FP8_K_WHY);
  const sfK = Math.ceil(k / SF_BLOCK);
  expectSizes(fn, 'a.scale', a.scale, [m, sfK], '[M, ceil(K/128)]');
  expectSizes(fn, 'b.scale', b.scale, [Math.ceil(n / SF_BLOCK), sfK], '[ceil(N/128), ceil(K/128)]');
  expectSizes(fn, 'd', d, [m, n], '[M, N]');

  expectRowMajor(fn, 'a.data', a.data, k);
  majorOf(fn, 'a.scale', a.scale, { rows: 'M', cols: 'ceil(K/128)' }, 1);
  expectRowMajor(fn, 'b.data', b.data, k);
  // b.scale: any strides. The kernel's TMA reads it K-major with 16-byte aligned rows; the launcher copies it into
  // that layout when it is not (gpu/scaleLayout.ts).
  expectRowMajor(fn, 'd', d, n);
  alignedBases(fn, [...inputs, out]);
  for (const input of inputs) expectDisjoint(fn, out, input);

  checkStream(fn, optionsArg(fn, opts).stream, device);
  const problem: Fp8GemmNtProblem = {
    kind: 'fp8GemmNt',
    device,
    m,
    n,
    k,
    a: a.data,
    sfa: a.scale,
    b: b.data,
    sfb: b.scale,
    d,
  };
  fp8GemmNtMemo.remember(d, [a.data, a.scale, b.data, b.scale], problem);
  return problem;
}

/**
 * fp8GemmNtAccumulate(a, b, d, c, opts): D (f32 [M, N]) = C + A · Bᵀ, both operands scaled 1x128 along K; without
 * C, D accumulates onto itself.
 */
export function validateFp8GemmNtAccumulate(
  aArg: unknown,
  bArg: unknown,
  dArg: unknown,
  cArg: unknown,
  opts: unknown,
): Fp8GemmNtAccumulateProblem {
  const fn = 'fp8GemmNtAccumulate';
  const [aData0, aScale0] = peekOperand(aArg);
  const [bData0, bScale0] = peekOperand(bArg);
  const seen = fp8GemmNtAccumulateMemo.lookup(dArg, [aData0, aScale0, bData0, bScale0, cArg ?? null]);
  if (seen !== undefined) {
    checkStream(fn, optionsArg(fn, opts).stream, seen.device);
    return seen;
  }
  const a = fp8OperandArg(fn, 'a', aArg);
  const b = fp8OperandArg(fn, 'b', bArg);
  const d = expectDtype(fn, 'd', tensorArg(fn, 'd', dArg), ['f32']);
  const c = cArg === undefined || cArg === null ? null : expectDtype(fn, 'c', tensorArg(fn, 'c', cArg), ['f32']);
  const aData: Named = { name: 'a.data', tensor: a.data };
  const bData: Named = { name: 'b.data', tensor: b.data };
  const inputs: Named[] = [aData, { name: 'a.scale', tensor: a.scale }, bData, { name: 'b.scale', tensor: b.scale }];
  const out: Named = { name: 'd', tensor: d };
  const acc: Named[] = c === null ? [] : [{ name: 'c', tensor: c }];
  const device = sameDevice(fn, [...inputs, out, ...acc]);

  const { m, n, k } = operandSizes(fn, aData, bData, 16, FP8_K_WHY);
  const sfK = Math.ceil(k / SF_BLOCK);
  expectSizes(fn, 'a.scale', a.scale, [m, sfK], '[M, ceil(K/128)]');
  expectSizes(fn, 'b.scale', b.scale, [n, sfK], '[N, ceil(K/128)]');
  expectSizes(fn, 'd', d, [m, n], '[M, N]');
  for (const t of acc) expectSizes(fn, t.name, t.tensor, [m, n], '[M, N]');

  expectRowMajor(fn, 'a.data', a.data, k);
  majorOf(fn, 'a.scale', a.scale, { rows: 'M', cols: 'ceil(K/128)' }, 1);
  expectRowMajor(fn, 'b.data', b.data, k);
  majorOf(fn, 'b.scale', b.scale, { rows: 'N', cols: 'ceil(K/128)' }, 1);
  expectRowMajor(fn, 'd', d, n);
  for (const t of acc) expectRowMajor(fn, t.name, t.tensor, n);
  alignedBases(fn, [...inputs, out, ...acc]);
  for (const input of inputs) expectDisjoint(fn, out, input);
  for (const t of acc) expectSameOrDisjoint(fn, t, out);

  checkStream(fn, optionsArg(fn, opts).stream, device);
  const problem: Fp8GemmNtAccumulateProblem = {
    kind: 'fp8GemmNtAccumulate',
    device,
    m,
    n,
    k,
    a: a.data,
    sfa: a.scale,
    b: b.data,
    sfb: b.scale,
    d,
    c,
  };
  fp8GemmNtAccumulateMemo.remember(d, [a.data, a.scale, b.data, b.scale, c], problem);
  return problem;
}

/** bf16GemmNt(a, b, d, opts): D (bf16 or f32 [M, N]) = A · Bᵀ (+ opts.c); A and B K-major or MN-major each. */
export function validateBf16GemmNt(aArg: unknown, bArg: unknown, dArg: unknown, opts: unknown): Bf16GemmNtProblem {
  const fn = 'bf16GemmNt';
  const seen = bf16GemmNtMemo.lookup(dArg, [aArg, bArg, peekField(opts, 'c') ?? null]);
  if (seen !== undefined) {
    checkStream(fn, optionsArg(fn, opts).stream, seen.device);
    return seen;
  }
  const a = expectDtype(fn, 'a', tensorArg(fn, 'a', aArg), ['bf16']);
  const b = expectDtype(fn, 'b', tensorArg(fn, 'b', bArg), ['bf16']);
  const d = expectDtype(fn, 'd', tensorArg(fn, 'd', dArg), ['bf16', 'f32']);
  const options = optionsArg(fn, opts);
  const c = options.c === undefined ? null : expectDtype(fn, 'opts.c', tensorArg(fn, 'opts.c', options.c), [d.dtype]);
  const aOperand: Named = { name: 'a', tensor: a };
  const bOperand: Named = { name: 'b', tensor: b };
  const inputs: Named[] = [aOperand, bOperand];
  const out: Named = { name: 'd', tensor: d };
  const acc: Named[] = c === null ? [] : [{ name: 'opts.c', tensor: c }];
  const device = sameDevice(fn, [...inputs, out, ...acc]);

  const { m, n, k } = operandSizes(fn, aOperand, bOperand, 8, '16-byte rows of bf16');
  expectSizes(fn, 'd', d, [m, n], '[M, N]');
  for (const t of acc) expectSizes(fn, t.name, t.tensor, [m, n], '[M, N]');

  const aMajor = majorOf(fn, 'a', a, { rows: 'M', cols: 'K' }, rowStrideMultiple('bf16'));
  const bMajor = majorOf(fn, 'b', b, { rows: 'N', cols: 'K' }, rowStrideMultiple('bf16'));
  expectRowMajor(fn, 'd', d, n);
  for (const t of acc) expectRowMajor(fn, t.name, t.tensor, n);
  alignedBases(fn, [...inputs, out, ...acc]);
  for (const input of inputs) expectDisjoint(fn, out, input);
  for (const t of acc) expectSameOrDisjoint(fn, t, out);

  checkStream(fn, options.stream, device);
  const problem: Bf16GemmNtProblem = {
    kind: 'bf16GemmNt',
    device,
    m,
    n,
    k,
    a,
    aMajor,
    b,
    bMajor,
    d: d as Tensor<'bf16'> | Tensor<'f32'>,
    c: c as Tensor<'bf16'> | Tensor<'f32'> | null,
  };
  bf16GemmNtMemo.remember(d, [a, b, c], problem);
  return problem;
}
