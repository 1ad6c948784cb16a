// Key entries (see layout.ts): for each record of a page or more, a copy of what a zero-copy
// lookup reads, in an area where the entries sit side by side. The record stays the truth; its
// entry is rewritten whenever the record's key fields change and wiped when the record leaves.
import { arenaStart, sizeOf } from "./alloc";
import { bytesEqual, wipe } from "./bytes";
import {
  KE_BYTES,
  KE_MIN_BLOCK,
  KE_SHIFT,
  K_HASH,
  K_KEY,
  K_LENS,
  K_PKINFO,
  K_REC,
  K_TIME,
  R_HASH,
  R_KEY,
  R_LENS,
  R_PKINFO,
  R_TIME,
  hasKeyEntry,
} from "./layout";
import { recKeyLength } from "./record";

/** The key entry area, [keyEntries, keyEntriesEnd) (placed after the arena by init). */
export let keyEntries: usize = 0;
export let keyEntriesEnd: usize = 0;

export function keyEntriesReset(at: usize, bytes: usize): void {
  keyEntries = at;
  keyEntriesEnd = at + bytes;
}

/** Bytes of the key entry area for an arena of `arenaBytes`: one entry per KE_MIN_BLOCK. */
export function keyEntryAreaBytes(arenaBytes: f64): f64 {
  return Math.ceil(arenaBytes / f64(1 << KE_SHIFT)) * f64(KE_BYTES);
}

/** Where the key entry of a record at `rec` would be (no memory is read). */
@inline export function keyEntryOf(rec: usize): usize {
  return keyEntries + ((rec - arenaStart) >> KE_SHIFT) * KE_BYTES;
}

/** Whether the record at `rec` (its key fields written) has a key entry. */
export function recordHasKeyEntry(rec: usize): bool {
  return hasKeyEntry(sizeOf(rec), recKeyLength(rec));
}

/** Write the key entry of `rec` from its key fields (it must have one). */
export function keyEntryWrite(rec: usize): void {
  const ke = keyEntryOf(rec);
  store<u32>(ke, u32(rec), K_REC);
  store<u32>(ke, load<u32>(rec, R_HASH), K_HASH);
  store<f64>(ke, load<f64>(rec, R_TIME), K_TIME);
  store<u32>(ke, load<u32>(rec, R_LENS), K_LENS);
  store<u16>(ke, load<u16>(rec, R_PKINFO), K_PKINFO);
  memory.copy(ke + K_KEY, rec + R_KEY, recKeyLength(rec));
}

/**
 * Wipe the key entry of `rec` if it has one (it held the session id). A smaller record is let go
 * without reading the entry area: that read would be a cache miss on every removal.
 */
export function keyEntryClear(rec: usize): void {
  if (sizeOf(rec) < KE_MIN_BLOCK) return;
  const ke = keyEntryOf(rec);
  if (usize(load<u32>(ke, K_REC)) == rec) wipe(ke, KE_BYTES);
}

/**
 * Compaction moved a record from `from` to `to` (its bytes are already at `to`): move its key
 * entry. Compaction moves records down in address order, so the new entry is at or below the old
 * one and never holds the entry of a record not yet moved.
 */
export function keyEntryOnMove(from: usize, to: usize): void {
  if (sizeOf(to) < KE_MIN_BLOCK) return;
  const old = keyEntryOf(from);
  if (usize(load<u32>(old, K_REC)) != from) return;
  const moved = keyEntryOf(to);
  if (moved != old) {
    memory.copy(moved, old, KE_BYTES);
    wipe(old, KE_BYTES);
  }
  store<u32>(moved, u32(to), K_REC);
}

/** Whether `rec`'s key entry matches it exactly (for verify). */
export function keyEntryMatches(rec: usize): bool {
  const ke = keyEntryOf(rec);
  return (
    usize(load<u32>(ke, K_REC)) == rec &&
    load<u32>(ke, K_HASH) == load<u32>(rec, R_HASH) &&
    load<u64>(ke, K_TIME) == load<u64>(rec, R_TIME) &&
    load<u32>(ke, K_LENS) == load<u32>(rec, R_LENS) &&
    load<u16>(ke, K_PKINFO) == load<u16>(rec, R_PKINFO) &&
    bytesEqual(ke + K_KEY, rec + R_KEY, recKeyLength(rec))
  );
}

/** Wipe the entries of every record below `end` (terminate: all records ever placed are below it). */
export function keyEntriesWipe(end: usize): void {
  const last = min(keyEntryOf(end) + KE_BYTES, keyEntriesEnd);
  if (last > keyEntries) wipe(keyEntries, last - keyEntries);
}
