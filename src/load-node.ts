// Node (and Bun): compile build/core.wasm synchronously at import, so every call after import is
// synchronous. The bytes are read from the file next to dist/ (one copy in the package, shared
// with the workerd entry) rather than inlined: the same loader runs from src/ in the tests.
import { readFileSync } from 'node:fs';
import { isCoreLoaded, useCoreModule } from './core-module.js';

/**
 * Compile and register build/core.wasm unless a core is already registered. An explicit call
 * (not a bare side-effect import) so no bundler can drop it as unused.
 */
export function loadCoreFromFile(): void {
  if (isCoreLoaded()) return;
  // dist/*.js and src/*.ts both sit one folder below the package root, beside build/
  useCoreModule(new WebAssembly.Module(readFileSync(new URL('../build/core.wasm', import.meta.url))));
}
