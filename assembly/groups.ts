// The partial-key index. Every distinct partial key ("host:port", a listener id, "") has one group
// record holding the key bytes once and a list of its sessions, newest first, so selectSession
// costs O(matching sessions). A group lives while it has sessions.
import { bytesEqual, wipe } from "./bytes";
import { hashBytes } from "./hash";
import {
  G_COUNT, G_HASH, G_HEAD, G_PK, G_PKLEN, R_GNEWER, R_GOLDER, R_GROUP, SCRATCH_PK,
} from "./layout";
import { slotAt, slotInsert, slotMove, slotRemove, slotFind } from "./slots";

export let gslots: usize = 0;
export let gmask: u32 = 0;

// The partial key of the current call, kept across calls: JS sends it only when it changed.
export let curPkLen: u32 = 0;
export let curPkFlags: u32 = 0;
export let curPkHash: u32 = 0;
/** The group of the current partial key, or 0 if it has none. Kept exact by create/remove/move. */
export let curGroup: usize = 0;

export function groupsInit(base: usize, mask: u32): void {
  gslots = base;
  gmask = mask;
  curGroup = 0;
  curPkLen = 0;
  curPkFlags = 0;
  curPkHash = hashBytes(SCRATCH_PK, 0, 0);
}

/**
 * Make the partial key in scratch the current one. `pkArg` < 0 keeps the previous one (JS knows
 * it has not changed); otherwise its low 16 bits are the length and bit 16 says "from a string".
 */
export function setPartialKey(pkArg: i32): void {
  if (pkArg < 0) return;
  curPkLen = u32(pkArg) & 0xffff;
  curPkFlags = u32(pkArg) >> 16;
  curPkHash = hashBytes(SCRATCH_PK, curPkLen, 0);
  curGroup = 0;
  let i = curPkHash & gmask;
  while (true) {
    const s = slotAt(gslots, i);
    if (!s) return;
    if (u32(s) == curPkHash) {
      const g = usize(s >> 32);
      if ((load<u32>(g, G_PKLEN) & 0xffff) == curPkLen && bytesEqual(g + G_PK, SCRATCH_PK, curPkLen)) {
        curGroup = g;
        return;
      }
    }
    i = (i + 1) & gmask;
  }
}

/** Turn the block `g` into the group of the current partial key. */
export function groupCreate(g: usize): void {
  store<u32>(g, curPkHash, G_HASH);
  store<u32>(g, 0, G_HEAD);
  store<u32>(g, 0, G_COUNT);
  store<u32>(g, curPkLen | (curPkFlags << 16), G_PKLEN);
  memory.copy(g + G_PK, SCRATCH_PK, curPkLen);
  slotInsert(gslots, gmask, curPkHash, g);
  curGroup = g;
}

/** Add a session record at the newest end of its group. */
export function groupAdd(g: usize, rec: usize): void {
  const head = load<u32>(g, G_HEAD);
  store<u32>(rec, g, R_GROUP);
  store<u32>(rec, 0, R_GNEWER);
  store<u32>(rec, head, R_GOLDER);
  if (head) store<u32>(head, rec, R_GNEWER);
  store<u32>(g, rec, G_HEAD);
  store<u32>(g, load<u32>(g, G_COUNT) + 1, G_COUNT);
}

/** Unlink a session record from its group; returns the sessions left in the group. */
export function groupUnlink(rec: usize): u32 {
  const g = load<u32>(rec, R_GROUP);
  const newer = load<u32>(rec, R_GNEWER);
  const older = load<u32>(rec, R_GOLDER);
  if (newer) store<u32>(newer, older, R_GOLDER);
  else store<u32>(g, older, G_HEAD);
  if (older) store<u32>(older, newer, R_GNEWER);
  const left = load<u32>(g, G_COUNT) - 1;
  store<u32>(g, left, G_COUNT);
  return left;
}

/** Take an empty group out of the index and wipe it; returns its partial key length. */
export function groupRemove(g: usize, blockBytes: u32): u32 {
  const pkLen = load<u32>(g, G_PKLEN) & 0xffff;
  slotRemove(gslots, gmask, slotFind(gslots, gmask, load<u32>(g, G_HASH), g));
  if (g == curGroup) curGroup = 0;
  wipe(g + 4, blockBytes - 4);
  return pkLen;
}

/** Compaction moved a group (already copied to `to`): repoint its slot and its sessions. */
export function groupOnMove(from: usize, to: usize): void {
  slotMove(gslots, gmask, load<u32>(to, G_HASH), from, to);
  for (let rec = load<u32>(to, G_HEAD); rec; rec = load<u32>(rec, R_GOLDER)) store<u32>(rec, to, R_GROUP);
  if (curGroup == from) curGroup = to;
}

/** Compaction moved a session record: repoint its group-list neighbours. */
export function groupOnRecordMove(to: usize): void {
  const newer = load<u32>(to, R_GNEWER);
  const older = load<u32>(to, R_GOLDER);
  if (newer) store<u32>(newer, to, R_GOLDER);
  else store<u32>(load<u32>(to, R_GROUP), to, G_HEAD);
  if (older) store<u32>(older, to, R_GNEWER);
}
