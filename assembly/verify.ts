// A full consistency check of the core, called by the tests after every operation of the
// differential test. Returns 0, or a rule number (1-12 allocator, 20+ indexes, see below).
import { newest, oldest } from "./age";
import { allocVerify, sizeOf } from "./alloc";
import { keyEntries, keyEntriesEnd, keyEntryMatches, recordHasKeyEntry } from "./key-entries";
import { bytesEqual } from "./bytes";
import { bytesUsed, count } from "./cache";
import { F_FREE, KE_BYTES, K_REC, SLOT_HAS_KEY_ENTRY, R_GNEWER, R_GOLDER, R_KEY, R_NEWER, R_OLDER } from "./layout";
import { recBytes, recPartialKeyLength } from "./record";
import { SATURATED, Table, flagsAt, hashIn, homeOf, metaAt, nextSlot, ptrAt, tagOf } from "./slots";
import { groups, sessions } from "./table";

/**
 * Check a table: every slot's tag and distance match its record's hash, no slot is farther from
 * home than the Robin Hood order allows, and each record is reachable. Returns the slots in use,
 * or -1 if a rule is broken.
 */
function verifyTable(t: Table): i32 {
  let used: i32 = 0;
  for (let i: u32 = 0; i < t.n; i++) {
    const m = metaAt(t, i);
    if (!m) continue;
    used++;
    const h = hashIn(t, ptrAt(t, i));
    const home = homeOf(t, h);
    const d = i >= home ? i - home : i + t.n - home;
    if ((m & 0xff) != tagOf(h) || m >> 8 != min(d, SATURATED)) return -1;
    // every slot from home to i is in use, with distances that do not fall below ours
    for (let j = home, k: u32 = 0; j != i; j = nextSlot(t, j), k++) {
      const mj = metaAt(t, j);
      if (!mj || (mj >> 8) + (d - k) < d) return -1;
    }
  }
  return used;
}

export function verify(): i32 {
  const a = allocVerify();
  if (a) return a;
  let records: u32 = 0;
  let heads: u32 = 0;
  let inGroups: u32 = 0;
  let bytes: u64 = 0;
  let keyed: u32 = 0;
  let prev: usize = 0;
  for (let r = oldest; r; r = load<u32>(r, R_NEWER)) {
    if (usize(load<u32>(r, R_OLDER)) != prev) return 20;
    if (load<u32>(r) & F_FREE) return 21;
    const need = recBytes(r);
    if (sizeOf(r) < need) return 23;
    bytes += need;
    if (++records > count) return 24;
    // a record of a page or more with a short key has an exact key entry, and its slot says so
    if (recordHasKeyEntry(r)) {
      if (!keyEntryMatches(r)) return 40;
      keyed++;
    }
    prev = r;
    if (load<u32>(r, R_GNEWER)) continue;
    // a group head: its list, all with the same partial key
    heads++;
    let newer: usize = 0;
    for (let g = r; g; g = load<u32>(g, R_GOLDER)) {
      if (usize(load<u32>(g, R_GNEWER)) != newer) return 31;
      if (recPartialKeyLength(g) != recPartialKeyLength(r) || !bytesEqual(g + R_KEY, r + R_KEY, recPartialKeyLength(r)))
        return 32;
      if (++inGroups > count) return 33;
      newer = g;
    }
  }
  if (records != count || prev != newest) return 25;
  if (inGroups != count) return 34;
  if (verifyTable(sessions) != i32(count)) return 26;
  if (verifyTable(groups) != i32(heads)) return 27;
  // every group slot points at a group head
  for (let i: u32 = 0; i < groups.n; i++) if (metaAt(groups, i) && load<u32>(ptrAt(groups, i), R_GNEWER)) return 28;
  if (bytes != u64(bytesUsed)) return 39;
  // every session slot's key-entry flag is right, and no entry is left over from a record gone
  for (let i: u32 = 0; i < sessions.n; i++) {
    if (metaAt(sessions, i) && bool(flagsAt(sessions, i) & SLOT_HAS_KEY_ENTRY) != recordHasKeyEntry(ptrAt(sessions, i)))
      return 41;
  }
  let entries: u32 = 0;
  for (let ke = keyEntries; ke < keyEntriesEnd; ke += KE_BYTES) {
    if (load<u32>(ke, K_REC)) entries++;
  }
  if (entries != keyed) return 42;
  return 0;
}
