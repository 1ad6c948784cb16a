// Where the compiled core comes from. Each runtime entry registers it once (Node reads
// build/core.wasm at import); caches instantiate it synchronously.
import { ErrorCodes, fail } from './errors.js';

let compiled: WebAssembly.Module | undefined;

/** Register the compiled core (a `WebAssembly.Module` of build/core.wasm). */
export function useCoreModule(module: WebAssembly.Module): void {
  if (!(module instanceof WebAssembly.Module)) {
    fail(ErrorCodes.INVALID_ARGUMENT, 'useCoreModule', 'expected a WebAssembly.Module of core.wasm');
  }
  compiled = module;
}

/** The registered core; throws if this runtime's entry has not registered one. */
export function coreModule(): WebAssembly.Module {
  if (compiled === undefined) {
    fail(ErrorCodes.INVALID_ARGUMENT, 'createSessionCache', 'the WebAssembly core is not loaded in this runtime');
  }
  return compiled;
}
