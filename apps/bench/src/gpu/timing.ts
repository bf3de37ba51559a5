// Device timing with the method of ../shared/perf/h100-reference.md: before every timed call a 256 MB buffer is
// zeroed (flushes the 50 MB L2), CUDA events around the one call, warm-up calls first, the median of the samples.

import { deviceAlloc, Event, memsetD8, type Stream } from '@dg/runtime';
import { type Samples, summarize } from '../stats.js';

const FLUSH_BYTES = 256 * 1024 * 1024;

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
