// The GEMM demo, the README's main job: fp8GemmNt (A scaled per token, B per 128x128 block, bf16 out) on a random
// problem, with its speed and its accuracy against an FP64 product of the unquantized inputs. On a machine without a
// GPU the same call runs on the CPU reference backend, on a smaller problem. Progress on stderr, results on stdout.

import { parseArgs } from 'node:util';
import { isAvailable, unavailableReason } from '@dg/runtime';
import { runCpuDemo } from './cpuDemo.js';
import { runGpuDemo } from './gpuDemo.js';
import { type DemoResult, flops, type GemmShape } from './shape.js';

const GPU_SHAPE: GemmShape = { m: 4096, n: 7168, k: 7168 };
const CPU_SHAPE: GemmShape = { m: 128, n: 256, k: 512 };

const { values } = parseArgs({
  options: {
    m: { type: 'string' },
    n: { type: 'string' },
    k: { type: 'string' },
    calls: { type: 'string' },
  },
});

function positive(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const v = Number(text);
  if (!Number.isInteger(v) || v <= 0) {
    process.stderr.write(`demo: --${name} must be a positive integer; got ${text}\n`);
    process.exit(2);
  }
  return v;
}

const onGpu = isAvailable();
const defaults = onGpu ? GPU_SHAPE : CPU_SHAPE;
const shape: GemmShape = {
  m: positive('m', values.m, defaults.m),
  n: positive('n', values.n, defaults.n),
  k: positive('k', values.k, defaults.k),
};
const calls = positive('calls', values.calls, onGpu ? 20 : 3);
const progress = (line: string) => process.stderr.write(`demo: ${line}\n`);

function report(r: DemoResult): void {
  const { m, n, k } = r.shape;
  const rate = flops(r.shape) / (r.msPerCall / 1e3);
  const speed = onGpu ? `${(rate / 1e12).toFixed(1)} TFLOPS` : `${(rate / 1e9).toFixed(2)} GFLOPS`;
  console.log(`dg GEMM demo: fp8GemmNt on ${r.device}, M=${m} N=${n} K=${k} (A 1x128, B 128x128 scales, bf16 out)`);
  console.log(`  time      ${r.msPerCall.toFixed(3)} ms per call (mean of ${r.calls}) = ${speed}`);
  const accuracy = `calcDiff ${r.calcDiff.toExponential(2)} against FP64 of the unquantized inputs`;
  console.log(`  accuracy  ${accuracy} (${r.rowsChecked} rows)`);
}

try {
  if (!onGpu) console.log(`no usable GPU (${unavailableReason()}): running the CPU reference on a smaller problem`);
  report(onGpu ? runGpuDemo(shape, calls, progress) : runCpuDemo(shape, calls, progress));
} catch (e) {
  process.stderr.write(`demo: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}\n`);
  process.exit(1);
}
