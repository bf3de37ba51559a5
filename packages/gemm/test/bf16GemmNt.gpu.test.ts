// bf16GemmNt on the GPU: every shape of the brief, seeded random shapes, every layout (A/B K- or MN-major, bf16 or
// f32 output, without C, with a separate C, with C being D), forced configs covering every block M, several block N
// and both multicasts. Each result is checked against an FP64 product computed on the device (calcDiff < 1e-5 on the
// rows test/support/deviceReference.ts covers), the output is pre-filled with NaN and must hold no NaN/Inf anywhere
// afterwards, and a second run on the same inputs must be bitwise identical.

import { type Sm90Bf16GemmTile, sm90Bf16GemmMaxStages } from '@dg/kernels';
import { copyDeviceToDevice, isAvailable, memsetD16, memsetD32, Tensor, unavailableReason } from '@dg/runtime';
import { describe, expect, it } from 'vitest';
import { bf16GemmNt, DgArgumentError, DgDeviceError } from '../src/index.js';
import { bf16GemmCheck, countMismatchesU16, fillRandnBf16, fillRandnF32 } from './support/deviceReference.js';
import { DENSE_EXTRA_SHAPES, DENSE_SHAPES, randomBf16Shapes } from './support/shapes.js';

const gpu = isAvailable();
const NAN_BF16 = 0x7fc0;
const NAN_F32 = 0x7fc00000;

type Major = 'k' | 'mn';
type Output = 'bf16' | 'f32';
/** none: no C; separate: C is its own tensor; alias: C is D (D holds C before the call). */
type CMode = 'none' | 'separate' | 'alias';

interface Case {
  m: number;
  n: number;
  k: number;
  aMajor: Major;
  bMajor: Major;
  output: Output;
  cMode: CMode;
  seed: number;
  config?: Sm90Bf16GemmTile;
}

/**
 * A bf16 operand [rows, k] with random contents: K-major (strides [k, 1]) or MN-major (strides [1, rows + pad]: the
 * storage is [k, rows + pad] with the pad columns random too, so a kernel reading past `rows` would use them).
 */
function operand(rows: number, k: number, major: Major, seed: number): Tensor {
  if (major === 'k') {
    const t = Tensor.empty([rows, k], 'bf16', 'cuda:0');
    fillRandnBf16(t, seed);
    return t;
  }
  const ld = Math.ceil(rows / 8) * 8 + 8;
  const t = Tensor.emptyStrided([rows, k], [1, ld], 'bf16', 'cuda:0', { storageElements: k * ld });
  const flat = Tensor.fromDevicePointer(t.dataPtr, [k * ld], 'bf16', { device: 'cuda:0' });
  fillRandnBf16(flat, seed);
  flat.dispose();
  return t;
}

function nanFilled(m: number, n: number, output: Output): Tensor {
  const d = Tensor.empty([m, n], output, 'cuda:0');
  if (output === 'f32') memsetD32(d.dataPtr, NAN_F32, m * n);
  else memsetD16(d.dataPtr, NAN_BF16, m * n);
  return d;
}

function randomC(m: number, n: number, output: Output, seed: number): Tensor {
  const c = Tensor.empty([m, n], output, 'cuda:0');
  if (output === 'f32') fillRandnF32(c, seed, 4);
  else fillRandnBf16(c, seed, 4);
  return c;
}

function copyOf(t: Tensor): Tensor {
  const out = Tensor.empty(t.shape, t.dtype, 'cuda:0');
  copyDeviceToDevice(out.dataPtr, t.dataPtr, t.nbytes);
  return out;
}

function label(c: Case): string {
  const cfg = c.config === undefined ? '' : `, ${c.config.blockM}x${c.config.blockN} mc ${c.config.multicast}`;
  return `${c.m}x${c.n}x${c.k} A ${c.aMajor} B ${c.bMajor} ${c.output} C ${c.cMode}${cfg}`;
}

function checkCase(c: Case): void {
  const { m, n, k, output } = c;
  const owned: Tensor[] = [];
  const keep = <T extends Tensor>(t: T): T => {
    owned.push(t);
    return t;
  };
  try {
    const a = keep(operand(m, k, c.aMajor, c.seed));
    const b = keep(operand(n, k, c.bMajor, c.seed + 7919));
    const cRef = c.cMode === 'none' ? null : keep(randomC(m, n, output, c.seed + 104729));
    // Two outputs for the bitwise check; with C aliased each starts as a copy of C, else as NaN.
    const outputs = [0, 1].map(() =>
      keep(c.cMode === 'alias' && cRef !== null ? copyOf(cRef) : nanFilled(m, n, output)),
    );
    for (const d of outputs) {
      const cArg = c.cMode === 'separate' ? cRef : c.cMode === 'alias' ? d : null;
      bf16GemmNt(a, b, d, {
        ...(cArg === null ? {} : { c: cArg }),
        ...(c.config === undefined ? {} : { config: c.config }),
      });
    }
    const [d0, d1] = outputs as [Tensor, Tensor];
    const check = bf16GemmCheck({ a, b, c: cRef, d: d0 });
    expect(check.nonFinite, `NaN/Inf elements in D, ${label(c)}`).toBe(0);
    expect(check.diff, `calcDiff vs FP64 on ${check.rows} rows, ${label(c)}`).toBeLessThan(1e-5);
    expect(countMismatchesU16(d0, d1), `bitwise equal on a second run, ${label(c)}`).toBe(0);
  } finally {
    for (const t of owned) t.dispose();
  }
}

