// Host cost of a warm launch of an empty kernel from JavaScript, beside the same kernel replayed from a CUDA graph,
// measured in the same process.

import { getKernel, type KernelSpec } from '@dg/jit';
import { beginCapture, Event, endCapture, launch, ParamBuilder, Stream } from '@dg/runtime';
import { progress } from '../report.js';
import { summarize } from '../stats.js';
import { spinUp } from './timing.js';

const EMPTY: KernelSpec = {
  name: 'dg_bench_empty',
  source: 'extern "C" __global__ void dg_bench_empty(unsigned int) {}\n',
};

export interface LaunchOverheadRow {
  what: string;
  medianUs: number;
  minUs: number;
  samples: number;
}

export function benchLaunchOverhead(batches = 200, perBatch = 100): LaunchOverheadRow[] {
  progress('launch: compiling the empty kernel');
  const fn = getKernel(EMPTY);
  spinUp();
  const stream = Stream.create();
  const params = new ParamBuilder().u32(0).bytes();
  const cfg = { grid: 1, block: 32, stream } as const;
  const rows: LaunchOverheadRow[] = [];
  const hostPerCall = (label: string, body: () => void, on: Stream = stream) => {
    for (let i = 0; i < perBatch * 10; i++) body();
    on.synchronize();
    const us: number[] = [];
    for (let b = 0; b < batches; b++) {
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < perBatch; i++) body();
      us.push(Number(process.hrtime.bigint() - t0) / 1e3 / perBatch);
      on.synchronize(); // keep the launch queue short so launches never block on a full queue
    }
    const s = summarize(us);
    rows.push({ what: label, medianUs: s.median, minUs: s.min, samples: s.runs * perBatch });
  };
  progress('launch: host time of launch() from JS');
  hostPerCall('launch() from JS, host time per launch', () => launch(fn, cfg, params));
  // A non-blocking stream has no implicit ordering with the legacy default stream for the driver to maintain.
  const nonBlocking = Stream.create({ nonBlocking: true });
  const nbCfg = { grid: 1, block: 32, stream: nonBlocking } as const;
  hostPerCall(
    'launch() from JS into a non-blocking stream, host time per launch',
    () => launch(fn, nbCfg, params),
    nonBlocking,
  );
  nonBlocking.synchronize();
  nonBlocking.dispose();

  progress('launch: the same kernel in a CUDA graph');
  beginCapture(stream);
  for (let i = 0; i < perBatch; i++) launch(fn, cfg, params);
  const exec = endCapture(stream).instantiate();
  hostPerCall(`graph of ${perBatch} launches, host time of GraphExec.launch() / ${perBatch}`, () => {
    exec.launch(stream);
  });
  // hostPerCall divided by perBatch calls of exec.launch(); each replays perBatch kernels: report per kernel.
  rows[rows.length - 1]!.medianUs /= perBatch;
  rows[rows.length - 1]!.minUs /= perBatch;

  progress('launch: device time per kernel in graph replay vs stream launches');
  const start = Event.create();
  const end = Event.create();
  const deviceUs = (body: () => void) => {
    const v: number[] = [];
    for (let r = 0; r < 20; r++) {
      start.record(stream);
      body();
      end.record(stream);
      end.synchronize();
      v.push((start.elapsedMs(end) * 1e3) / perBatch);
    }
    return summarize(v);
  };
  const g = deviceUs(() => exec.launch(stream));
  rows.push({ what: `graph replay, device time per kernel`, medianUs: g.median, minUs: g.min, samples: g.runs });
  const l = deviceUs(() => {
    for (let i = 0; i < perBatch; i++) launch(fn, cfg, params);
  });
  rows.push({
    what: `stream launches from JS, device time per kernel`,
    medianUs: l.median,
    minUs: l.min,
    samples: l.runs,
  });
  exec.dispose();
  start.dispose();
  end.dispose();
  stream.dispose();
  return rows;
}
