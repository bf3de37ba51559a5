import { describe, expect, it } from 'vitest';
import {
  checkSm90Fp8Gemm1d1dConfig,
  listSm90Fp8Gemm1d1dVariants,
  renderSm90Fp8Gemm1d1d,
  SM90_FP8_GEMM_1D1D_PARAMS,
  SM90_MAX_SMEM_BYTES,
  type Sm90Fp8Gemm1d1dConfig,
  sm90Fp8Gemm1d1dKernelName,
  sm90Fp8Gemm1d1dMaxStages,
  sm90Fp8Gemm1d1dShapeProblem,
  sm90Fp8Gemm1d1dSmemBytes,
  sm90Fp8Gemm1d1dStageBytes,
  streamedOperand,
} from '../src/index.js';

const base: Sm90Fp8Gemm1d1dConfig = { blockM: 128, blockN: 152, numStages: 4, multicast: 'none', numSms: 132 };

describe('sm90Fp8Gemm1d1d config', () => {
  it('accepts the documented tiles and normalises the object', () => {
    expect(checkSm90Fp8Gemm1d1dConfig({ ...base, extra: 1 })).toEqual(base);
    for (const blockN of [16, 24, 64, 128, 136, 144, 152]) {
      expect(() => checkSm90Fp8Gemm1d1dConfig({ ...base, blockN, numStages: 3 })).not.toThrow();
    }
    expect(() => checkSm90Fp8Gemm1d1dConfig({ ...base, blockM: 64 })).not.toThrow();
  });

  it.each([
    [{ blockM: 256 }, /blockM: expected an integer in \[64, 128\]/],
    [{ blockM: 96 }, /blockM: expected 64 \| 128, got 96/],
    [{ blockN: 100 }, /blockN: expected a multiple of 8, got 100/],
    [{ blockN: 160 }, /blockN: expected an integer in \[16, 152\]/],
    [{ blockN: 8 }, /blockN: expected an integer in \[16, 152\]/],
    [{ numStages: 5 }, /numStages: expected at most 4 for blockM 128, blockN 152/],
    [{ numStages: 0 }, /numStages: expected an integer in \[1, 16\]/],
    [{ multicast: 'c' }, /multicast: expected "none" \| "a" \| "b"/],
    [{ multicast: 'b', numSms: 131 }, /numSms: expected an even number/],
    [{ numSms: 1.5 }, /numSms: expected an integer/],
    [{ blockN: '152' }, /blockN: expected an integer, got "152"/],
    [{ l2Hints: 0 }, /l2Hints: expected a boolean/],
  ])('rejects %o', (patch, message) => {
    expect(() => checkSm90Fp8Gemm1d1dConfig({ ...base, ...patch })).toThrow(message);
  });

  it('keeps l2Hints when given, and streams the operand only one block row or column (or one wave) reads', () => {
    expect(checkSm90Fp8Gemm1d1dConfig({ ...base, l2Hints: false })).toEqual({ ...base, l2Hints: false });
    const c = { ...base, multicast: 'none' as const };
    expect(streamedOperand(c, { m: 128, n: 2112 })).toBe(2);
    expect(streamedOperand(c, { m: 7168, n: 152 })).toBe(1);
    expect(streamedOperand(c, { m: 4096, n: 7168 })).toBe(0);
    expect(streamedOperand({ ...c, l2Hints: false }, { m: 128, n: 2112 })).toBe(0);
  });

  it('rejects a non-object with a TypeError', () => {
    expect(() => checkSm90Fp8Gemm1d1dConfig(null)).toThrow(TypeError);
    expect(() => checkSm90Fp8Gemm1d1dConfig({ ...base, blockM: '64' })).toThrow(TypeError);
  });

  it('sizes shared memory as FP32 output tile + stages (A, B, two scale slots) + barriers', () => {
    expect(sm90Fp8Gemm1d1dStageBytes(128, 152)).toBe(16384 + 19456 + 512 + 640);
    expect(sm90Fp8Gemm1d1dSmemBytes(128, 152, 4)).toBe(128 * 152 * 4 + 4 * (16384 + 19456 + 512 + 640 + 16));
    expect(sm90Fp8Gemm1d1dSmemBytes(64, 40, 1)).toBe(10240 + 8192 + 5120 + 256 + 256 + 16);
    for (const c of listSm90Fp8Gemm1d1dVariants()) {
      const bytes = sm90Fp8Gemm1d1dSmemBytes(c.blockM, c.blockN, c.numStages);
      expect(bytes).toBeLessThanOrEqual(SM90_MAX_SMEM_BYTES);
      expect(
        sm90Fp8Gemm1d1dSmemBytes(c.blockM, c.blockN, c.numStages + 1) > SM90_MAX_SMEM_BYTES || c.numStages === 16,
      ).toBe(true);
    }
    expect(sm90Fp8Gemm1d1dMaxStages(128, 128, 60_000)).toBe(0);
    expect(sm90Fp8Gemm1d1dMaxStages(64, 16)).toBe(16);
  });

  it('pairs multicast CTAs only where the block count along the shared dimension is even', () => {
    expect(sm90Fp8Gemm1d1dShapeProblem({ ...base, multicast: 'a' }, { m: 100, n: 304, k: 128 })).toBeNull();
    expect(sm90Fp8Gemm1d1dShapeProblem({ ...base, multicast: 'a' }, { m: 100, n: 456, k: 128 })).toMatch(
      /even number of N/,
    );
    expect(sm90Fp8Gemm1d1dShapeProblem({ ...base, multicast: 'b' }, { m: 300, n: 8, k: 128 })).toMatch(
      /even number of M/,
    );
    expect(sm90Fp8Gemm1d1dShapeProblem({ ...base, multicast: 'b' }, { m: 256, n: 8, k: 128 })).toBeNull();
  });

  it('lists every (blockM, blockN) at its deepest stage count with all three multicasts', () => {
    const list = listSm90Fp8Gemm1d1dVariants();
    expect(list.length).toBe(2 * 18 * 3);
    const names = new Set(list.map(sm90Fp8Gemm1d1dKernelName));
    expect(names.size).toBe(list.length);
    for (const c of list) expect(checkSm90Fp8Gemm1d1dConfig(c)).toEqual(c);
  });
});

