// The BF16 GEMM config heuristic: legality of every pick and candidate for every layout, memoization, determinism,
// validation of its inputs, device edge cases, and the picks on the shapes of the reference table.
import {
  checkSm90Bf16GemmConfig,
  type Sm90Bf16GemmLayout,
  sm90Bf16GemmShapeProblem,
  sm90Bf16GemmSmemBytes,
} from '@dg/kernels';
import { describe, expect, it } from 'vitest';
import {
  BF16_GEMM_NT_BLOCK_NS,
  clearBf16GemmNtConfigCache,
  describeBf16GemmNtConfig,
  estimateBf16GemmNtCost,
  type GemmShape,
  H100_SXM_DEVICE,
  listBf16GemmNtCandidates,
  selectBf16GemmNtConfig,
} from '../src/heuristics/index.js';
import { DENSE_EXTRA_SHAPES, DENSE_SHAPES, randomBf16Shapes } from './support/shapes.js';

const toShape = ([m, n, k]: [number, number, number]): GemmShape => ({ m, n, k });
const shapes = [...DENSE_SHAPES, ...DENSE_EXTRA_SHAPES, ...randomBf16Shapes(150, 0x5eed)].map(toShape);
const plain: Sm90Bf16GemmLayout = { aMajor: 'k', bMajor: 'k', output: 'bf16', accumulate: false };
const layouts: Sm90Bf16GemmLayout[] = [];
for (const output of ['bf16', 'f32'] as const) {
  for (const accumulate of [false, true]) {
    for (const aMajor of ['k', 'mn'] as const) {
      for (const bMajor of ['k', 'mn'] as const) layouts.push({ aMajor, bMajor, output, accumulate });
    }
  }
}

function pickOf(shape: GemmShape, layout: Sm90Bf16GemmLayout = plain): string {
  const c = selectBf16GemmNtConfig(shape, layout, H100_SXM_DEVICE);
  return `${c.blockM}x${c.blockN} s${c.numStages} ${c.multicast}`;
}

describe('selectBf16GemmNtConfig', () => {
  it('picks a runnable config for every shape and layout, carrying the layout through', () => {
    for (const layout of layouts) {
      for (const shape of shapes) {
        const c = selectBf16GemmNtConfig(shape, layout, H100_SXM_DEVICE);
        expect(checkSm90Bf16GemmConfig(c)).toEqual(c);
        expect(sm90Bf16GemmShapeProblem(c, shape)).toBeNull();
        expect(c).toMatchObject(layout);
        expect(c.numStages).toBeGreaterThanOrEqual(3);
      }
    }
  });

  it('is memoized per (shape, layout, device) and returns frozen configs', () => {
    clearBf16GemmNtConfigCache();
    const s = { m: 4096, n: 7168, k: 2048 };
    const first = selectBf16GemmNtConfig(s, plain, H100_SXM_DEVICE);
    expect(Object.isFrozen(first)).toBe(true);
    expect(selectBf16GemmNtConfig({ ...s }, { ...plain }, { ...H100_SXM_DEVICE })).toBe(first);
    const f32 = selectBf16GemmNtConfig(s, { ...plain, output: 'f32' }, H100_SXM_DEVICE);
    expect(f32).not.toBe(first);
    expect(f32.output).toBe('f32');
    clearBf16GemmNtConfigCache();
    const again = selectBf16GemmNtConfig(s, plain, H100_SXM_DEVICE);
    expect(again).not.toBe(first);
    expect(again).toEqual(first);
  });

  it('keeps f32 output tiles within shared memory at 3 stages or more', () => {
    for (const shape of shapes) {
      const c = selectBf16GemmNtConfig(shape, { ...plain, output: 'f32', accumulate: true }, H100_SXM_DEVICE);
      expect(sm90Bf16GemmSmemBytes(c.blockM, c.blockN, c.numStages, c)).toBeLessThanOrEqual(232_448);
      expect(c.blockM * c.blockN * 4).toBeLessThanOrEqual(128 * 1024);
    }
  });

  it('uses multicast only with more than one wave and an even pairing dimension', () => {
    for (const shape of shapes) {
      const c = selectBf16GemmNtConfig(shape, plain, H100_SXM_DEVICE);
      if (c.multicast === 'none') continue;
      const tiles = Math.ceil(shape.m / c.blockM) * Math.ceil(shape.n / c.blockN);
      expect(tiles).toBeGreaterThan(132);
    }
  });

  it('rejects malformed shapes, layouts and devices with TypeError / RangeError naming the field', () => {
    expect(() => selectBf16GemmNtConfig({ m: 0, n: 8, k: 8 }, plain, H100_SXM_DEVICE)).toThrow(/shape\.m/);
    expect(() => selectBf16GemmNtConfig({ m: 1, n: 8.5, k: 8 }, plain, H100_SXM_DEVICE)).toThrow(/shape\.n/);
    expect(() =>
      selectBf16GemmNtConfig({ m: 1, n: 8, k: 8 }, { ...plain, aMajor: 'x' } as never, H100_SXM_DEVICE),
    ).toThrow(/aMajor/);
    expect(() => selectBf16GemmNtConfig({ m: 1, n: 8, k: 8 }, plain, { numSms: 0, maxSmemBytes: 232_448 })).toThrow(
      /numSms/,
    );
  });

  it('falls back to the tiles that fit a small shared-memory budget, and to no multicast on an odd SM count', () => {
    const small = selectBf16GemmNtConfig({ m: 4096, n: 4096, k: 4096 }, plain, { numSms: 132, maxSmemBytes: 100_000 });
    expect(sm90Bf16GemmSmemBytes(small.blockM, small.blockN, small.numStages, small)).toBeLessThanOrEqual(100_000);
    const odd = selectBf16GemmNtConfig({ m: 4096, n: 4096, k: 4096 }, plain, { numSms: 131, maxSmemBytes: 232_448 });
    expect(odd.multicast).toBe('none');
    expect(odd.numSms).toBe(131);
    expect(() => selectBf16GemmNtConfig({ m: 64, n: 64, k: 64 }, plain, { numSms: 132, maxSmemBytes: 20_000 })).toThrow(
      /no block config fits 20000 bytes/,
    );
  });

  it('makes the expected picks on the dense shapes (cost model, 132 SMs)', () => {
    expect(pickOf({ m: 64, n: 2112, k: 7168 })).toBe('64x16 s16 none');
    expect(pickOf({ m: 64, n: 32768, k: 512 })).toBe('64x128 s8 none');
    expect(pickOf({ m: 128, n: 24576, k: 1536 })).toBe('128x96 s7 none');
    expect(pickOf({ m: 4096, n: 2112, k: 7168 })).toBe('128x176 s4 b');
    expect(pickOf({ m: 4096, n: 24576, k: 1536 })).toBe('128x256 s3 b');
    expect(pickOf({ m: 4096, n: 4096, k: 7168 })).toBe('128x256 s3 b');
    expect(pickOf({ m: 4096, n: 7168, k: 16384 })).toBe('128x256 s3 b');
  });

  it('keeps small M (<= 128 rows) to block N <= 128 without multicast, and large M off block N 224 / 240', () => {
    for (const shape of shapes) {
      for (const c of listBf16GemmNtCandidates(shape, plain, H100_SXM_DEVICE)) {
        if (shape.m <= 128) {
          expect(c.blockN).toBeLessThanOrEqual(128);
          expect(c.multicast).toBe('none');
        } else {
          expect([224, 240]).not.toContain(c.blockN);
        }
      }
    }
  });
});

