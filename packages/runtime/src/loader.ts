// Loads build/Release/dg_runtime.node relative to this package (from dist/ or src/ alike). A failure is captured, not
// thrown: importing '@dg/runtime' must work on any machine, and the reason is reported by unavailableReason().
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { nativeErrorFactory } from './errors.js';
import type { NativeBinding } from './native.js';

const ADDON_PATH = fileURLToPath(new URL('../build/Release/dg_runtime.node', import.meta.url));

interface LoadOutcome {
  binding: NativeBinding | null;
  error: string;
}

function load(): LoadOutcome {
  const path = process.env.DG_RUNTIME_ADDON ?? ADDON_PATH;
  if (!existsSync(path)) {
    return {
      binding: null,
      error: `the native addon ${path} does not exist; build it with \`pnpm --filter @dg/runtime build\``,
    };
  }
  try {
    const binding = createRequire(import.meta.url)(path) as NativeBinding;
    binding.setErrorFactory(nativeErrorFactory);
    return { binding, error: '' };
  } catch (e) {
    return {
      binding: null,
      error: `the native addon ${path} failed to load: ${e instanceof Error ? e.message : String(e)}`,
    };
  }
}

let outcome: LoadOutcome | undefined;

/** The addon, or null when it failed to load (see addonLoadError). Loaded on first use, never throws. */
export function addon(): NativeBinding | null {
  outcome ??= load();
  return outcome.binding;
}

/** Why the addon did not load; '' when it did. */
export function addonLoadError(): string {
  outcome ??= load();
  return outcome.error;
}
