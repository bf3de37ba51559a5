// Rendered kernels and their JIT specs, one per config name, so a warm call costs one Map lookup here and the JIT's
// identity-keyed lookup (the spec object is reused) before the launch.

import { getKernel, type KernelSpec } from '@dg/jit';
import type { RenderedKernel } from '@dg/kernels';
import type { KernelFunction } from '@dg/runtime';

export interface PreparedKernel<Shape> {
  readonly rendered: RenderedKernel<Shape>;
  readonly spec: KernelSpec;
}

const prepared = new Map<string, PreparedKernel<unknown>>();

/** The rendered kernel of `key` (its config's kernel name), rendered on first use. */
export function preparedKernel<Shape>(key: string, render: () => RenderedKernel<Shape>): PreparedKernel<Shape> {
  let p = prepared.get(key) as PreparedKernel<Shape> | undefined;
  if (p === undefined) {
    const rendered = render();
    p = {
      rendered,
      spec: {
        name: rendered.name,
        source: rendered.source,
        includeDirs: [...rendered.includeDirs],
        flags: [...(rendered.compilerFlags ?? [])],
        dynamicSmemBytes: rendered.dynamicSmemBytes,
      },
    };
    prepared.set(key, p as PreparedKernel<unknown>);
  }
  return p;
}

/** The loaded function (memory hit, else disk cache, else compile). */
export function loadKernel<Shape>(p: PreparedKernel<Shape>, device: number): KernelFunction {
  return getKernel(p.spec, { device });
}
