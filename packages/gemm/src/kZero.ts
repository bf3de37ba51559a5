// The result of a GEMM with K = 0: no products, so D = C, or zeros. Kernels are not launched for it (a K loop of zero
// iterations is a case they do not handle); the host writes D directly, on the call's stream for CUDA tensors.
// D and C are row-major (strides [ld, 1]), as validation guarantees.

import { copyDeviceToDevice, dtypeSize, memsetD8, type Stream, type Tensor } from '@dg/runtime';
import { readHostMatrix, writeHostMatrix } from './cpu/hostMatrix.js';

interface DeviceRows {
  /** Address of each row's first element. */
  readonly rows: bigint[];
  readonly rowBytes: number;
  /** Whether the rows are back to back, so one call covers them all. */
  readonly packed: boolean;
}

function deviceRows(t: Tensor): DeviceRows {
  const [rows = 0, cols = 0] = t.shape;
  const size = dtypeSize(t.dtype);
  const ld = t.strides[0] ?? cols;
  const base = t.dataPtr;
  return {
    rows: Array.from({ length: rows }, (_, i) => base + BigInt(i * ld * size)),
    rowBytes: cols * size,
    packed: ld === cols || rows === 1,
  };
}

/** d = 0. */
export function writeZeros(d: Tensor, stream: Stream | undefined): void {
  if (!d.isCuda) {
    d.fill(0);
    return;
  }
  const { rows, rowBytes, packed } = deviceRows(d);
  if (packed) memsetD8(d.dataPtr, 0, rows.length * rowBytes, stream);
  else for (const row of rows) memsetD8(row, 0, rowBytes, stream);
}

/** d = c (same dtype and shape). */
export function copyInto(d: Tensor, c: Tensor, stream: Stream | undefined): void {
  if (!d.isCuda) {
    writeHostMatrix(d, new Float32Array(readHostMatrix(c)));
    return;
  }
  const to = deviceRows(d);
  const from = deviceRows(c);
  if (to.packed && from.packed) {
    copyDeviceToDevice(d.dataPtr, c.dataPtr, to.rows.length * to.rowBytes, stream);
    return;
  }
  to.rows.forEach((row, i) => {
    copyDeviceToDevice(row, from.rows[i] ?? 0n, to.rowBytes, stream);
  });
}
