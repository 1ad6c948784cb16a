// Erlang/OTP's ssl_session_cache_api behaviour as two module objects: the callbacks take the cache
// reference first (and foldl last), as in OTP, and delegate to the cache's methods.
import { ErrorCodes, fail } from './errors.js';
import { JsSessionCache, createJsSessionCache } from './js-cache.js';
import type { SessionCache, SessionCacheModule, SessionCacheOptions } from './types.js';
import { WasmSessionCache, createSessionCache } from './wasm-cache.js';

function moduleOf<C extends SessionCache>(
  name: string,
  create: (options: SessionCacheOptions) => C,
  kind: abstract new (...args: never[]) => C,
): SessionCacheModule<C> {
  const check = (fn: string, cache: C): C => {
    if (!(cache instanceof kind)) fail(ErrorCodes.INVALID_ARGUMENT, `${name}.${fn}`, `cache must come from ${name}.init`);
    return cache;
  };
  return Object.freeze({
    init: (options: SessionCacheOptions) => create(options),
    terminate: (cache: C) => check('terminate', cache).terminate(),
    lookup: (cache: C, key) => check('lookup', cache).lookup(key),
    update: (cache: C, key, session) => check('update', cache).update(key, session),
    delete: (cache: C, key) => {
      check('delete', cache).delete(key);
    },
    foldl: (fn, acc0, cache: C) => check('foldl', cache).foldl(fn, acc0),
    selectSession: (cache: C, partialKey) => check('selectSession', cache).selectSession(partialKey),
    size: (cache: C) => check('size', cache).size,
  } satisfies SessionCacheModule<C>);
}

/** OTP's callbacks over the WebAssembly cache: `init(options)` returns the cache reference. */
export const wasmSessionCache: SessionCacheModule<WasmSessionCache> = moduleOf(
  'wasmSessionCache',
  createSessionCache,
  WasmSessionCache,
);

/** OTP's callbacks over the pure-JS cache. */
export const jsSessionCache: SessionCacheModule<JsSessionCache> = moduleOf(
  'jsSessionCache',
  createJsSessionCache,
  JsSessionCache,
);
