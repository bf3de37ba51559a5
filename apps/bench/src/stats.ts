// Timing helpers for host-side benchmarks: repeat, keep every sample, report the median (robust to the odd slow run).

export interface Samples {
  median: number;
  min: number;
  max: number;
  runs: number;
}

export function summarize(values: number[]): Samples {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { median, min: sorted[0]!, max: sorted[sorted.length - 1]!, runs: sorted.length };
}

/** Times `fn` `runs` times after `warmup` untimed calls; seconds per call. */
export function timeHost(fn: () => void, runs: number, warmup = 2): Samples {
  for (let i = 0; i < warmup; i++) fn();
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    fn();
    out.push(Number(process.hrtime.bigint() - t0) / 1e9);
  }
  return summarize(out);
}
