// The two indexes over the slot tables: sessions by (partial key, session id), and partial-key
// groups by partial key. The key of the current call is in scratch; the partial key's hash is
// kept across calls while it is unchanged.
import { arenaLast } from "./alloc";
import { bytesEqual } from "./bytes";
import { hashBytes } from "./hash";
import { keyEntryOf } from "./key-entries";
import { argPkLength, lensId, pkInfoLength, pkInfoOfArg, recIdLength } from "./record";
import {
  GROUP_TABLE,
  K_HASH,
  K_KEY,
  K_LENS,
  K_PKINFO,
  R_HASH,
  R_KEY,
  R_PKINFO,
  SCRATCH_PK,
  SCRATCH_SID,
  SESSION_TABLE,
  SLOT_HAS_KEY_ENTRY,
} from "./layout";
import {
  SATURATED,
  Table,
  hashIn,
  homeOf,
  metaAt,
  nextSlot,
  probed,
  ptrAt,
  setPtr,
  slotFind,
  slotInsert,
  slotRemove,
  tagOf,
  wordAt,
} from "./slots";

export const sessions = changetype<Table>(SESSION_TABLE);
export const groups = changetype<Table>(GROUP_TABLE);

/** Place table `t` (n slots, `kind` 0 sessions / 1 groups) at `at`; returns the address after it. */
export function placeTable(t: Table, kind: u32, at: usize, n: u32): usize {
  t.meta = at;
  t.ptrs = at + ((usize(n) * 2 + 7) & ~7);
  t.n = n;
  t.longest = 0;
  t.kind = kind;
  return t.ptrs + ((usize(n) * 4 + 7) & ~7);
}

/** The partial key in scratch: length | PK_FROM_STRING, and its keyed hash. */
export let curPkInfo: u32 = 0;
export let curPkHash: u32 = 0;

/**
 * Make the partial key in scratch the current one. `pkArg` < 0 (PK_SAME) keeps the previous one
 * (JS knows it has not changed); otherwise it holds the length and PK_STRING (see layout.ts).
 */
export function setPartialKey(pkArg: i32): void {
  if (pkArg < 0) return;
  setPartialKeyHashed(pkArg, hashBytes(SCRATCH_PK, argPkLength(pkArg), 0));
}

/** setPartialKey for a partial key (`pkArg` >= 0) whose hash is already known. */
export function setPartialKeyHashed(pkArg: i32, pkHash: u32): void {
  curPkInfo = pkInfoOfArg(pkArg);
  curPkHash = pkHash;
}

/** The hash of the current partial key with the session id in scratch. */
export function sessionHash(sidLen: u32): u32 {
  return hashBytes(SCRATCH_SID, sidLen, curPkHash);
}

/** Whether `rec`'s partial key is the current one. */
@inline function samePartialKey(rec: usize): bool {
  return samePartialKeyAt(rec + R_KEY, load<u16>(rec, R_PKINFO));
}

/** Whether the partial key at `at`, with R_PKINFO-style `info`, is the current one. */
@inline function samePartialKeyAt(at: usize, info: u32): bool {
  const len = pkInfoLength(curPkInfo);
  return pkInfoLength(info) == len && bytesEqual(at, SCRATCH_PK, len);
}

/** Loads of the warm-up below land here, so the optimiser keeps them. */
// biome-ignore lint/correctness/noUnusedVariables: written only, so the loads that feed it stay
let warmSink: u32 = 0;

/** How much of a record warm() requests: its first four cache lines. */
export const WARMED_BYTES: usize = 256;

/**
 * Start loading a record's first WARMED_BYTES at once: a lookup that goes on to copy the session
 * then waits for one memory round trip instead of one per cache line (measured at 1M sessions).
 */
@inline function warm(rec: usize): void {
  const last = arenaLast;
  warmSink ^= load<u32>(min(rec + 64, last)) ^ load<u32>(min(rec + 128, last)) ^ load<u32>(min(rec + 192, last));
}

/** Whether record `rec` holds the current key (hash h, session id of sidLen bytes in scratch). */
function recordHasKey(rec: usize, h: u32, sidLen: u32): bool {
  return (
    load<u32>(rec, R_HASH) == h &&
    recIdLength(rec) == sidLen &&
    samePartialKey(rec) &&
    bytesEqual(rec + R_KEY + pkInfoLength(curPkInfo), SCRATCH_SID, sidLen)
  );
}

