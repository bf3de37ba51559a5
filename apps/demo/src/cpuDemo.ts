// The demo without a GPU: the same fp8GemmNt call on cpu tensors, which runs the CPU reference backend.

import { fp8GemmNt } from '@dg/gemm';
import { calcDiff, decodeBf16, perBlockCastToFp8, perTokenCastToFp8 } from '@dg/quant';
import { Tensor } from '@dg/runtime';
import { randomNormal } from './random.js';
import { referenceRows } from './reference.js';
import type { DemoResult, GemmShape } from './shape.js';

export function runCpuDemo(shape: GemmShape, calls: number, progress: (line: string) => void): DemoResult {
  const { m, n, k } = shape;
  progress(`making A [${m}, ${k}] and B [${n}, ${k}] and quantizing them (per token, per block)`);
  const x = randomNormal(m * k, 1);
  const w = randomNormal(n * k, 2);
  const qa = perTokenCastToFp8(x, m, k);
  const qb = perBlockCastToFp8(w, n, k);
  const sfK = Math.ceil(k / 128);
  const a = { data: Tensor.fromArray(qa.data, [m, k], 'e4m3fn'), scale: Tensor.fromArray(qa.scale, [m, sfK], 'f32') };
  const b = {
    data: Tensor.fromArray(qb.data, [n, k], 'e4m3fn'),
    scale: Tensor.fromArray(qb.scale, [Math.ceil(n / 128), sfK], 'f32'),
  };
  const d = Tensor.empty([m, n], 'bf16');

  progress(`running fp8GemmNt ${calls} times on the CPU reference`);
  const start = performance.now();
  for (let i = 0; i < calls; i++) fp8GemmNt(a, b, d);
  const msPerCall = (performance.now() - start) / calls;

  const rows = Array.from({ length: m }, (_, i) => i);
  const diff = calcDiff(decodeBf16(d.toArray()), referenceRows(x, w, rows, n, k));
  return { device: 'the CPU reference (one thread)', shape, msPerCall, calls, calcDiff: diff, rowsChecked: m };
}
