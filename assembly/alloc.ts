// Two-level segregated-fit allocator (TLSF) over the arena: O(1) allocate and free, blocks of
// exactly the requested size rounded to 8 bytes, immediate coalescing of free neighbours.
// So a 150 B session and an 8 KB one are both stored within a few bytes of their size, and memory
// freed by one size is reusable by any other (no per-size-class calcification).
//
// Block: u32 info (size | flags) at offset 0. A free block also holds its free-list links at 4
// and 8 and its own address in its last 4 bytes (the footer), so the block to its right can
// find it to coalesce. A used block's bytes after the info word belong to its owner.
// A used 8-byte sentinel closes the arena so every block has a right neighbour.
import { B_INFO, FLAG_MASK, F_FREE, F_LEFT_FREE, MIN_BLOCK, TLSF } from "./layout";

const SL_BITS: u32 = 4;
const SL_COUNT: u32 = 1 << SL_BITS;
/** Sizes below this are mapped linearly (8-byte steps) into first level 0. */
const SMALL: u32 = 1 << (SL_BITS + 3);
const FL_COUNT: u32 = 32 - (SL_BITS + 3) + 1;

const FL_BITMAP: usize = TLSF; // u32: which first levels have a non-empty list
const SL_BITMAPS: usize = TLSF + 4; // u32 per first level
const HEADS: usize = SL_BITMAPS + FL_COUNT * 4; // u32 per (first, second) level
export const TLSF_END: usize = HEADS + FL_COUNT * SL_COUNT * 4;

const F_PREV: usize = 4;
const F_NEXT: usize = 8;

export let arenaStart: usize = 0;
/** The sentinel block: the end of usable space. */
export let arenaLast: usize = 0;
/** End of the highest block ever handed out: everything above it is untouched and zero. */
export let highWater: usize = 0;

@inline function blockSize(b: usize): u32 {
  return load<u32>(b, B_INFO) & ~FLAG_MASK;
}

@inline function flOf(size: u32): u32 {
  return size < SMALL ? 0 : 31 - clz<u32>(size) - (SL_BITS + 3) + 1;
}

@inline function slOf(size: u32): u32 {
  return size < SMALL ? size >> 3 : (size >> (31 - clz<u32>(size) - SL_BITS)) ^ SL_COUNT;
}

@inline function headAddr(fl: u32, sl: u32): usize {
  return HEADS + ((fl << SL_BITS) + sl) * 4;
}

function insertFree(b: usize): void {
  const size = blockSize(b);
  const fl = flOf(size);
  const sl = slOf(size);
  const h = headAddr(fl, sl);
  const first = load<u32>(h);
  store<u32>(b, 0, F_PREV);
  store<u32>(b, first, F_NEXT);
  if (first) store<u32>(first, b, F_PREV);
  store<u32>(h, b);
  store<u32>(FL_BITMAP, load<u32>(FL_BITMAP) | (1 << fl));
  const slm = SL_BITMAPS + fl * 4;
  store<u32>(slm, load<u32>(slm) | (1 << sl));
  store<u32>(b + size - 4, b); // footer
  const right = b + size;
  store<u32>(right, load<u32>(right) | F_LEFT_FREE);
}

function removeFree(b: usize): void {
  const size = blockSize(b);
  const prev = load<u32>(b, F_PREV);
  const next = load<u32>(b, F_NEXT);
  if (next) store<u32>(next, prev, F_PREV);
  if (prev) {
    store<u32>(prev, next, F_NEXT);
  } else {
    const fl = flOf(size);
    const sl = slOf(size);
    store<u32>(headAddr(fl, sl), next);
    if (!next) {
      const slm = SL_BITMAPS + fl * 4;
      const bits = load<u32>(slm) & ~(1 << sl);
      store<u32>(slm, bits);
      if (!bits) store<u32>(FL_BITMAP, load<u32>(FL_BITMAP) & ~(1 << fl));
    }
  }
}

/** A free block of at least `size` bytes, or 0. */
function findFree(size: u32): usize {
  // Round the request up to the next list boundary: every block there is large enough.
  let rounded = size;
  if (size >= SMALL) rounded += (1 << (31 - clz<u32>(size) - SL_BITS)) - 1;
  let fl = flOf(rounded);
  const sl = slOf(rounded);
  if (fl < FL_COUNT) {
    let bits = load<u32>(SL_BITMAPS + fl * 4) & ((<u32>0xffffffff) << sl);
    if (!bits) {
      const fls = load<u32>(FL_BITMAP) & (fl + 1 < 32 ? (<u32>0xffffffff) << (fl + 1) : 0);
      if (fls) {
        fl = ctz<u32>(fls);
        bits = load<u32>(SL_BITMAPS + fl * 4);
      }
    }
    if (bits) return load<u32>(headAddr(fl, ctz<u32>(bits)));
  }
  // Good fit failed: the exact list may still hold a block that fits (first fit within it).
  let b = load<u32>(headAddr(flOf(size), slOf(size)));
  while (b) {
    if (blockSize(b) >= size) return b;
    b = load<u32>(b, F_NEXT);
  }
  return 0;
}

