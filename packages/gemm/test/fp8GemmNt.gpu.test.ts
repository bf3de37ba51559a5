// fp8GemmNt on the GPU: every shape of the brief, seeded random shapes, every kernel variant family, odd layouts.
// Each result is checked against FP64 products computed on the device (dequantized inputs: calcDiff < 1e-5;
// unquantized BF16 inputs: < 1e-3), the output is pre-filled with NaN so an unwritten element fails, and a second
// run on the same inputs must be bitwise identical.

import type { Sm90Fp8Gemm1d2dConfig } from '@dg/kernels';
import { perBlockCastToFp8, perTokenCastToFp8 } from '@dg/quant/device';
import {
  beginCapture,
  endCapture,
  type Graph,
  isAvailable,
  memsetD16,
  Stream,
  synchronizeDevice,
  Tensor,
  unavailableReason,
} from '@dg/runtime';
import { describe, expect, it } from 'vitest';
import {
  DgDeviceError,
  DgUnsupportedError,
  fp8GemmNt,
  getKMajorTmaAlignedTensor,
  getMnMajorTmaAlignedTensor,
} from '../src/index.js';
import { countMismatchesU16, fillRandnBf16, fp8GemmDiffs } from './support/deviceReference.js';
import { DENSE_EXTRA_SHAPES, DENSE_SHAPES, randomShapes } from './support/shapes.js';

const gpu = isAvailable();
const NAN_BF16 = 0x7fc0;

interface Inputs {
  x: Tensor;
  y: Tensor;
  a: { data: Tensor; scale: Tensor };
  b: { data: Tensor; scale: Tensor };
  dispose(): void;
}

function inputs(m: number, n: number, k: number, seed: number, aScaleLayout: 'mnMajorTmaAligned' | 'rowMajor'): Inputs {
  const x = Tensor.empty([m, k], 'bf16', 'cuda:0');
  const y = Tensor.empty([n, k], 'bf16', 'cuda:0');
  fillRandnBf16(x, seed);
  fillRandnBf16(y, seed + 7919);
  const a = perTokenCastToFp8(x, { scaleLayout: aScaleLayout });
  const b = perBlockCastToFp8(y);
  return {
    x,
    y,
    a,
    b,
    dispose() {
      for (const t of [x, y, a.data, a.scale, b.data, b.scale]) t.dispose();
    },
  };
}

/** calcDiff of D against FP64 products of the dequantized and of the unquantized inputs, computed on the device. */
function diffsOf(inp: Inputs, d: Tensor) {
  return fp8GemmDiffs({
    a: inp.a.data,
    sfa: inp.a.scale,
    b: inp.b.data,
    sfb: inp.b.scale,
    sfbGranularity: 128,
    x: inp.x,
    y: inp.y,
    d,
  });
}

function nanFilled(m: number, n: number, ldd = n): Tensor {
  const d = Tensor.emptyStrided([m, n], [ldd, 1], 'bf16', 'cuda:0', { storageElements: m * ldd });
  memsetD16(d.dataPtr, NAN_BF16, m * ldd);
  return d;
}

function checkShape(m: number, n: number, k: number, seed: number, opts: { config?: Sm90Fp8Gemm1d2dConfig } = {}) {
  const inp = inputs(m, n, k, seed, 'mnMajorTmaAligned');
  const d = nanFilled(m, n);
  const d2 = nanFilled(m, n);
  try {
    fp8GemmNt(inp.a, inp.b, d, opts);
    fp8GemmNt(inp.a, inp.b, d2, opts);
    const diffs = diffsOf(inp, d);
    expect(diffs.dequantized, `calcDiff vs FP64 of dequantized inputs, ${m}x${n}x${k}`).toBeLessThan(1e-5);
    expect(diffs.unquantized, `calcDiff vs FP64 of unquantized inputs, ${m}x${n}x${k}`).toBeLessThan(1e-3);
    expect(countMismatchesU16(d, d2), 'bitwise equal on a second run').toBe(0);
  } finally {
    inp.dispose();
    d.dispose();
    d2.dispose();
  }
}

