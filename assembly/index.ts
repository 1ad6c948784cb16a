// The WebAssembly interface of one session cache. One instance (with its own linear memory) per
// cache; src/wasm-cache.ts is the only caller. Pointers cross as i32: JS reads them with `>>> 0`.
import { oldest } from "./age";
import { allocReset, highWater, arenaStart } from "./alloc";
import { wipe } from "./bytes";
import { bytesUsed, cacheInit, count, sweepOld } from "./cache";
import { foldClose } from "./folds";
import { keyEntriesReset, keyEntryAreaBytes } from "./key-entries";
import {
  ARENA_ALIGN,
  BASE,
  BATCH,
  BATCH_BYTES,
  BATCH_MAX,
  BATCH_RESULTS,
  HASH_KEY,
  HASH_KEY_BYTES,
  MAX_PK_BYTES,
  MAX_SESSION_BYTES,
  MAX_SID_BYTES,
  MIN_BLOCK,
  PK_FROM_STRING,
  PK_LEN_MASK,
  REC_HEADER,
  RESULT,
  R_GOLDER,
  R_KEY,
  R_LENS,
  R_PKINFO,
  SCRATCH_END,
  SCRATCH_PK,
  SCRATCH_SID,
  SLOTS_PER_SESSION,
  STATIC_END,
  STATS,
  recordBytes,
} from "./layout";
import { groups, placeTable, sessions } from "./table";

export { foldBegin, foldNext, lookup, lookupBatch, remove, select, takeFound, update } from "./cache";
export { foldClose as foldEnd };
export { verify } from "./verify";

const PAGE: f64 = 65536;
const MAX_MEMORY: f64 = 4294967296; // wasm32

function slotCount(maxSessions: u32): u32 {
  return u32(Math.ceil(f64(maxSessions) * SLOTS_PER_SESSION)) + 8;
}

/** Bytes of one slot table of n slots: u16 meta and u32 pointers, each array 8-aligned. */
function tableBytes(n: u32): f64 {
  return Math.ceil((f64(n) * 2) / 8) * 8 + Math.ceil((f64(n) * 4) / 8) * 8;
}

/**
 * Arena bytes for a byte budget: the budget, plus 8 bytes per record that TLSF may round up,
 * plus 1/8 of the budget so fragmentation seldom forces a compaction, plus the sentinel.
 */
function arenaBytes(maxSessions: u32, budget: u32): f64 {
  const bytes = f64(budget) + f64(budget >> 3) + f64(maxSessions) * 8 + f64(MIN_BLOCK) * 4 + 8;
  return Math.ceil(bytes / 8) * 8; // blocks are multiples of 8 and their sizes share a word with flags
}

/** Total linear memory a cache with these limits reserves (JS refuses more than 4 GiB). */
export function layoutBytes(maxSessions: u32, budget: u32): f64 {
  const arena = arenaBytes(maxSessions, budget);
  const total = f64(STATIC_END) + 2 * tableBytes(slotCount(maxSessions)) + f64(ARENA_ALIGN) + arena + keyEntryAreaBytes(arena);
  return Math.ceil(total / PAGE) * PAGE;
}

/**
 * Reserve all memory and set the limits. Returns 0, or -1 if the memory cannot be had.
 * JS writes the random hash key at hashKeyAddress() before the first operation.
 */
export function init(maxSessions: u32, budget: u32, lifetimeMs: f64, onFull: i32): i32 {
  // The fixed areas start at BASE, where the compiler would put static data (function tables,
  // strings): code that needs any must move BASE up. Folded to a constant at compile time.
  if (__heap_base > BASE) return -2;
  const total = layoutBytes(maxSessions, budget);
  if (total > MAX_MEMORY) return -1;
  const pages = i32(total / PAGE);
  const have = memory.size();
  if (pages > have && memory.grow(pages - have) < 0) return -1;
  const n = slotCount(maxSessions);
  const tablesEnd = placeTable(groups, 1, placeTable(sessions, 0, STATIC_END, n), n);
  const start = (tablesEnd + ARENA_ALIGN - 1) & ~(ARENA_ALIGN - 1);
  const arena = usize(arenaBytes(maxSessions, budget));
  allocReset(start, start + arena - 8);
  keyEntriesReset(start + arena, usize(keyEntryAreaBytes(f64(arena)))); // right after the sentinel
  cacheInit(maxSessions, budget, lifetimeMs, onFull);
  return 0;
}

