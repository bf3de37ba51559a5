// The symbol under which the public classes keep their native handle. It is not exported from index.ts, so users see
// no raw handle, while the package's own modules (launch, graph, memory) reach it with one property access.
export const kNative: unique symbol = Symbol('dg.native');

// One FinalizationRegistry for every disposable: a forgotten object releases its CUDA resource when collected.
// Explicit dispose() stays the rule; this is only a safety net, and its callbacks must never throw.
const registry = new FinalizationRegistry<() => void>((release) => {
  try {
    release();
  } catch {
    // The process may be shutting down or the context may be gone; nothing useful can be reported from a finalizer.
  }
});

export function trackForRelease(owner: object, release: () => void, token: object): void {
  registry.register(owner, release, token);
}

export function untrack(token: object): void {
  registry.unregister(token);
}
