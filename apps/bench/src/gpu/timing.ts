// Device timing with the method of ../shared/perf/h100-reference.md: before every timed call a 256 MB buffer is
// zeroed (flushes the 50 MB L2), CUDA events around the one call, warm-up calls first, the median of the samples.

import { deviceAlloc, Event, memsetD8, type Stream, synchronizeDevice } from '@dg/runtime';
import { type Samples, summarize } from '../stats.js';

const FLUSH_BYTES = 256 * 1024 * 1024;

/**
 * Keeps the GPU busy for about `ms` milliseconds (back-to-back 256 MB memsets) so its clocks leave the idle state
 * before anything is timed: an idle H100 sits at a few hundred MHz and the first timed kernels would pay the ramp.
 */
export function spinUp(ms = 300): void {
  using buf = deviceAlloc(FLUSH_BYTES);
  const t0 = performance.now();
  while (performance.now() - t0 < ms) {
    for (let i = 0; i < 20; i++) memsetD8(buf.ptr, 0, FLUSH_BYTES);
    synchronizeDevice();
  }
}

export function timeDevice(
  fn: () => void,
  opts: { runs?: number; warmup?: number; flushL2?: boolean; stream?: Stream } = {},
): Samples {
  const { runs = 30, warmup = 3, flushL2 = true, stream } = opts;
  using flush = flushL2 ? deviceAlloc(FLUSH_BYTES) : undefined;
  const start = Event.create();
  const end = Event.create();
  try {
    for (let i = 0; i < warmup; i++) fn();
    const ms: number[] = [];
    for (let i = 0; i < runs; i++) {
      if (flush) memsetD8(flush.ptr, 0, FLUSH_BYTES, stream);
      start.record(stream);
      fn();
      end.record(stream);
      end.synchronize();
      ms.push(start.elapsedMs(end));
    }
    return summarize(ms.map((v) => v / 1e3));
  } finally {
    start.dispose();
    end.dispose();
  }
}
