// The session index: (group, session id) -> session record, in an open-addressing slot table.
import { bytesEqual } from "./bytes";
import { R_GROUP, R_HASH, R_LENS, R_SID, SCRATCH_SID } from "./layout";
import { slotAt, slotFind, slotInsert, slotMove, slotRemove } from "./slots";

export let slots: usize = 0;
export let mask: u32 = 0;
/** Longest probe sequence seen (slots stepped past the home slot), by a lookup or an insert. */
export let longestProbe: u32 = 0;

export function tableInit(base: usize, slotMask: u32): void {
  slots = base;
  mask = slotMask;
  longestProbe = 0;
}

/** The record of group `g` whose session id (in scratch, `sidLen` bytes, hash `h`) matches, or 0. */
export function tableFind(g: usize, h: u32, sidLen: u32): usize {
  let i = h & mask;
  let d: u32 = 0;
  while (true) {
    const s = slotAt(slots, i);
    if (!s) break;
    if (u32(s) == h) {
      const rec = usize(s >> 32);
      if (
        usize(load<u32>(rec, R_GROUP)) == g &&
        load<u32>(rec, R_LENS) >> 24 == sidLen &&
        bytesEqual(rec + R_SID, SCRATCH_SID, sidLen)
      ) {
        if (d > longestProbe) longestProbe = d;
        return rec;
      }
    }
    i = (i + 1) & mask;
    d++;
  }
  if (d > longestProbe) longestProbe = d;
  return 0;
}

export function tableInsert(rec: usize): void {
  const d = slotInsert(slots, mask, load<u32>(rec, R_HASH), rec);
  if (d > longestProbe) longestProbe = d;
}

export function tableRemove(rec: usize): void {
  const h = load<u32>(rec, R_HASH);
  slotRemove(slots, mask, slotFind(slots, mask, h, rec));
}

export function tableOnMove(from: usize, to: usize): void {
  slotMove(slots, mask, load<u32>(to, R_HASH), from, to);
}
