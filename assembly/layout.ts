// Every memory layout constant of the core lives here, so the whole map of linear memory can be
// read in one place. Addresses are byte offsets into this instance's own linear memory.
//
//   0 .. STATIC_END          fixed areas below (counters, scratch, hash key, allocator control)
//   STATIC_END ..            session slot table (u64 per slot), group slot table (u64 per slot)
//   arenaStart .. arenaEnd   session records and group records, managed by alloc.ts (TLSF)
//
// The memory is grown once, in init(); it never grows afterwards, so views that JS holds over
// `memory.buffer` stay valid for the life of the cache.

// ---- limits (mirrored by src/limits.ts; test/layout.test.ts checks they agree) ----
export const MAX_SID_BYTES: u32 = 255;
export const MAX_PK_BYTES: u32 = 512;
export const MAX_SESSION_BYTES: u32 = 1 << 20;
/** Nested foldl calls that may be under way at once. */
export const MAX_FOLDS: u32 = 32;

// ---- fixed areas ----
/** Address 0 is never a record: 0 means "none" in every pointer field. */
export const STATS: usize = 64; // f64 counters, see the S_* indices below
export const RESULT: usize = 256; // u32 out-parameters of the last call
export const HASH_KEY: usize = 512; // random per-cache secret, written by JS at creation
export const HASH_KEY_BYTES: usize = 1024; // 512 B of NH key words for the longest input, plus spare
export const SCRATCH_PK: usize = 1536; // partial key of the current call (512 B + 8 B over-read pad)
export const SCRATCH_SID: usize = 2056; // session id of the current call (255 B + pad), wiped after each call
export const SCRATCH_END: usize = 2328;
export const FOLDS: usize = 2560; // per fold: cursor u32, last u32, done u32, used u32
export const FOLD_BYTES: usize = 16;
export const TLSF: usize = 4096; // allocator control block, see alloc.ts
export const STATIC_END: usize = 8192;

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
export const F_GROUP: u32 = 4; // a group record rather than a session record
export const FLAG_MASK: u32 = 7;
export const ALIGN: u32 = 8;
export const MIN_BLOCK: u32 = 16;

// ---- session record: one allocator block ----
export const R_HASH: usize = 4; // u32 keyed hash of (group, session id): slot tag and home slot
export const R_TIME: usize = 8; // f64 creation time, ms of the cache's clock
export const R_OLDER: usize = 16; // age list, towards the oldest
export const R_NEWER: usize = 20; // age list, towards the newest
export const R_GNEWER: usize = 24; // group list, towards the newest
export const R_GOLDER: usize = 28; // group list, towards the oldest
export const R_GROUP: usize = 32; // u32 the group record of the partial key
export const R_LENS: usize = 36; // u32 session length (low 24 bits) | session id length << 24
export const R_SID: usize = 40; // session id bytes, then the session bytes
export const REC_HEADER: u32 = 40;

// ---- group record (one per distinct partial key): one allocator block ----
export const G_HASH: usize = 4; // u32 keyed hash of the partial key
export const G_HEAD: usize = 8; // newest session record of the group
export const G_COUNT: usize = 12; // u32 sessions in the group
export const G_PKLEN: usize = 16; // u16 partial key length | u16 flags (bit 0: created from a string)
export const G_PK: usize = 20; // partial key bytes
export const GROUP_HEADER: u32 = 20;

// ---- slot tables: u64 per slot, low 32 bits the hash tag, high 32 bits the record; 0 = empty ----
/** Slots per session at most: the tables are kept at most half full. */
export const SLOT_LOAD_INVERSE: u32 = 2;

@inline export function align8(n: u32): u32 {
  return (n + 7) & ~7;
}

/** Bytes a session record occupies in the byte budget (the same formula as src/accounting.ts). */
@inline export function recordBytes(sidLen: u32, sessLen: u32): u32 {
  return align8(REC_HEADER + sidLen + sessLen);
}

/** Bytes a group record occupies in the byte budget. */
@inline export function groupBytes(pkLen: u32): u32 {
  return align8(GROUP_HEADER + pkLen);
}
