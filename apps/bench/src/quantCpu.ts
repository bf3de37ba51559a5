// CPU throughput of @dg/quant's casts on one core, beside a plain typed-array copy of the same data measured in the
// same run (the copy is the ceiling for any pass that reads the input once).

import { perBlockCastToFp8, perTokenCastToFp8 } from '@dg/quant';
import { progress } from './report.js';
import { timeHost } from './stats.js';

export interface QuantCpuRow {
  op: string;
  m: number;
  k: number;
  medianMs: number;
  inputMBps: number;
  runs: number;
}

function randomMatrix(n: number): Float32Array {
  const x = new Float32Array(n);
  let s = 12345;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    x[i] = ((s >>> 8) / 2 ** 24 - 0.5) * 8;
  }
  return x;
}

export function benchQuantCpu(m: number, k: number, runs: number): QuantCpuRow[] {
  progress(`quant-cpu: generating a ${m}x${k} Float32Array`);
  const x = randomMatrix(m * k);
  const bytes = x.byteLength;
  const rows: QuantCpuRow[] = [];
  const add = (op: string, fn: () => void) => {
    progress(`quant-cpu: ${op} (${runs} runs)`);
    const s = timeHost(fn, runs);
    rows.push({ op, m, k, medianMs: s.median * 1e3, inputMBps: bytes / s.median / 1e6, runs: s.runs });
  };
  const copy = new Float32Array(x.length);
  add('typed-array copy (Float32Array.set)', () => copy.set(x));
  add('perTokenCastToFp8 (1x128)', () => void perTokenCastToFp8(x, m, k));
  add('perTokenCastToFp8 (1x128, ue8m0)', () => void perTokenCastToFp8(x, m, k, { ue8m0: true }));
  add('perBlockCastToFp8 (128x128)', () => void perBlockCastToFp8(x, m, k));
  return rows;
}
