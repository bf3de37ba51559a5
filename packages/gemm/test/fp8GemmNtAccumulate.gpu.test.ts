// fp8GemmNtAccumulate on the GPU (kernel sm90_fp8_gemm_1d1d): the dense shapes of the brief, odd shapes, weight-
// gradient shapes, seeded random shapes, forced configs (both block Ms, several block Ns, both multicasts, several
// tiles per CTA), C null / distinct / aliasing D, row-major and MN-major scales, a strided D.
// Each result is checked against FP64 products computed on the device: calcDiff(D, C + dequantized product) < 1e-5,
// calcDiff(D - C, dequantized product) < 1e-5 (the product alone, so a large C cannot hide an error in it), and
// calcDiff(D, C + unquantized product) < 1e-3 (3e-3 below 64 outputs, see unquantizedBound). D starts
// deterministic: NaN when C is a distinct tensor (the copy must overwrite all of it), C's values otherwise. A second
// run after resetting D must be bitwise identical.

import { warmup } from '@dg/jit';
import { renderSm90Fp8Gemm1d1d, type Sm90Fp8Gemm1d1dConfig, sm90Fp8Gemm1d1dMaxStages } from '@dg/kernels';
import { perTokenCastToFp8 } from '@dg/quant/device';
import { copyDeviceToDevice, isAvailable, memsetD32, synchronizeDevice, Tensor, unavailableReason } from '@dg/runtime';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  DgArgumentError,
  DgDeviceError,
  fp8GemmNtAccumulate,
  type GemmShape,
  getNumSms,
  H100_SXM_DEVICE,
  selectFp8GemmNtAccumulateConfig,
} from '../src/index.js';
import { countMismatchesU16, fillRandnBf16, fillRandnF32, fp8GemmAccumulateDiffs } from './support/deviceReference.js';
import { DENSE_EXTRA_SHAPES, DENSE_SHAPES, randomShapes } from './support/shapes.js';

const gpu = isAvailable();
const NAN_F32 = 0x7fc00000;

type ScaleLayout = 'mnMajorTmaAligned' | 'rowMajor';
type CMode = 'null' | 'distinct' | 'alias';

/** Weight-gradient-like shapes (D [M, N] += dY [M, tokens] · X [N, tokens]ᵀ): square and rectangular, K 4096..8192. */
const WGRAD_SHAPES: [number, number, number][] = [
  [7168, 7168, 4096],
  [2112, 2112, 8192],
  [4096, 4096, 6144],
  [2112, 7168, 4096],
  [7168, 2112, 8192],
  [4096, 7168, 8192],
];
const RANDOM_SHAPES = randomShapes(12, 20261121);

interface Case {
  m: number;
  n: number;
  k: number;
  seed: number;
  cMode: CMode;
  scaleLayout: ScaleLayout;
  /** Row stride of D (default n). */
  ldd?: number;
  config?: Sm90Fp8Gemm1d1dConfig;
}

/**
 * The bound on calcDiff against the unquantized inputs: 1e-3 (DeepGEMM's FP8 threshold) over at least 64 outputs.
 * calcDiff there measures FP8 quantization noise, about 6.7e-4 on average for these inputs; over a handful of
 * outputs it is an average of a handful of samples (1 x 8 x 256: 8 outputs, measured 1.1e-3 on an H100 while the
 * dequantized check passed), so tiny outputs get 3e-3. The dequantized checks (< 1e-5) hold the kernel's arithmetic
 * at every size.
 */
function unquantizedBound(outputs: number): number {
  return outputs >= 64 ? 1e-3 : 3e-3;
}

function fullView(t: Tensor, elements: number): Tensor {
  return Tensor.fromDevicePointer(t.dataPtr, [elements], 'f32', { device: t.device as `cuda:${number}` });
}

