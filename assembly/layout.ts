// Every memory layout constant of the core lives here, so the whole map of linear memory can be
// read in one place. Addresses are byte offsets into this instance's own linear memory.
//
//   BASE .. STATIC_END       fixed areas below (counters, scratch, hash key, allocator control)
//   STATIC_END ..            the slot tables: session meta, session pointers, group meta, group pointers
//   arenaStart .. arenaEnd   session records, managed by alloc.ts (TLSF)
//   keyEntries ..            key entries of the records of a page or more (see KE_* below)
//
// The memory is grown once, in init(); it never grows afterwards, so views that JS holds over
// `memory.buffer` stay valid for the life of the cache.

// What src/ must agree on with the core is written once, in the section between the two markers
// below: src/core-interface.ts is generated from it (`npm run build:interface`), and
// test/interface.test.ts fails while the two differ or while a value compiled into the core is
// not the generated one. Initializers there are literals and earlier names only (the generator
// evaluates them as JavaScript); its comments are copied too.
// ---- begin JS interface ----

// Limits (both implementations)
/** Longest session id accepted, in bytes (TLS allows 32; OTP's API allows any binary). */
export const MAX_SID_BYTES: u32 = 255;
/** Longest partial key accepted, in bytes (a string counts as its UTF-8 encoding). */
export const MAX_PK_BYTES: u32 = 512;
/** Largest session a cache can be told to accept (`maxSessionBytes`), in bytes. */
export const MAX_SESSION_BYTES: u32 = 1 << 20;
/** Most sessions a cache can be told to hold (`maxSessions`). */
export const MAX_SESSIONS: u32 = 1 << 24;
/** Largest byte budget (`memoryBytes`): init takes it as a u32. */
export const MAX_BUDGET_BYTES: u32 = 0xffffffff;
/** The most linear memory a wasm32 instance can have, in bytes. */
export const WASM32_MEMORY_BYTES: f64 = 4294967296;
/** Nested foldl calls that may be under way at once. */
export const MAX_FOLDS: u32 = 32;
/** Expired sessions swept from the old end on each update (nginx sweeps up to 2 as well). */
export const SWEEP_ON_UPDATE: u32 = 2;

// Bytes a session counts against the budget: its record, REC_HEADER + key + session, rounded up
// to the allocator's size class (blockBytes in assembly/layout.ts, recordBytes in src/limits.ts).
/** Bytes of bookkeeping stored with each session (links, lengths, hash, creation time). */
export const REC_HEADER: u32 = 38;
/** Records below this many bytes are rounded up to a multiple of SMALL_STEP. */
export const SMALL_BLOCK: u32 = 256;
export const SMALL_STEP: u32 = 16;
/** Larger ones to 1/2^CLASS_BITS of their power of two (at most 6.25 % more). */
export const CLASS_BITS: u32 = 4;

// Counters: f64 each, exact to 2^53, at statsAddress(), in this order
export const S_HITS: u32 = 0;
export const S_MISSES: u32 = 1;
export const S_EXPIRED: u32 = 2;
export const S_INSERTS: u32 = 3;
export const S_REPLACEMENTS: u32 = 4;
export const S_DELETES: u32 = 5;
export const S_EVICTIONS: u32 = 6;
export const S_INVALIDATIONS: u32 = 7;
export const S_REJECTED: u32 = 8;
export const S_COMPACTIONS: u32 = 9;
export const S_COUNT: u32 = 10;

