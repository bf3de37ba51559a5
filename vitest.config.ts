import { defineConfig } from 'vitest/config';

// Two projects: `unit` runs on every machine (CI included); `gpu` holds the `*.gpu.test.ts` files, which report
// themselves as skipped, with the reason in the test name, where no usable CUDA device is present.
export default defineConfig({
  test: {
    passWithNoTests: true,
    reporters: ['default', './tools/vitest/summaryReporter.ts'],
    projects: [
      {
        test: {
          name: 'unit',
          include: ['packages/*/test/**/*.test.ts', 'apps/*/test/**/*.test.ts', 'tools/*/test/**/*.test.ts'],
          exclude: ['**/*.gpu.test.ts', '**/node_modules/**', '**/dist/**'],
          testTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'gpu',
          include: ['packages/*/test/**/*.gpu.test.ts', 'apps/*/test/**/*.gpu.test.ts'],
          exclude: ['**/node_modules/**', '**/dist/**'],
          testTimeout: 300_000,
          hookTimeout: 300_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
