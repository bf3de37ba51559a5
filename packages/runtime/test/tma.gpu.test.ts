import {
  copyDeviceToHost,
  copyHostToDevice,
  deviceAlloc,
  encodeTensorMapTiled,
  isAvailable,
  isNvrtcAvailable,
  launch,
  nvrtcUnavailableReason,
  ParamBuilder,
  unavailableReason,
} from '@dg/runtime';
import { describe, expect, it } from 'vitest';
import { compileAndLoad, tmaKernels } from './gpu-kernels.js';

const gpu = isAvailable() && isNvrtcAvailable();
const why = isAvailable() ? nvrtcUnavailableReason() : unavailableReason();

// A float32 [ROWS, COLS] row-major matrix, moved in [BOX_Y, BOX_X] boxes (BOX_X * 4 = 128 bytes: the 128B swizzle span).
const ROWS = 64;
const COLS = 128;
const BOX_X = 32;
const BOX_Y = 16;

describe.skipIf(!gpu)(
  `TMA loads, stores and cluster multicast on a CUDA device${gpu ? '' : ` (skipped: ${why})`}`,
  () => {
    for (const swizzle of ['none', '128b'] as const) {
      it(`loads boxes into shared memory and stores them back (swizzle ${swizzle})`, () => {
        const k = compileAndLoad(tmaKernels(BOX_X, BOX_Y));
        const host = Float32Array.from({ length: ROWS * COLS }, (_, i) => i * 0.25);
        using src = deviceAlloc(host.byteLength);
        using dst = deviceAlloc(host.byteLength);
        copyHostToDevice(src.ptr, host);
        const map = (ptr: bigint) =>
          encodeTensorMapTiled({
            dataType: 'float32',
            globalAddress: ptr,
            globalDims: [COLS, ROWS],
            globalStridesBytes: [COLS * 4],
            boxDims: [BOX_X, BOX_Y],
            swizzle,
            l2Promotion: '128b',
          });
        const srcMap = map(src.ptr);
        expect(srcMap.byteLength).toBe(128);
        const params = new ParamBuilder().tensorMap(srcMap).tensorMap(map(dst.ptr)).bytes();
        expect(params.byteLength).toBe(256);
        launch(k.get('tma_add_one'), { grid: [COLS / BOX_X, ROWS / BOX_Y], block: 128 }, params);
        const out = new Float32Array(ROWS * COLS);
        copyDeviceToHost(out, dst.ptr);
        for (let i = 0; i < out.length; i++) {
          if (out[i] !== (host[i] ?? 0) + 1)
            throw new Error(`element ${i}: got ${out[i]}, expected ${(host[i] ?? 0) + 1}`);
        }
        k.module.dispose();
      });
    }

    it('multicasts one box to both CTAs of a cluster of 2', () => {
      const k = compileAndLoad(tmaKernels(BOX_X, BOX_Y));
      const host = Float32Array.from({ length: ROWS * COLS }, (_, i) => 1000 + i);
      using src = deviceAlloc(host.byteLength);
      using out = deviceAlloc(2 * BOX_X * BOX_Y * 4);
      copyHostToDevice(src.ptr, host);
      const map = encodeTensorMapTiled({
        dataType: 'float32',
        globalAddress: src.ptr,
        globalDims: [COLS, ROWS],
        globalStridesBytes: [COLS * 4],
        boxDims: [BOX_X, BOX_Y],
      });
      launch(
        k.get('tma_multicast'),
        { grid: 2, block: 128, cluster: 2 },
        new ParamBuilder().tensorMap(map).ptr(out.ptr).bytes(),
      );
      const got = new Float32Array(2 * BOX_X * BOX_Y);
      copyDeviceToHost(got, out.ptr);
      for (let rank = 0; rank < 2; rank++) {
        for (let r = 0; r < BOX_Y; r++) {
          for (let c = 0; c < BOX_X; c++) {
            const v = got[rank * BOX_X * BOX_Y + r * BOX_X + c];
            if (v !== host[r * COLS + c])
              throw new Error(`CTA ${rank} [${r}, ${c}]: got ${v}, expected ${host[r * COLS + c]}`);
          }
        }
      }
      k.module.dispose();
    });
  },
);
