// The session index: (partial key, session id) -> record, through the slot table. The key of the
// current call is in scratch; the partial key's hash is kept across calls while it is unchanged.
import { bytesEqual } from "./bytes";
import { hashBytes } from "./hash";
import {
  PK_FROM_STRING, PK_LEN_MASK, R_HASH, R_KEY, R_LENS, R_PKINFO, SCRATCH_PK, SCRATCH_SID, TAG_GROUP,
} from "./layout";
import { home, next, probed, slotAt, slotFind, slotInsert, slotRemove, slotSet } from "./slots";

/** The partial key in scratch: length | PK_FROM_STRING, and its keyed hash. */
export let curPkInfo: u32 = 0;
export let curPkHash: u32 = 0;

/**
 * Make the partial key in scratch the current one. `pkArg` < 0 keeps the previous one (JS knows
 * it has not changed); otherwise its low 16 bits are the length and bit 16 says "from a string".
 */
export function setPartialKey(pkArg: i32): void {
  if (pkArg < 0) return;
  const len = u32(pkArg) & 0xffff;
  curPkInfo = len | (u32(pkArg) & 0x10000 ? PK_FROM_STRING : 0);
  curPkHash = hashBytes(SCRATCH_PK, len, 0);
}

@inline export function curPkLen(): u32 {
  return curPkInfo & PK_LEN_MASK;
}

/** The session slot tag of the current partial key with the session id in scratch. */
export function sessionTag(sidLen: u32): u32 {
  return hashBytes(SCRATCH_SID, sidLen, curPkHash) & ~TAG_GROUP;
}

/** Whether `rec`'s partial key is the current one. */
@inline export function samePartialKey(rec: usize): bool {
  const len = curPkInfo & PK_LEN_MASK;
  return (u32(load<u16>(rec, R_PKINFO)) & PK_LEN_MASK) == len && bytesEqual(rec + R_KEY, SCRATCH_PK, len);
}

/** The record whose key is the current partial key and the session id in scratch, or 0. */
export function findSession(tag: u32, sidLen: u32): usize {
  let i = home(tag);
  let d: u32 = 0;
  while (true) {
    const s = slotAt(i);
    if (!s) break;
    if (u32(s) == tag) {
      const rec = usize(s >> 32);
      if (
        load<u32>(rec, R_LENS) >> 24 == sidLen &&
        samePartialKey(rec) &&
        bytesEqual(rec + R_KEY + (curPkInfo & PK_LEN_MASK), SCRATCH_SID, sidLen)
      ) {
        probed(d);
        return rec;
      }
    }
    i = next(i);
    d++;
  }
  probed(d);
  return 0;
}

/** The slot of the current partial key's group (its newest record), or u32.MAX_VALUE. */
export function findGroupSlot(): u32 {
  const tag = curPkHash | TAG_GROUP;
  let i = home(tag);
  while (true) {
    const s = slotAt(i);
    if (!s) return u32.MAX_VALUE;
    if (u32(s) == tag && samePartialKey(usize(s >> 32))) return i;
    i = next(i);
  }
}

/** The group slot tag of a record's partial key (hashed from the record's own bytes). */
export function groupTagOf(rec: usize): u32 {
  return hashBytes(rec + R_KEY, u32(load<u16>(rec, R_PKINFO)) & PK_LEN_MASK, 0) | TAG_GROUP;
}

export function tableInsert(rec: usize): void {
  slotInsert(load<u32>(rec, R_HASH), rec);
}

export function tableRemove(rec: usize): void {
  slotRemove(slotFind(load<u32>(rec, R_HASH), rec));
}

/** Compaction moved a record (already copied to `to`): repoint its session slot. */
export function tableOnMove(from: usize, to: usize): void {
  const tag = load<u32>(to, R_HASH);
  slotSet(slotFind(tag, from), tag, to);
}
