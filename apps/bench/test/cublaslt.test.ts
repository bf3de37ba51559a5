// The cuBLASLt wrapper without a GPU: the addon loads, reports why cuBLASLt is unavailable, and every argument is
// checked (TypeError/RangeError naming it) before the addon is asked for anything.
import { describe, expect, it, vi } from 'vitest';
import * as lt from '../src/cublaslt/index.js';
import { addon, addonLoadError } from '../src/cublaslt/native.js';

const good: lt.Fp8GemmArgs = {
  m: 128,
  n: 256,
  k: 512,
  a: 0x7f0000000000n,
  b: 0x7f0000100000n,
  d: 0x7f0000200000n,
  scaleA: 0x7f0000300000n,
  scaleB: 0x7f0000400000n,
  scaleMode: 'blockwise',
  workspace: 0x7f0001000000n,
  workspaceBytes: lt.WORKSPACE_BYTES,
};

describe('addon', () => {
  it('loads (built by `pnpm build`)', () => {
    expect(addonLoadError()).toBe('');
    expect(addon()).not.toBeNull();
  });

  it('reports cuBLASLt unavailable with a reason naming libcublasLt, or its version where it is installed', () => {
    if (lt.available()) {
      expect(lt.unavailableReason()).toBe('');
      expect(lt.info().version).toBeGreaterThanOrEqual(120000);
    } else {
      expect(lt.unavailableReason()).toMatch(/libcublasLt\.so\.13/);
      expect(lt.unavailableReason()).toMatch(/libcublasLt\.so\.12/);
      expect(() => lt.info()).toThrow(/cuBLASLt is not available: .*libcublasLt/s);
    }
  });

  it('a missing addon is a reason, not an import error', async () => {
    vi.resetModules();
    vi.stubEnv('DG_BENCH_CUBLASLT_ADDON', '/nonexistent/dg_bench_cublaslt.node');
    try {
      const fresh = await import('../src/cublaslt/index.js');
      expect(fresh.available()).toBe(false);
      expect(fresh.unavailableReason()).toMatch(/dg_bench_cublaslt\.node does not exist/);
      expect(() => fresh.fp8Gemm(good)).toThrow(/cuBLASLt is not available/);
    } finally {
      vi.unstubAllEnvs();
      vi.resetModules();
    }
  });

  it('versionText', () => {
    expect(lt.versionText(120901)).toBe('12.9.1');
    expect(lt.versionText(130100)).toBe('13.1.0');
  });
});

