// Generated from the "JS interface" section of assembly/layout.ts by .ci/core-interface.mjs
// (`npm run build:interface`): do not edit. test/interface.test.ts fails while it is out of date.

// Limits (both implementations)
/** Longest session id accepted, in bytes (TLS allows 32; OTP's API allows any binary). */
export const MAX_SID_BYTES = 255;
/** Longest partial key accepted, in bytes (a string counts as its UTF-8 encoding). */
export const MAX_PK_BYTES = 512;
/** Largest session a cache can be told to accept (`maxSessionBytes`), in bytes. */
export const MAX_SESSION_BYTES = 1 << 20;
/** Most sessions a cache can be told to hold (`maxSessions`). */
export const MAX_SESSIONS = 1 << 24;
/** Largest byte budget (`memoryBytes`): init takes it as a u32. */
export const MAX_BUDGET_BYTES = 0xffffffff;
/** The most linear memory a wasm32 instance can have, in bytes. */
export const WASM32_MEMORY_BYTES = 4294967296;
/** Nested foldl calls that may be under way at once. */
export const MAX_FOLDS = 32;
/** Expired sessions swept from the old end on each update (nginx sweeps up to 2 as well). */
export const SWEEP_ON_UPDATE = 2;

// Bytes a session counts against the budget: its record, REC_HEADER + key + session, rounded up
// to the allocator's size class (blockBytes in assembly/layout.ts, recordBytes in src/limits.ts).
/** Bytes of bookkeeping stored with each session (links, lengths, hash, creation time). */
export const REC_HEADER = 38;
/** Records below this many bytes are rounded up to a multiple of SMALL_STEP. */
export const SMALL_BLOCK = 256;
export const SMALL_STEP = 16;
/** Larger ones to 1/2^CLASS_BITS of their power of two (at most 6.25 % more). */
export const CLASS_BITS = 4;

// Counters: f64 each, exact to 2^53, at statsAddress(), in this order
export const S_HITS = 0;
export const S_MISSES = 1;
export const S_EXPIRED = 2;
export const S_INSERTS = 3;
export const S_REPLACEMENTS = 4;
export const S_DELETES = 5;
export const S_EVICTIONS = 6;
export const S_INVALIDATIONS = 7;
export const S_REJECTED = 8;
export const S_COMPACTIONS = 9;
export const S_COUNT = 10;

// Arguments and answers of the exports
/** A partial-key argument (and recPartialKeyInfo's answer) carries the length in these bits... */
export const PK_ARG_LEN_MASK = 0xffff;
/** ...and this bit when the partial key came from a string (foldl gives it back as one). */
export const PK_STRING = 0x10000;
/** The partial-key argument meaning "the partial key of the previous call" (scratch unchanged). */
export const PK_SAME = -1;
/** lookup's `limit` when any length will do. */
export const NO_LIMIT = 0xffffffff;
/** lookup's answer for a session longer than `limit` (no record is this low). */
export const TOO_LONG = 1;
/** foldBegin's answer when MAX_FOLDS folds are under way. */
export const NO_FOLD = -1;
/** init's `onFull`: drop the oldest session, or clear every session. */
export const EVICT_OLDEST = 0;
export const INVALIDATE_ALL = 1;
/** init's answers: ready; the memory could not be had; this build misplaced its fixed areas. */
export const INIT_OK = 0;
export const INIT_NO_MEMORY = -1;
export const INIT_BAD_LAYOUT = -2;
/** lookupBatch: keys per call, and bytes of the area at batchAddress() they are written to. */
export const BATCH_MAX = 64;
export const BATCH_BYTES = 16384;
/** Each key there: i32 partial-key argument, u32 session id length, then the partial key and the
 * session id, each padded to a multiple of BATCH_ALIGN. */
export const BATCH_KEY_HEADER = 8;
export const BATCH_ALIGN = 8;
