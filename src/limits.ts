// Limits and byte accounting shared by both implementations, under their public names. The values
// are the core's own (src/core-interface.ts, generated from assembly/layout.ts), so the pure-JS
// cache enforces the same limits without instantiating the core.
import {
  CLASS_BITS,
  MAX_BUDGET_BYTES,
  MAX_FOLDS as CORE_MAX_FOLDS,
  MAX_PK_BYTES,
  MAX_SESSIONS,
  MAX_SESSION_BYTES,
  MAX_SID_BYTES,
  REC_HEADER,
  SMALL_BLOCK,
  SMALL_STEP,
} from './core-interface.js';

/** Longest session id accepted, in bytes (TLS allows 32; OTP's API allows any binary). */
export const MAX_SESSION_ID_BYTES = MAX_SID_BYTES;
/** Longest partial key accepted, in bytes (a string counts as its UTF-8 encoding). */
export const MAX_PARTIAL_KEY_BYTES = MAX_PK_BYTES;
/** Largest value `maxSessionBytes` may take. */
export const MAX_SESSION_BYTES_LIMIT = MAX_SESSION_BYTES;
/** Largest value `maxSessions` may take. */
export const MAX_SESSIONS_LIMIT = MAX_SESSIONS;
/** Largest value `memoryBytes` may take (the WebAssembly cache also needs its tables below 4 GiB). */
export const MAX_MEMORY_BYTES = MAX_BUDGET_BYTES;
/** foldl calls that may be under way at once (nested in each other's callbacks). */
export const MAX_FOLDS = CORE_MAX_FOLDS;
/** Keys one lookupMany call accepts (its arguments are copied before any is looked up). */
export const MAX_LOOKUP_MANY_KEYS = 65536;

/** Bytes of bookkeeping stored with each session (links, lengths, hash, creation time). */
export const RECORD_HEADER_BYTES = REC_HEADER;

/**
 * The allocator's block size for n bytes: rounded up to 16 below 256, and above that to 1/16 of
 * n's power of two (at most 6.25 % more). assembly/layout.ts's blockBytes, from the same
 * constants; test/interface.test.ts checks the two agree for every session size.
 */
function blockBytes(n: number): number {
  const step = n < SMALL_BLOCK ? SMALL_STEP : 2 ** (Math.floor(Math.log2(n)) - CLASS_BITS);
  return Math.ceil(n / step) * step;
}

/**
 * Bytes a session counts against `memoryBytes`, as stored: the header, its whole key (partial key
 * and session id, stored with it) and the session, rounded up to the allocator's size class.
 */
export function recordBytes(partialKeyBytes: number, sessionIdBytes: number, sessionBytes: number): number {
  return blockBytes(RECORD_HEADER_BYTES + partialKeyBytes + sessionIdBytes + sessionBytes);
}