/** Wipe the hash key, the scratch areas and every byte records ever occupied (terminate). */
export function wipeAll(): void {
  while (oldest) sweepOld(u32.MAX_VALUE, f64.POSITIVE_INFINITY);
  wipe(HASH_KEY, SCRATCH_END - HASH_KEY);
  wipe(arenaStart, highWater - arenaStart);
}

/** Remove up to `max` expired sessions from the old end. */
export function sweep(now: f64, max: u32): u32 {
  return sweepOld(max, now);
}

export function size(): u32 {
  return count;
}
export function usedBytes(): f64 {
  return f64(bytesUsed);
}
export function longest(): u32 {
  return sessions.longest;
}

// Addresses of the fixed areas, so JS hard-codes none of them.
export function statsAddress(): usize {
  return STATS;
}
export function resultAddress(): usize {
  return RESULT;
}
export function hashKeyAddress(): usize {
  return HASH_KEY;
}
export function hashKeyBytes(): usize {
  return HASH_KEY_BYTES;
}
export function pkAddress(): usize {
  return SCRATCH_PK;
}
export function sidAddress(): usize {
  return SCRATCH_SID;
}
export function batchAddress(): usize {
  return BATCH;
}
export function batchResultsAddress(): usize {
  return BATCH_RESULTS;
}

// Limits and accounting constants, checked against src/limits.ts by the tests.
export function limits(which: i32): u32 {
  switch (which) {
    case 0:
      return MAX_SID_BYTES;
    case 1:
      return MAX_PK_BYTES;
    case 2:
      return MAX_SESSION_BYTES;
    case 3:
      return REC_HEADER;
    case 4:
      return BATCH_MAX;
    case 5:
      return u32(BATCH_BYTES);
    default:
      return 0;
  }
}

// Record accessors for walking groups and folds from JS.
@inline function pkLen(rec: usize): u32 {
  return u32(load<u16>(rec, R_PKINFO)) & PK_LEN_MASK;
}
export function recGroupOlder(rec: usize): usize {
  return load<u32>(rec, R_GOLDER);
}
export function recSessionAddress(rec: usize): usize {
  return rec + R_KEY + pkLen(rec) + (load<u32>(rec, R_LENS) >> 24);
}
export function recSessionLength(rec: usize): u32 {
  return load<u32>(rec, R_LENS) & 0xffffff;
}
export function recIdAddress(rec: usize): usize {
  return rec + R_KEY + pkLen(rec);
}
export function recIdLength(rec: usize): u32 {
  return load<u32>(rec, R_LENS) >> 24;
}
export function recPartialKeyAddress(rec: usize): usize {
  return rec + R_KEY;
}
/** Partial key length | 0x10000 if the session was stored under a string partial key. */
export function recPartialKeyInfo(rec: usize): u32 {
  return pkLen(rec) | (u32(load<u16>(rec, R_PKINFO)) & PK_FROM_STRING ? 0x10000 : 0);
}

// Diagnostics: where the session table's meta array (u16 per slot: tag | distance << 8) is.
export function sessionMetaAddress(): usize {
  return sessions.meta;
}
export function sessionSlots(): u32 {
  return sessions.n;
}

/** The byte-budget formula, for the test that checks src/limits.ts computes the same. */
export function recordBytesFor(pkLen: u32, sidLen: u32, sessLen: u32): u32 {
  return recordBytes(pkLen, sidLen, sessLen);
}
