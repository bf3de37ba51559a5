import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderWgmmaOps } from '../scripts/gen-wgmma.mjs';
import {
  checkSm90Fp8Gemm1d2dConfig,
  listSm90Fp8Gemm1d2dVariants,
  renderSm90Fp8Gemm1d2d,
  SM90_FP8_GEMM_1D2D_PARAMS,
  SM90_MAX_SMEM_BYTES,
  type Sm90Fp8Gemm1d2dConfig,
  sm90Fp8Gemm1d2dExactKUnrollProblem,
  sm90Fp8Gemm1d2dKernelName,
  sm90Fp8Gemm1d2dKUnroll,
  sm90Fp8Gemm1d2dMaxStages,
  sm90Fp8Gemm1d2dPipelined,
  sm90Fp8Gemm1d2dScaleBBox,
  sm90Fp8Gemm1d2dShapeProblem,
  sm90Fp8Gemm1d2dSmemBytes,
  sm90Fp8Gemm1d2dStoreBox,
  sm90Fp8Gemm1d2dWantsExactKUnroll,
  sm90OutputSwizzleBytes,
  sm90RasterGroup,
  streamedOperand,
  withExactKUnroll,
} from '../src/index.js';

const base: Sm90Fp8Gemm1d2dConfig = { blockM: 128, blockN: 128, numStages: 5, multicast: 'none', numSms: 132 };

describe('wgmma_ops.cuh', () => {
  it('is what scripts/gen-wgmma.mjs generates (run it after editing the generator)', () => {
    const committed = readFileSync(new URL('../cuda/dg/ptx/wgmma_ops.cuh', import.meta.url), 'utf8');
    expect(committed).toBe(renderWgmmaOps());
  });
});

