/**
 * tls-resumption with the core's bytes inlined (the `deno` and `default` export conditions):
 * no file system, no permission, no `import.meta.url`, nothing runtime-specific. Importing it
 * compiles the core synchronously (7 KB, allowed everywhere but workerd).
 * @packageDocumentation
 */
import { useCoreModule } from './core-module.js';

/** build/core.wasm as base64, substituted by tsup's `define` (see tsup.config.ts). */
declare const __CORE_WASM_BASE64__: string;

/** Decode base64 with `atob`, which every target runtime has (Buffer is Node's only). */
function fromBase64(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

useCoreModule(new WebAssembly.Module(fromBase64(__CORE_WASM_BASE64__)));

export * from './api.js';