describe('renderSm90Fp8Gemm1d1d', () => {
  it('renders one extern "C" entry with the params in order and the launch shape', () => {
    const r = renderSm90Fp8Gemm1d1d({ ...base, multicast: 'b' });
    expect(r.name).toBe('dg_sm90_fp8_gemm_1d1d_m128_n152_s4_mcb_g16');
    expect(r.source).toContain('#include <dg/kernels/sm90_fp8_gemm_1d1d.cuh>');
    expect(r.source).toContain(`extern "C" __global__ void __launch_bounds__(384, 1)\n${r.name}(`);
    expect(r.source).toContain('dg::sm90_fp8_gemm_1d1d<128, 152, 4, 2, 2, false, 16>');
    expect(r.params).toBe(SM90_FP8_GEMM_1D1D_PARAMS);
    expect(r.params.map((p) => p.name).slice(0, 4)).toEqual(['m', 'n', 'k', 'streamed']);
    expect(r.params.map((p) => p.type)).toEqual(['u32', 'u32', 'u32', 'u32', ...Array(5).fill('tensorMap')]);
    expect(r.source).toContain('(m, n, k, streamed, tmap_a,');
    expect(r.blockDim).toEqual([384, 1, 1]);
    expect(r.clusterDim).toEqual([2, 1, 1]);
    expect(r.dynamicSmemBytes).toBe(sm90Fp8Gemm1d1dSmemBytes(128, 152, 4));
    expect(r.pdl).toBe(true);
    const small = renderSm90Fp8Gemm1d1d({ ...base, blockM: 64, blockN: 24, numStages: 8, multicast: 'a' });
    expect(small.blockDim).toEqual([256, 1, 1]);
    expect(small.source).toContain('<64, 24, 8, 1, 2, true, 16>');
    expect(renderSm90Fp8Gemm1d1d(base).clusterDim).toEqual([1, 1, 1]);
  });

  it('launches at most numSms CTAs, never more than the tiles (rounded to whole clusters)', () => {
    const r = renderSm90Fp8Gemm1d1d(base);
    expect(r.gridFor({ m: 4096, n: 7168, k: 4096 })).toEqual([132, 1, 1]);
    expect(r.gridFor({ m: 1, n: 8, k: 16 })).toEqual([1, 1, 1]);
    const mc = renderSm90Fp8Gemm1d1d({ ...base, multicast: 'a' });
    expect(mc.gridFor({ m: 64, n: 304, k: 128 })).toEqual([2, 1, 1]);
    expect(() => mc.gridFor({ m: 64, n: 456, k: 128 })).toThrow(/even number of N blocks/);
    expect(() => r.gridFor({ m: 0, n: 8, k: 16 })).toThrow(/shape.m/);
    expect(() => r.gridFor({ m: 1, n: 8, k: 8 })).toThrow(/shape.k/);
  });

  it('rejects an invalid config before rendering', () => {
    expect(() => renderSm90Fp8Gemm1d1d({ ...base, blockN: 100 })).toThrow(RangeError);
  });
});
