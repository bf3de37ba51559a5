// The FP8 1D1D (fp8GemmNtAccumulate) config heuristic: legality of every pick and candidate, the cost model's FP32 and
// accumulation terms, memoization, determinism, device edge cases and the picks on the dense and weight-gradient
// shapes.
import {
  checkSm90Fp8Gemm1d1dConfig,
  type Sm90Fp8Gemm1d1dConfig,
  sm90Fp8Gemm1d1dMaxStages,
  sm90Fp8Gemm1d1dShapeProblem,
  sm90Fp8Gemm1d1dSmemBytes,
} from '@dg/kernels';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  clearFp8GemmNtAccumulateConfigCache,
  describeFp8GemmNtAccumulateConfig,
  estimateFp8GemmNtAccumulateCost,
  FP8_GEMM_NT_ACCUMULATE_BLOCK_NS,
  fp8GemmNtAccumulateConfigsForShapes,
  type GemmDeviceInfo,
  type GemmShape,
  H100_SXM_DEVICE,
  listFp8GemmNtAccumulateCandidates,
  printAccumulateConfigOnce,
  selectFp8GemmNtAccumulateConfig,
} from '../src/heuristics/index.js';
import { DENSE_EXTRA_SHAPES, DENSE_SHAPES, randomShapes } from './support/shapes.js';

const toShape = ([m, n, k]: [number, number, number]): GemmShape => ({ m, n, k });
/** DeepSeek-V3 weight gradients (DeepGEMM's wgrad test: the (N, K) pairs as (M, N), K = 4096 tokens), plus K = 8192. */
const WGRAD_SHAPES: GemmShape[] = [
  [2112, 7168],
  [24576, 1536],
  [32768, 512],
  [7168, 16384],
  [4096, 7168],
  [7168, 2048],
].flatMap(([m = 0, n = 0]) => [4096, 8192].map((k) => ({ m, n, k })));
const allShapes = [
  ...DENSE_SHAPES.map(toShape),
  ...DENSE_EXTRA_SHAPES.map(toShape),
  ...WGRAD_SHAPES,
  ...randomShapes(300, 77).map(toShape),
];

function expectRunnable(c: Sm90Fp8Gemm1d1dConfig, shape: GemmShape): void {
  expect(checkSm90Fp8Gemm1d1dConfig(c)).toEqual(c);
  expect(sm90Fp8Gemm1d1dShapeProblem(c, shape)).toBeNull();
}

function pickOf(shape: GemmShape, dev: GemmDeviceInfo = H100_SXM_DEVICE): string {
  const c = selectFp8GemmNtAccumulateConfig(shape, dev);
  return `${c.blockM}x${c.blockN} s${c.numStages} ${c.multicast}`;
}

describe('fp8GemmNtAccumulate heuristic: legality', () => {
  it('block N values are 16 and the multiples of 8 that are 8 (mod 16), up to 152', () => {
    expect(FP8_GEMM_NT_ACCUMULATE_BLOCK_NS).toEqual([16, 24, 40, 56, 72, 88, 104, 120, 136, 152]);
  });

  it('every pick passes the kernel checks on the reference, weight-gradient and sampled shapes', () => {
    for (const shape of allShapes) expectRunnable(selectFp8GemmNtAccumulateConfig(shape, H100_SXM_DEVICE), shape);
  });

  it('every candidate passes the kernel checks, has the deepest stage count (>= 4), multicasts only with > 1 wave', () => {
    for (const shape of allShapes.slice(0, 80)) {
      const list = listFp8GemmNtAccumulateCandidates(shape, H100_SXM_DEVICE);
      expect(list.length).toBeGreaterThan(0);
      for (const c of list) {
        expectRunnable(c, shape);
        expect(c.numStages).toBe(sm90Fp8Gemm1d1dMaxStages(c.blockM, c.blockN));
        expect(c.numStages).toBeGreaterThanOrEqual(4);
        if (c.multicast !== 'none') {
          expect(estimateFp8GemmNtAccumulateCost(c, shape).numWaves).toBeGreaterThan(1);
        }
      }
    }
  });

  it('the pick is the cheapest candidate under the model', () => {
    for (const shape of allShapes.slice(0, 120)) {
      const pick = selectFp8GemmNtAccumulateConfig(shape, H100_SXM_DEVICE);
      const best = Math.min(
        ...listFp8GemmNtAccumulateCandidates(shape, H100_SXM_DEVICE).map(
          (c) => estimateFp8GemmNtAccumulateCost(c, shape).cycles,
        ),
      );
      expect(estimateFp8GemmNtAccumulateCost(pick, shape).cycles).toBeLessThanOrEqual(best * (1 + 1e-9));
    }
  });

  it('rejects malformed shapes and devices', () => {
    expect(() => selectFp8GemmNtAccumulateConfig({ m: 0, n: 8, k: 16 }, H100_SXM_DEVICE)).toThrow(/shape.m/);
    expect(() => selectFp8GemmNtAccumulateConfig({ m: 1, n: 8.5, k: 16 }, H100_SXM_DEVICE)).toThrow(/shape.n/);
    expect(() =>
      selectFp8GemmNtAccumulateConfig({ m: 1, n: 8, k: '16' } as unknown as GemmShape, H100_SXM_DEVICE),
    ).toThrow(TypeError);
    expect(() => selectFp8GemmNtAccumulateConfig({ m: 1, n: 8, k: 16 }, { numSms: 0, maxSmemBytes: 1 })).toThrow(
      /numSms/,
    );
  });
});