// Arguments and answers of the exports
/** A partial-key argument (and recPartialKeyInfo's answer) carries the length in these bits... */
export const PK_ARG_LEN_MASK: u32 = 0xffff;
/** ...and this bit when the partial key came from a string (foldl gives it back as one). */
export const PK_STRING: u32 = 0x10000;
/** The partial-key argument meaning "the partial key of the previous call" (scratch unchanged). */
export const PK_SAME: i32 = -1;
/** lookup's `limit` when any length will do. */
export const NO_LIMIT: u32 = 0xffffffff;
/** lookup's answer for a session longer than `limit` (no record is this low). */
export const TOO_LONG: u32 = 1;
/** foldBegin's answer when MAX_FOLDS folds are under way. */
export const NO_FOLD: i32 = -1;
/** init's `onFull`: drop the oldest session, or clear every session. */
export const EVICT_OLDEST: i32 = 0;
export const INVALIDATE_ALL: i32 = 1;
/** init's answers: ready; the memory could not be had; this build misplaced its fixed areas. */
export const INIT_OK: i32 = 0;
export const INIT_NO_MEMORY: i32 = -1;
export const INIT_BAD_LAYOUT: i32 = -2;
/** lookupBatch: keys per call, and bytes of the area at batchAddress() they are written to. */
export const BATCH_MAX: u32 = 64;
export const BATCH_BYTES: u32 = 16384;
/** Each key there: i32 partial-key argument, u32 session id length, then the partial key and the
 * session id, each padded to a multiple of BATCH_ALIGN. */
export const BATCH_KEY_HEADER: u32 = 8;
export const BATCH_ALIGN: u32 = 8;
// ---- end JS interface ----

// ---- fixed areas, above the compiler's static data (none: init() refuses to run if any appears) ----
export const BASE: usize = 1024;
/** Address 0 (below BASE) is never a record: 0 means "none" in every pointer field. */
export const STATS: usize = BASE; // f64 counters, see the S_* indices above
export const RESULT: usize = BASE + 192; // u32 out-parameters of the last call
export const HASH_KEY: usize = BASE + 448; // random per-cache secret, written by JS at creation
export const HASH_KEY_BYTES: usize = 1024; // 512 B of NH key words for the longest input, plus spare
export const SCRATCH_PK: usize = BASE + 1472; // partial key of the current call (512 B + 8 B over-read pad)
export const SCRATCH_SID: usize = BASE + 1992; // session id of the current call (255 B + pad), wiped after each call
export const SCRATCH_END: usize = BASE + 2264;
export const FOLDS: usize = BASE + 2496; // per fold: cursor u32, last u32, done u32, used u32
export const FOLD_BYTES: usize = 16;
export const SESSION_TABLE: usize = BASE + 3008; // a slots.ts Table: the session index
export const GROUP_TABLE: usize = BASE + 3040; // a slots.ts Table: the partial-key groups
export const TLSF: usize = BASE + 4032; // allocator control block, see alloc.ts
export const BATCH: usize = BASE + 8192; // keys of a lookupBatch call, written by JS (see cache.ts)
export const BATCH_HASHES: usize = BATCH + BATCH_BYTES; // per key: u32 partial-key hash, u32 session hash
export const BATCH_RESULTS: usize = BATCH_HASHES + 512; // per key: u32 session address, u32 length
export const STATIC_END: usize = BATCH_RESULTS + 512;
/**
 * The arena starts on a 4 KiB boundary (the OS page), so records of whole cache lines start on
 * line boundaries, and 4 KiB records (sessions of about 4000 bytes) each fit in one page: one TLB
 * miss per record instead of two.
 */
export const ARENA_ALIGN: usize = 4096;

// ---- allocator block header, shared by every block in the arena ----
export const B_INFO: usize = 0; // u32: size (multiple of 8) | flags
export const F_FREE: u32 = 1;
export const F_LEFT_FREE: u32 = 2; // the physically preceding block is free (its footer is valid)
export const FLAG_MASK: u32 = 7;
export const ALIGN: u32 = 8;
export const MIN_BLOCK: u32 = 16;

// ---- session record: one allocator block ----
// The whole key (partial key, then session id) is stored inline, so a lookup touches the slot
// and the record and nothing else.
export const R_HASH: usize = 4; // u32 keyed hash of (partial key, session id): its slot and tag
export const R_TIME: usize = 8; // f64 creation time, ms of the cache's clock
export const R_OLDER: usize = 16; // age list, towards the oldest
export const R_NEWER: usize = 20; // age list, towards the newest
export const R_GNEWER: usize = 24; // same-partial-key list, towards the newest (0: the group head)
export const R_GOLDER: usize = 28; // same-partial-key list, towards the oldest
export const R_LENS: usize = 32; // u32 session length | session id length << LENS_ID_SHIFT
export const R_PKINFO: usize = 36; // u16 partial key length | PK_FROM_STRING
export const R_KEY: usize = REC_HEADER; // partial key bytes, session id bytes, then the session bytes
export const LENS_SESSION_MASK: u32 = 0xffffff;
export const LENS_ID_SHIFT: u32 = 24;
export const PK_FROM_STRING: u32 = 0x8000;
export const PK_LEN_MASK: u32 = 0x7fff;
// record.ts reads and writes these packed fields; no other file decodes them.

