// Renders every variant (from the built dist/) with the grids of the shapes scripts/device-check.py uses, into the
// JSON file named by the first argument. Run after `pnpm --filter @dg/kernels build`.
import { writeFileSync } from 'node:fs';
import { listQuantCastVariants, listSfLayoutVariants, renderQuantCast, renderSfLayout } from '../dist/index.js';

const qShapes = [
  [1, 16],
  [3, 80],
  [257, 1040],
  [130, 7168 + 16],
  [8192, 7168],
];
const sShapes = [
  [1, 1, 1],
  [257, 56, 1],
  [130, 7, 3],
  [4097, 33, 2],
  [8192, 56, 1],
];
const out = { quant: [], sf: [] };
for (const config of listQuantCastVariants()) {
  const r = renderQuantCast(config);
  out.quant.push({
    config,
    name: r.name,
    source: r.source,
    block: r.blockDim,
    params: r.params,
    grids: qShapes.map(([m, k]) => ({ m, k, grid: r.gridFor({ m, k, numSms: 132 }) })),
  });
}
for (const config of listSfLayoutVariants()) {
  const r = renderSfLayout(config);
  out.sf.push({
    config,
    name: r.name,
    source: r.source,
    block: r.blockDim,
    params: r.params,
    grids: sShapes.map(([mn, sfk, groups]) => ({ mn, sfk, groups, grid: r.gridFor({ mn, sfk, groups }) })),
  });
}
const target = process.argv[2];
if (target === undefined) throw new TypeError('render-variants: expected an output path argument, got none');
writeFileSync(target, JSON.stringify(out));
console.log(out.quant.length, out.sf.length);
