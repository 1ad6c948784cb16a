// Cursors of the foldl calls under way. A fold visits the records that were present when it began,
// oldest first, and stays valid whatever the fold's callback does to the cache: removing a record
// advances any cursor resting on it, and records added later lie beyond the fold's last record.
import { FOLDS, FOLD_BYTES, MAX_FOLDS, NO_FOLD, R_NEWER } from "./layout";

const CURSOR: usize = 0; // next record to visit
const LAST: usize = 4; // last record to visit
const DONE: usize = 8;
const USED: usize = 12;

let active: u32 = 0;

@inline function at(f: u32): usize {
  return FOLDS + usize(f) * FOLD_BYTES;
}

/** Start a fold over [oldest, newest]; returns its index, or NO_FOLD when MAX_FOLDS are under way. */
export function foldOpen(oldest: usize, newest: usize): i32 {
  for (let f: u32 = 0; f < MAX_FOLDS; f++) {
    const a = at(f);
    if (!load<u32>(a, USED)) {
      store<u32>(a, oldest, CURSOR);
      store<u32>(a, newest, LAST);
      store<u32>(a, oldest ? 0 : 1, DONE);
      store<u32>(a, 1, USED);
      active++;
      return i32(f);
    }
  }
  return NO_FOLD;
}

export function foldClose(f: u32): void {
  if (f >= MAX_FOLDS) return;
  const a = at(f);
  if (load<u32>(a, USED)) {
    store<u32>(a, 0, USED);
    active--;
  }
}

/** The next record of fold `f` (advancing past it), or 0 when the fold is over. */
export function foldStep(f: u32): usize {
  if (f >= MAX_FOLDS) return 0;
  const a = at(f);
  if (!load<u32>(a, USED) || load<u32>(a, DONE)) return 0;
  const rec = load<u32>(a, CURSOR);
  if (rec == load<u32>(a, LAST)) store<u32>(a, 1, DONE);
  else store<u32>(a, load<u32>(rec, R_NEWER), CURSOR);
  return rec;
}

/** `rec` (with age neighbour `older`) is leaving the cache. */
export function foldsOnRemove(rec: usize, older: usize, newer: usize): void {
  if (!active) return;
  for (let f: u32 = 0; f < MAX_FOLDS; f++) {
    const a = at(f);
    if (!load<u32>(a, USED) || load<u32>(a, DONE)) continue;
    const cursor = load<u32>(a, CURSOR);
    if (rec == load<u32>(a, LAST)) {
      // nothing after rec is visited; if rec was also next, the fold is over
      if (rec == cursor) store<u32>(a, 1, DONE);
      else store<u32>(a, older, LAST);
    } else if (rec == cursor) {
      store<u32>(a, newer, CURSOR);
    }
  }
}

/** Compaction moved a record from `from` to `to`. */
export function foldsOnMove(from: usize, to: usize): void {
  if (!active) return;
  for (let f: u32 = 0; f < MAX_FOLDS; f++) {
    const a = at(f);
    if (!load<u32>(a, USED)) continue;
    if (usize(load<u32>(a, CURSOR)) == from) store<u32>(a, to, CURSOR);
    if (usize(load<u32>(a, LAST)) == from) store<u32>(a, to, LAST);
  }
}
