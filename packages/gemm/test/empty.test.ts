// Empty problems, as DeepGEMM settles them: M = 0 or N = 0 does nothing; K = 0 gives D = C, or zeros.

import { Tensor } from '@dg/runtime';
import { describe, expect, it } from 'vitest';
import { bf16GemmNt, fp8GemmNt, fp8GemmNtAccumulate } from '../src/index.js';

function fp8Operand(rows: number, k: number, scaleRows: number) {
  return { data: Tensor.zeros([rows, k], 'e4m3fn'), scale: Tensor.zeros([scaleRows, Math.ceil(k / 128)], 'f32') };
}

describe('empty problems', () => {
  it('fp8GemmNt with M = 0 or N = 0 is a no-op', () => {
    expect(() => fp8GemmNt(fp8Operand(0, 256, 0), fp8Operand(64, 256, 1), Tensor.empty([0, 64], 'bf16'))).not.toThrow();
    const d = Tensor.empty([16, 0], 'bf16');
    expect(() => fp8GemmNt(fp8Operand(16, 256, 16), fp8Operand(0, 256, 0), d)).not.toThrow();
  });

  it('fp8GemmNt with K = 0 writes zeros', () => {
    const d = Tensor.empty([4, 8], 'bf16').fill(3);
    fp8GemmNt(fp8Operand(4, 0, 4), fp8Operand(8, 0, 1), d);
    expect(d.toArray()).toEqual(new Uint16Array(32));
  });

  it('fp8GemmNtAccumulate with K = 0 copies C, or leaves D as it is', () => {
    const c = Tensor.empty([4, 8], 'f32').fill(2);
    const d = Tensor.empty([4, 8], 'f32').fill(5);
    fp8GemmNtAccumulate(fp8Operand(4, 0, 4), fp8Operand(8, 0, 8), d, c);
    expect(d.toArray()).toEqual(new Float32Array(32).fill(2));
    fp8GemmNtAccumulate(fp8Operand(4, 0, 4), fp8Operand(8, 0, 8), d);
    expect(d.toArray()).toEqual(new Float32Array(32).fill(2));
  });

  it('fp8GemmNtAccumulate with M = 0 leaves everything alone', () => {
    expect(() =>
      fp8GemmNtAccumulate(fp8Operand(0, 128, 0), fp8Operand(8, 128, 8), Tensor.empty([0, 8], 'f32')),
    ).not.toThrow();
  });

  it('bf16GemmNt with K = 0 writes zeros, or C (into a d with padded rows)', () => {
    const a = Tensor.empty([4, 0], 'bf16');
    const b = Tensor.empty([8, 0], 'bf16');
    const d = Tensor.empty([4, 8], 'f32').fill(7);
    bf16GemmNt(a, b, d);
    expect(d.toArray()).toEqual(new Float32Array(32));
    const padded = Tensor.emptyStrided([4, 8], [16, 1], 'bf16').fill(1);
    const c = Tensor.empty([4, 8], 'bf16').fill(-2);
    bf16GemmNt(a, b, padded, { c });
    expect(padded.toArray()).toEqual(c.toArray());
  });

  it('still validates empty problems', () => {
    expect(() => fp8GemmNt(fp8Operand(0, 256, 0), fp8Operand(64, 256, 1), Tensor.empty([0, 64], 'f32'))).toThrow(
      /'d' must be of dtype bf16/,
    );
  });
});
