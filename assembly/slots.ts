// Robin Hood hash tables in structure-of-arrays form. A table of n slots is two arrays:
//   meta: u16 per slot, low byte an 8-bit tag of the hash (1-255; 0 = empty), high byte the
//         slot's distance from its home slot (saturating at 255)
//   ptrs: u32 per slot, the record's address; records are 8-aligned, so its low 3 bits are
//         free: the session table sets SLOT_HAS_KEY_ENTRY there (see layout.ts)
// The meta array is small (2 bytes a slot) and stays in cache, so a lookup touches the pointer
// array and the record only when a tag matches, and a miss usually touches neither. Robin Hood
// placement keeps distances short and lets a search stop at the first slot closer to its home
// than the search has come; deletion shifts the cluster back (no tombstones).
// Any table size works: the home of hash h is fastrange(h, n) = (h * n) >> 32.
// Two tables use this: sessions (by R_HASH) and partial-key groups (by partial-key hash).
import { hashBytes } from "./hash";
import { R_HASH } from "./layout";
import { recPartialKeyAddress, recPartialKeyLength } from "./record";

/** A table: where its arrays are, its size, and which hash its records are placed by. */
@unmanaged export class Table {
  meta: usize = 0;
  ptrs: usize = 0;
  n: u32 = 0;
  /** Longest distance from home seen. */
  longest: u32 = 0;
  /** 0: sessions, by R_HASH; 1: partial-key groups, by the hash of the partial key. */
  kind: u32 = 0;
}

/** The hash a record is placed by in table t (no function pointers: they would need static data). */
@inline export function hashIn(t: Table, rec: usize): u32 {
  return t.kind ? hashBytes(recPartialKeyAddress(rec), recPartialKeyLength(rec), 0) : load<u32>(rec, R_HASH);
}

export const SATURATED: u32 = 255;

/**
 * The 8-bit tag of a hash: 1..255, from its low byte. Not the high byte: fastrange places a hash
 * by its high bits, so neighbouring slots share them and a high-byte tag would never differ.
 */
@inline export function tagOf(h: u32): u32 {
  return (((h & 0xff) * 255) >> 8) + 1;
}

@inline export function homeOf(t: Table, h: u32): u32 {
  return u32((u64(h) * u64(t.n)) >> 32);
}

@inline export function nextSlot(t: Table, i: u32): u32 {
  return i + 1 == t.n ? 0 : i + 1;
}

@inline export function metaAt(t: Table, i: u32): u32 {
  return load<u16>(t.meta + (usize(i) << 1));
}

/** Slot i's pointer word as stored: the record with its flag bits. */
@inline export function wordAt(t: Table, i: u32): usize {
  return load<u32>(t.ptrs + (usize(i) << 2));
}

/** The record of slot i (flag bits removed). */
@inline export function ptrAt(t: Table, i: u32): usize {
  return wordAt(t, i) & ~7;
}

/** The flag bits of slot i's pointer. */
@inline export function flagsAt(t: Table, i: u32): u32 {
  return u32(wordAt(t, i)) & 7;
}

@inline function setSlot(t: Table, i: u32, meta: u32, ptr: usize): void {
  store<u16>(t.meta + (usize(i) << 1), u16(meta));
  store<u32>(t.ptrs + (usize(i) << 2), ptr);
}

/** Point slot i at `ptr`, keeping its flag bits. */
@inline export function setPtr(t: Table, i: u32, ptr: usize): void {
  const at = t.ptrs + (usize(i) << 2);
  store<u32>(at, ptr | (load<u32>(at) & 7));
}

@inline function distance(t: Table, from: u32, to: u32): u32 {
  return to >= from ? to - from : to + t.n - from;
}

/** Note a probe of length `d`. */
@inline export function probed(t: Table, d: u32): void {
  if (d > t.longest) t.longest = d;
}

/** The true distance of slot i (recomputed from the record's hash when saturated). */
function distanceAt(t: Table, i: u32): u32 {
  const d = metaAt(t, i) >> 8;
  return d < SATURATED ? d : distance(t, homeOf(t, hashIn(t, ptrAt(t, i))), i);
}

/**
 * Insert a record with hash h; `ptr` is its pointer word (address | flag bits). The table is
 * never full (at most 80 % of n is used).
 */
export function slotInsert(t: Table, h: u32, ptr: usize): void {
  let i = homeOf(t, h);
  let tag = tagOf(h);
  let d: u32 = 0;
  while (true) {
    const m = metaAt(t, i);
    if (!m) {
      setSlot(t, i, tag | (min(d, SATURATED) << 8), ptr);
      probed(t, d);
      return;
    }
    const theirs = distanceAt(t, i);
    if (theirs < d) {
      // take the slot from the richer record and carry it on
      const p = wordAt(t, i);
      setSlot(t, i, tag | (min(d, SATURATED) << 8), ptr);
      probed(t, d);
      tag = m & 0xff;
      ptr = p;
      d = theirs;
    }
    i = nextSlot(t, i);
    d++;
  }
}

/** Index of the slot holding `ptr` (hash h), which must be present. */
export function slotFind(t: Table, h: u32, ptr: usize): u32 {
  let i = homeOf(t, h);
  while (ptrAt(t, i) != ptr) i = nextSlot(t, i);
  return i;
}

/** Empty slot i, shifting the rest of its cluster one slot back towards home. */
export function slotRemove(t: Table, i: u32): void {
  let j = nextSlot(t, i);
  while (true) {
    const m = metaAt(t, j);
    if (!m) break;
    const d = distanceAt(t, j);
    if (!d) break;
    setSlot(t, i, (m & 0xff) | (min(d - 1, SATURATED) << 8), wordAt(t, j));
    i = j;
    j = nextSlot(t, j);
  }
  setSlot(t, i, 0, 0);
}