/** Manage [start, last) as an empty arena; `last` (8 bytes) becomes the sentinel. */
export function allocReset(start: usize, last: usize): void {
  arenaStart = start;
  arenaLast = last;
  allocRebuild(start);
}

/**
 * Forget every free block and make [from, arenaLast) the only one: after compaction packed
 * every used block below `from`. The arena's slack keeps that space at least MIN_BLOCK long.
 */
export function allocRebuild(from: usize): void {
  memory.fill(TLSF, 0, TLSF_END - TLSF);
  store<u32>(arenaLast, 0); // sentinel: size 0, used
  store<u32>(from, u32(arenaLast - from) | F_FREE);
  insertFree(from);
  highWater = from;
}

/** Allocate a block of `size` bytes (a multiple of 8, at least 16). Returns 0 when nothing fits. */
export function alloc(size: u32): usize {
  const b = findFree(size);
  if (!b) return 0;
  removeFree(b);
  const have = blockSize(b);
  const leftFlag = load<u32>(b) & F_LEFT_FREE;
  let used = have;
  if (have - size >= MIN_BLOCK) {
    used = size;
    store<u32>(b + size, (have - size) | F_FREE);
    insertFree(b + size);
  } else {
    const right = b + have;
    store<u32>(right, load<u32>(right) & ~F_LEFT_FREE);
  }
  store<u32>(b, used | leftFlag);
  const end = b + used;
  if (end > highWater) highWater = end;
  return b;
}

/** Return a used block to the free lists, merging it with free neighbours. */
export function free(b: usize): void {
  let size = blockSize(b);
  const right = b + size;
  const rightInfo = load<u32>(right);
  if (rightInfo & F_FREE) {
    removeFree(right);
    size += rightInfo & ~FLAG_MASK;
  }
  if (load<u32>(b) & F_LEFT_FREE) {
    const left = load<u32>(b - 4);
    removeFree(left);
    size += blockSize(left);
    b = left;
  }
  store<u32>(b, size | F_FREE); // a block left of a free block is never free: no F_LEFT_FREE
  insertFree(b);
}

/** Size in bytes of a block, flags removed. */
export function sizeOf(b: usize): u32 {
  return blockSize(b);
}

/**
 * Check the allocator's invariants (for tests): every block's size and flags, footers, and that
 * the free lists and bitmaps hold exactly the free blocks. Returns 0, or the number of the first
 * broken rule.
 */
export function allocVerify(): i32 {
  let p = arenaStart;
  let prevFree = false;
  let freeBlocks: u32 = 0;
  while (p < arenaLast) {
    const info = load<u32>(p);
    const size = blockSize(p);
    if (size < MIN_BLOCK || size & 7 || p + size > arenaLast) return 1;
    if (bool(info & F_LEFT_FREE) != prevFree) return 2;
    const isFree = bool(info & F_FREE);
    if (isFree) {
      if (prevFree) return 3; // two free neighbours were not merged
      if (usize(load<u32>(p + size - 4)) != p) return 4;
      freeBlocks++;
    }
    prevFree = isFree;
    p += size;
  }
  if (p != arenaLast || blockSize(arenaLast) != 0) return 5;
  if (bool(load<u32>(arenaLast) & F_LEFT_FREE) != prevFree) return 6;
  let listed: u32 = 0;
  for (let fl: u32 = 0; fl < FL_COUNT; fl++) {
    const slBits = load<u32>(SL_BITMAPS + fl * 4);
    if (bool(slBits) != bool(load<u32>(FL_BITMAP) & (1 << fl))) return 7;
    for (let sl: u32 = 0; sl < SL_COUNT; sl++) {
      let b = load<u32>(headAddr(fl, sl));
      if (bool(b) != bool(slBits & (1 << sl))) return 8;
      let prev: usize = 0;
      while (b) {
        if (!(load<u32>(b) & F_FREE) || flOf(blockSize(b)) != fl || slOf(blockSize(b)) != sl) return 9;
        if (usize(load<u32>(b, F_PREV)) != prev) return 10;
        if (++listed > freeBlocks) return 11;
        prev = b;
        b = load<u32>(b, F_NEXT);
      }
    }
  }
  return listed == freeBlocks ? 0 : 12;
}
