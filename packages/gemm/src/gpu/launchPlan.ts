// The launch plan every GEMM launcher builds once per (config, pointers, shapes) and replays on warm calls, and the
// small pieces the three launchers (sm90Fp8Gemm1d2d.ts, sm90Fp8Gemm1d1d.ts, sm90Bf16Gemm.ts) share around it.

import type { RenderedKernel } from '@dg/kernels';
import { type KernelFunction, type LaunchConfig, launch, type Stream } from '@dg/runtime';

/** A loaded kernel, its launch configuration and its packed parameters: a warm call is one `launchPlan`. */
export interface LaunchPlan {
  readonly fn: KernelFunction;
  readonly cfg: LaunchConfig;
  readonly params: Uint8Array;
}

/** The plan built for `fn` of `r` on `shape` (grid from the kernel's own rule; PDL when asked and supported). */
export function makeLaunchPlan<Shape>(
  fn: KernelFunction,
  r: RenderedKernel<Shape>,
  shape: Shape,
  params: Uint8Array,
  pdl: boolean,
): LaunchPlan {
  const cfg: LaunchConfig = {
    grid: r.gridFor(shape),
    block: r.blockDim,
    cluster: r.clusterDim,
    sharedMemBytes: r.dynamicSmemBytes,
    pdl: pdl && r.pdl,
  };
  return { fn, cfg, params };
}

/** Launches `plan` on `stream` (undefined: the device's default stream). */
export function launchPlan(plan: LaunchPlan, stream: Stream | undefined): void {
  (plan.cfg as { stream?: LaunchConfig['stream'] }).stream = stream;
  launch(plan.fn, plan.cfg, plan.params);
}

/**
 * `name` memoized per config object: the heuristics return the same frozen object per shape, so a warm call reuses
 * the kernel name instead of formatting it.
 */
export function memoizedKernelName<C extends object>(name: (c: C) => string): (c: C) => string {
  const names = new WeakMap<C, string>();
  return (c) => {
    let n = names.get(c);
    if (n === undefined) {
      n = name(c);
      names.set(c, n);
    }
    return n;
  };
}

/** The tensor-map swizzle option for a swizzle width in bytes (16: none). */
export function swizzleName(bytes: number): 'none' | '32b' | '64b' | '128b' {
  return bytes === 128 ? '128b' : bytes === 64 ? '64b' : bytes === 32 ? '32b' : 'none';
}
