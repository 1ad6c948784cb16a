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

// ---- limits (mirrored by src/limits.ts; test/layout.test.ts checks they agree) ----
export const MAX_SID_BYTES: u32 = 255;
export const MAX_PK_BYTES: u32 = 512;
export const MAX_SESSION_BYTES: u32 = 1 << 20;
/** Nested foldl calls that may be under way at once. */
export const MAX_FOLDS: u32 = 32;

// ---- fixed areas, above the compiler's static data (none: init() refuses to run if any appears) ----
export const BASE: usize = 1024;
/** Address 0 (below BASE) is never a record: 0 means "none" in every pointer field. */
export const STATS: usize = BASE; // f64 counters, see the S_* indices below
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
export const BATCH_BYTES: usize = 16384;
export const BATCH_MAX: u32 = 64; // keys per lookupBatch call
export const BATCH_HASHES: usize = BATCH + BATCH_BYTES; // per key: u32 partial-key hash, u32 session hash
export const BATCH_RESULTS: usize = BATCH_HASHES + 512; // per key: u32 session address, u32 length
export const STATIC_END: usize = BATCH_RESULTS + 512;
/**
 * The arena starts on a 4 KiB boundary (the OS page), so records of whole cache lines start on
 * line boundaries, and 4 KiB records (sessions of about 4000 bytes) each fit in one page: one TLB
 * miss per record instead of two (lookupInto at 100k x 4000 B: -12 %, see the commit that added it).
 */
export const ARENA_ALIGN: usize = 4096;

// ---- counters (f64, exact to 2^53) ----
export const S_HITS: usize = 0;
export const S_MISSES: usize = 1;
export const S_EXPIRED: usize = 2;
export const S_INSERTS: usize = 3;
export const S_REPLACEMENTS: usize = 4;
export const S_DELETES: usize = 5;
export const S_EVICTIONS: usize = 6;
export const S_INVALIDATIONS: usize = 7;
export const S_REJECTED: usize = 8;
export const S_COMPACTIONS: usize = 9;
export const S_COUNT: usize = 10;

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
export const R_LENS: usize = 32; // u32 session length (low 24 bits) | session id length << 24
export const R_PKINFO: usize = 36; // u16 partial key length | PK_FROM_STRING
export const R_KEY: usize = 38; // partial key bytes, session id bytes, then the session bytes
export const REC_HEADER: u32 = 38;
export const PK_FROM_STRING: u32 = 0x8000;
export const PK_LEN_MASK: u32 = 0x7fff;

// ---- key entries: a copy of the key of each record of a page or more, packed together ----
// Records of KE_MIN_BLOCK bytes or more are a page or more apart, so checking one's key costs a
// DRAM miss and a TLB miss, and no two keys share a line or a page. Such a record's key entry
// holds what a zero-copy lookup needs (hash, time, lengths, key) in KE_BYTES, in an area where
// the entries sit side by side: lookupView checks the key there and never reads the record
// (100k x 4000 B: 607-701 -> 419-484 ns). The entry's place follows from the record's address,
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

@inline export function align8(n: u32): u32 {
  return (n + 7) & ~7;
}

/**
 * The block size for n bytes: n rounded up to 16 below 256 bytes, and above that to 1/16 of its
 * power of two (size classes: at most 6.25 % more, 16 bytes at most below 256). Blocks of one
 * class are interchangeable, so records whose keys differ by a few bytes reuse each other's space
 * under churn instead of leaving holes.
 */
@inline export function blockBytes(n: u32): u32 {
  const step: u32 = n < 256 ? 16 : 1 << (31 - clz<u32>(n) - 4);
  return (n + step - 1) & ~(step - 1);
}

/** Bytes a session record occupies in the byte budget (the same formula as src/limits.ts). */
@inline export function recordBytes(pkLen: u32, sidLen: u32, sessLen: u32): u32 {
  return blockBytes(REC_HEADER + pkLen + sidLen + sessLen);
}

/** Whether a record of `block` bytes with a key of `keyLen` bytes has a key entry. */
@inline export function hasKeyEntry(block: u32, keyLen: u32): bool {
  return block >= KE_MIN_BLOCK && keyLen <= KE_MAX_KEY;
}