describe('fp8GemmNtAccumulate heuristic: the cost model', () => {
  it('counts the FP32 output tile twice (accumulation) through L2', () => {
    const c: Sm90Fp8Gemm1d1dConfig = { blockM: 128, blockN: 152, numStages: 4, multicast: 'none', numSms: 132 };
    const shape = { m: 4096, n: 7168, k: 4096 };
    const cost = estimateFp8GemmNtAccumulateCost(c, shape);
    const blocks = 32 * 48;
    const l2Bw = Math.floor(Math.min(64 * 132, 8e6 / 1.3e3));
    expect(cost.numBlocks).toBe(blocks);
    expect(cost.numWaves).toBe(12);
    expect(cost.l2Cycles).toBeCloseTo(((4096 * (128 + 152) + 128 * 152 * 4 * 2) * blocks) / l2Bw, 6);
    const l1 = 4096 * (128 + 152) + 4096 * (128 + 152) + 128 * 152 * 4 + 128 * 152 * 4 * 2;
    expect(cost.l1Cycles).toBeCloseTo((l1 * blocks) / (128 * 132), 6);
    expect(cost.cycles).toBeCloseTo(Math.max(cost.l1Cycles, cost.l2Cycles) / cost.efficiency, 6);
  });

  it('multicast halves the shared operand in L2 and is infinite on a single wave', () => {
    const base: Sm90Fp8Gemm1d1dConfig = { blockM: 128, blockN: 152, numStages: 4, multicast: 'none', numSms: 132 };
    const shape = { m: 4096, n: 7168, k: 4096 };
    const none = estimateFp8GemmNtAccumulateCost(base, shape);
    const a = estimateFp8GemmNtAccumulateCost({ ...base, multicast: 'a' }, shape);
    const b = estimateFp8GemmNtAccumulateCost({ ...base, multicast: 'b' }, shape);
    const perBlock = (x: number) => (x * none.numBlocks) / Math.floor(Math.min(64 * 132, 8e6 / 1.3e3));
    expect(none.l2Cycles - a.l2Cycles).toBeCloseTo(perBlock(4096 * 64), 6);
    expect(none.l2Cycles - b.l2Cycles).toBeCloseTo(perBlock(4096 * 76), 6);
    const small = estimateFp8GemmNtAccumulateCost({ ...base, multicast: 'a' }, { m: 128, n: 304, k: 4096 });
    expect(small.cycles).toBe(Number.POSITIVE_INFINITY);
  });
});

describe('fp8GemmNtAccumulate heuristic: memoization and determinism', () => {
  it('returns the identical frozen object for the same numbers', () => {
    const a = selectFp8GemmNtAccumulateConfig({ m: 4096, n: 7168, k: 4096 }, H100_SXM_DEVICE);
    const b = selectFp8GemmNtAccumulateConfig({ m: 4096, n: 7168, k: 4096 }, { numSms: 132, maxSmemBytes: 232_448 });
    expect(b).toBe(a);
    expect(Object.isFrozen(a)).toBe(true);
  });

  it('recomputes the same answer after the cache is cleared', () => {
    const before = allShapes.map((s) => pickOf(s));
    clearFp8GemmNtAccumulateConfigCache();
    expect(allShapes.map((s) => pickOf(s))).toEqual(before);
  });

  it('a miss is fast (bound generous for slow CI)', () => {
    clearFp8GemmNtAccumulateConfigCache();
    const t0 = performance.now();
    for (let i = 0; i < 200; i++) selectFp8GemmNtAccumulateConfig({ m: 1000 + i, n: 7168, k: 4096 }, H100_SXM_DEVICE);
    expect((performance.now() - t0) / 200).toBeLessThan(1);
  });
});

