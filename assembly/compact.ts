// Compaction: the rare fallback when the byte budget says a record fits but no free block is large
// enough (fragmentation). Every record slides down to the start of the arena, references to it are
// repointed, and the space left behind is zeroed (it held copies of secrets) and becomes one free
// block. The arena has slack beyond the budget (see index.ts) so this seldom runs.
import { ageOnMove } from "./age";
import { alloc, allocRebuild, arenaLast, arenaStart } from "./alloc";
import { wipe } from "./bytes";
import { bump } from "./counters";
import { foldsOnMove } from "./folds";
import { groupOnMove } from "./groups";
import { keyEntryOnMove } from "./key-entries";
import { FLAG_MASK, F_FREE, S_COMPACTIONS } from "./layout";
import { tableOnMove } from "./table";

function compact(): void {
  bump(S_COMPACTIONS);
  let dst = arenaStart;
  let p = arenaStart;
  let usedEnd = arenaStart;
  while (p < arenaLast) {
    const size = load<u32>(p) & ~FLAG_MASK;
    if (!(load<u32>(p) & F_FREE)) {
      if (p != dst) {
        memory.copy(dst, p, size);
        tableOnMove(p, dst);
        keyEntryOnMove(p, dst);
        ageOnMove(dst);
        groupOnMove(p, dst);
        foldsOnMove(p, dst);
      }
      store<u32>(dst, size); // used, and its left neighbour is used too
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