function runCase(c: Case): void {
  const { m, n, k, seed, cMode, scaleLayout } = c;
  const ldd = c.ldd ?? n;
  const owned: Tensor[] = [];
  const own = <T extends Tensor>(t: T): T => {
    owned.push(t);
    return t;
  };
  try {
    const x = own(Tensor.empty([m, k], 'bf16', 'cuda:0'));
    const y = own(Tensor.empty([n, k], 'bf16', 'cuda:0'));
    fillRandnBf16(x, seed);
    fillRandnBf16(y, seed + 7919);
    const a = perTokenCastToFp8(x, { scaleLayout });
    own(a.data);
    own(a.scale);
    // B per channel: the per-token cast of the [N, K] operand gives its [N, ceil(K/128)] scales.
    const b = perTokenCastToFp8(y, { scaleLayout });
    own(b.data);
    own(b.scale);
    // C: the values D must start from (a distinct tensor, or what D is reset to for null / alias).
    const cValues = own(Tensor.empty([m, n], 'f32', 'cuda:0'));
    fillRandnF32(cValues, seed + 104729, 4);
    const d = own(Tensor.emptyStrided([m, n], [ldd, 1], 'f32', 'cuda:0', { storageElements: m * ldd }));
    const storage = m * ldd;
    const reset = () => {
      if (cMode === 'distinct') {
        memsetD32(d.dataPtr, NAN_F32, storage);
      } else {
        // Padding columns (ldd > n) keep NaN: the kernel must not touch them.
        memsetD32(d.dataPtr, NAN_F32, storage);
        for (let r = 0; r < m && ldd !== n; r++) {
          copyDeviceToDevice(d.dataPtr + BigInt(r * ldd * 4), cValues.dataPtr + BigInt(r * n * 4), n * 4);
        }
        if (ldd === n) copyDeviceToDevice(d.dataPtr, cValues.dataPtr, m * n * 4);
      }
    };
    const call = () => {
      const cArg = cMode === 'null' ? null : cMode === 'alias' ? d : cValues;
      fp8GemmNtAccumulate(a, b, d, cArg, c.config === undefined ? {} : { config: c.config });
    };
    reset();
    call();
    const first = own(Tensor.empty([storage], 'f32', 'cuda:0'));
    copyDeviceToDevice(first.dataPtr, d.dataPtr, storage * 4);
    reset();
    call();
    synchronizeDevice();
    const diffs = fp8GemmAccumulateDiffs({ a: a.data, sfa: a.scale, b: b.data, sfb: b.scale, x, y, c: cValues, d });
    const what = `${m}x${n}x${k} C ${cMode}, ${scaleLayout} scales${c.config ? `, ${JSON.stringify(c.config)}` : ''}`;
    expect(diffs.dequantized, `calcDiff(D, C + dequantized product), ${what}`).toBeLessThan(1e-5);
    expect(diffs.productDequantized, `calcDiff(D - C, dequantized product), ${what}`).toBeLessThan(1e-5);
    expect(diffs.unquantized, `calcDiff(D, C + unquantized product), ${what}`).toBeLessThan(unquantizedBound(m * n));
    const whole = own(fullView(d, storage));
    expect(countMismatchesU16(whole, first), `bitwise equal on a second run, ${what}`).toBe(0);
    if (ldd !== n) {
      // The padding between rows must still be NaN (bit pattern 0x7fc00000).
      const host = new Uint32Array(whole.toArray().buffer);
      let touched = 0;
      for (let r = 0; r < m; r++) for (let j = n; j < ldd; j++) touched += host[r * ldd + j] === NAN_F32 ? 0 : 1;
      expect(touched, 'padding elements written').toBe(0);
    }
  } finally {
    synchronizeDevice();
    for (const t of owned.reverse()) t.dispose();
  }
}

const C_MODES: readonly CMode[] = ['distinct', 'null', 'alias'];
const LAYOUTS: readonly ScaleLayout[] = ['mnMajorTmaAligned', 'rowMajor'];

