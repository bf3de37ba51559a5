// The demo on a GPU: quantize on the device, one warm-up call (it compiles the kernel on first use), then the mean of
// `calls` back-to-back calls timed with CUDA events, and the accuracy on sampled rows against FP64 on the host.

import { fp8GemmNt } from '@dg/gemm';
import { calcDiff, decodeBf16 } from '@dg/quant';
import { perBlockCastToFp8, perTokenCastToFp8 } from '@dg/quant/device';
import { Event, getDevice, getDeviceProperties, synchronizeDevice, Tensor } from '@dg/runtime';
import { randomNormal } from './random.js';
import { pickRows, referenceRows, sampleRows } from './reference.js';
import type { DemoResult, GemmShape } from './shape.js';

/** Output rows the accuracy check recomputes in FP64 (all of them would take minutes on the host). */
const ROWS_CHECKED = 64;

export function runGpuDemo(shape: GemmShape, calls: number, progress: (line: string) => void): DemoResult {
  const { m, n, k } = shape;
  const index = getDevice();
  const device = `cuda:${index}` as const;
  progress(`making A [${m}, ${k}] and B [${n}, ${k}] on the host and copying them to ${device}`);
  const x = randomNormal(m * k, 1);
  const w = randomNormal(n * k, 2);
  using xt = Tensor.fromArray(x, [m, k], 'f32', device);
  using wt = Tensor.fromArray(w, [n, k], 'f32', device);

  progress('quantizing on the GPU (A per token into MN-major TMA-aligned scales, B per 128x128 block)');
  const qa = perTokenCastToFp8(xt, { scaleLayout: 'mnMajorTmaAligned' });
  const qb = perBlockCastToFp8(wt);
  using d = Tensor.empty([m, n], 'bf16', device);
  try {
    progress('warm-up call (compiles the kernel unless the disk cache has it)');
    fp8GemmNt(qa, qb, d);
    synchronizeDevice(index);

    progress(`timing ${calls} calls`);
    using start = Event.create({ device: index });
    using end = Event.create({ device: index });
    start.record();
    for (let i = 0; i < calls; i++) fp8GemmNt(qa, qb, d);
    end.record();
    end.synchronize();
    const msPerCall = start.elapsedMs(end) / calls;

    progress(`checking ${ROWS_CHECKED} sampled rows against FP64 on the host`);
    const rows = sampleRows(m, ROWS_CHECKED);
    const got = pickRows(decodeBf16(d.toArray()), rows, n);
    const diff = calcDiff(got, referenceRows(x, w, rows, n, k));
    const name = getDeviceProperties(index).name;
    return { device: `${name} (${device})`, shape, msPerCall, calls, calcDiff: diff, rowsChecked: rows.length };
  } finally {
    for (const t of [qa.data, qa.scale, qb.data, qb.scale]) t.dispose();
  }
}