// ---- key entries: a copy of the key of each record of a page or more, packed together ----
// Records of KE_MIN_BLOCK bytes or more are a page or more apart, so checking one's key costs a
// DRAM miss and a TLB miss, and no two keys share a line or a page. Such a record's key entry
// holds what a zero-copy lookup needs (hash, time, lengths, key) in KE_BYTES, in an area where
// the entries sit side by side: lookupView checks the key there and never reads the record.
// The entry's place follows from the record's address,
// (rec - arenaStart) >> KE_SHIFT, unique because such records are KE_MIN_BLOCK apart, so a slot
// needs one flag bit, not a second pointer. K_REC says which record an entry belongs to (0: none).
// The area costs 1/32 of the arena in address space; only entries in use become resident.
export const KE_SHIFT: u32 = 12;
export const KE_MIN_BLOCK: u32 = 1 << KE_SHIFT;
export const KE_BYTES: u32 = 128;
export const K_REC: usize = 0; // u32 address of the record this entry copies, 0 if unused
export const K_HASH: usize = 4; // the record's R_HASH
export const K_TIME: usize = 8; // its R_TIME
export const K_LENS: usize = 16; // its R_LENS
export const K_PKINFO: usize = 20; // its R_PKINFO
export const K_KEY: usize = 22; // its key bytes: partial key, then session id
/** Bit of a session slot's pointer (records are 8-aligned) set when the record has a key entry. */
export const SLOT_HAS_KEY_ENTRY: u32 = 1;
/** Keys longer than this get no key entry (their lookups check the record itself). */
export const KE_MAX_KEY: u32 = KE_BYTES - u32(K_KEY);

// ---- the slot tables (slots.ts): 2 bytes of meta and 4 of pointer per slot ----
// One table indexes sessions by R_HASH; the other indexes partial-key groups (a slot points at the
// group's newest record). Each has SLOTS_PER_SESSION slots per session (groups are never more
// than sessions), so neither is more than 80 % full.
export const SLOTS_PER_SESSION: f64 = 1.25;

/** `n` bytes of a batch key, padded (see BATCH_ALIGN). */
@inline export function batchPadded(n: u32): u32 {
  return (n + BATCH_ALIGN - 1) & ~(BATCH_ALIGN - 1);
}

/**
 * The block size for n bytes: n rounded up to SMALL_STEP (16) below SMALL_BLOCK (256) bytes, and
 * above that to 1/2^CLASS_BITS (1/16) of its power of two (size classes: at most 6.25 % more).
 * Blocks of one class are interchangeable, so records whose keys differ by a few bytes reuse each
 * other's space under churn instead of leaving holes. src/limits.ts computes the same from the
 * same constants; test/interface.test.ts compares the two over every session size.
 */
@inline export function blockBytes(n: u32): u32 {
  const step: u32 = n < SMALL_BLOCK ? SMALL_STEP : 1 << (31 - clz<u32>(n) - CLASS_BITS);
  return (n + step - 1) & ~(step - 1);
}

/** Bytes a session record occupies in the byte budget. */
@inline export function recordBytes(pkLen: u32, sidLen: u32, sessLen: u32): u32 {
  return blockBytes(REC_HEADER + pkLen + sidLen + sessLen);
}

/** Whether a record of `block` bytes with a key of `keyLen` bytes has a key entry. */
@inline export function hasKeyEntry(block: u32, keyLen: u32): bool {
  return block >= KE_MIN_BLOCK && keyLen <= KE_MAX_KEY;
}
