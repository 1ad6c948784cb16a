// The session cache proper: limits, lifetime, eviction and every operation the JS layer calls.
// The partial key and session id of each call are in the scratch areas (see layout.ts); the
// session id is wiped from scratch before each call returns.
import { ageAppend, ageUnlink, newest, oldest } from "./age";
import { free, sizeOf } from "./alloc";
import { wipe } from "./bytes";
import { allocOrCompact } from "./compact";
import { bump } from "./counters";
import { foldOpen, foldStep, foldsOnRemove } from "./folds";
import { groupAdd, groupUnlink } from "./groups";
import {
  BATCH,
  BATCH_HASHES,
  BATCH_KEY_HEADER,
  BATCH_RESULTS,
  EVICT_OLDEST,
  K_LENS,
  K_PKINFO,
  K_TIME,
  RESULT,
  R_GOLDER,
  R_HASH,
  R_KEY,
  R_LENS,
  R_NEWER,
  R_OLDER,
  R_PKINFO,
  R_TIME,
  SCRATCH_PK,
  SCRATCH_SID,
  SWEEP_ON_UPDATE,
  S_DELETES,
  S_EVICTIONS,
  S_EXPIRED,
  S_HITS,
  S_INSERTS,
  S_INVALIDATIONS,
  S_MISSES,
  S_REPLACEMENTS,
  TOO_LONG,
  batchPadded,
  recordBytes,
} from "./layout";
import { hashBytes } from "./hash";
import { keyEntryClear, keyEntryWrite, recordHasKeyEntry } from "./key-entries";
import {
  argPkLength,
  lensId,
  lensSession,
  pkInfoLength,
  recBytes,
  recSessionAddress,
  recSessionLength,
  writeLengths,
} from "./record";
import { homeOf, metaAt, nextSlot, ptrAt, tagOf } from "./slots";
import {
  curPkInfo,
  findGroupSlot,
  findSession,
  findSessionKey,
  foundRecord,
  groups,
  sessionHash,
  sessions,
  setPartialKey,
  setPartialKeyHashed,
  tableInsert,
  tableRemove,
  WARMED_BYTES,
} from "./table";

/** A removal counted by no counter (the record is being replaced). */
const NO_COUNTER: usize = usize.MAX_VALUE;

export let count: u32 = 0;
export let bytesUsed: u32 = 0;
let maxSessions: u32 = 0;
let budget: u32 = 0;
let lifetime: f64 = 0;
let policy: i32 = EVICT_OLDEST;
/** The record of the last lookup hit, for take(). Cleared when any record leaves. */
let lastFound: usize = 0;

export function cacheInit(max: u32, bytes: u32, lifetimeMs: f64, onFull: i32): void {
  maxSessions = max;
  budget = bytes;
  lifetime = lifetimeMs;
  policy = onFull;
  count = 0;
  bytesUsed = 0;
  lastFound = 0;
}

@inline function expired(rec: usize, now: f64): bool {
  return now - load<f64>(rec, R_TIME) >= lifetime;
}

/** Take a record out of every index, wipe it and free it. */
function removeRecord(rec: usize, counter: usize): void {
  foldsOnRemove(rec, load<u32>(rec, R_OLDER), load<u32>(rec, R_NEWER));
  ageUnlink(rec);
  groupUnlink(rec);
  tableRemove(rec);
  bytesUsed -= recBytes(rec);
  count--;
  lastFound = 0;
  keyEntryClear(rec);
  wipe(rec + 4, sizeOf(rec) - 4);
  free(rec);
  if (counter != NO_COUNTER) bump(counter);
}

function removeAll(counter: usize): void {
  while (oldest) removeRecord(oldest, counter);
}

/** Remove up to `max` expired records from the old end; returns how many. */
export function sweepOld(max: u32, now: f64): u32 {
  let n: u32 = 0;
  while (n < max && oldest && expired(oldest, now)) {
    removeRecord(oldest, S_EXPIRED);
    n++;
  }
  return n;
}

/** Wipe the session id from scratch (8 bytes at a time: ids are short) and return `result`. */
@inline function done(sidLen: u32, result: usize): usize {
  for (let p = SCRATCH_SID, end = SCRATCH_SID + sidLen; p < end; p += 8) store<u64>(p, 0);
  return result;
}

/** Loads made only to start cache misses early land here, so the optimiser keeps them. */
// biome-ignore lint/correctness/noUnusedVariables: written only, so the loads that feed it stay
let prefetchSink: u32 = 0;

/** Find a live record by the current key (hash h); an expired one is removed and reported as absent. */
function findLive(h: u32, sidLen: u32, now: f64): usize {
  const rec = findSession(h, sidLen);
  if (rec && expired(rec, now)) {
    removeRecord(rec, S_EXPIRED);
    return 0;
  }
  return rec;
}

/**
 * Look up a session: its bytes' address (length at RESULT), or 0 on a miss. A hit longer than
 * `limit` bytes (lookupInto's target) returns TOO_LONG and counts nothing: the call will throw.
 * `copying` != 0 says the caller will copy the session out, so all of it is fetched now.
 */
