/**
 * tls-resumption: a TLS session cache with a WebAssembly hot path, implementing Erlang/OTP's
 * `ssl_session_cache_api`. This is the Node entry (ESM and CJS; Bun resolves it too): importing
 * it loads the core synchronously from build/core.wasm.
 * @packageDocumentation
 */
import { loadCoreFromFile } from './load-node.js';

loadCoreFromFile();

export * from './api.js';
