// Compaction: the rare fallback when the byte budget says a record fits but no free block is large
// enough (fragmentation). Every used block slides down to the start of the arena, references to it
// are repointed, and the space left behind is zeroed (it held copies of secrets) and becomes one
// free block. The arena has slack beyond the budget (see index.ts) so this seldom runs.
import { ageOnMove } from "./age";
import { alloc, allocRebuild, arenaLast, arenaStart } from "./alloc";
import { wipe } from "./bytes";
import { bump } from "./counters";
import { foldsOnMove } from "./folds";
import { groupOnMove, groupOnRecordMove } from "./groups";
import { FLAG_MASK, F_FREE, F_GROUP, S_COMPACTIONS } from "./layout";
import { tableOnMove } from "./table";

function compact(): void {
  bump(S_COMPACTIONS);
  let dst = arenaStart;
  let p = arenaStart;
  let usedEnd = arenaStart;
  while (p < arenaLast) {
    const info = load<u32>(p);
    const size = info & ~FLAG_MASK;
    if (!(info & F_FREE)) {
      if (p != dst) {
        memory.copy(dst, p, size);
        if (info & F_GROUP) {
          groupOnMove(p, dst);
        } else {
          tableOnMove(p, dst);
          ageOnMove(dst);
          groupOnRecordMove(dst);
          foldsOnMove(p, dst);
        }
      }
      store<u32>(dst, size | (info & F_GROUP)); // every block now has a used left neighbour
      dst += size;
      usedEnd = p + size;
    }
    p += size;
  }
  if (usedEnd > dst) wipe(dst, usedEnd - dst);
  allocRebuild(dst);
}

/** Allocate `size` bytes, compacting first if fragmentation leaves no block large enough. */
export function allocOrCompact(size: u32): usize {
  let b = alloc(size);
  if (!b) {
    compact();
    b = alloc(size);
  }
  return b;
}
