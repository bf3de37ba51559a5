// Host cost of a warm fp8GemmNt call from JavaScript: validation, heuristic lookup, launch-plan hit and the native
// launch, timed like `launch()` of an empty kernel (batches of calls, the stream synchronized between batches so the
// queue never fills). A tiny shape keeps the device ahead of the host, so the figure is host time.

import { bf16GemmNt, fp8GemmNt } from '@dg/gemm';
import { perBlockCastToFp8, perTokenCastToFp8 } from '@dg/quant/device';
import { Stream, Tensor } from '@dg/runtime';
import { progress } from '../report.js';
import { summarize } from '../stats.js';
import type { LaunchOverheadRow } from './launchOverhead.js';

/** Median host µs per call of `call`, in batches of `perBatch` with the stream drained between batches. */
function hostPerCall(call: () => void, stream: Stream, batches: number, perBatch: number) {
  for (let i = 0; i < perBatch * 10; i++) call();
  stream.synchronize();
  const us: number[] = [];
  for (let bi = 0; bi < batches; bi++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < perBatch; i++) call();
    us.push(Number(process.hrtime.bigint() - t0) / 1e3 / perBatch);
    stream.synchronize();
  }
  return summarize(us);
}

export function benchGemmHost(batches = 200, perBatch = 100, m = 128, n = 128, k = 128): LaunchOverheadRow[] {
  progress(`launch: host time of warm fp8GemmNt and bf16GemmNt calls (${m}x${n}x${k})`);
  using x = Tensor.fromArray(new Uint16Array(m * k).fill(0x3f80), [m, k], 'bf16', 'cuda:0');
  using y = Tensor.fromArray(new Uint16Array(n * k).fill(0x3f80), [n, k], 'bf16', 'cuda:0');
  const a = perTokenCastToFp8(x, { scaleLayout: 'mnMajorTmaAligned' });
  const b = perBlockCastToFp8(y);
  using d = Tensor.empty([m, n], 'bf16', 'cuda:0');
  using stream = Stream.create();
  const s = hostPerCall(() => fp8GemmNt(a, b, d, { stream }), stream, batches, perBatch);
  const s16 = hostPerCall(() => bf16GemmNt(x, y, d, { stream }), stream, batches, perBatch);
  for (const t of [a.data, a.scale, b.data, b.scale]) t.dispose();
  // Scales as the casts return them by default: row-major A scales, and B scales of 5 K blocks (20-byte rows, which
  // TMA cannot read in place): three small layout kernels per call into the stream's scratch, then the GEMM.
  const [n2, k2] = [256, 640];
  using y2 = Tensor.fromArray(new Uint16Array(n2 * k2).fill(0x3f80), [n2, k2], 'bf16', 'cuda:0');
  using x2 = Tensor.fromArray(new Uint16Array(m * k2).fill(0x3f80), [m, k2], 'bf16', 'cuda:0');
  const a2 = perTokenCastToFp8(x2);
  const b2 = perBlockCastToFp8(y2);
  using d2 = Tensor.empty([m, n2], 'bf16', 'cuda:0');
  const sConv = hostPerCall(() => fp8GemmNt(a2, b2, d2, { stream }), stream, batches, perBatch);
  for (const t of [a2.data, a2.scale, b2.data, b2.scale]) t.dispose();
  return [
    {
      what: `fp8GemmNt warm call (${m}x${n}x${k}, cached plan), host time per call`,
      medianUs: s.median,
      minUs: s.min,
      samples: s.runs * perBatch,
    },
    {
      what: `fp8GemmNt warm call (${m}x${n2}x${k2}, row-major A scales and unpadded B scales converted per call), host time per call`,
      medianUs: sConv.median,
      minUs: sConv.min,
      samples: sConv.runs * perBatch,
    },
    {
      what: `bf16GemmNt warm call (${m}x${n}x${k}, cached plan), host time per call`,
      medianUs: s16.median,
      minUs: s16.min,
      samples: s16.runs * perBatch,
    },
  ];
}