describe('sm90Fp8Gemm1d2d config', () => {
  it('accepts the documented tiles and normalises the object', () => {
    expect(checkSm90Fp8Gemm1d2dConfig({ ...base, extra: 1 })).toEqual(base);
    for (const blockN of [16, 24, 112, 144, 160, 192]) {
      expect(() => checkSm90Fp8Gemm1d2dConfig({ ...base, blockN, numStages: 3 })).not.toThrow();
    }
  });

  it.each([
    [{ blockM: 32 }, /blockM: expected an integer in \[64, 256\]/],
    [{ blockM: 96 }, /blockM: expected 64 \| 128 \| 256, got 96/],
    [{ blockN: 100 }, /blockN: expected a multiple of 8, got 100/],
    [{ blockN: 200 }, /blockN: expected an integer in \[16, 192\]/],
    [{ blockN: 176, numStages: 3 }, /straddle at most two/],
    [{ blockM: 256, blockN: 144, numStages: 2 }, /expected <= 128 with blockM 256/],
    [{ numStages: 7 }, /numStages: expected at most 5 for blockM 128, blockN 128/],
    [{ multicast: 'c' }, /multicast: expected "none" \| "a" \| "b"/],
    [{ multicast: 'a', numSms: 131 }, /numSms: expected an even number/],
    [{ numSms: 1.5 }, /numSms: expected an integer/],
    [{ pipeline: 1 }, /pipeline: expected a boolean/],
    [{ l2Hints: 'no' }, /l2Hints: expected a boolean/],
    [{ blockM: 256, numStages: 3, pipeline: true }, /pipeline: expected false or unset for blockM 256/],
    [{ blockN: 144, numStages: 3, pipeline: true }, /pipeline: expected false or unset for blockM 128, blockN 144/],
    [{ epilogue: 'wg' }, /epilogue: expected "joint" \| "warpgroup"/],
    [{ blockM: 64, numStages: 3, epilogue: 'warpgroup' }, /epilogue: expected "joint" or unset for blockM 64/],
  ])('rejects %o', (patch, message) => {
    expect(() => checkSm90Fp8Gemm1d2dConfig({ ...base, ...patch })).toThrow(message);
  });

  it('sizes shared memory as output tile + stages + barriers and B scales, within the opt-in limit at the max stage count', () => {
    // Per stage: A, B, the A-scale slot, the B-scale slot (128 B, a TMA destination) and two mbarriers (16 B).
    expect(sm90Fp8Gemm1d2dSmemBytes(128, 128, 5)).toBe(32768 + 5 * (16384 + 16384 + 512) + 5 * (128 + 16));
    for (const c of listSm90Fp8Gemm1d2dVariants()) {
      const bytes = sm90Fp8Gemm1d2dSmemBytes(c.blockM, c.blockN, c.numStages);
      expect(bytes).toBeLessThanOrEqual(SM90_MAX_SMEM_BYTES);
      expect(
        sm90Fp8Gemm1d2dSmemBytes(c.blockM, c.blockN, c.numStages + 1) > SM90_MAX_SMEM_BYTES || c.numStages === 16,
      ).toBe(true);
      expect(() => checkSm90Fp8Gemm1d2dConfig(c)).not.toThrow();
    }
    expect(sm90Fp8Gemm1d2dMaxStages(128, 128, 40_000)).toBe(0);
  });

  it('pipelines the K loop of one-slab tiles up to 128 columns unless told not to, and names it', () => {
    expect(sm90Fp8Gemm1d2dPipelined(base)).toBe(true);
    expect(sm90Fp8Gemm1d2dPipelined({ ...base, blockM: 64, blockN: 16 })).toBe(true);
    expect(sm90Fp8Gemm1d2dPipelined({ ...base, blockM: 256 })).toBe(false);
    expect(sm90Fp8Gemm1d2dPipelined({ ...base, blockN: 136 })).toBe(false);
    expect(sm90Fp8Gemm1d2dPipelined({ ...base, pipeline: false })).toBe(false);
    expect(sm90Fp8Gemm1d2dKernelName(base)).toBe('dg_sm90_fp8_gemm_1d2d_m128_n128_s5_p_g8');
    expect(sm90Fp8Gemm1d2dKernelName({ ...base, pipeline: false })).toBe('dg_sm90_fp8_gemm_1d2d_m128_n128_s5_g8');
    expect(renderSm90Fp8Gemm1d2d({ ...base, pipeline: false }).source).toContain(
      '<128, 128, 5, 2, 1, 1, false, 8, 128, false, false, false>',
    );
    // Given flags are kept, absent ones stay absent.
    expect(checkSm90Fp8Gemm1d2dConfig({ ...base, pipeline: false, l2Hints: false })).toEqual({
      ...base,
      pipeline: false,
      l2Hints: false,
    });
  });

  it('runs the plain K loop in whole unroll groups (exactKUnroll) only where K allows it, and names it', () => {
    const wide = { ...base, blockN: 192, numStages: 4 };
    const slabs = { ...base, blockM: 256 as const, numStages: 3 };
    expect(sm90Fp8Gemm1d2dKUnroll(wide)).toBe(4);
    expect(sm90Fp8Gemm1d2dKUnroll(slabs)).toBe(4);
    expect(sm90Fp8Gemm1d2dKUnroll({ ...slabs, blockN: 96 })).toBe(2);
    expect(sm90Fp8Gemm1d2dKernelName({ ...slabs, exactKUnroll: true })).toBe(
      'dg_sm90_fp8_gemm_1d2d_m256_n128_s3_xk4_g8',
    );
    expect(sm90Fp8Gemm1d2dKernelName({ ...slabs, blockN: 96, exactKUnroll: true })).toContain('_xk2_');
    expect(sm90Fp8Gemm1d2dKernelName({ ...slabs, exactKUnroll: false })).toBe(sm90Fp8Gemm1d2dKernelName(slabs));
    expect(renderSm90Fp8Gemm1d2d({ ...slabs, exactKUnroll: true }).source).toContain(
      '<256, 128, 3, 2, 2, 1, false, 8, 128, false, false, true>',
    );
    expect(checkSm90Fp8Gemm1d2dConfig({ ...slabs, exactKUnroll: true })).toEqual({ ...slabs, exactKUnroll: true });
    expect(() => checkSm90Fp8Gemm1d2dConfig({ ...base, exactKUnroll: true })).toThrow(
      /exactKUnroll: expected false or unset for a tile that runs the pipelined K loop/,
    );
    expect(checkSm90Fp8Gemm1d2dConfig({ ...base, pipeline: false, exactKUnroll: true }).exactKUnroll).toBe(true);
    expect(() => checkSm90Fp8Gemm1d2dConfig({ ...slabs, exactKUnroll: 1 })).toThrow(TypeError);
    // K blocks: 7168 / 128 = 56 (a multiple of 4), 7296 / 128 = 57, ceil(656 / 128) = 6 (a multiple of 2 only).
    expect(sm90Fp8Gemm1d2dExactKUnrollProblem({ ...slabs, exactKUnroll: true }, 7168)).toBeNull();
    expect(sm90Fp8Gemm1d2dExactKUnrollProblem({ ...slabs, exactKUnroll: true }, 7296)).toBe(
      'exactKUnroll needs ceil(K / 128) to be a multiple of 4; ceil(7296 / 128) = 57',
    );
    expect(sm90Fp8Gemm1d2dExactKUnrollProblem({ ...slabs, exactKUnroll: true }, 656)).not.toBeNull();
    expect(sm90Fp8Gemm1d2dExactKUnrollProblem({ ...slabs, blockN: 96, exactKUnroll: true }, 656)).toBeNull();
    expect(sm90Fp8Gemm1d2dExactKUnrollProblem(slabs, 7296)).toBeNull();
    expect(sm90Fp8Gemm1d2dShapeProblem({ ...slabs, exactKUnroll: true }, { m: 256, n: 128, k: 7296 })).toMatch(
      /exactKUnroll needs/,
    );
    // withExactKUnroll: set where K allows it on a plain-loop tile (as sm90Fp8Gemm1d2dWantsExactKUnroll says); the same
    // object everywhere else.
    expect(withExactKUnroll(slabs, 7168)).toEqual({ ...slabs, exactKUnroll: true });
    expect(withExactKUnroll(wide, 2048)).toEqual({ ...wide, exactKUnroll: true });
    for (const [c, k] of [
      [slabs, 7296],
      [slabs, 0],
      [base, 7168],
      [{ ...slabs, exactKUnroll: false }, 7168],
      [{ ...wide, pipeline: false }, 7168 + 128],
    ] as const) {
      expect(withExactKUnroll(c, k)).toBe(c);
      expect(sm90Fp8Gemm1d2dWantsExactKUnroll(c, k)).toBe(false);
    }
    expect(sm90Fp8Gemm1d2dWantsExactKUnroll(slabs, 7168)).toBe(true);
  });

  it('renders and names the per-warpgroup epilogue, joint by default', () => {
    expect(sm90Fp8Gemm1d2dKernelName({ ...base, epilogue: 'warpgroup' })).toBe(
      'dg_sm90_fp8_gemm_1d2d_m128_n128_s5_p_ewg_g8',
    );
    expect(sm90Fp8Gemm1d2dKernelName({ ...base, epilogue: 'joint' })).toBe(sm90Fp8Gemm1d2dKernelName(base));
    expect(renderSm90Fp8Gemm1d2d({ ...base, epilogue: 'warpgroup' }).source).toContain(
      '<128, 128, 5, 2, 1, 1, false, 8, 128, true, true, false>',
    );
    expect(renderSm90Fp8Gemm1d2d(base).source).toContain('<128, 128, 5, 2, 1, 1, false, 8, 128, true, false, false>');
    expect(checkSm90Fp8Gemm1d2dConfig({ ...base, epilogue: 'warpgroup' })).toEqual({ ...base, epilogue: 'warpgroup' });
  });

  it('stores swizzled tiles in one-atom boxes and unswizzled ones in whole rows, 64 rows per box', () => {
    expect(sm90Fp8Gemm1d2dStoreBox(128)).toEqual({ boxDims: [64, 64], swizzleBytes: 128 });
    expect(sm90Fp8Gemm1d2dStoreBox(96)).toEqual({ boxDims: [32, 64], swizzleBytes: 64 });
    expect(sm90Fp8Gemm1d2dStoreBox(48)).toEqual({ boxDims: [16, 64], swizzleBytes: 32 });
    expect(sm90Fp8Gemm1d2dStoreBox(120)).toEqual({ boxDims: [120, 64], swizzleBytes: 16 });
    expect(sm90Fp8Gemm1d2dStoreBox(56)).toEqual({ boxDims: [56, 64], swizzleBytes: 16 });
  });

  it('streams B (EVICT_FIRST) when one block row of M or a single wave reads it, A when one block column does', () => {
    const c = { ...base, blockM: 64 as const, blockN: 64 };
    expect(streamedOperand(c, { m: 64, n: 7168 })).toBe(2);
    // Two M blocks x 64 N blocks fit one wave: each B tile is read by its two M-block CTAs at about the same time.
    expect(streamedOperand(c, { m: 128, n: 4096 })).toBe(2);
    expect(streamedOperand(c, { m: 4096, n: 64 })).toBe(1);
    expect(streamedOperand(c, { m: 4096, n: 4096 })).toBe(0);
    expect(streamedOperand({ ...c, l2Hints: false }, { m: 64, n: 7168 })).toBe(0);
  });

  it('boxes the B scales as 4 K blocks by the scale rows one N tile can touch', () => {
    expect([16, 32, 64, 128].map((n) => sm90Fp8Gemm1d2dScaleBBox(n))).toEqual([
      [4, 1],
      [4, 1],
      [4, 1],
      [4, 1],
    ]);
    expect([24, 112, 120, 144, 160, 192].map((n) => sm90Fp8Gemm1d2dScaleBBox(n)[1])).toEqual([2, 2, 2, 2, 2, 2]);
  });

  it('picks the widest output swizzle dividing a tile row', () => {
    expect([16, 24, 32, 48, 64, 112, 128, 144].map(sm90OutputSwizzleBytes)).toEqual([32, 16, 64, 32, 128, 32, 128, 32]);
  });

  it('pairs multicast CTAs only where the block count along the shared dimension is even', () => {
    expect(sm90Fp8Gemm1d2dShapeProblem({ ...base, multicast: 'a' }, { m: 100, n: 256, k: 128 })).toBeNull();
    expect(sm90Fp8Gemm1d2dShapeProblem({ ...base, multicast: 'a' }, { m: 100, n: 384, k: 128 })).toMatch(
      /even number of N/,
    );
    expect(sm90Fp8Gemm1d2dShapeProblem({ ...base, multicast: 'b' }, { m: 300, n: 8, k: 128 })).toMatch(
      /even number of M/,
    );
  });

  it('chooses a raster group of 8 or 16 by the operand rows a wave touches', () => {
    expect(sm90RasterGroup(base)).toBe(8);
    expect(sm90RasterGroup({ ...base, blockM: 64, blockN: 192, multicast: 'a' })).toBe(8);
    expect(sm90RasterGroup({ ...base, blockM: 64, blockN: 192 })).toBe(16);
  });
});

