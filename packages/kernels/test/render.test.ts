import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  cudaIncludeDir,
  kernelFamilies,
  listQuantCastVariants,
  listSfLayoutVariants,
  QUANT_CAST_PARAMS,
  type QuantCastConfig,
  quantCastScaleShape,
  renderQuantCast,
  renderSfLayout,
  SF_LAYOUT_PARAMS,
  sfLayoutOutputShape,
} from '../src/index.js';

const perToken: QuantCastConfig = {
  kind: 'perToken',
  input: 'bf16',
  granularity: 128,
  ue8m0: true,
  scaleLayout: 'mnMajorTmaAligned',
};

describe('cudaIncludeDir', () => {
  it('points at the package cuda/ folder holding every kernel header', () => {
    for (const f of ['dg/types.cuh', 'dg/math.cuh', 'dg/kernels/quant_cast.cuh', 'dg/kernels/sf_layout.cuh']) {
      expect(existsSync(join(cudaIncludeDir, f)), f).toBe(true);
    }
  });
});

describe('renderQuantCast', () => {
  it('names the kernel from the config, deterministically', () => {
    const a = renderQuantCast(perToken);
    const b = renderQuantCast({ ...perToken });
    expect(a.name).toBe('dg_quant_cast_per_token_bf16_g128_ue8m0_mnmajor');
    expect(b.source).toBe(a.source);
    expect(
      renderQuantCast({ ...perToken, input: 'f32', granularity: 32, ue8m0: false, scaleLayout: 'rowMajor' }).name,
    ).toBe('dg_quant_cast_per_token_f32_g32_rowmajor');
    expect(
      renderQuantCast({ kind: 'perBlock', input: 'bf16', granularity: 128, ue8m0: false, scaleLayout: 'rowMajor' })
        .name,
    ).toBe('dg_quant_cast_per_block_bf16_g128_rowmajor');
  });

  it('renders a tiny TU: comment, one include, an extern "C" entry with literal template arguments', () => {
    const r = renderQuantCast(perToken);
    const lines = r.source.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^\/\/ dg_quant_cast_per_token_bf16_g128_ue8m0_mnmajor: /);
    expect(lines[1]).toBe('#include <dg/kernels/quant_cast.cuh>');
    expect(r.source).toContain('extern "C" __global__ void __launch_bounds__(256, 3)');
    expect(r.source).toContain(
      'dg::quant_cast_per_token<dg::QuantInput::kBf16, 128, true, true, 256>(x, out, sf, m, k);',
    );
    expect(r.source).toContain(
      `${r.name}(const void* __restrict__ x, dg::u8* __restrict__ out, dg::f32* __restrict__ sf, dg::u32 m, dg::u32 k)`,
    );
    expect(r.source.match(/#include/g)?.length).toBe(1);
    expect(
      renderQuantCast({ kind: 'perBlock', input: 'f32', granularity: 128, ue8m0: true, scaleLayout: 'rowMajor' })
        .source,
    ).toContain('dg::quant_cast_per_block<dg::QuantInput::kF32, true, 256>(x, out, sf, m, k);');
  });

  it('documents launch metadata and the parameter order', () => {
    const r = renderQuantCast(perToken);
    expect(r.params).toEqual(QUANT_CAST_PARAMS);
    expect(r.params.map((p) => `${p.name}:${p.type}`)).toEqual(['x:ptr', 'out:ptr', 'sf:ptr', 'm:u32', 'k:u32']);
    expect(r.blockDim).toEqual([256, 1, 1]);
    expect(r.clusterDim).toEqual([1, 1, 1]);
    expect(r.dynamicSmemBytes).toBe(0);
    expect(r.includeDirs).toEqual([cudaIncludeDir]);
    expect(r.pdl).toBe(true);
  });

  it('sizes the per-token grid persistently and the per-block grid per tile', () => {
    const r = renderQuantCast(perToken);
    // 8192 x 56 groups, 16 groups per warp step (8 lanes per group, 4 unrolled) -> 28672 warp steps -> 3584 CTAs,
    // capped at 132 SMs x 3 resident CTAs.
    expect(r.gridFor({ m: 8192, k: 7168, numSms: 132 })).toEqual([396, 1, 1]);
    expect(r.gridFor({ m: 1, k: 128, numSms: 132 })).toEqual([1, 1, 1]);
    const b = renderQuantCast({
      kind: 'perBlock',
      input: 'bf16',
      granularity: 128,
      ue8m0: false,
      scaleLayout: 'rowMajor',
    });
    expect(b.gridFor({ m: 300, k: 7168 + 16, numSms: 132 })).toEqual([57, 3, 1]);
  });

  it('rejects bad shapes naming the field', () => {
    const r = renderQuantCast(perToken);
    expect(() => r.gridFor({ m: 4, k: 100, numSms: 132 })).toThrow(/shape\.k: expected a multiple of 16.*got 100/);
    expect(() => r.gridFor({ m: 0, k: 128, numSms: 132 })).toThrow(RangeError);
    expect(() => r.gridFor({ m: 4, k: 128, numSms: 1.5 })).toThrow(/shape\.numSms/);
  });

  it('rejects bad configs with typed errors naming the field, the expected and the actual value', () => {
    const bad = (patch: Record<string, unknown>) => () => renderQuantCast({ ...perToken, ...patch } as QuantCastConfig);
    expect(bad({ kind: 'perChannel' })).toThrow(RangeError);
    expect(bad({ kind: 'perChannel' })).toThrow(/config\.kind: expected "perToken" \| "perBlock", got "perChannel"/);
    expect(bad({ input: 3 })).toThrow(TypeError);
    expect(bad({ granularity: '128' })).toThrow(TypeError);
    expect(bad({ granularity: 48 })).toThrow(/config\.granularity: expected one of 16, 32, 64, 128, 256, 512, got 48/);
    expect(bad({ granularity: 0 })).toThrow(RangeError);
    expect(bad({ ue8m0: 1 })).toThrow(/config\.ue8m0: expected a boolean, got 1/);
    expect(bad({ scaleLayout: 'kMajor' })).toThrow(RangeError);
    expect(bad({ kind: 'perBlock', granularity: 64, scaleLayout: 'rowMajor' })).toThrow(
      /expected 128 for kind "perBlock"/,
    );
    expect(bad({ kind: 'perBlock', granularity: 128 })).toThrow(/config\.scaleLayout: expected "rowMajor"/);
    expect(() => renderQuantCast(null as unknown as QuantCastConfig)).toThrow(TypeError);
  });

  it('describes the scale tensor of each layout', () => {
    expect(quantCastScaleShape(perToken, 5, 300)).toEqual({ shape: [5, 3], strides: [1, 8] });
    expect(quantCastScaleShape({ ...perToken, scaleLayout: 'rowMajor' }, 5, 300)).toEqual({
      shape: [5, 3],
      strides: [3, 1],
    });
    expect(
      quantCastScaleShape(
        { kind: 'perBlock', input: 'f32', granularity: 128, ue8m0: false, scaleLayout: 'rowMajor' },
        300,
        256,
      ),
    ).toEqual({ shape: [3, 2], strides: [2, 1] });
  });

  it('lists every renderable config, each valid and uniquely named', () => {
    const variants = listQuantCastVariants();
    expect(variants.length).toBe(2 * 2 * (6 * 2 + 1));
    const names = variants.map((v) => renderQuantCast(v).name);
    expect(new Set(names).size).toBe(names.length);
  });
});

describe('renderSfLayout', () => {
  it('renders both transforms with their parameter order', () => {
    const t = renderSfLayout({ kind: 'transposeFp32' });
    const p = renderSfLayout({ kind: 'packUe8m0' });
    expect(t.name).toBe('dg_sf_transpose_fp32');
    expect(p.name).toBe('dg_sf_transpose_pack_ue8m0');
    expect(t.source).toContain('#include <dg/kernels/sf_layout.cuh>');
    expect(t.source).toContain('dg::sf_transpose_fp32<256>(in, out, mn, sfk);');
    expect(p.source).toContain('dg::sf_transpose_pack_ue8m0<256>(in, out, mn, sfk);');
    expect(p.source).toContain('dg::u32* __restrict__ out');
    expect(t.params).toEqual(SF_LAYOUT_PARAMS);
    expect(t.params.map((x) => `${x.name}:${x.type}`)).toEqual(['in:ptr', 'out:ptr', 'mn:u32', 'sfk:u32']);
  });

  it('tiles the grid as (aligned mn / 64, sfk / 32, groups)', () => {
    const t = renderSfLayout({ kind: 'transposeFp32' });
    expect(t.gridFor({ mn: 4097, sfk: 56, groups: 3 })).toEqual([65, 2, 3]);
    expect(() => t.gridFor({ mn: 4, sfk: 4, groups: 0 })).toThrow(/shape\.groups/);
  });

  it('describes the output layouts', () => {
    expect(sfLayoutOutputShape({ kind: 'transposeFp32' }, { mn: 5, sfk: 7, groups: 2 })).toEqual({
      shape: [2, 5, 7],
      strides: [56, 1, 8],
    });
    expect(sfLayoutOutputShape({ kind: 'packUe8m0' }, { mn: 5, sfk: 7, groups: 2 })).toEqual({
      shape: [2, 5, 2],
      strides: [16, 1, 8],
    });
  });

  it('rejects unknown kinds', () => {
    expect(() => renderSfLayout({ kind: 'transpose' } as never)).toThrow(/sfLayout config\.kind: expected/);
    expect(listSfLayoutVariants()).toEqual([{ kind: 'transposeFp32' }, { kind: 'packUe8m0' }]);
  });
});

describe('kernelFamilies', () => {
  it('exposes every family with its variants', () => {
    expect(kernelFamilies.map((f) => f.family)).toEqual([
      'quantCast',
      'sfLayout',
      'sm90Fp8Gemm1d2d',
      'sm90Bf16Gemm',
      'sm90Fp8Gemm1d1d',
    ]);
  });
});
