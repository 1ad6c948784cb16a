// Argument checks of the Node adapters: bad input throws a SessionCacheError with a stable code
// before anything is wired up or sent.
import { ErrorCodes, SessionCacheError } from '../api.js';
import type { SessionCache } from '../api.js';

/** Throw ERR_INVALID_ARGUMENT with `fn: message`. */
export function invalid(fn: string, message: string): never {
  throw new SessionCacheError(ErrorCodes.INVALID_ARGUMENT, `${fn}: ${message}`);
}

/** Throw unless `cache` has the methods named in `methods`. */
export function checkCache(fn: string, cache: unknown, methods: readonly string[], name = 'cache'): void {
  if (typeof cache !== 'object' || cache === null)
    invalid(fn, `${name} must be a SessionCache, got ${cache === null ? 'null' : typeof cache}`);
  for (const m of methods) {
    if (typeof (cache as Record<string, unknown>)[m] !== 'function')
      invalid(fn, `${name} must be a SessionCache (no ${m}() method)`);
  }
}

/** Throw ERR_CACHE_TERMINATED if `cache` is a SessionCache that was terminated. */
export function checkLive(fn: string, cache: unknown): void {
  const stats = (cache as Partial<SessionCache>).stats;
  if (typeof stats !== 'function') return;
  try {
    stats.call(cache);
  } catch (error) {
    if (error instanceof SessionCacheError && error.code === ErrorCodes.CACHE_TERMINATED) {
      throw new SessionCacheError(ErrorCodes.CACHE_TERMINATED, `${fn}: the cache was terminated`);
    }
    throw error;
  }
}

/** Throw unless `value` is undefined or a plain options object. */
export function checkOptionsObject(fn: string, value: unknown, name = 'options'): void {
  if (value === undefined) return;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) invalid(fn, `${name} must be an object`);
}

/** Throw unless `value` is undefined or a boolean. */
export function checkBoolean(fn: string, value: unknown, name: string): void {
  if (value !== undefined && typeof value !== 'boolean') invalid(fn, `${name} must be a boolean`);
}

/** Throw unless `value` is undefined or an integer in [min, max]. */
export function checkInteger(fn: string, value: unknown, name: string, min: number, max: number): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    invalid(fn, `${name} must be an integer from ${min} to ${max}`);
  }
}
