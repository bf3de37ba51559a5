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
  return [
    {
      what: `fp8GemmNt warm call (${m}x${n}x${k}, cached plan), host time per call`,
      medianUs: s.median,
      minUs: s.min,
      samples: s.runs * perBatch,
    },
    {
      what: `bf16GemmNt warm call (${m}x${n}x${k}, cached plan), host time per call`,
      medianUs: s16.median,
      minUs: s16.min,
      samples: s16.runs * perBatch,
    },
  ];
}
