// The public API every runtime entry re-exports: everything but loading the core, which each
// entry does its own way (see index.ts, entry-workerd.ts, entry-embedded.ts).
export { createSessionCache, WasmSessionCache } from './wasm-cache.js';
export { createJsSessionCache, JsSessionCache } from './js-cache.js';
export { wasmSessionCache, jsSessionCache } from './otp.js';
export { SessionCacheError, ErrorCodes, type SessionCacheErrorCode } from './errors.js';
export { useCoreModule, ready } from './core-module.js';
export {
  MAX_SESSION_ID_BYTES,
  MAX_PARTIAL_KEY_BYTES,
  MAX_SESSION_BYTES_LIMIT,
  MAX_SESSIONS_LIMIT,
  MAX_FOLDS,
  MAX_LOOKUP_MANY_KEYS,
  recordBytes,
} from './limits.js';
export type {
  PartialKey,
  SessionKey,
  SessionCacheOptions,
  ResolvedSessionCacheOptions,
  OnFullPolicy,
  SessionCache,
  SessionCacheStats,
  SessionCacheEntry,
  SessionCacheModule,
} from './types.js';
