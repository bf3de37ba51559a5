// Rendered kernels and their JIT specs, memoized per config so that a warm call costs a Map lookup here and the
// JIT's identity-keyed lookup (the spec object is reused) before the launch.

import { getKernel, type KernelSpec } from '@dg/jit';
import {
  type QuantCastConfig,
  type QuantCastShape,
  type RenderedKernel,
  renderQuantCast,
  renderSfLayout,
  type SfLayoutConfig,
  type SfLayoutShape,
} from '@dg/kernels';
import { getDeviceProperties, type KernelFunction } from '@dg/runtime';

export interface Prepared<Shape> {
  readonly rendered: RenderedKernel<Shape>;
  readonly spec: KernelSpec;
}

function prepare<Shape>(rendered: RenderedKernel<Shape>): Prepared<Shape> {
  const spec: KernelSpec = {
    name: rendered.name,
    source: rendered.source,
    includeDirs: [...rendered.includeDirs],
    dynamicSmemBytes: rendered.dynamicSmemBytes,
  };
  return { rendered, spec };
}

const quantCasts = new Map<string, Prepared<QuantCastShape>>();
const sfLayouts = new Map<string, Prepared<SfLayoutShape>>();

export function quantCastKernel(c: QuantCastConfig): Prepared<QuantCastShape> {
  const key = `${c.kind}/${c.input}/${c.granularity}/${c.ue8m0}/${c.scaleLayout}`;
  let p = quantCasts.get(key);
  if (p === undefined) {
    p = prepare(renderQuantCast(c));
    quantCasts.set(key, p);
  }
  return p;
}

export function sfLayoutKernel(c: SfLayoutConfig): Prepared<SfLayoutShape> {
  let p = sfLayouts.get(c.kind);
  if (p === undefined) {
    p = prepare(renderSfLayout(c));
    sfLayouts.set(c.kind, p);
  }
  return p;
}

export function load<Shape>(p: Prepared<Shape>, device: number): KernelFunction {
  return getKernel(p.spec, { device });
}

const smCounts = new Map<number, number>();

export function smCount(device: number): number {
  let n = smCounts.get(device);
  if (n === undefined) {
    n = getDeviceProperties(device).smCount;
    smCounts.set(device, n);
  }
  return n;
}