export function lookup(pkArg: i32, sidLen: u32, now: f64, limit: u32, copying: i32): usize {
  setPartialKey(pkArg);
  return lookupHashed(sessionHash(sidLen), sidLen, now, limit, copying);
}

/**
 * lookup once the partial key is current and the key's hash `h` is known. A caller that will not
 * read the session now (`copying` 0: lookupView) has a record with a key entry found, checked and
 * answered from its entry, so the record is not read at all (a record of a page or more costs a
 * DRAM and a TLB miss; its entry sits among the others). A copying caller reads the record.
 */
function lookupHashed(h: u32, sidLen: u32, now: f64, limit: u32, copying: i32): usize {
  const found = copying ? findSession(h, sidLen) : findSessionKey(h, sidLen);
  const rec = foundRecord;
  // the key fields are in the entry (K_*) or in the record (R_*)
  const fromEntry = found != rec;
  if (!found || now - load<f64>(found + (fromEntry ? K_TIME : R_TIME)) >= lifetime) {
    if (found) removeRecord(rec, S_EXPIRED);
    bump(S_MISSES);
    return done(sidLen, 0);
  }
  const lens = load<u32>(found + (fromEntry ? K_LENS : R_LENS));
  const pkLen = pkInfoLength(load<u16>(found + (fromEntry ? K_PKINFO : R_PKINFO)));
  const len = lensSession(lens);
  store<u32>(RESULT, len);
  if (len > limit) return done(sidLen, TOO_LONG);
  bump(S_HITS);
  lastFound = rec;
  const at = rec + R_KEY + pkLen + lensId(lens);
  if (copying) fetchRest(rec, at + len);
  return done(sidLen, at);
}

/**
 * Start loading every cache line of a record past the WARMED_BYTES findSession requested: the
 * copy that follows in JS then waits for one memory round trip, not one per few lines.
 */
function fetchRest(rec: usize, end: usize): void {
  let sink: u32 = 0;
  for (let p = rec + WARMED_BYTES; p < end; p += 64) sink ^= load<u32>(p);
  prefetchSink ^= sink;
}

/**
 * Look up `n` keys (at most BATCH_MAX) written by JS at BATCH, each as: i32 partial-key argument
 * (as lookup's), u32 session id length, the partial key and the session id, each padded to 8.
 * Writes (address, length) per key at BATCH_RESULTS, (0, 0) for a miss, and wipes the keys.
 *
 * The answers are exactly those of n lookup calls in order (same counters, same expiry). What
 * differs is memory-level parallelism: two passes first request every key's slot lines, then
 * every candidate record, so the misses of the whole batch overlap instead of queueing one
 * lookup at a time. At 1M sessions a single lookup waits for three or four memory round trips.
 */
export function lookupBatch(n: u32, now: f64): void {
  const t = sessions;
  let sink: u32 = 0;
  let e = BATCH;
  for (let i: u32 = 0; i < n; i++) {
    const pkLen = argPkLength(load<i32>(e));
    const sidLen = load<u32>(e, 4);
    const sid = e + BATCH_KEY_HEADER + batchPadded(pkLen);
    const pkHash = hashBytes(e + BATCH_KEY_HEADER, pkLen, 0);
    const h = hashBytes(sid, sidLen, pkHash);
    store<u32>(BATCH_HASHES + (usize(i) << 3), pkHash);
    store<u32>(BATCH_HASHES + (usize(i) << 3), h, 4);
    const home = homeOf(t, h);
    sink ^= metaAt(t, home) ^ u32(ptrAt(t, home));
    e = sid + batchPadded(sidLen);
  }
  for (let i: u32 = 0; i < n; i++) {
    const h = load<u32>(BATCH_HASHES + (usize(i) << 3), 4);
    const tag = tagOf(h);
    let j = homeOf(t, h);
    for (let d: u32 = 0; d < 4; d++) {
      const m = metaAt(t, j);
      if (!m) break;
      if ((m & 0xff) == tag) {
        sink ^= load<u32>(ptrAt(t, j), R_HASH);
        break;
      }
      j = nextSlot(t, j);
    }
  }
  prefetchSink ^= sink;
  e = BATCH;
  for (let i: u32 = 0; i < n; i++) {
    const pkArg = load<i32>(e);
    const pkLen = argPkLength(pkArg);
    const sidLen = load<u32>(e, 4);
    const sid = e + BATCH_KEY_HEADER + batchPadded(pkLen);
    memory.copy(SCRATCH_PK, e + BATCH_KEY_HEADER, pkLen);
    memory.copy(SCRATCH_SID, sid, sidLen);
    // the hashes of the first pass, not computed again
    const hashes = BATCH_HASHES + (usize(i) << 3);
    setPartialKeyHashed(pkArg, load<u32>(hashes));
    const at = lookupHashed(load<u32>(hashes, 4), sidLen, now, u32.MAX_VALUE, 1);
    const r = BATCH_RESULTS + (usize(i) << 3);
    store<u32>(r, at);
    store<u32>(r, at ? load<u32>(RESULT) : 0, 4);
    e = sid + batchPadded(sidLen);
  }
  wipe(BATCH, e - BATCH);
}