describe('renderSm90Fp8Gemm1d2d', () => {
  it('renders one extern "C" entry with the params in order and the launch shape', () => {
    const r = renderSm90Fp8Gemm1d2d({ ...base, multicast: 'b' });
    expect(r.name).toBe('dg_sm90_fp8_gemm_1d2d_m128_n128_s5_mcb_p_g8');
    expect(r.source).toContain('#include <dg/kernels/sm90_fp8_gemm_1d2d.cuh>');
    expect(r.source).toContain(`extern "C" __global__ void __launch_bounds__(384, 1)\n${r.name}(`);
    expect(r.source).toContain('dg::sm90_fp8_gemm_1d2d<128, 128, 5, 2, 1, 2, false, 8, 128, true, false, false>');
    expect(r.params).toBe(SM90_FP8_GEMM_1D2D_PARAMS);
    expect(r.params.map((p) => p.name)).toEqual([
      'm',
      'n',
      'k',
      'streamed',
      'tmapA',
      'tmapB',
      'tmapD',
      'tmapSfa',
      'tmapSfb',
    ]);
    expect(r.source).toContain('tmap_sfa, tmap_sfb);');
    expect(r.blockDim).toEqual([384, 1, 1]);
    expect(r.clusterDim).toEqual([2, 1, 1]);
    expect(r.dynamicSmemBytes).toBe(sm90Fp8Gemm1d2dSmemBytes(128, 128, 5));
    expect(renderSm90Fp8Gemm1d2d({ ...base, blockM: 64 }).blockDim).toEqual([256, 1, 1]);
    expect(renderSm90Fp8Gemm1d2d({ ...base, blockM: 256, numStages: 3 }).source).toContain('<256, 128, 3, 2, 2, 1,');
  });

  it('launches at most numSms CTAs, never more than the tiles (rounded to whole clusters)', () => {
    const r = renderSm90Fp8Gemm1d2d(base);
    expect(r.gridFor({ m: 4096, n: 7168, k: 7168 })).toEqual([132, 1, 1]);
    expect(r.gridFor({ m: 1, n: 8, k: 16 })).toEqual([1, 1, 1]);
    const mc = renderSm90Fp8Gemm1d2d({ ...base, multicast: 'a' });
    expect(mc.gridFor({ m: 64, n: 256, k: 128 })).toEqual([2, 1, 1]);
    expect(() => mc.gridFor({ m: 64, n: 384, k: 128 })).toThrow(/even number of N blocks/);
    expect(() => r.gridFor({ m: 0, n: 8, k: 16 })).toThrow(/shape.m/);
  });
});
