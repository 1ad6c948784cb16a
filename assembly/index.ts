// The WebAssembly interface of one session cache: exactly what src/wasm-cache.ts calls (the list
// is CORE_EXPORTS in src/core-exports.ts; test/interface.test.ts checks build/core.wasm exports it
// and nothing else). One instance, with its own linear memory, per cache. Pointers cross as i32:
// JS reads them with `>>> 0`. Hooks for the tests are in index-test.ts, a separate build.
import { arenaStart, allocReset, highWater } from "./alloc";
import { wipe } from "./bytes";
import { bytesUsed, cacheInit, count, sweepOld } from "./cache";
import { foldClose } from "./folds";
import { keyEntriesReset, keyEntriesWipe, keyEntryAreaBytes } from "./key-entries";
import {
  ARENA_ALIGN,
  BASE,
  BATCH,
  BATCH_RESULTS,
  HASH_KEY,
  HASH_KEY_BYTES,
  INIT_BAD_LAYOUT,
  INIT_NO_MEMORY,
  INIT_OK,
  MIN_BLOCK,
  RESULT,
  R_GOLDER,
  SCRATCH_END,
  SCRATCH_PK,
  SCRATCH_SID,
  SLOTS_PER_SESSION,
  STATIC_END,
  STATS,
  WASM32_MEMORY_BYTES,
} from "./layout";
import { groups, placeTable, sessions } from "./table";

export { foldBegin, foldNext, lookup, lookupBatch, remove, select, takeFound, update } from "./cache";
export { foldClose as foldEnd };
export {
  recIdAddress,
  recIdLength,
  recPartialKeyAddress,
  recPartialKeyInfo,
  recSessionAddress,
  recSessionLength,
} from "./record";

const PAGE: f64 = 65536;

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
 * Reserve all memory and set the limits. Returns INIT_OK, INIT_NO_MEMORY if the memory cannot be
 * had, or INIT_BAD_LAYOUT if this build put static data in the fixed areas or misaligned the
 * areas JS writes whole words to. JS writes the random hash key at hashKeyAddress() before the
 * first operation.
 */
export function init(maxSessions: u32, budget: u32, lifetimeMs: f64, onFull: i32): i32 {
  // The fixed areas start at BASE, where the compiler would put static data (function tables,
  // strings): code that needs any must move BASE up. JS stores 32-bit words at SCRATCH_PK and
  // 64-bit batch headers at BATCH. All folded to a constant at compile time.
  if (__heap_base > BASE || SCRATCH_PK & 3 || BATCH & 7) return INIT_BAD_LAYOUT;
  const total = layoutBytes(maxSessions, budget);
  if (total > WASM32_MEMORY_BYTES) return INIT_NO_MEMORY;
  const pages = i32(total / PAGE);
  const have = memory.size();
  if (pages > have && memory.grow(pages - have) < 0) return INIT_NO_MEMORY;
  const n = slotCount(maxSessions);
  const tablesEnd = placeTable(groups, 1, placeTable(sessions, 0, STATIC_END, n), n);
  const start = (tablesEnd + ARENA_ALIGN - 1) & ~(ARENA_ALIGN - 1);
  const arena = usize(arenaBytes(maxSessions, budget));
  allocReset(start, start + arena - 8);
  keyEntriesReset(start + arena, usize(keyEntryAreaBytes(f64(arena)))); // right after the sentinel
  cacheInit(maxSessions, budget, lifetimeMs, onFull);
  return INIT_OK;
}

/**
 * Wipe every secret before JS lets the instance go (terminate): the hash key, scratch and batch
 * areas, every byte records ever occupied and their key entries. In bulk: no record is unlinked
 * or counted, since nothing reads the cache's structures after this.
 */
export function wipeAll(): void {
  wipe(HASH_KEY, SCRATCH_END - HASH_KEY);
  wipe(BATCH, STATIC_END - BATCH);
  wipe(arenaStart, highWater - arenaStart);
  keyEntriesWipe(highWater);
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

/** The next older record of the same partial key (selectSession walks the group from JS). */
export function recGroupOlder(rec: usize): usize {
  return load<u32>(rec, R_GOLDER);
}
