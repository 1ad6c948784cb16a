// The partial-key index: the records of one partial key ("host:port", a listener id, "") form a
// list, newest first, whose head the group table points at. selectSession walks it: O(matching
// sessions). A group exists while it has records; it costs one slot, no record of its own.
import { R_GNEWER, R_GOLDER } from "./layout";
import { ptrAt, setPtr } from "./slots";
import { findGroupSlot, groupSlotInsert, groupSlotRemove, groupSlotRepoint, groups } from "./table";

/** Make `rec` (whose partial key is the current one) the newest of its group. */
export function groupAdd(rec: usize): void {
  store<u32>(rec, 0, R_GNEWER);
  const i = findGroupSlot();
  if (i == u32.MAX_VALUE) {
    store<u32>(rec, 0, R_GOLDER);
    groupSlotInsert(rec);
    return;
  }
  const head = ptrAt(groups, i);
  store<u32>(rec, head, R_GOLDER);
  store<u32>(head, rec, R_GNEWER);
  setPtr(groups, i, rec);
}

/** Take `rec` out of its group; the group's slot goes when its last record does. */
export function groupUnlink(rec: usize): void {
  const newer = load<u32>(rec, R_GNEWER);
  const older = load<u32>(rec, R_GOLDER);
  if (older) store<u32>(older, newer, R_GNEWER);
  if (newer) store<u32>(newer, older, R_GOLDER);
  else if (older) groupSlotRepoint(rec, rec, older);
  else groupSlotRemove(rec);
}

/** Compaction moved a record (already copied to `to`): repoint its group neighbours or slot. */
export function groupOnMove(from: usize, to: usize): void {
  const newer = load<u32>(to, R_GNEWER);
  const older = load<u32>(to, R_GOLDER);
  if (older) store<u32>(older, to, R_GNEWER);
  if (newer) store<u32>(newer, to, R_GOLDER);
  else groupSlotRepoint(to, from, to);
}