/** Whether key entry `ke` holds the current key (its K_* fields mirror the record's R_* ones). */
function entryHasKey(ke: usize, h: u32, sidLen: u32): bool {
  return (
    load<u32>(ke, K_HASH) == h &&
    lensId(load<u32>(ke, K_LENS)) == sidLen &&
    samePartialKeyAt(ke + K_KEY, load<u16>(ke, K_PKINFO)) &&
    bytesEqual(ke + K_KEY + pkInfoLength(curPkInfo), SCRATCH_SID, sidLen)
  );
}

/** The record found by the last findSession or findSessionKey hit. */
export let foundRecord: usize = 0;

/**
 * Probe the session table for the current key (hash h). With `entries`, a record with a key
 * entry is checked in its entry and not read. Returns what matched (entry or record; 0: none).
 */
function probe(h: u32, sidLen: u32, entries: bool): usize {
  const t = sessions;
  const tag = tagOf(h);
  let i = homeOf(t, h);
  let d: u32 = 0;
  while (true) {
    const m = metaAt(t, i);
    const md = m >> 8;
    // empty, or a slot nearer its home than we are from ours: the key is not in the table
    if (!m || (md < d && md != SATURATED)) break;
    if ((m & 0xff) == tag) {
      const word = wordAt(t, i); // one load for the record and its key-entry flag
      const rec = word & ~7;
      let found: usize = 0;
      if (entries && word & SLOT_HAS_KEY_ENTRY) {
        const ke = keyEntryOf(rec);
        if (entryHasKey(ke, h, sidLen)) found = ke;
      } else {
        warm(rec);
        if (recordHasKey(rec, h, sidLen)) found = rec;
      }
      if (found) {
        probed(t, d);
        foundRecord = rec;
        return found;
      }
    }
    i = nextSlot(t, i);
    d++;
  }
  probed(t, d);
  return 0;
}

/** The record whose key is the current partial key and the session id in scratch (hash h), or 0. */
export function findSession(h: u32, sidLen: u32): usize {
  return probe(h, sidLen, false);
}

/**
 * findSession for zero-copy lookups: a record with a key entry is checked in its entry, so the
 * record itself is not read. Returns what matched, the key entry or the record (0: no match);
 * the record is then at foundRecord. Both carry the key fields at their own offsets (K_* / R_*).
 */
export function findSessionKey(h: u32, sidLen: u32): usize {
  return probe(h, sidLen, true);
}

/** The group table slot of the current partial key (its newest record), or u32.MAX_VALUE. */
export function findGroupSlot(): u32 {
  const t = groups;
  const h = curPkHash;
  const tag = tagOf(h);
  let i = homeOf(t, h);
  let d: u32 = 0;
  while (true) {
    const m = metaAt(t, i);
    const md = m >> 8;
    if (!m || (md < d && md != SATURATED)) return u32.MAX_VALUE;
    if ((m & 0xff) == tag && samePartialKey(ptrAt(t, i))) return i;
    i = nextSlot(t, i);
    d++;
  }
}

/** Index a record; `keyEntry` says whether it has a key entry (its slot says so too). */
export function tableInsert(rec: usize, keyEntry: bool): void {
  slotInsert(sessions, load<u32>(rec, R_HASH), rec | (keyEntry ? usize(SLOT_HAS_KEY_ENTRY) : 0));
}

export function tableRemove(rec: usize): void {
  slotRemove(sessions, slotFind(sessions, load<u32>(rec, R_HASH), rec));
}

/** Compaction moved a record (already copied to `to`): repoint its session slot. */
export function tableOnMove(from: usize, to: usize): void {
  setPtr(sessions, slotFind(sessions, load<u32>(to, R_HASH), from), to);
}

/** Start a group for the current partial key, headed by `rec`. */
export function groupSlotInsert(rec: usize): void {
  slotInsert(groups, curPkHash, rec);
}

/** Remove the group slot pointing at `rec` (the group's last record). */
export function groupSlotRemove(rec: usize): void {
  slotRemove(groups, slotFind(groups, hashIn(groups, rec), rec));
}

/** Point the group slot that points at `from` at `to` instead (a new head, or a moved one). */
export function groupSlotRepoint(hashSource: usize, from: usize, to: usize): void {
  setPtr(groups, slotFind(groups, hashIn(groups, hashSource), from), to);
}
