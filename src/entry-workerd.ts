/**
 * tls-resumption for Cloudflare workerd (the `workerd` export condition). workerd refuses to
 * compile WebAssembly from bytes and has no `import.meta.url`; its module loader hands over
 * build/core.wasm as a compiled `WebAssembly.Module`, registered here at import.
 * @packageDocumentation
 */
// Kept as an import in dist/workerd.js (tsup marks .wasm external); dist/ and src/ are both one
// folder below the package root, so the relative path holds in both.
import coreWasm from '../build/core.wasm';
import { useCoreModule } from './core-module.js';

useCoreModule(coreWasm);

export * from './api.js';
