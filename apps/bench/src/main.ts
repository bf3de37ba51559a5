// dg-bench: `dg-bench quant-cpu [--m 4096 --k 7168 --runs 10] [--json FILE] [--md FILE]`
// Every figure in docs/PERFORMANCE.md comes from here, with the environment printed beside it.

import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { benchQuantCpu } from './quantCpu.js';
import { environment, markdownTable, progress } from './report.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    m: { type: 'string', default: '4096' },
    k: { type: 'string', default: '7168' },
    runs: { type: 'string', default: '10' },
    json: { type: 'string' },
    md: { type: 'string' },
  },
});

function positiveInt(name: string, v: string | undefined): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) {
    process.stderr.write(`dg-bench: --${name} must be a positive integer; got ${v}\n`);
    process.exit(2);
  }
  return n;
}

const suite = positionals[0] ?? 'quant-cpu';
if (suite !== 'quant-cpu') {
  process.stderr.write(`dg-bench: unknown suite '${suite}'; available: quant-cpu\n`);
  process.exit(2);
}

const env = environment();
progress(`environment: ${JSON.stringify(env)}`);
const rows = benchQuantCpu(positiveInt('m', values.m), positiveInt('k', values.k), positiveInt('runs', values.runs));
const md = markdownTable(
  ['op', 'M', 'K', 'median ms', 'input MB/s', 'runs'],
  rows.map((r) => [r.op, r.m, r.k, r.medianMs.toFixed(1), r.inputMBps.toFixed(0), r.runs]),
);
const json = JSON.stringify({ suite, env, rows }, null, 2);
if (values.json) writeFileSync(values.json, `${json}\n`);
if (values.md) writeFileSync(values.md, `${md}\n`);
process.stdout.write(`${md}\n\n${JSON.stringify(env)}\n`);
