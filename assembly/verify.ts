// A full consistency check of the core, called by the tests after every operation of the
// differential test. Returns 0, or a rule number (1-12 allocator, 20+ indexes, see below).
import { newest, oldest } from "./age";
import { allocVerify, sizeOf } from "./alloc";
import { bytesEqual } from "./bytes";
import { bytesUsed, count } from "./cache";
import {
  F_FREE, PK_LEN_MASK, R_GNEWER, R_GOLDER, R_HASH, R_KEY, R_LENS, R_NEWER, R_OLDER, R_PKINFO,
  TAG_GROUP, recordBytes,
} from "./layout";
import { home, n, next, slotAt } from "./slots";
import { groupTagOf } from "./table";

/** Whether (tag, ptr) sits in a slot reachable from its home (no empty slot on the way). */
function indexed(tag: u32, ptr: usize): bool {
  let i = home(tag);
  for (let k: u32 = 0; k < n; k++) {
    const s = slotAt(i);
    if (!s) return false;
    if (u32(s) == tag && usize(s >> 32) == ptr) return true;
    i = next(i);
  }
  return false;
}

@inline function pkLenOf(rec: usize): u32 {
  return u32(load<u16>(rec, R_PKINFO)) & PK_LEN_MASK;
}

export function verify(): i32 {
  const a = allocVerify();
  if (a) return a;
  let records: u32 = 0;
  let heads: u32 = 0;
  let inGroups: u32 = 0;
  let bytes: u64 = 0;
  let prev: usize = 0;
  for (let r = oldest; r; r = load<u32>(r, R_NEWER)) {
    if (usize(load<u32>(r, R_OLDER)) != prev) return 20;
    if (load<u32>(r) & F_FREE) return 21;
    if (load<u32>(r, R_HASH) & TAG_GROUP || !indexed(load<u32>(r, R_HASH), r)) return 22;
    const lens = load<u32>(r, R_LENS);
    const need = recordBytes(pkLenOf(r), lens >> 24, lens & 0xffffff);
    if (sizeOf(r) < need) return 23;
    bytes += need;
    if (++records > count) return 24;
    prev = r;
    if (load<u32>(r, R_GNEWER)) continue;
    // a group head: its slot, then its list, all with the same partial key
    heads++;
    if (!indexed(groupTagOf(r), r)) return 30;
    let newer: usize = 0;
    for (let g = r; g; g = load<u32>(g, R_GOLDER)) {
      if (usize(load<u32>(g, R_GNEWER)) != newer) return 31;
      if (pkLenOf(g) != pkLenOf(r) || !bytesEqual(g + R_KEY, r + R_KEY, pkLenOf(r))) return 32;
      if (++inGroups > count) return 33;
      newer = g;
    }
  }
  if (records != count || prev != newest) return 25;
  if (inGroups != count) return 34;
  let occupied: u32 = 0;
  for (let i: u32 = 0; i < n; i++) if (slotAt(i)) occupied++;
  if (occupied != count + heads) return 26;
  if (bytes != u64(bytesUsed)) return 39;
  return 0;
}
