// Host cost of a warm launch (cuLaunchKernelEx with the packed parameter blob) beside a one-kernel CUDA graph replay.
// Only a loose sanity bound is asserted; the figures are printed as JSON lines for docs/PERFORMANCE.md.
import {
  beginCapture,
  deviceAlloc,
  endCapture,
  getDeviceProperties,
  isAvailable,
  isNvrtcAvailable,
  launch,
  nvrtcUnavailableReason,
  ParamBuilder,
  Stream,
  unavailableReason,
} from '@dg/runtime';
import { describe, expect, it } from 'vitest';
import { compileAndLoad, median, quantile, SIMPLE_KERNELS } from './gpu-kernels.js';

const gpu = isAvailable() && isNvrtcAvailable();
const why = isAvailable() ? nvrtcUnavailableReason() : unavailableReason();
const N = 10_000;
// Synchronise every so often so that the launch queue never fills (a full queue would block and time the GPU).
const BATCH = 500;

function timeEach(n: number, body: () => void, sync: () => void): number[] {
  const us: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = process.hrtime.bigint();
    body();
    us.push(Number(process.hrtime.bigint() - t0) / 1000);
    if (i % BATCH === BATCH - 1) sync();
  }
  sync();
  return us;
}

describe.skipIf(!gpu)(`launch host overhead on a CUDA device${gpu ? '' : ` (skipped: ${why})`}`, () => {
  it('measures a warm empty-kernel launch and a graph replay', () => {
    const k = compileAndLoad(SIMPLE_KERNELS);
    const fn = k.get('noop');
    using buf = deviceAlloc(256);
    using s = Stream.create({ nonBlocking: true });
    const params = new ParamBuilder().ptr(buf.ptr).bytes();
    const cfg = { grid: 1, block: 32, stream: s };
    const sync = () => s.synchronize();

    timeEach(2000, () => launch(fn, cfg, params), sync); // warm-up: JIT, driver caches
    const direct = timeEach(N, () => launch(fn, cfg, params), sync);

    beginCapture(s);
    launch(fn, cfg, params);
    using graph = endCapture(s);
    using exec = graph.instantiate();
    timeEach(2000, () => exec.launch(s), sync);
    const replay = timeEach(N, () => exec.launch(s), sync);

    const device = getDeviceProperties().name;
    const report = (metric: string, xs: number[]) =>
      console.log(
        JSON.stringify({
          metric,
          unit: 'us',
          median: Number(median(xs).toFixed(3)),
          p10: Number(quantile(xs, 0.1).toFixed(3)),
          p90: Number(quantile(xs, 0.9).toFixed(3)),
          n: xs.length,
          // DG_LAUNCH_PARAMS=extra (a diagnostic switch of the addon) times the `extra` parameter-buffer path instead.
          params: process.env.DG_LAUNCH_PARAMS === 'extra' ? 'extra' : 'kernelParams',
          device,
        }),
      );
    report('launch_host_us', direct);
    report('graph_launch_host_us', replay);
    expect(median(direct)).toBeLessThan(50);
    expect(median(replay)).toBeLessThan(50);
    k.module.dispose();
  });
});
