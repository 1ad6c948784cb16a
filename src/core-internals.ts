// The core instance behind each WebAssembly cache, for the tests (test/core-hooks.ts) and for no
// one else: the package's entries do not export this module, so the API has no way to reach a
// cache's memory or its core.
import type { Core } from './core-exports.js';

const cores = new WeakMap<object, Core>();

/** Record the core of a live cache (its constructor). */
export function attachCore(cache: object, core: Core): void {
  cores.set(cache, core);
}

/** Forget it (terminate), so the cache no longer leads to its memory. */
export function detachCore(cache: object): void {
  cores.delete(cache);
}

/** The core of a live cache, or undefined (not a WebAssembly cache, or terminated). */
export function coreOf(cache: object): Core | undefined {
  return cores.get(cache);
}
