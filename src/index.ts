/**
 * tls-session-cache: a TLS session cache with a WebAssembly hot path, implementing Erlang/OTP's
 * `ssl_session_cache_api`. This is the Node entry: importing it loads the core synchronously.
 * @packageDocumentation
 */
import './load-node.js';

export { createSessionCache, WasmSessionCache } from './wasm-cache.js';
export { createJsSessionCache, JsSessionCache } from './js-cache.js';
export { wasmSessionCache, jsSessionCache } from './otp.js';
export { SessionCacheError, ErrorCodes, type SessionCacheErrorCode } from './errors.js';
export { useCoreModule } from './core-module.js';
export {
  MAX_SESSION_ID_BYTES, MAX_PARTIAL_KEY_BYTES, MAX_SESSION_BYTES_LIMIT, MAX_SESSIONS_LIMIT, MAX_FOLDS,
  recordBytes, groupBytes,
} from './limits.js';
export type {
  PartialKey, SessionKey, SessionCacheOptions, ResolvedSessionCacheOptions, OnFullPolicy, SessionCache,
  SessionCacheStats, SessionCacheEntry, SessionCacheModule,
} from './types.js';