/** Remove the record found by the immediately preceding lookup (take = lookup + delete). */
export function takeFound(): void {
  if (lastFound) removeRecord(lastFound, S_DELETES);
}

/** Delete by key; 1 if a live session was removed. */
export function remove(pkArg: i32, sidLen: u32, now: f64): i32 {
  setPartialKey(pkArg);
  const rec = findLive(sessionHash(sidLen), sidLen, now);
  if (rec) removeRecord(rec, S_DELETES);
  done(sidLen, 0);
  return rec ? 1 : 0;
}

/**
 * Store a session of `sessLen` bytes under the current key; returns the address where JS writes
 * the session bytes. The JS layer has validated every length, so this cannot fail.
 */
export function update(pkArg: i32, sidLen: u32, sessLen: u32, now: f64): usize {
  setPartialKey(pkArg);
  const h = sessionHash(sidLen);
  const old = findSession(h, sidLen);
  const pkLen = pkInfoLength(curPkInfo);
  const need = recordBytes(pkLen, sidLen, sessLen);
  if (old && recBytes(old) == need) return replaceInPlace(old, sidLen, sessLen, now);
  if (old) removeRecord(old, NO_COUNTER);
  sweepOld(SWEEP_ON_UPDATE, now);
  if (count >= maxSessions) {
    if (policy == EVICT_OLDEST) removeRecord(oldest, S_EVICTIONS);
    else removeAll(S_INVALIDATIONS);
  }
  while (oldest && u64(bytesUsed) + need > u64(budget)) {
    if (policy == EVICT_OLDEST) removeRecord(oldest, S_EVICTIONS);
    else removeAll(S_INVALIDATIONS);
  }
  const rec = allocOrCompact(need);
  store<u32>(rec, h, R_HASH);
  store<f64>(rec, now, R_TIME);
  writeLengths(rec, sessLen, sidLen, curPkInfo);
  memory.copy(rec + R_KEY, SCRATCH_PK, pkLen);
  memory.copy(rec + R_KEY + pkLen, SCRATCH_SID, sidLen);
  const keyEntry = recordHasKeyEntry(rec);
  if (keyEntry) keyEntryWrite(rec);
  ageAppend(rec);
  groupAdd(rec);
  tableInsert(rec, keyEntry);
  count++;
  bytesUsed += need;
  bump(old ? S_REPLACEMENTS : S_INSERTS);
  return done(sidLen, rec + R_KEY + pkLen + sidLen);
}

/**
 * A replacement whose record keeps its size: overwrite it where it is instead of freeing and
 * allocating, and move it to the newest end of the age and group lists. Observably the same as
 * remove + insert (same accounting, order, counters; folds do not visit it again): the key and
 * so its slot are unchanged, and the old session's bytes are overwritten or wiped.
 */
function replaceInPlace(rec: usize, sidLen: u32, sessLen: u32, now: f64): usize {
  foldsOnRemove(rec, load<u32>(rec, R_OLDER), load<u32>(rec, R_NEWER));
  ageUnlink(rec); // out of the age list first, so the sweep below cannot take it
  lastFound = 0;
  sweepOld(SWEEP_ON_UPDATE, now);
  const at = recSessionAddress(rec);
  const oldLen = recSessionLength(rec);
  if (oldLen > sessLen) wipe(at + sessLen, oldLen - sessLen);
  store<f64>(rec, now, R_TIME);
  writeLengths(rec, sessLen, sidLen, curPkInfo); // the string/bytes form may differ
  if (recordHasKeyEntry(rec)) keyEntryWrite(rec); // same size and key: it had one before too
  ageAppend(rec);
  groupUnlink(rec);
  groupAdd(rec);
  bump(S_REPLACEMENTS);
  return done(sidLen, at);
}

/** The newest record of the current partial key, or 0. */
function groupHead(): usize {
  const i = findGroupSlot();
  return i == u32.MAX_VALUE ? 0 : ptrAt(groups, i);
}

/**
 * Prepare selectSession: remove the group's expired sessions, then return its newest record
 * (0 if none) with the number of sessions at RESULT. JS walks the group list from there.
 */
export function select(pkArg: i32, now: f64): usize {
  setPartialKey(pkArg);
  let n: u32 = 0;
  for (let rec = groupHead(); rec; ) {
    const older = load<u32>(rec, R_GOLDER);
    if (expired(rec, now)) removeRecord(rec, S_EXPIRED);
    else n++;
    rec = older;
  }
  store<u32>(RESULT, n);
  return n ? groupHead() : 0;
}

/** Start a fold over every record present now; NO_FOLD when too many folds are under way. */
export function foldBegin(): i32 {
  return foldOpen(oldest, newest);
}

/** The next live record of fold `f`, or 0 when it is over. Expired records met are removed. */
export function foldNext(f: u32, now: f64): usize {
  while (true) {
    const rec = foldStep(f);
    if (!rec || !expired(rec, now)) return rec;
    removeRecord(rec, S_EXPIRED);
  }
}