/** Forced configs: both block Ms; block Ns at both ends, in between, 8 (mod 16) or not; both multicasts. */
function forcedConfigs(): Sm90Fp8Gemm1d1dConfig[] {
  const out: Sm90Fp8Gemm1d1dConfig[] = [];
  for (const blockM of [64, 128] as const) {
    for (const blockN of [16, 24, 40, 64, 120, 128, 144, 152]) {
      // A small persistent grid, so every CTA runs several tiles (ring wrap-around, overlapped epilogues).
      out.push({ blockM, blockN, numStages: sm90Fp8Gemm1d1dMaxStages(blockM, blockN), multicast: 'none', numSms: 6 });
    }
    for (const blockN of [24, 152]) {
      for (const multicast of ['a', 'b'] as const) out.push({ blockM, blockN, numStages: 3, multicast, numSms: 4 });
    }
  }
  return out;
}

const FORCED = forcedConfigs();
/**
 * Even block counts in both dimensions (multicast pairing), tails in M and N, K not a multiple of 128: 6 K blocks,
 * or 5 for every other block N.
 */
const forcedShape = (c: Sm90Fp8Gemm1d1dConfig): GemmShape => ({
  m: 4 * c.blockM - 37,
  n: 4 * c.blockN - 8,
  k: (c.blockN / 8) % 2 === 0 ? 656 : 528,
});
/** 1..4 K blocks per tile, 32 tiles over 6 CTAs (the ring wraps mid-tile at every K). */
const K_EDGE: Sm90Fp8Gemm1d1dConfig = { blockM: 64, blockN: 40, numStages: 3, multicast: 'none', numSms: 6 };
const K_EDGE_KS = [16, 144, 272, 400];

const MODE_SHAPE = { m: 300, n: 520, k: 1040 };