describe('fp8Gemm arguments', () => {
  const call = (patch: Record<string, unknown>) => () => lt.fp8Gemm({ ...good, ...patch } as lt.Fp8GemmArgs);

  it('sizes', () => {
    expect(call({ m: 0 })).toThrow(new RangeError("fp8Gemm: 'm' must be an integer in [1, 2147483647]; got 0"));
    expect(call({ n: 2.5 })).toThrow(/'n' must be an integer/);
    expect(call({ k: 2 ** 31 })).toThrow(RangeError);
    expect(call({ m: '128' })).toThrow(new TypeError("fp8Gemm: 'm' must be a number; got '128'"));
    expect(call({ k: 520 })).toThrow(/'k' must be a multiple of 16 \(16-byte FP8 rows\); got 520/);
    expect(call({ n: 260 })).toThrow(/'n' must be a multiple of 8/);
  });

  it('pointers', () => {
    expect(call({ a: 4096 })).toThrow(new TypeError("fp8Gemm: 'a' must be a bigint device pointer; got 4096"));
    expect(call({ b: 0n })).toThrow(/'b' must be a non-null 64-bit device pointer; got 0n/);
    expect(call({ d: 1n << 64n })).toThrow(RangeError);
    expect(call({ d: 0x7f0000200008n })).toThrow(/'d' must be 16-byte aligned; got 0x7f0000200008/);
    expect(call({ scaleA: 0x7f0000300004n })).toThrow(/'scaleA' must be 16-byte aligned/);
    // per-tensor scales are single floats: 4-byte alignment is enough
    expect(call({ scaleMode: 'perTensor', scaleA: 0x7f0000300004n })).not.toThrow(/aligned/);
    expect(call({ scaleB: null })).toThrow(/'scaleB' must be a bigint device pointer; got null/);
  });

  it('scale mode, workspace and the args object', () => {
    expect(call({ scaleMode: 'rowwise' })).toThrow(
      new TypeError("fp8Gemm: 'scaleMode' must be 'blockwise' or 'perTensor'; got 'rowwise'"),
    );
    expect(() => lt.fp8Gemm(null as unknown as lt.Fp8GemmArgs)).toThrow(/'args' must be an object; got null/);
    expect(call({ workspaceBytes: -1 })).toThrow(/'workspaceBytes' must be a non-negative integer/);
    expect(call({ workspaceBytes: undefined })).toThrow(/'workspaceBytes' must be a non-negative integer/);
    expect(call({ workspace: 0x7f0001000010n })).toThrow(/'workspace' must be 256-byte aligned/);
  });

  it('valid arguments reach the addon, which says cuBLASLt is unavailable here', () => {
    if (lt.available()) return;
    let err: unknown;
    try {
      lt.fp8Gemm(good);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(/^cuBLASLt is not available: .*libcublasLt/s);
    expect((err as { code?: string }).code).toBe('DG_CUBLASLT_UNAVAILABLE');
  });
});

describe('bf16Gemm arguments', () => {
  const args = { m: 64, n: 2112, k: 7168, a: 0x1000n, b: 0x2000n, d: 0x3000n };
  it('checks sizes and pointers, then needs cuBLASLt', () => {
    expect(() => lt.bf16Gemm({ ...args, k: -1 })).toThrow(/bf16Gemm: 'k' must be an integer in \[1, 2147483647\]/);
    expect(() => lt.bf16Gemm({ ...args, a: 0x1001n })).toThrow(/bf16Gemm: 'a' must be 2-byte aligned/);
    if (!lt.available()) expect(() => lt.bf16Gemm(args)).toThrow(/cuBLASLt is not available/);
  });
});

describe('scale layouts cuBLASLt reads', () => {
  it('VEC128_32F: MN-major, columns padded to 4 rows (= @dg/quant mnMajorTmaAligned)', () => {
    expect(lt.vec128ScaleLayout(4096, 7168)).toEqual({
      shape: [4096, 56],
      strides: [1, 4096],
      storageElements: 56 * 4096,
    });
    expect(lt.vec128ScaleLayout(17, 256)).toEqual({ shape: [17, 2], strides: [1, 20], storageElements: 40 });
    expect(lt.vec128ScaleLayout(1, 7296)).toEqual({ shape: [1, 57], strides: [1, 4], storageElements: 228 });
  });

  it('BLK128x128_32F: row-major, rows padded to 4 blocks', () => {
    expect(lt.blk128x128ScaleLayout(7168, 16384)).toEqual({
      shape: [56, 128],
      strides: [128, 1],
      storageElements: 7168,
    });
    expect(lt.blk128x128ScaleLayout(2112, 7296)).toEqual({ shape: [17, 57], strides: [60, 1], storageElements: 1020 });
    expect(lt.blk128x128ScaleLayout(8, 256)).toEqual({ shape: [1, 2], strides: [4, 1], storageElements: 4 });
  });

  it('matchesScaleLayout: @dg/quant outputs against the layouts', () => {
    // perTokenCastToFp8(..., { scaleLayout: 'mnMajorTmaAligned' }) of [17, 256]: shape [17, 2], strides [1, 20]
    expect(lt.matchesScaleLayout({ shape: [17, 2], strides: [1, 20] }, lt.vec128ScaleLayout(17, 256))).toBe(true);
    // row-major per-token scales are not what cuBLASLt reads
    expect(lt.matchesScaleLayout({ shape: [17, 2], strides: [2, 1] }, lt.vec128ScaleLayout(17, 256))).toBe(false);
    // perBlockCastToFp8 of [2112, 7168]: [17, 56] strides [56, 1] (56 % 4 == 0: the same bytes)
    expect(lt.matchesScaleLayout({ shape: [17, 56], strides: [56, 1] }, lt.blk128x128ScaleLayout(2112, 7168))).toBe(
      true,
    );
    // of [2112, 7296]: [17, 57] strides [57, 1] needs padding to 60
    expect(lt.matchesScaleLayout({ shape: [17, 57], strides: [57, 1] }, lt.blk128x128ScaleLayout(2112, 7296))).toBe(
      false,
    );
    // an extent-1 dim may have any stride
    expect(lt.matchesScaleLayout({ shape: [1, 2], strides: [2, 1] }, lt.blk128x128ScaleLayout(8, 256))).toBe(true);
    expect(lt.matchesScaleLayout({ shape: [1, 2, 3], strides: [6, 3, 1] }, lt.blk128x128ScaleLayout(8, 256))).toBe(
      false,
    );
  });

  it('packScales writes logical row-major scales into the padded layout', () => {
    const logical = Float32Array.from({ length: 3 * 2 }, (_, i) => i + 1); // [[1, 2], [3, 4], [5, 6]]
    expect([...lt.packScales(logical, lt.vec128ScaleLayout(3, 256))]).toEqual([1, 3, 5, 0, 2, 4, 6, 0]);
    const blocks = Float32Array.from({ length: 2 * 5 }, (_, i) => i + 1);
    const packed = lt.packScales(blocks, lt.blk128x128ScaleLayout(256, 5 * 128));
    expect([...packed]).toEqual([1, 2, 3, 4, 5, 0, 0, 0, 6, 7, 8, 9, 10, 0, 0, 0]);
    expect(() => lt.packScales(new Float32Array(5), lt.vec128ScaleLayout(3, 256))).toThrow(
      /must hold 3 x 2 = 6 floats/,
    );
  });
});
