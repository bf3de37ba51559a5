import { describe, expect, it } from 'vitest';
import {
  checkSm90Bf16GemmConfig,
  checkSm90Bf16GemmTile,
  listSm90Bf16GemmVariants,
  renderSm90Bf16Gemm,
  SM90_BF16_GEMM_PARAMS,
  SM90_MAX_SMEM_BYTES,
  type Sm90Bf16GemmConfig,
  sm90Bf16GemmBRows,
  sm90Bf16GemmKernelName,
  sm90Bf16GemmMaxStages,
  sm90Bf16GemmOutputSwizzleBytes,
  sm90Bf16GemmShapeProblem,
  sm90Bf16GemmSmemBytes,
  streamedOperand,
} from '../src/index.js';

const base: Sm90Bf16GemmConfig = {
  blockM: 128,
  blockN: 256,
  numStages: 3,
  multicast: 'none',
  numSms: 132,
  aMajor: 'k',
  bMajor: 'k',
  output: 'bf16',
  accumulate: false,
};
const plain = { bMajor: 'k', output: 'bf16' } as const;

describe('sm90Bf16Gemm config', () => {
  it('accepts the documented tiles and normalises the object', () => {
    expect(checkSm90Bf16GemmConfig({ ...base, extra: 1 })).toEqual(base);
    expect(checkSm90Bf16GemmTile({ ...base })).toEqual({
      blockM: 128,
      blockN: 256,
      numStages: 3,
      multicast: 'none',
      numSms: 132,
    });
    for (const blockN of [16, 24, 112, 136, 200, 256]) {
      expect(() => checkSm90Bf16GemmConfig({ ...base, blockN, numStages: 2 })).not.toThrow();
    }
  });

  it.each([
    [{ blockM: 32 }, /blockM: expected an integer in \[64, 256\]/],
    [{ blockM: 96 }, /blockM: expected 64 \| 128 \| 256, got 96/],
    [{ blockN: 100 }, /blockN: expected a multiple of 8, got 100/],
    [{ blockN: 264 }, /blockN: expected an integer in \[16, 256\]/],
    [{ blockM: 256, blockN: 136 }, /expected <= 128 with blockM 256/],
    [{ numStages: 1 }, /numStages: expected an integer in \[2, 16\]/],
    [{ numStages: 4 }, /numStages: expected at most 3 for blockM 128, blockN 256, bf16 output/],
    [{ output: 'f32', numStages: 3 }, /numStages: expected at most 2 for blockM 128, blockN 256, f32 output/],
    [{ multicast: 'c' }, /multicast: expected "none" \| "a" \| "b"/],
    [{ multicast: 'a', numSms: 131 }, /numSms: expected an even number/],
    [{ aMajor: 'm' }, /aMajor: expected "k" \| "mn"/],
    [{ output: 'f16' }, /output: expected "bf16" \| "f32"/],
    [{ accumulate: 1 }, /accumulate: expected a boolean/],
  ])('rejects %o', (patch, message) => {
    expect(() => checkSm90Bf16GemmConfig({ ...base, ...patch })).toThrow(message);
  });

  it('sizes shared memory as output tile + stages + barriers, within the opt-in limit at the max stage count', () => {
    // 128x256 bf16: 64 KiB staging tile, stages of (128 + 256) rows x 128 bytes.
    expect(sm90Bf16GemmSmemBytes(128, 256, 3, plain)).toBe(65536 + 3 * 49152 + 48);
    // f32 output doubles the staging tile; MN-major B pads 80 columns to 128.
    expect(sm90Bf16GemmSmemBytes(64, 80, 4, { bMajor: 'mn', output: 'f32' })).toBe(20480 + 4 * (64 + 128) * 128 + 64);
    expect(sm90Bf16GemmBRows(80, 'mn')).toBe(128);
    expect(sm90Bf16GemmBRows(80, 'k')).toBe(80);
    for (const c of listSm90Bf16GemmVariants()) {
      const bytes = sm90Bf16GemmSmemBytes(c.blockM, c.blockN, c.numStages, c);
      expect(bytes).toBeLessThanOrEqual(SM90_MAX_SMEM_BYTES);
      expect(c.numStages).toBeGreaterThanOrEqual(2);
      expect(
        sm90Bf16GemmSmemBytes(c.blockM, c.blockN, c.numStages + 1, c) > SM90_MAX_SMEM_BYTES || c.numStages === 16,
      ).toBe(true);
    }
    expect(sm90Bf16GemmMaxStages(128, 256, plain)).toBe(3);
    expect(sm90Bf16GemmMaxStages(128, 256, { bMajor: 'k', output: 'f32' })).toBe(2);
    expect(sm90Bf16GemmMaxStages(256, 128, { bMajor: 'k', output: 'f32' })).toBe(2);
    expect(sm90Bf16GemmMaxStages(128, 128, plain, 60_000)).toBe(0);
  });

  it('lists every layout and multicast, and no tile wider than the registers allow', () => {
    const all = listSm90Bf16GemmVariants();
    expect(new Set(all.map((c) => `${c.aMajor}${c.bMajor}${c.output}${c.accumulate}`)).size).toBe(16);
    expect(all.some((c) => c.blockM === 256 && c.blockN > 128)).toBe(false);
    expect(new Set(all.map(sm90Bf16GemmKernelName)).size).toBe(all.length);
  });

  it('picks the widest output swizzle dividing a tile row, 32 bytes at least for f32', () => {
    expect([16, 24, 32, 64, 112, 128, 200].map((n) => sm90Bf16GemmOutputSwizzleBytes(n, 'bf16'))).toEqual([
      32, 16, 64, 128, 32, 128, 16,
    ]);
    expect([16, 24, 32, 64, 200].map((n) => sm90Bf16GemmOutputSwizzleBytes(n, 'f32'))).toEqual([64, 32, 128, 128, 32]);
  });

  it('keeps l2Hints when given, and streams the operand read once (one block row/column, or one wave)', () => {
    expect(checkSm90Bf16GemmTile({ ...base, l2Hints: false })).toMatchObject({ l2Hints: false });
    expect(() => checkSm90Bf16GemmTile({ ...base, l2Hints: 'yes' })).toThrow(/l2Hints: expected a boolean/);
    expect(streamedOperand(base, { m: 128, n: 7168 })).toBe(2);
    // 2 x 3 tiles: one wave, each B tile read by its two M-block CTAs at about the same time.
    expect(streamedOperand(base, { m: 129, n: 257 })).toBe(2);
    expect(streamedOperand(base, { m: 4096, n: 128 })).toBe(1);
    expect(streamedOperand(base, { m: 4096, n: 4096 })).toBe(0);
    expect(streamedOperand({ ...base, l2Hints: false }, { m: 64, n: 7168 })).toBe(0);
  });

  it('pairs multicast CTAs only where the block count along the shared dimension is even', () => {
    expect(sm90Bf16GemmShapeProblem({ ...base, multicast: 'a' }, { m: 100, n: 512, k: 64 })).toBeNull();
    expect(sm90Bf16GemmShapeProblem({ ...base, multicast: 'a' }, { m: 100, n: 768, k: 64 })).toMatch(
      /even number of N/,
    );
    expect(sm90Bf16GemmShapeProblem({ ...base, multicast: 'b' }, { m: 300, n: 8, k: 64 })).toMatch(/even number of M/);
  });
});

