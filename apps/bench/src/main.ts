// dg-bench: the benchmark suites behind docs/PERFORMANCE.md (usage below, `dg-bench --help`).
// Every figure in docs/PERFORMANCE.md comes from here, printed with the environment it was measured in.

import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { H100_REFERENCE, parseDenseReference, QUICK_SHAPES, type ShapeSetName, shapesOf } from './gemm/shapes.js';
import { benchQuantCpu } from './quantCpu.js';
import { environment, markdownTable, progress } from './report.js';

const USAGE = `dg-bench SUITE [--json FILE] [--md FILE] [suite flags]     (dg-bench --help: this text)
  quant-cpu     @dg/quant casts on one CPU core beside a typed-array copy   (--m 4096 --k 7168 --runs 10)
  launch        host cost of a warm launch from JS beside CUDA-graph replay, and of a warm fp8GemmNt call  (GPU)
  jit           cold NVRTC compile, disk hit, in-process hit                 (GPU)
  quant-device  @dg/quant/device cast bandwidth beside a D2D copy           (GPU)
  gpu           launch + jit + quant-device
  gemm          dense FP8 GEMM: ours beside cuBLASLt blockwise / per-tensor / BF16, same process  (GPU)
                (--shapes dense|denseExtra|all, default dense; --quick: 3 shapes; --reference FILE: the
                h100-reference.md to compare with, default the copy in src/gemm/shapes.ts)
  gemm-configs  the fp8GemmNt heuristic's candidates timed one by one, beside its cost model  (GPU)
                (--shape 4096x7168x2048,... or --shapes/--quick; --top N by model cost, default 12; --runs;
                --with 64x16:16:a,64x64:13:none:nopipe,... extra configs BMxBN:STAGES:MC[:nohint][:nopipe][:ewg][:nokx] to
                time beside the candidates; every config's output is checked against FP64 and the pick's first)
  gemm-bf16     dense BF16 GEMM: ours (bf16GemmNt) beside cuBLASLt BF16, same process  (GPU)
                (--shapes/--quick as gemm; --sweep N: also time the N cheapest configs of the cost model per
                shape, --runs timed runs each)
  gemm-accumulate  FP8 weight-gradient GEMM (D f32 += A·Bᵀ, 1x128 scales on both): ours beside cuBLASLt  (GPU)
                (--shapes dense|wgrad|all, default all; --quick: 3 shapes)
  gemm-accumulate-configs  the fp8GemmNtAccumulate heuristic's candidates (+ probes) timed one by one  (GPU)
                (--shape MxNxK,... or --shapes/--quick as gemm-accumulate; --top N by model cost, default 12; --runs)
`;

const OPTIONS = {
  m: { type: 'string', default: '4096' },
  k: { type: 'string', default: '7168' },
  runs: { type: 'string', default: '10' },
  shapes: { type: 'string', default: 'dense' },
  quick: { type: 'boolean', default: false },
  shape: { type: 'string' },
  top: { type: 'string', default: '12' },
  with: { type: 'string' },
  reference: { type: 'string' },
  sweep: { type: 'string', default: '0' },
  json: { type: 'string' },
  md: { type: 'string' },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

function parseCommandLine() {
  try {
    return parseArgs({ allowPositionals: true, options: OPTIONS });
  } catch (e) {
    fail(`${(e as Error).message}\n\n${USAGE}`);
  }
}

const { values, positionals } = parseCommandLine();
if (values.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}

const SUITES = [
  'quant-cpu',
  'launch',
  'jit',
  'quant-device',
  'gpu',
  'gemm',
  'gemm-configs',
  'gemm-bf16',
  'gemm-accumulate',
  'gemm-accumulate-configs',
] as const;
type Suite = (typeof SUITES)[number];

function fail(message: string): never {
  process.stderr.write(`dg-bench: ${message}\n`);
  process.exit(2);
}

function positiveInt(name: string, v: string | undefined): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) fail(`--${name} must be a positive integer; got ${v}`);
  return n;
}

