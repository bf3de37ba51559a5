/** How the launcher packs one kernel parameter: a device pointer (8 bytes), a 4-byte scalar, or a 128-byte tensor map. */
export type KernelParamType = 'ptr' | 'u32' | 'i32' | 'f32' | 'tensorMap';

export interface KernelParam {
  readonly name: string;
  readonly type: KernelParamType;
}

export type Dim3 = readonly [number, number, number];

/**
 * A rendered kernel: everything `@dg/jit` needs to compile it and a launcher needs to start it. Pure data plus a grid
 * function; nothing here compiles, allocates or launches.
 */
export interface RenderedKernel<Shape> {
  /** `extern "C"` entry name, deterministic from the config: both NVRTC and NVCC expose it unmangled. */
  readonly name: string;
  /** The whole translation unit: a comment line, one `#include <dg/kernels/...>`, the entry. */
  readonly source: string;
  /** Include directories for the compiler (`-I`). */
  readonly includeDirs: readonly string[];
  /** Extra compiler flags, understood by both NVRTC and NVCC (absent: none). */
  readonly compilerFlags?: readonly string[];
  readonly blockDim: Dim3;
  readonly clusterDim: Dim3;
  readonly dynamicSmemBytes: number;
  /** `__launch_bounds__(maxThreads, minBlocksPerSm)` as written into the entry. */
  readonly launchBounds: { readonly maxThreads: number; readonly minBlocksPerSm: number };
  /** The entry's parameters in declaration order (the order of `kernelParams`). */
  readonly params: readonly KernelParam[];
  /** True when the kernel waits on `griddepcontrol.wait` before reading inputs, so it may be launched with PDL. */
  readonly pdl: boolean;
  /** Grid for one launch; throws a RangeError naming the field when the shape is outside the kernel's contract. */
  gridFor(shape: Shape): Dim3;
}

/** One kernel family: its config check, its renderer and every config it can render (used by the compile test). */
export interface KernelFamily<Config, Shape> {
  readonly family: string;
  render(config: Config): RenderedKernel<Shape>;
  listVariants(): Config[];
}

/**
 * ptxas may spend more registers on scheduling freedom (default level 5). The FP8 1D2D GEMM's main loops have the
 * registers (setmaxnreg) and gain 0-2% on the M = 4096 shapes (H100, 2026-11-21, same-process A/B); the other GEMM
 * families do not use it yet (not measured).
 */
export const GEMM_COMPILER_FLAGS: readonly string[] = ['--ptxas-options=--register-usage-level=10'];
