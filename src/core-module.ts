// Where the compiled core comes from. Each runtime entry registers it once at import (Node reads
// build/core.wasm, workerd imports it as a module, the embedded entry compiles bytes inlined at
// build time); caches instantiate it synchronously, so the API has no promise on the hot path.
import { CORE_EXPORTS } from './core-exports.js';
import { ErrorCodes, fail } from './errors.js';

// The published .d.ts names WebAssembly.Module, which TypeScript's DOM lib declares but
// @types/node does not. Declared empty here, so it merges with any fuller declaration and a Node
// project without the DOM lib still compiles against ours.
declare global {
  namespace WebAssembly {
    interface Module {}
  }
}

let compiled: WebAssembly.Module | undefined;

/**
 * Register the compiled core (a `WebAssembly.Module` of build/core.wasm). Every entry of this
 * package does it at import; call it yourself only on a host where you compiled the module
 * (e.g. `await WebAssembly.compileStreaming(fetch(url))`). The last module registered is used by
 * caches created after the call. Throws ERR_INVALID_ARGUMENT for anything but a
 * `WebAssembly.Module`, and ERR_CORE_INVALID for a module that is not this package's core.
 */
export function useCoreModule(module: WebAssembly.Module): void {
  if (!(module instanceof WebAssembly.Module)) {
    fail(ErrorCodes.INVALID_ARGUMENT, 'useCoreModule', 'expected a WebAssembly.Module of core.wasm');
  }
  const names = new Set(WebAssembly.Module.exports(module).map((e) => e.name));
  const missing = CORE_EXPORTS.filter((name) => !names.has(name));
  const imports = WebAssembly.Module.imports(module).length;
  if (missing.length > 0 || imports > 0) {
    const why = imports > 0 ? `it has ${imports} imports, the core none` : `it lacks ${missing.slice(0, 3).join(', ')}`;
    fail(ErrorCodes.CORE_INVALID, 'useCoreModule', `the module is not this package's core.wasm: ${why}`);
  }
  compiled = module;
}

/** Whether a core has been registered (by this runtime's entry or {@link useCoreModule}). */
export function isCoreLoaded(): boolean {
  return compiled !== undefined;
}

/** The registered core; throws ERR_CORE_NOT_LOADED if no entry or caller has registered one. */
export function coreModule(): WebAssembly.Module {
  if (compiled === undefined) {
    fail(
      ErrorCodes.CORE_NOT_LOADED,
      'createSessionCache',
      'the WebAssembly core is not loaded in this runtime: import the package entry for it, or call useCoreModule(module)',
    );
  }
  return compiled;
}

/**
 * Resolves once the core is loaded, so portable code can `await ready()` before its first
 * synchronous call. Every entry shipped here loads the core while it is imported (no runtime in
 * the README's table needs asynchronous compilation), so it resolves at once there; it rejects
 * with `ERR_CORE_NOT_LOADED` when no core was registered.
 */
export function ready(): Promise<void> {
  try {
    coreModule();
    return Promise.resolve();
  } catch (error) {
    return Promise.reject(error);
  }
}