describe.skipIf(!gpu)(`fp8GemmNtAccumulate on a CUDA device${gpu ? '' : ` (skipped: ${unavailableReason()})`}`, () => {
  beforeAll(async () => {
    // Compile every kernel the suite will launch, in parallel, into the disk cache the launcher then loads from.
    const dev = { numSms: getNumSms() ?? H100_SXM_DEVICE.numSms, maxSmemBytes: H100_SXM_DEVICE.maxSmemBytes };
    const shapes: GemmShape[] = [...DENSE_SHAPES, ...DENSE_EXTRA_SHAPES, ...WGRAD_SHAPES, ...RANDOM_SHAPES]
      .map(([m, n, k]) => ({ m, n, k }))
      .concat([MODE_SHAPE]);
    const configs = new Map<string, Sm90Fp8Gemm1d1dConfig>();
    for (const c of [...shapes.map((s) => selectFp8GemmNtAccumulateConfig(s, dev)), ...FORCED, K_EDGE]) {
      configs.set(JSON.stringify(c), c);
    }
    const specs = [...configs.values()].map((c) => {
      const r = renderSm90Fp8Gemm1d1d(c);
      return { name: r.name, source: r.source, includeDirs: [...r.includeDirs], dynamicSmemBytes: r.dynamicSmemBytes };
    });
    const t0 = performance.now();
    await warmup(specs);
    console.log(
      `warmed ${specs.length} sm90_fp8_gemm_1d1d kernels in ${((performance.now() - t0) / 1e3).toFixed(1)} s`,
    );
  });

  describe('dense shapes of the brief (C distinct, MN-major scales)', () => {
    it.each(DENSE_SHAPES)('%i x %i x %i', (m, n, k) =>
      runCase({ m, n, k, seed: m + n + k, cMode: 'distinct', scaleLayout: 'mnMajorTmaAligned' }),
    );
  });

  describe('odd shapes (tails in M, N, K), every C mode, both scale layouts', () => {
    it.each(DENSE_EXTRA_SHAPES.map((s, i) => [...s, C_MODES[i % 3] as CMode, LAYOUTS[i % 2] as ScaleLayout] as const))(
      '%i x %i x %i, C %s, %s scales',
      (m, n, k, cMode, scaleLayout) => runCase({ m, n, k, seed: 3 * m + n + k, cMode, scaleLayout }),
    );
  });

  describe('weight-gradient shapes (C aliasing D)', () => {
    it.each(WGRAD_SHAPES)('%i x %i x %i', (m, n, k) =>
      runCase({ m, n, k, seed: m ^ (n + k), cMode: 'alias', scaleLayout: 'mnMajorTmaAligned' }),
    );
  });

  describe('seeded random shapes', () => {
    it.each(
      RANDOM_SHAPES.map((s, i) => [...s, C_MODES[i % 3] as CMode, LAYOUTS[(i >> 1) % 2] as ScaleLayout] as const),
    )('%i x %i x %i, C %s, %s scales', (m, n, k, cMode, scaleLayout) =>
      runCase({ m, n, k, seed: m ^ n ^ k, cMode, scaleLayout }),
    );
  });

  describe('forced configs: both block M, block N 16..152, both multicasts, several tiles per CTA', () => {
    it.each(FORCED)('$blockM x $blockN, $numStages stages, multicast $multicast, $numSms CTAs', (config) => {
      const { m, n, k } = forcedShape(config);
      runCase({
        m,
        n,
        k,
        seed: config.blockM + config.blockN,
        cMode: 'distinct',
        scaleLayout: 'mnMajorTmaAligned',
        config,
      });
    });
  });

  describe('1, 2, 3 and 4 K blocks per tile, several tiles per CTA', () => {
    it.each(K_EDGE_KS)('K = %i', (k) =>
      runCase({ m: 200, n: 304, k, seed: k, cMode: 'null', scaleLayout: 'rowMajor', config: K_EDGE }),
    );
  });

  describe('C modes x scale layouts on a strided D', () => {
    it.each(C_MODES.flatMap((cMode) => LAYOUTS.map((l) => [cMode, l] as const)))('C %s, %s scales', (cMode, l) =>
      runCase({ ...MODE_SHAPE, seed: 11, cMode, scaleLayout: l, ldd: MODE_SHAPE.n + 24 }),
    );
  });

  it('rejects an unusable forced config with DgArgumentError before any device work (D keeps its contents)', () => {
    const { m, n, k } = { m: 128, n: 456, k: 256 };
    const x = Tensor.empty([m, k], 'bf16', 'cuda:0');
    const y = Tensor.empty([n, k], 'bf16', 'cuda:0');
    fillRandnBf16(x, 1);
    fillRandnBf16(y, 2);
    const a = perTokenCastToFp8(x);
    const b = perTokenCastToFp8(y);
    const c = Tensor.zeros([m, n], 'f32', 'cuda:0');
    const d = Tensor.empty([m, n], 'f32', 'cuda:0');
    try {
      memsetD32(d.dataPtr, NAN_F32, m * n);
      const config = { blockM: 128, blockN: 152, numStages: 4, multicast: 'a', numSms: 132 } as const;
      // 456 / 152 = 3 N blocks: multicast A cannot pair them.
      expect(() => fp8GemmNtAccumulate(a, b, d, c, { config })).toThrow(DgArgumentError);
      expect(() => fp8GemmNtAccumulate(a, b, d, c, { config: { ...config, blockN: 100 } })).toThrow(/opts.config/);
      synchronizeDevice();
      const host = new Uint32Array((d.toArray() as Float32Array).buffer);
      expect(host.every((v) => v === NAN_F32)).toBe(true);
    } finally {
      for (const t of [x, y, a.data, a.scale, b.data, b.scale, c, d]) t.dispose();
    }
  });

  it('rejects operands on different devices with DgDeviceError before launching', () => {
    const x = Tensor.empty([64, 128], 'bf16', 'cuda:0');
    fillRandnBf16(x, 5);
    const a = perTokenCastToFp8(x);
    const d = Tensor.zeros([64, 64], 'f32', 'cpu');
    try {
      expect(() => fp8GemmNtAccumulate(a, a, d)).toThrow(DgDeviceError);
    } finally {
      for (const t of [x, a.data, a.scale]) t.dispose();
    }
  });
});
