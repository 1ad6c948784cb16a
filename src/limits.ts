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

/** Bytes of bookkeeping stored with each session (links, lengths, hash, creation time). */
export const RECORD_HEADER_BYTES = 38;

const align8 = (n: number): number => (n + 7) & ~7;

/**
 * Bytes a session counts against `memoryBytes`: the header, its whole key (partial key and session
 * id, stored with it) and the session, rounded up to 8.
 */
export function recordBytes(partialKeyBytes: number, sessionIdBytes: number, sessionBytes: number): number {
  return align8(RECORD_HEADER_BYTES + partialKeyBytes + sessionIdBytes + sessionBytes);
}