const base = { aMajor: 'k', bMajor: 'k', output: 'bf16', cMode: 'none' } as const;
const LAYOUTS: { aMajor: Major; bMajor: Major; output: Output; cMode: CMode }[] = [];
for (const output of ['bf16', 'f32'] as const) {
  for (const cMode of ['none', 'separate', 'alias'] as const) {
    for (const aMajor of ['k', 'mn'] as const) {
      for (const bMajor of ['k', 'mn'] as const) LAYOUTS.push({ aMajor, bMajor, output, cMode });
    }
  }
}

describe.skipIf(!gpu)(`bf16GemmNt on a CUDA device${gpu ? '' : ` (skipped: ${unavailableReason()})`}`, () => {
  describe('dense shapes of the brief (K-major, bf16 output)', () => {
    it.each(DENSE_SHAPES)('%i x %i x %i', (m, n, k) => checkCase({ m, n, k, ...base, seed: m + n + k }));
  });

  describe('odd shapes (tails in M, N, K), K-major, bf16 and f32 output', () => {
    it.each(DENSE_EXTRA_SHAPES)('%i x %i x %i', (m, n, k) => {
      checkCase({ m, n, k, ...base, seed: 3 * m + n + k });
      checkCase({ m, n, k, ...base, output: 'f32', seed: 5 * m + n + k });
    });
  });

  describe('seeded random shapes, K a multiple of 8, cycling through the layouts', () => {
    const shapes = randomBf16Shapes(12, 2027).map(([m, n, k], i) => ({
      m,
      n,
      k,
      ...LAYOUTS[(5 * i) % LAYOUTS.length]!,
    }));
    it.each(shapes)('$m x $n x $k, A $aMajor B $bMajor $output C $cMode', (s) =>
      checkCase({ ...s, seed: s.m ^ s.n ^ s.k }),
    );
  });

  describe('every layout: A/B major x output dtype x C (none, separate, aliasing D)', () => {
    // K = 1000: 15 full 64-wide K blocks and a tail of 40; M and N leave partial tiles.
    it.each(LAYOUTS)('A $aMajor B $bMajor $output C $cMode', (l) =>
      checkCase({ m: 300, n: 520, k: 1000, ...l, seed: 17 }),
    );
  });

  describe('forced configs: every block M, several block N, both multicasts', () => {
    const cases: (Omit<Case, 'm' | 'n' | 'k' | 'seed'> & { config: Sm90Bf16GemmTile })[] = [];
    for (const blockM of [64, 128, 256] as const) {
      for (const blockN of [16, 24, 64, 112, 128, 200, 256]) {
        if (blockM === 256 && blockN > 128) continue;
        for (const multicast of ['none', 'a', 'b'] as const) {
          if (multicast !== 'none' && ![24, 128, 200].includes(blockN)) continue;
          const layout = LAYOUTS[(7 * cases.length) % LAYOUTS.length]!;
          // f32 output doubles the staging tile: where fewer than 3 stages would fit, this tile runs bf16 output.
          const output = sm90Bf16GemmMaxStages(blockM, blockN, layout) >= 3 ? layout.output : 'bf16';
          const numStages = Math.min(4, sm90Bf16GemmMaxStages(blockM, blockN, { ...layout, output }));
          cases.push({ ...layout, output, config: { blockM, blockN, numStages, multicast, numSms: 132 } });
        }
      }
    }
    it.each(cases)(
      '$config.blockM x $config.blockN mc $config.multicast: A $aMajor B $bMajor $output C $cMode',
      (t) => {
        // Even block counts in both dimensions (multicast pairing), tails in every dimension, K not a multiple of 64.
        const m = 4 * t.config.blockM - 37;
        const n = 4 * t.config.blockN - 8;
        checkCase({ m, n, k: 656, ...t, seed: t.config.blockM + t.config.blockN });
      },
    );
  });

  it('MN-major B with a block N that is not a multiple of 64 (padded stage rows), with multicast on B', () => {
    const config: Sm90Bf16GemmTile = { blockM: 128, blockN: 80, numStages: 4, multicast: 'b', numSms: 132 };
    checkCase({
      m: 509,
      n: 312,
      k: 1032,
      aMajor: 'mn',
      bMajor: 'mn',
      output: 'bf16',
      cMode: 'separate',
      seed: 5,
      config,
    });
  });

  it('rejects a forced config that cannot run the shape with DgArgumentError before launching', () => {
    const a = operand(64, 128, 'k', 1);
    const b = operand(192, 128, 'k', 2);
    const d = nanFilled(64, 192, 'bf16');
    try {
      const tile: Sm90Bf16GemmTile = { blockM: 64, blockN: 64, numStages: 4, multicast: 'a', numSms: 132 };
      expect(() => bf16GemmNt(a, b, d, { config: tile })).toThrow(DgArgumentError);
      expect(() => bf16GemmNt(a, b, d, { config: { ...tile, multicast: 'none', numStages: 16 } })).toThrow(/numStages/);
      expect(() => bf16GemmNt(a, b, d, { config: { ...tile, blockN: 100 } as Sm90Bf16GemmTile })).toThrow(
        DgArgumentError,
      );
    } finally {
      for (const t of [a, b, d]) t.dispose();
    }
  });

  it('rejects operands on different devices with DgDeviceError before launching', () => {
    const a = operand(64, 128, 'k', 1);
    const b = operand(64, 128, 'k', 2);
    const d = Tensor.zeros([64, 64], 'bf16', 'cpu');
    try {
      expect(() => bf16GemmNt(a, b, d)).toThrow(DgDeviceError);
    } finally {
      a.dispose();
      b.dispose();
    }
  });
});