const suite = (positionals[0] ?? 'quant-cpu') as Suite;
if (!SUITES.includes(suite)) fail(`unknown suite '${suite}'; available: ${SUITES.join(', ')}`);

interface Section {
  title: string;
  header: string[];
  rows: (string | number)[][];
  data: unknown;
  /** Lines printed under the table (e.g. why a column is missing). */
  notes?: string[];
}

async function gpuEnvironment(): Promise<Record<string, unknown>> {
  const rt = await import('@dg/runtime');
  if (!rt.isAvailable()) fail(`suite '${suite}' needs a CUDA device: ${rt.unavailableReason()}`);
  const p = rt.getDeviceProperties(0);
  return {
    gpu: p.name,
    sms: p.smCount,
    driver: rt.driverVersion(),
    nvrtc: rt.isNvrtcAvailable() ? rt.nvrtcVersion() : null,
  };
}

async function run(): Promise<{ sections: Section[]; extra: Record<string, unknown> }> {
  const sections: Section[] = [];
  let extra: Record<string, unknown> = {};
  const wants = (s: Suite) =>
    suite === s ||
    (suite === 'gpu' && s !== 'quant-cpu' && s !== 'gemm' && s !== 'gemm-configs' && !s.startsWith('gemm-accumulate'));
  if (suite !== 'quant-cpu') extra = await gpuEnvironment();
  if (suite === 'gemm-bf16') {
    const set = values.shapes as ShapeSetName;
    if (!['dense', 'denseExtra', 'all'].includes(set)) fail(`--shapes must be dense, denseExtra or all; got ${set}`);
    const sweepCount = Number(values.sweep);
    if (!Number.isInteger(sweepCount) || sweepCount < 0)
      fail(`--sweep must be a non-negative integer; got ${values.sweep}`);
    const reference = values.reference ? parseDenseReference(readFileSync(values.reference, 'utf8')) : H100_REFERENCE;
    const { benchGemmBf16 } = await import('./gemmBf16/bench.js');
    const report = await import('./gemmBf16/report.js');
    const shapes = values.quick ? QUICK_SHAPES : shapesOf(set);
    const r = benchGemmBf16({ shapes, reference, sweep: sweepCount, sweepRuns: positiveInt('runs', values.runs) });
    sections.push({
      title: 'gemm-bf16',
      header: report.BF16_HEADER,
      rows: r.rows.map(report.bf16TableRow),
      data: r.rows,
    });
    const summary = report.summarizeBf16(r.rows);
    sections.push({
      title: 'gemm-bf16 summary',
      header: report.BF16_SUMMARY_HEADER,
      rows: summary.map(report.bf16SummaryRow),
      data: summary,
    });
    if (r.sweep.length > 0) {
      sections.push({
        title: 'gemm-bf16 sweep',
        header: report.BF16_SWEEP_HEADER,
        rows: report.bf16SweepTable(r.sweep),
        data: r.sweep,
      });
    }
    extra = { ...extra, gemmBf16: { ...r.info, shapes: values.quick ? 'quick' : set } };
  }
  if (wants('quant-cpu')) {
    const rows = benchQuantCpu(
      positiveInt('m', values.m),
      positiveInt('k', values.k),
      positiveInt('runs', values.runs),
    );
    sections.push({
      title: 'quant-cpu',
      header: ['op', 'M', 'K', 'median ms', 'input MB/s', 'runs'],
      rows: rows.map((r) => [r.op, r.m, r.k, r.medianMs.toFixed(1), r.inputMBps.toFixed(0), r.runs]),
      data: rows,
    });
  }
  if (wants('launch')) {
    const { benchLaunchOverhead } = await import('./gpu/launchOverhead.js');
    const { benchGemmHost } = await import('./gpu/gemmHost.js');
    const rows = [...benchLaunchOverhead(), ...benchGemmHost()];
    sections.push({
      title: 'launch',
      header: ['what', 'median us', 'min us', 'samples'],
      rows: rows.map((r) => [r.what, r.medianUs.toFixed(2), r.minUs.toFixed(2), r.samples]),
      data: rows,
    });
  }
  if (wants('jit')) {
    const { benchJit } = await import('./gpu/jitCache.js');
    const rows = await benchJit();
    sections.push({
      title: 'jit',
      header: ['what', 'value', 'unit', 'compiler'],
      rows: rows.map((r) => [
        r.what,
        r.value < 0.01 ? r.value.toExponential(2) : r.value.toFixed(3),
        r.unit,
        r.compiler ?? '',
      ]),
      data: rows,
    });
  }
  if (wants('quant-device')) {
    const { benchQuantDevice } = await import('./gpu/quantDevice.js');
    const rows = benchQuantDevice();
    sections.push({
      title: 'quant-device',
      header: ['op', 'M', 'K', 'median us', 'MB moved', 'TB/s'],
      rows: rows.map((r) => [r.op, r.m, r.k, r.medianUs.toFixed(1), (r.bytes / 1e6).toFixed(1), r.tbPerS.toFixed(3)]),
      data: rows,
    });
  }
  if (wants('gemm')) {
    const set = values.shapes as ShapeSetName;
    if (!['dense', 'denseExtra', 'all'].includes(set)) fail(`--shapes must be dense, denseExtra or all; got ${set}`);
    const reference = values.reference ? parseDenseReference(readFileSync(values.reference, 'utf8')) : H100_REFERENCE;
    const { benchGemm } = await import('./gpu/gemm.js');
    const report = await import('./gemm/report.js');
    const { rows, info } = await benchGemm({ shapes: values.quick ? QUICK_SHAPES : shapesOf(set), reference });
    const summary = report.summarize(rows);
    const notes = report.missingNotes(rows);
    sections.push({
      title: 'gemm',
      header: report.GEMM_HEADER,
      rows: rows.map(report.gemmTableRow),
      data: rows,
      notes,
    });
    sections.push({
      title: 'gemm summary',
      header: report.SUMMARY_HEADER,
      rows: summary.map(report.summaryTableRow),
      data: summary,
    });
    extra = { ...extra, gemm: { ...info, shapes: values.quick ? 'quick' : set, missing: notes } };
  }
  if (wants('gemm-configs')) {
    const { benchGemmConfigs } = await import('./gpu/gemmConfigs.js');
    const shapes = values.shape
      ? values.shape.split(',').map((t) => {
          const dims = t.split('x').map(Number);
          if (dims.length !== 3 || !dims.every((v) => Number.isInteger(v) && v > 0)) fail(`--shape: bad entry '${t}'`);
          const [m = 0, n = 0, k = 0] = dims;
          return { m, n, k };
        })
      : values.quick
        ? QUICK_SHAPES
        : shapesOf(values.shapes as ShapeSetName);
    const { parseExtraConfig } = await import('./gpu/gemmConfigs.js');
    const extra = (values.with ?? '')
      .split(',')
      .filter((t) => t !== '')
      .map(
        (t) =>
          parseExtraConfig(t) ??
          fail(`--with: bad entry '${t}' (expected BMxBN:STAGES:none|a|b[:nohint][:nopipe][:ewg][:nokx])`),
      );
    const rows = benchGemmConfigs(shapes, positiveInt('top', values.top), positiveInt('runs', values.runs), extra);
    sections.push({
      title: 'gemm-configs',
      header: [
        'M',
        'N',
        'K',
        'config',
        'picked',
        'model cycles',
        'diff vs FP64',
        'diff vs pick',
        'µs',
        'TFLOPS',
        'error',
      ],
      rows: rows.map((r) => [
        r.m,
        r.n,
        r.k,
        r.config,
        r.picked ? 'yes' : '',
        r.modelCycles.toFixed(0),
        r.diffVsFp64?.toExponential(2) ?? '',
        r.diffVsPicked?.toExponential(2) ?? '',
        r.us?.toFixed(1) ?? '',
        r.tflops?.toFixed(0) ?? '',
        r.error ?? '',
      ]),
      data: rows,
    });
  }
  if (wants('gemm-accumulate')) {
    const shapesGiven = process.argv.some((a) => a === '--shapes' || a.startsWith('--shapes='));
    const set = (shapesGiven ? values.shapes : 'all') as 'dense' | 'wgrad' | 'all';
    if (!['dense', 'wgrad', 'all'].includes(set)) fail(`--shapes must be dense, wgrad or all; got ${set}`);
    const { benchGemmAccumulate } = await import('./gemmAccumulate/bench.js');
    const report = await import('./gemmAccumulate/report.js');
    const shapes = values.quick ? report.ACCUMULATE_QUICK_SHAPES : report.accumulateShapesOf(set);
    const { rows, info } = await benchGemmAccumulate({ shapes });
    sections.push({
      title: 'gemm-accumulate',
      header: report.ACCUMULATE_HEADER,
      rows: rows.map(report.accumulateTableRow),
      data: rows,
      notes: report.accumulateMissingNotes(rows),
    });
    const summary = report.summarizeAccumulate(rows);
    sections.push({
      title: 'gemm-accumulate summary',
      header: report.ACCUMULATE_SUMMARY_HEADER,
      rows: summary.map(report.accumulateSummaryRow),
      data: summary,
    });
    extra = { ...extra, gemmAccumulate: { ...info, shapes: values.quick ? 'quick' : set } };
  }
  if (wants('gemm-accumulate-configs')) {
    const { benchGemmAccumulateConfigs } = await import('./gemmAccumulate/configs.js');
    const report = await import('./gemmAccumulate/report.js');
    const shapesGiven = process.argv.some((a) => a === '--shapes' || a.startsWith('--shapes='));
    const shapes = values.shape
      ? values.shape.split(',').map((t) => {
          const dims = t.split('x').map(Number);
          if (dims.length !== 3 || !dims.every((v) => Number.isInteger(v) && v > 0)) fail(`--shape: bad entry '${t}'`);
          const [m = 0, n = 0, k = 0] = dims;
          return { m, n, k };
        })
      : values.quick
        ? report.ACCUMULATE_QUICK_SHAPES
        : report.accumulateShapesOf((shapesGiven ? values.shapes : 'wgrad') as 'dense' | 'wgrad' | 'all');
    const rows = benchGemmAccumulateConfigs(shapes, positiveInt('top', values.top), positiveInt('runs', values.runs));
    sections.push({
      title: 'gemm-accumulate-configs',
      header: ['M', 'N', 'K', 'config', 'picked', 'probe', 'model cycles', 'µs', 'TFLOPS', 'error'],
      rows: rows.map((r) => [
        r.m,
        r.n,
        r.k,
        r.config,
        r.picked ? 'yes' : '',
        r.probe ? 'yes' : '',
        r.modelCycles.toFixed(0),
        r.us?.toFixed(1) ?? '',
        r.tflops?.toFixed(0) ?? '',
        r.error ?? '',
      ]),
      data: rows,
    });
  }
  return { sections, extra };
}

const env = environment();
progress(`environment: ${JSON.stringify(env)}`);
const { sections, extra } = await run();
const md = sections
  .map((s) => {
    const notes = s.notes?.length ? `\n\n${s.notes.map((n) => `- ${n}`).join('\n')}` : '';
    return `### ${s.title}\n\n${markdownTable(s.header, s.rows)}${notes}`;
  })
  .join('\n\n');
const json = JSON.stringify(
  { suite, env: { ...env, ...extra }, sections: sections.map((s) => ({ title: s.title, rows: s.data })) },
  null,
  2,
);
if (values.json) writeFileSync(values.json, `${json}\n`);
if (values.md) writeFileSync(values.md, `${md}\n`);
process.stdout.write(`${md}\n\n${JSON.stringify({ ...env, ...extra })}\n`);
