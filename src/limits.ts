// Limits and byte-accounting constants shared by both implementations. The WebAssembly core has
// its own copy in assembly/layout.ts; test/layout.test.ts checks that the two agree.

/** Longest session id accepted, in bytes (TLS allows 32; OTP's API allows any binary). */
export const MAX_SESSION_ID_BYTES = 255;
/** Longest partial key accepted, in bytes (a string counts as its UTF-8 encoding). */
export const MAX_PARTIAL_KEY_BYTES = 512;
/** Largest value `maxSessionBytes` may take. */
export const MAX_SESSION_BYTES_LIMIT = 1 << 20;
/** Largest value `maxSessions` may take. */
export const MAX_SESSIONS_LIMIT = 1 << 24;
/** Largest value `memoryBytes` may take (the WebAssembly cache also needs its tables below 4 GiB). */
export const MAX_MEMORY_BYTES = 0xffff_ffff;
/** foldl calls that may be under way at once (nested in each other's callbacks). */
export const MAX_FOLDS = 32;
/** Keys one lookupMany call accepts (its arguments are copied before any is looked up). */
export const MAX_LOOKUP_MANY_KEYS = 65536;

/** Bytes of bookkeeping stored with each session (links, lengths, hash, creation time). */
export const RECORD_HEADER_BYTES = 38;

/**
 * The allocator's block size for n bytes: rounded up to 16 below 256, and above that to 1/16 of
 * n's power of two (at most 6.25 % more), as assembly/layout.ts does.
 */
function blockBytes(n: number): number {
  const step = n < 256 ? 16 : 2 ** (Math.floor(Math.log2(n)) - 4);
  return Math.ceil(n / step) * step;
}

/**
 * Bytes a session counts against `memoryBytes`, as stored: the header, its whole key (partial key
 * and session id, stored with it) and the session, rounded up to the allocator's size class.
 */
export function recordBytes(partialKeyBytes: number, sessionIdBytes: number, sessionBytes: number): number {
  return blockBytes(RECORD_HEADER_BYTES + partialKeyBytes + sessionIdBytes + sessionBytes);
}