describe('fp8GemmNtAccumulate heuristic: devices', () => {
  it('an odd SM count never multicasts', () => {
    const dev = { numSms: 131, maxSmemBytes: 232_448 };
    for (const shape of allShapes) {
      const c = selectFp8GemmNtAccumulateConfig(shape, dev);
      expect(c.multicast).toBe('none');
      expect(c.numSms).toBe(131);
    }
  });

  it('less shared memory gives fewer stages, within the budget', () => {
    const dev = { numSms: 132, maxSmemBytes: 160_000 };
    for (const shape of allShapes.slice(0, 60)) {
      const c = selectFp8GemmNtAccumulateConfig(shape, dev);
      expect(sm90Fp8Gemm1d1dSmemBytes(c.blockM, c.blockN, c.numStages)).toBeLessThanOrEqual(160_000);
      expectRunnable(c, shape);
    }
  });

  it('a tiny budget falls back to the tiles that fit; none fitting throws', () => {
    const c = selectFp8GemmNtAccumulateConfig({ m: 4096, n: 4096, k: 4096 }, { numSms: 132, maxSmemBytes: 30_000 });
    expect(sm90Fp8Gemm1d1dSmemBytes(c.blockM, c.blockN, c.numStages)).toBeLessThanOrEqual(30_000);
    expect(() =>
      selectFp8GemmNtAccumulateConfig({ m: 64, n: 64, k: 128 }, { numSms: 132, maxSmemBytes: 1000 }),
    ).toThrow(/no block config fits/);
  });
});

describe('fp8GemmNtAccumulate heuristic: picks (132 SMs, 232448 B)', () => {
  it('large weight-gradient shapes get 128-row tiles with a block N of 120..152 and a multicast', () => {
    for (const shape of WGRAD_SHAPES) {
      const c = selectFp8GemmNtAccumulateConfig(shape, H100_SXM_DEVICE);
      expect(c.blockM, pickOf(shape)).toBe(128);
      expect(c.blockN, pickOf(shape)).toBeGreaterThanOrEqual(120);
      expect(c.multicast, pickOf(shape)).not.toBe('none');
    }
  });

  it('single-wave problems spread over as many SMs as there are tiles, without multicast', () => {
    expect(pickOf({ m: 64, n: 2112, k: 7168 })).toBe('64x16 s16 none');
    expect(pickOf({ m: 1, n: 8, k: 256 })).toBe('64x16 s16 none');
  });

  it('fp8GemmNtAccumulateConfigsForShapes lists each distinct pick once', () => {
    const configs = fp8GemmNtAccumulateConfigsForShapes(WGRAD_SHAPES, H100_SXM_DEVICE);
    const keys = configs.map((c) => `${c.blockM}x${c.blockN}/${c.numStages}/${c.multicast}`);
    expect(new Set(keys).size).toBe(keys.length);
    for (const s of WGRAD_SHAPES) expect(configs).toContainEqual(selectFp8GemmNtAccumulateConfig(s, H100_SXM_DEVICE));
  });
});

describe('fp8GemmNtAccumulate heuristic: describe and print', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.restoreAllMocks();
  });

  it('describes tile, waves, stages, smem and multicast on one line, and flags an unusable multicast', () => {
    const c: Sm90Fp8Gemm1d1dConfig = { blockM: 128, blockN: 152, numStages: 4, multicast: 'b', numSms: 132 };
    const text = describeFp8GemmNtAccumulateConfig(c, { m: 4096, n: 7168, k: 4096 });
    expect(text).toMatch(/^m=4096 n=7168 k=4096: block 128x152 \(2 math WGs\), tiles 32x48=1536, grid 132\/132 SMs/);
    expect(text).toContain('stages 4');
    expect(text).toContain('multicast b (2-CTA clusters share B)');
    expect(describeFp8GemmNtAccumulateConfig(c, { m: 4200, n: 7168, k: 4096 })).toContain('[cannot run');
  });

  it('prints once per shape when DG_PRINT_CONFIGS=1, nothing otherwise', () => {
    const write = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const shape = { m: 999, n: 1000, k: 1008 };
    const c = selectFp8GemmNtAccumulateConfig(shape, H100_SXM_DEVICE);
    vi.stubEnv('DG_PRINT_CONFIGS', '0');
    printAccumulateConfigOnce(shape, c);
    expect(write).not.toHaveBeenCalled();
    vi.stubEnv('DG_PRINT_CONFIGS', '1');
    printAccumulateConfigOnce(shape, c);
    printAccumulateConfigOnce(shape, c);
    expect(write).toHaveBeenCalledTimes(1);
    expect(String(write.mock.calls[0]?.[0])).toMatch(/^\[dg\] fp8GemmNtAccumulate m=999 n=1000 k=1008: /);
  });
});
