// The partial-key index: the records of one partial key ("host:port", a listener id, "") form a
// list, newest first, whose head a group slot in the slot table points at. selectSession walks
// it: O(matching sessions). A group exists while it has records; it costs one slot, no record.
import { R_GNEWER, R_GOLDER, TAG_GROUP } from "./layout";
import { slotAt, slotFind, slotInsert, slotRemove, slotSet } from "./slots";
import { curPkHash, findGroupSlot, groupTagOf } from "./table";

/** Make `rec` (whose partial key is the current one) the newest of its group. */
export function groupAdd(rec: usize): void {
  store<u32>(rec, 0, R_GNEWER);
  const i = findGroupSlot();
  const tag = curPkHash | TAG_GROUP;
  if (i == u32.MAX_VALUE) {
    store<u32>(rec, 0, R_GOLDER);
    slotInsert(tag, rec);
    return;
  }
  const head = usize(slotAt(i) >> 32);
  store<u32>(rec, head, R_GOLDER);
  store<u32>(head, rec, R_GNEWER);
  slotSet(i, tag, rec);
}

/** Take `rec` out of its group; the group's slot goes when its last record does. */
export function groupUnlink(rec: usize): void {
  const newer = load<u32>(rec, R_GNEWER);
  const older = load<u32>(rec, R_GOLDER);
  if (older) store<u32>(older, newer, R_GNEWER);
  if (newer) {
    store<u32>(newer, older, R_GOLDER);
    return;
  }
  const tag = groupTagOf(rec);
  const i = slotFind(tag, rec);
  if (older) slotSet(i, tag, older);
  else slotRemove(i);
}

/** Compaction moved a record (already copied to `to`): repoint its group neighbours or slot. */
export function groupOnMove(from: usize, to: usize): void {
  const newer = load<u32>(to, R_GNEWER);
  const older = load<u32>(to, R_GOLDER);
  if (older) store<u32>(older, to, R_GNEWER);
  if (newer) {
    store<u32>(newer, to, R_GOLDER);
  } else {
    const tag = groupTagOf(to);
    slotSet(slotFind(tag, from), tag, to);
  }
}