describe('listBf16GemmNtCandidates / estimateBf16GemmNtCost / describeBf16GemmNtConfig', () => {
  it('lists runnable candidates, including the pick, with multicast only where it can run', () => {
    for (const shape of shapes.slice(0, 40)) {
      const list = listBf16GemmNtCandidates(shape, plain, H100_SXM_DEVICE);
      const pick = selectBf16GemmNtConfig(shape, plain, H100_SXM_DEVICE);
      expect(list).toContainEqual(pick);
      for (const c of list) expect(sm90Bf16GemmShapeProblem(c, shape)).toBeNull();
    }
    expect(BF16_GEMM_NT_BLOCK_NS[0]).toBe(16);
    expect(BF16_GEMM_NT_BLOCK_NS.at(-1)).toBe(256);
  });

  it('charges an MN-major B for the 64-column boxes it loads', () => {
    const shape = { m: 4096, n: 4096, k: 4096 };
    const c = { ...selectBf16GemmNtConfig(shape, plain, H100_SXM_DEVICE), blockN: 80, multicast: 'none' as const };
    const k = estimateBf16GemmNtCost(c, shape);
    const mn = estimateBf16GemmNtCost({ ...c, bMajor: 'mn' }, shape);
    expect(mn.l2Cycles).toBeGreaterThan(k.l2Cycles);
    expect(estimateBf16GemmNtCost({ ...c, blockN: 128, bMajor: 'mn' }, shape).l2Cycles).toBe(
      estimateBf16GemmNtCost({ ...c, blockN: 128 }, shape).l2Cycles,
    );
  });

  it('describes a config in one line', () => {
    const shape = { m: 4096, n: 7168, k: 2048 };
    const line = describeBf16GemmNtConfig(selectBf16GemmNtConfig(shape, plain, H100_SXM_DEVICE), shape);
    expect(line).toMatch(/^m=4096 n=7168 k=2048 \(A k-major, B k-major, bf16 out\): block 128x256 \(2 math WGs\)/);
    expect(line).toMatch(/multicast b/);
  });
});
