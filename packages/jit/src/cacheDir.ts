import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/** The cache root: $DG_JIT_CACHE_DIR, else $XDG_CACHE_HOME/dg, else ~/.cache/dg. */
export function resolveCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const explicit = env.DG_JIT_CACHE_DIR;
  if (explicit !== undefined && explicit !== '') return resolve(explicit);
  const xdg = env.XDG_CACHE_HOME;
  if (xdg !== undefined && xdg !== '') return resolve(xdg, 'dg');
  return join(homedir(), '.cache', 'dg');
}

/** Finished entries: `<root>/kernels/<name>.<key>/`. */
export function kernelsDir(root: string): string {
  return join(root, 'kernels');
}

/** Builds in progress: `<root>/tmp/<pid>-<random>/`, renamed into kernelsDir() when complete. */
export function tmpDir(root: string): string {
  return join(root, 'tmp');
}

/** Sources of failed compiles, kept for debugging: `<root>/failed/<name>.<key>/`. */
export function failedDir(root: string): string {
  return join(root, 'failed');
}
