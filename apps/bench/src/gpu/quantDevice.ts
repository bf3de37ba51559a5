// Bandwidth of @dg/quant/device's per-token cast on a BF16 [8192, 7168] matrix, beside a device-to-device copy of
// the same input measured in the same run (the memory-bound ceiling).

import { encodeBf16 } from '@dg/quant';
import { perBlockCastToFp8, perTokenCastToFp8 } from '@dg/quant/device';
import { copyDeviceToDevice, deviceAlloc, Tensor } from '@dg/runtime';
import { progress } from '../report.js';
import { spinUp, timeDevice } from './timing.js';

export interface QuantDeviceRow {
  op: string;
  m: number;
  k: number;
  medianUs: number;
  bytes: number;
  tbPerS: number;
}

export function benchQuantDevice(m = 8192, k = 7168): QuantDeviceRow[] {
  progress(`quant-device: uploading a random BF16 [${m}, ${k}]`);
  const host = new Float32Array(m * k);
  let s = 7;
  for (let i = 0; i < host.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    host[i] = ((s >>> 8) / 2 ** 24 - 0.5) * 16;
  }
  const x = Tensor.fromArray(encodeBf16(host), [m, k], 'bf16', 'cuda:0');
  const rows: QuantDeviceRow[] = [];
  const add = (op: string, bytes: number, fn: () => void) => {
    progress(`quant-device: ${op}`);
    const t = timeDevice(fn);
    rows.push({ op, m, k, medianUs: t.median * 1e6, bytes, tbPerS: bytes / t.median / 1e12 });
  };
  spinUp();
  const inBytes = m * k * 2;
  using dst = deviceAlloc(inBytes);
  add('device-to-device copy of the input', 2 * inBytes, () => copyDeviceToDevice(dst.ptr, x.dataPtr, inBytes));
  const tokenBytes = inBytes + m * k + m * Math.ceil(k / 128) * 4;
  // Outputs are allocated once and passed as `out`, so only the kernel lies between the events.
  const rowMajor = perTokenCastToFp8(x);
  add('perTokenCastToFp8 (1x128, row-major scales)', tokenBytes, () => perTokenCastToFp8(x, { out: rowMajor }));
  const mnMajor = perTokenCastToFp8(x, { scaleLayout: 'mnMajorTmaAligned' });
  add('perTokenCastToFp8 (1x128, MN-major TMA-aligned scales)', tokenBytes, () =>
    perTokenCastToFp8(x, { scaleLayout: 'mnMajorTmaAligned', out: mnMajor }),
  );
  const blockBytes = inBytes + m * k + Math.ceil(m / 128) * Math.ceil(k / 128) * 4;
  const block = perBlockCastToFp8(x);
  add('perBlockCastToFp8 (128x128)', blockBytes, () => perBlockCastToFp8(x, { out: block }));
  // Measured again last: a figure that moves between the two passes was disturbed (clocks, other work).
  add('perTokenCastToFp8 (1x128, row-major scales), second pass', tokenBytes, () =>
    perTokenCastToFp8(x, { out: rowMajor }),
  );
  add('device-to-device copy of the input, second pass', 2 * inBytes, () =>
    copyDeviceToDevice(dst.ptr, x.dataPtr, inBytes),
  );
  for (const t of [x, rowMajor.data, rowMajor.scale, mnMajor.data, mnMajor.scale, block.data, block.scale]) t.dispose();
  return rows;
}
