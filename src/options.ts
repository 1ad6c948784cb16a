import { show } from './describe.js';
import { ErrorCodes, fail } from './errors.js';
import {
  MAX_MEMORY_BYTES,
  MAX_PARTIAL_KEY_BYTES,
  MAX_SESSIONS_LIMIT,
  MAX_SESSION_BYTES_LIMIT,
  MAX_SESSION_ID_BYTES,
  recordBytes,
} from './limits.js';
import { closestName } from './suggest.js';
import type { OnFullPolicy, ResolvedSessionCacheOptions, SessionCacheOptions } from './types.js';

export const DEFAULT_MAX_SESSIONS = 20480;
export const DEFAULT_MAX_SESSION_BYTES = 16384;
export const DEFAULT_LIFETIME_SECONDS = 300;
/** Default byte budget per session slot, by role. */
export const DEFAULT_BYTES_PER_SESSION = { server: 512, client: 2048 } as const;
/** Cap of the default byte budget (an explicit memoryBytes may be larger). */
export const DEFAULT_MEMORY_BYTES_CAP = 2 ** 31;

/** Every option; anything else is refused (a misspelt limit would otherwise go unnoticed). */
const KNOWN = ['role', 'maxSessions', 'maxSessionBytes', 'memoryBytes', 'lifetimeSeconds', 'onFull', 'clock', 'properties'];

/** Throw for the first own property of `options` that is not an option, with a suggestion. */
function refuseUnknown(fn: string, options: object): void {
  for (const name of Object.keys(options)) {
    if (KNOWN.includes(name)) continue;
    const near = closestName(name, KNOWN);
    const hint = near === undefined ? '' : ` (did you mean ${near}?)`;
    fail(ErrorCodes.INVALID_OPTION, fn, `unknown option ${show(name)}${hint}; user-defined properties go under \`properties\``);
  }
}

function integer(fn: string, name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    fail(ErrorCodes.INVALID_OPTION, fn, `${name} must be an integer from ${min} to ${max}, got ${show(value)}`);
  }
  return value;
}

/** The smallest byte budget that can hold one largest session under the longest keys. */
export function minimumMemoryBytes(maxSessionBytes: number): number {
  return recordBytes(MAX_PARTIAL_KEY_BYTES, MAX_SESSION_ID_BYTES, maxSessionBytes);
}

/** Validate options and fill in defaults; throws ERR_INVALID_OPTION naming the bad one. */
export function resolveOptions(options: SessionCacheOptions, fn = 'createSessionCache'): ResolvedSessionCacheOptions {
  if (typeof options !== 'object' || options === null) {
    fail(ErrorCodes.INVALID_OPTION, fn, 'options must be an object with a role');
  }
  refuseUnknown(fn, options);
  const { role } = options;
  if (role !== 'client' && role !== 'server') {
    fail(ErrorCodes.INVALID_OPTION, fn, `role must be 'client' or 'server', got ${show(role)}`);
  }
  const maxSessions = integer(fn, 'maxSessions', options.maxSessions ?? DEFAULT_MAX_SESSIONS, 1, MAX_SESSIONS_LIMIT);
  const maxSessionBytes = integer(
    fn,
    'maxSessionBytes',
    options.maxSessionBytes ?? DEFAULT_MAX_SESSION_BYTES,
    1,
    MAX_SESSION_BYTES_LIMIT,
  );
  const minimum = minimumMemoryBytes(maxSessionBytes);
  const memoryBytes = integer(
    fn,
    'memoryBytes',
    options.memoryBytes ?? Math.max(minimum, Math.min(maxSessions * DEFAULT_BYTES_PER_SESSION[role], DEFAULT_MEMORY_BYTES_CAP)),
    minimum,
    MAX_MEMORY_BYTES,
  );
  const lifetimeSeconds = options.lifetimeSeconds ?? DEFAULT_LIFETIME_SECONDS;
  if (typeof lifetimeSeconds !== 'number' || !Number.isFinite(lifetimeSeconds) || lifetimeSeconds <= 0) {
    fail(ErrorCodes.INVALID_OPTION, fn, `lifetimeSeconds must be a positive finite number, got ${show(lifetimeSeconds)}`);
  }
  const onFull: OnFullPolicy = options.onFull ?? 'evict-oldest';
  if (onFull !== 'evict-oldest' && onFull !== 'invalidate-all') {
    fail(ErrorCodes.INVALID_OPTION, fn, `onFull must be 'evict-oldest' or 'invalidate-all', got ${show(onFull)}`);
  }
  const clock = options.clock;
  if (clock !== undefined && typeof clock !== 'function') {
    fail(ErrorCodes.INVALID_OPTION, fn, 'clock must be a function returning milliseconds');
  }
  const properties = options.properties;
  if (properties !== undefined && (typeof properties !== 'object' || properties === null)) {
    fail(ErrorCodes.INVALID_OPTION, fn, `properties must be an object, got ${show(properties)}`);
  }
  // properties are kept as given (the same object), for OTP's user-defined Args
  return Object.freeze({ role, maxSessions, maxSessionBytes, memoryBytes, lifetimeSeconds, onFull, clock, properties });
}