describe('renderSm90Bf16Gemm', () => {
  it('renders one extern "C" entry with the params in order and the launch shape', () => {
    const r = renderSm90Bf16Gemm({ ...base, multicast: 'b', aMajor: 'mn', output: 'bf16', accumulate: true });
    expect(r.name).toBe('dg_sm90_bf16_gemm_mnk_bf16_acc_m128_n256_s3_mcb_g16');
    expect(r.source).toContain('#include <dg/kernels/sm90_bf16_gemm.cuh>');
    expect(r.source).toContain(`extern "C" __global__ void __launch_bounds__(384, 1)\n${r.name}(`);
    expect(r.source).toContain('dg::sm90_bf16_gemm<128, 256, 3, 2, 1, 2, false, 16, true, false, false, true, 128>');
    expect(r.params).toBe(SM90_BF16_GEMM_PARAMS);
    expect(r.blockDim).toEqual([384, 1, 1]);
    expect(r.clusterDim).toEqual([2, 1, 1]);
    expect(r.dynamicSmemBytes).toBe(sm90Bf16GemmSmemBytes(128, 256, 3, plain));
    const small = renderSm90Bf16Gemm({ ...base, blockM: 64, blockN: 112, numStages: 4, output: 'f32', bMajor: 'mn' });
    expect(small.blockDim).toEqual([256, 1, 1]);
    expect(small.source).toContain('<64, 112, 4, 1, 1, 1, false,');
    expect(small.source).toContain(', false, true, true, false, 64>');
    const big = renderSm90Bf16Gemm({ ...base, blockM: 256, blockN: 128, numStages: 3, multicast: 'a' });
    expect(big.source).toContain('<256, 128, 3, 2, 2, 2, true,');
  });

  it('launches at most numSms CTAs, never more than the tiles (rounded to whole clusters)', () => {
    const r = renderSm90Bf16Gemm(base);
    expect(r.gridFor({ m: 4096, n: 7168, k: 7168 })).toEqual([132, 1, 1]);
    expect(r.gridFor({ m: 1, n: 8, k: 8 })).toEqual([1, 1, 1]);
    const mc = renderSm90Bf16Gemm({ ...base, multicast: 'a' });
    expect(mc.gridFor({ m: 64, n: 512, k: 64 })).toEqual([2, 1, 1]);
    expect(() => mc.gridFor({ m: 64, n: 768, k: 64 })).toThrow(/even number of N blocks/);
    expect(() => r.gridFor({ m: 0, n: 8, k: 16 })).toThrow(/shape.m/);
  });
});