describe.skipIf(!gpu)(`fp8GemmNt on a CUDA device${gpu ? '' : ` (skipped: ${unavailableReason()})`}`, () => {
  describe('dense shapes of the brief', () => {
    it.each(DENSE_SHAPES)('%i x %i x %i', (m, n, k) => checkShape(m, n, k, m + n + k));
  });

  describe('odd shapes (tails in M, N, K)', () => {
    it.each(DENSE_EXTRA_SHAPES)('%i x %i x %i', (m, n, k) => checkShape(m, n, k, 3 * m + n + k));
  });

  describe('seeded random shapes', () => {
    it.each(randomShapes(12, 2026))('%i x %i x %i', (m, n, k) => checkShape(m, n, k, m ^ n ^ k));
  });

  describe('forced configs: every block M, straddling and uniform block N, both multicasts', () => {
    const configs: Sm90Fp8Gemm1d2dConfig[] = [];
    for (const blockM of [64, 128, 256] as const) {
      // 24, 56, 120 and 136: rows of an odd number of 16-byte chunks (the unswizzled, whole-row output store).
      for (const blockN of [16, 24, 48, 56, 64, 112, 120, 128, 136, 144, 160, 192]) {
        if (blockM === 256 && blockN > 128) continue;
        for (const multicast of ['none', 'a', 'b'] as const) {
          if (multicast !== 'none' && ![24, 112, 128, 160].includes(blockN)) continue;
          configs.push({ blockM, blockN, numStages: 3, multicast, numSms: 132 });
        }
      }
    }
    it.each(configs)('$blockM x $blockN, multicast $multicast', (config) => {
      // Even block counts in both dimensions (multicast pairing), tails in every dimension, K not a multiple of 128.
      const m = 4 * config.blockM - 37;
      const n = 4 * config.blockN - 8;
      checkShape(m, n, 656, config.blockM + config.blockN, { config });
    });
  });

  // Four CTAs for 16 tiles, so every CTA stores several tiles and each epilogue waits for the previous tile's
  // stores before it overwrites the staging tile; for two-warpgroup tiles M leaves the last tile's last 64-row slab
  // wholly out of range.
  describe('forced configs: the output store across tiles (per-warpgroup and joint epilogues, whole-row tiles)', () => {
    const configs: Sm90Fp8Gemm1d2dConfig[] = [];
    for (const blockM of [128, 256] as const) {
      for (const blockN of [24, 56, 112, 120, 128, 144, 192]) {
        if (blockM === 256 && blockN > 128) continue;
        for (const multicast of ['none', 'a', 'b'] as const) {
          if (multicast !== 'none' && ![112, 128, 192].includes(blockN)) continue;
          configs.push({ blockM, blockN, numStages: 3, multicast, numSms: 4, epilogue: 'warpgroup' });
        }
      }
    }
    for (const [blockM, blockN, multicast] of [
      [64, 56, 'none'],
      [128, 120, 'none'],
      [256, 120, 'a'],
      [128, 136, 'b'],
      [256, 128, 'a'],
    ] as const) {
      configs.push({ blockM, blockN, numStages: 3, multicast, numSms: 4, epilogue: 'joint' });
    }
    it.each(configs)('$blockM x $blockN, multicast $multicast, $epilogue epilogue', (config) => {
      const m = 4 * config.blockM - 100;
      checkShape(m, 4 * config.blockN - 8, 656, config.blockM + config.blockN + 1, { config });
    });
  });

  describe('forced configs: the plain K loop of tiles that default to the pipelined one', () => {
    const configs: Sm90Fp8Gemm1d2dConfig[] = [];
    for (const blockM of [64, 128] as const) {
      for (const blockN of [16, 48, 112, 128]) {
        configs.push({ blockM, blockN, numStages: 3, multicast: 'none', numSms: 132, pipeline: false });
      }
    }
    configs.push({ blockM: 128, blockN: 96, numStages: 3, multicast: 'b', numSms: 132, pipeline: false });
    it.each(configs)('$blockM x $blockN, multicast $multicast', (config) => {
      checkShape(4 * config.blockM - 37, 4 * config.blockN - 8, 656, config.blockM + config.blockN, { config });
    });
  });

  describe('the exact-K-unroll loop (no remainder) wherever K allows it on a plain-loop tile', () => {
    const configs: Sm90Fp8Gemm1d2dConfig[] = [
      { blockM: 256, blockN: 128, numStages: 3, multicast: 'a', numSms: 132 },
      { blockM: 128, blockN: 192, numStages: 4, multicast: 'b', numSms: 132, epilogue: 'warpgroup' },
      { blockM: 64, blockN: 192, numStages: 6, multicast: 'none', numSms: 132 },
      { blockM: 256, blockN: 96, numStages: 3, multicast: 'none', numSms: 132 },
    ];
    it.each(configs)(
      '$blockM x $blockN, multicast $multicast: bitwise equal to the loop with a remainder',
      (config) => {
        // ceil(976 / 128) = 8 K blocks (a multiple of 4 and of 2), the last one partial.
        const [m, n, k] = [4 * config.blockM - 37, 4 * config.blockN - 8, 976];
        checkShape(m, n, k, config.blockN, { config });
        const inp = inputs(m, n, k, config.blockN, 'mnMajorTmaAligned');
        const d = nanFilled(m, n);
        const general = nanFilled(m, n);
        try {
          fp8GemmNt(inp.a, inp.b, d, { config });
          fp8GemmNt(inp.a, inp.b, general, { config: { ...config, exactKUnroll: false } });
          expect(countMismatchesU16(d, general), 'exact K unroll vs the loop with a remainder').toBe(0);
          // Asking for it where K allows it is the same kernel.
          expect(() => fp8GemmNt(inp.a, inp.b, d, { config: { ...config, exactKUnroll: true } })).not.toThrow();
        } finally {
          inp.dispose();
          d.dispose();
          general.dispose();
        }
        // 57 K blocks, a multiple of neither unroll: a forced exact loop is refused before any launch.
        const odd = inputs(m, n, 7296, 5, 'mnMajorTmaAligned');
        const d57 = nanFilled(m, n);
        try {
          expect(() => fp8GemmNt(odd.a, odd.b, d57, { config: { ...config, exactKUnroll: true } })).toThrow(
            /opts\.config\.exactKUnroll.*ceil\(7296 \/ 128\) = 57/,
          );
        } finally {
          odd.dispose();
          d57.dispose();
        }
      },
    );
  });

  it('checks the rotated loop of two-slab tiles on K of 1, 2, 3 and 5 K blocks (its first and last half blocks)', () => {
    // K that 4 (2 for the straddling 256 x 96) does not divide runs the rotated loop; 256 and 512 give it 2 and 4
    // blocks where the exact loop would run, so they force the rotated one with exactKUnroll: false.
    for (const config of [
      { blockM: 256, blockN: 128, numStages: 3, multicast: 'a', numSms: 132, exactKUnroll: false },
      { blockM: 256, blockN: 96, numStages: 3, multicast: 'none', numSms: 132, exactKUnroll: false },
    ] satisfies Sm90Fp8Gemm1d2dConfig[]) {
      for (const k of [112, 256, 336, 528]) checkShape(600, 4 * config.blockN - 8, k, k + config.blockN, { config });
    }
  });

  it('checks the pipelined loop on K of 1, 2 and 3 K blocks (the odd and even ends of the accumulator pair)', () => {
    const config: Sm90Fp8Gemm1d2dConfig = { blockM: 64, blockN: 64, numStages: 4, multicast: 'none', numSms: 132 };
    for (const k of [112, 256, 336]) checkShape(130, 200, k, k, { config });
  });

  it('accepts row-major A scales (transformed on the device) and a strided output', () => {
    const [m, n, k] = [300, 520, 1040];
    const inp = inputs(m, n, k, 11, 'rowMajor');
    const d = nanFilled(m, n, n + 24);
    try {
      fp8GemmNt(inp.a, inp.b, d);
      const diffs = diffsOf(inp, d);
      expect(diffs.dequantized).toBeLessThan(1e-5);
    } finally {
      inp.dispose();
      d.dispose();
    }
  });

  it('accepts B scales at any strides: MN-major and unpadded (copied on the device) or rows padded (read in place)', () => {
    // ceil(K / 128) = 7 scale columns: an unpadded row is 28 bytes, so TMA cannot read it in place.
    const [m, n, k] = [200, 392, 784];
    const inp = inputs(m, n, k, 13, 'mnMajorTmaAligned');
    const mnMajor = inp.b.scale.transpose(0, 1).contiguous().transpose(0, 1);
    const padded = getKMajorTmaAlignedTensor(inp.b.scale);
    const layouts: [string, Tensor][] = [
      ['row-major, unpadded', inp.b.scale],
      ['MN-major', mnMajor],
      ['rows padded to 8 floats', padded],
    ];
    try {
      expect(mnMajor.strides).toEqual([1, 4]);
      expect(padded.strides).toEqual([8, 1]);
      for (const [what, scale] of layouts) {
        const d = nanFilled(m, n);
        try {
          fp8GemmNt(inp.a, { data: inp.b.data, scale }, d);
          const diffs = diffsOf(inp, d);
          expect(diffs.dequantized, what).toBeLessThan(1e-5);
        } finally {
          d.dispose();
        }
      }
    } finally {
      inp.dispose();
    }
  });

  it('converts scales into per-stream scratch: back-to-back calls on two streams match pre-aligned scales bitwise', () => {
    // Row-major A scales and unpadded row-major or MN-major B scales are converted on every call into a scratch
    // buffer reused per (stream, operand). Two problems of different sizes (4 and 5 B-scale rows, 7 and 9 K blocks;
    // the smaller first, so the second stream's scratch grows mid-way) alternate without a synchronization in between,
    // on the default stream and on a non-blocking one that runs concurrently with it: a scratch shared between the
    // streams, a conversion overwriting scales a previous kernel still reads, or a view at the wrong offset changes
    // bits.
    const problems = [
      { shape: [200, 392, 784], seed: 23 },
      { shape: [300, 520, 1040], seed: 21 },
    ].map(({ shape: [m = 0, n = 0, k = 0], seed }) => {
      const inp = inputs(m, n, k, seed, 'rowMajor');
      const aligned = { data: inp.a.data, scale: getMnMajorTmaAlignedTensor(inp.a.scale) };
      const alignedB = { data: inp.b.data, scale: getKMajorTmaAlignedTensor(inp.b.scale) };
      const mnMajorB = { data: inp.b.data, scale: inp.b.scale.transpose(0, 1).contiguous().transpose(0, 1) };
      const want = nanFilled(m, n);
      fp8GemmNt(aligned, alignedB, want);
      return { m, n, inp, mnMajorB, want };
    });
    const side = Stream.create({ device: 0, nonBlocking: true });
    const runs: { d: Tensor; p: (typeof problems)[number]; stream: Stream | undefined; round: number; what: string }[] =
      [];
    for (let round = 0; round < 3; round++) {
      for (const [i, p] of problems.entries()) {
        for (const [where, stream] of [
          ['default stream', undefined],
          ['non-blocking stream', side],
        ] as const) {
          runs.push({ d: nanFilled(p.m, p.n), p, stream, round, what: `round ${round}, problem ${i}, ${where}` });
        }
      }
    }
    try {
      // The NaN fills (on the legacy stream) must be done before the non-blocking stream writes the outputs.
      synchronizeDevice();
      for (const r of runs) {
        const b = r.round === 1 ? r.p.mnMajorB : r.p.inp.b;
        fp8GemmNt(r.p.inp.a, b, r.d, { stream: r.stream });
      }
      side.synchronize();
      synchronizeDevice();
      for (const r of runs) expect(countMismatchesU16(r.d, r.p.want), r.what).toBe(0);
    } finally {
      for (const r of runs) r.d.dispose();
      for (const p of problems) {
        p.inp.dispose();
        p.want.dispose();
      }
      side.dispose();
    }
  });

  it('refuses scales that need a conversion while its stream is captured, and replays a graph of aligned ones', () => {
    const [m, n, k] = [200, 392, 784];
    const inp = inputs(m, n, k, 29, 'rowMajor');
    const alignedA = { data: inp.a.data, scale: getMnMajorTmaAlignedTensor(inp.a.scale) };
    const alignedB = { data: inp.b.data, scale: getKMajorTmaAlignedTensor(inp.b.scale) };
    const want = nanFilled(m, n);
    const d = nanFilled(m, n);
    const s = Stream.create({ device: 0, nonBlocking: true });
    try {
      fp8GemmNt(alignedA, alignedB, want); // eager, also compiles and loads the kernel before the capture
      synchronizeDevice();
      beginCapture(s);
      let captured: Graph | undefined;
      try {
        expect(() => fp8GemmNt(inp.a, alignedB, d, { stream: s })).toThrow(DgUnsupportedError);
        expect(() => fp8GemmNt(inp.a, alignedB, d, { stream: s })).toThrow(/'a.scale'.*captured into a CUDA graph/);
        expect(() => fp8GemmNt(alignedA, inp.b, d, { stream: s })).toThrow(/'b.scale'.*K-major TMA-aligned/);
        fp8GemmNt(alignedA, alignedB, d, { stream: s });
      } finally {
        captured = endCapture(s);
      }
      using exec = captured.instantiate();
      captured.dispose();
      exec.launch(s);
      s.synchronize();
      expect(countMismatchesU16(d, want), 'graph replay vs eager call').toBe(0);
    } finally {
      inp.dispose();
      want.dispose();
      d.dispose();
      s.dispose();
    }
  });

  it('rejects operands on different devices with DgDeviceError before launching', () => {
    const inp = inputs(64, 64, 128, 5, 'mnMajorTmaAligned');
    const d = Tensor.zeros([64, 64], 'bf16', 'cpu');
    try {
      expect(() => fp8GemmNt(inp.a, inp.b, d)).toThrow(DgDeviceError);
    } finally {
      inp.dispose();
    }
  });
});
