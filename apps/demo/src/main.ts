// The quant demo: cast a random matrix per token (1x128) and per block (128x128) to FP8 e4m3fn, then report the range
// of the scales, the error of the dequantized matrix against the original, and the throughput of each cast.

import { parseArgs } from 'node:util';
import { calcDiff, decodeFp8, type Fp8Cast, perBlockCastToFp8, perTokenCastToFp8 } from '@dg/quant';

const { values } = parseArgs({
  options: { m: { type: 'string', default: '4096' }, k: { type: 'string', default: '7168' } },
});
const m = Number(values.m);
const k = Number(values.k);
if (!Number.isInteger(m) || !Number.isInteger(k) || m <= 0 || k <= 0) {
  process.stderr.write(`demo: --m and --k must be positive integers; got ${values.m}, ${values.k}\n`);
  process.exit(2);
}

/** Normal samples (Box-Muller over a fixed-seed LCG) with a few rows scaled up to give the scales a spread. */
function randomMatrix(rows: number, cols: number): Float32Array {
  const x = new Float32Array(rows * cols);
  let s = 2026;
  const u = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s + 0.5) / 2 ** 32;
  };
  for (let r = 0; r < rows; r++) {
    const rowScale = 2 ** Math.floor(u() * 12 - 6);
    for (let c = 0; c < cols; c++)
      x[r * cols + c] = rowScale * Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
  }
  return x;
}

function dequantize(cast: Fp8Cast, groupRows: number, groupCols: number): Float32Array {
  const values = decodeFp8(cast.data);
  const scaleCols = Math.ceil(k / groupCols);
  for (let r = 0; r < m; r++) {
    const scaleRow = Math.floor(r / groupRows) * scaleCols;
    for (let c = 0; c < k; c++) values[r * k + c]! *= cast.scale[scaleRow + Math.floor(c / groupCols)]!;
  }
  return values;
}

function report(name: string, x: Float32Array, cast: () => Fp8Cast, groupRows: number): void {
  const t0 = performance.now();
  const result = cast();
  const seconds = (performance.now() - t0) / 1e3;
  let lo = Number.POSITIVE_INFINITY;
  let hi = 0;
  for (const s of result.scale) {
    lo = Math.min(lo, s);
    hi = Math.max(hi, s);
  }
  const diff = calcDiff(dequantize(result, groupRows, 128), x);
  console.log(
    `${name.padEnd(26)} scales ${result.scale.length} in [${lo.toExponential(3)}, ${hi.toExponential(3)}]  ` +
      `calcDiff ${diff.toExponential(3)}  ${(seconds * 1e3).toFixed(0)} ms = ${(x.byteLength / seconds / 1e6).toFixed(0)} MB/s of FP32 input`,
  );
}

console.log(`dg quant demo: a random ${m}x${k} FP32 matrix to FP8 e4m3fn with FP32 scales (CPU, one thread)`);
const x = randomMatrix(m, k);
report('per token (1x128)', x, () => perTokenCastToFp8(x, m, k), 1);
report('per token (1x128, UE8M0)', x, () => perTokenCastToFp8(x, m, k, { ue8m0: true }), 1);
report('per block (128x128)', x, () => perBlockCastToFp8(x, m, k), 128);
