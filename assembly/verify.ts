// A full consistency check of the core, called by the tests after every operation of the
// differential test. Returns 0, or a rule number (1-12 allocator, 20+ indexes, see below).
import { newest, oldest } from "./age";
import { allocVerify, arenaLast, arenaStart, sizeOf } from "./alloc";
import { bytesUsed, count } from "./cache";
import { curGroup, curPkHash, gmask, gslots } from "./groups";
import {
  FLAG_MASK, F_FREE, F_GROUP, G_COUNT, G_HASH, G_HEAD, G_PKLEN, R_GNEWER, R_GOLDER, R_GROUP, R_HASH,
  R_LENS, R_NEWER, R_OLDER, groupBytes, recordBytes,
} from "./layout";
import { slotAt } from "./slots";
import { mask, slots } from "./table";

/** Whether `ptr` sits in a slot reachable from its home (no empty slot on the way). */
function indexed(base: usize, m: u32, hash: u32, ptr: usize): bool {
  let i = hash & m;
  for (let n: u32 = 0; n <= m; n++) {
    const s = slotAt(base, i);
    if (!s) return false;
    if (u32(s) == hash && usize(s >> 32) == ptr) return true;
    i = (i + 1) & m;
  }
  return false;
}

function occupied(base: usize, m: u32): u32 {
  let n: u32 = 0;
  for (let i: u32 = 0; i <= m; i++) if (slotAt(base, i)) n++;
  return n;
}

export function verify(): i32 {
  const a = allocVerify();
  if (a) return a;
  // age list: links, count, every record indexed
  let n: u32 = 0;
  let bytes: u64 = 0;
  let prev: usize = 0;
  for (let r = oldest; r; r = load<u32>(r, R_NEWER)) {
    if (usize(load<u32>(r, R_OLDER)) != prev) return 20;
    if (load<u32>(r) & (F_FREE | F_GROUP)) return 21;
    if (!indexed(slots, mask, load<u32>(r, R_HASH), r)) return 22;
    const lens = load<u32>(r, R_LENS);
    if (sizeOf(r) < recordBytes(lens >> 24, lens & 0xffffff)) return 23;
    bytes += recordBytes(lens >> 24, lens & 0xffffff);
    if (++n > count) return 24;
    prev = r;
  }
  if (n != count || prev != newest) return 25;
  if (occupied(slots, mask) != count) return 26;
  // groups: found by walking the arena; each indexed, its list consistent and non-empty
  let groups: u32 = 0;
  let members: u32 = 0;
  let curFound = false;
  for (let p = arenaStart; p < arenaLast; p += load<u32>(p) & ~FLAG_MASK) {
    const info = load<u32>(p);
    if (info & F_FREE || !(info & F_GROUP)) continue;
    groups++;
    if (!indexed(gslots, gmask, load<u32>(p, G_HASH), p)) return 30;
    const c = load<u32>(p, G_COUNT);
    if (!c) return 31;
    let k: u32 = 0;
    let newer: usize = 0;
    for (let r = load<u32>(p, G_HEAD); r; r = load<u32>(r, R_GOLDER)) {
      if (usize(load<u32>(r, R_GROUP)) != p || usize(load<u32>(r, R_GNEWER)) != newer) return 32;
      if (++k > c) return 33;
      newer = r;
    }
    if (k != c) return 34;
    members += c;
    bytes += groupBytes(load<u32>(p, G_PKLEN) & 0xffff);
    if (p == curGroup) curFound = true;
    if (p == curGroup && load<u32>(p, G_HASH) != curPkHash) return 35;
  }
  if (members != count) return 36;
  if (occupied(gslots, gmask) != groups) return 37;
  if (curGroup && !curFound) return 38;
  if (bytes != u64(bytesUsed)) return 39;
  return 0;
}
