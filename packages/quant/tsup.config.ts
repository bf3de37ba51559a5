import { defineConfig } from 'tsup';

// Two entries: the dependency-free root (platform neutral: it must run in browsers) and the `device` subpath, which
// imports the CUDA layers and stays external to them.
export default defineConfig({
  entry: { index: 'src/index.ts', 'device/index': 'src/device/index.ts' },
  format: ['esm'],
  dts: true,
  sourcemap: true,
  clean: true,
  treeshake: true,
  target: 'es2022',
  platform: 'neutral',
  external: ['@dg/runtime', '@dg/jit', '@dg/kernels'],
});
