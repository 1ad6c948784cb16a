// The age list: every session record, oldest to newest. Eviction and expiry take from the old end;
// an insert or a replacement appends at the new end.
import { R_NEWER, R_OLDER } from "./layout";

export let oldest: usize = 0;
export let newest: usize = 0;

export function ageAppend(rec: usize): void {
  store<u32>(rec, newest, R_OLDER);
  store<u32>(rec, 0, R_NEWER);
  if (newest) store<u32>(newest, rec, R_NEWER);
  else oldest = rec;
  newest = rec;
}

export function ageUnlink(rec: usize): void {
  const older = load<u32>(rec, R_OLDER);
  const newer = load<u32>(rec, R_NEWER);
  if (older) store<u32>(older, newer, R_NEWER);
  else oldest = newer;
  if (newer) store<u32>(newer, older, R_OLDER);
  else newest = older;
}

/** Compaction moved a record (already copied to `to`): repoint its neighbours. */
export function ageOnMove(to: usize): void {
  const older = load<u32>(to, R_OLDER);
  const newer = load<u32>(to, R_NEWER);
  if (older) store<u32>(older, to, R_NEWER);
  else oldest = to;
  if (newer) store<u32>(newer, to, R_OLDER);
  else newest = to;
}
