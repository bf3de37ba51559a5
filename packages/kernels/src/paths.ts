import { fileURLToPath } from 'node:url';

/**
 * Absolute path of this package's `cuda/` folder: the one include directory every rendered translation unit needs
 * (`#include <dg/...>`). Resolved from this module's URL, which sits one level below the package root both as
 * `src/paths.ts` (tests) and bundled as `dist/index.js`.
 */
export const cudaIncludeDir: string = fileURLToPath(new URL('../cuda', import.meta.url));
