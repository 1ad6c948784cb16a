// Open-addressing slot tables with linear probing and backward-shift deletion (no tombstones, so
// probe lengths do not degrade under churn). A slot is a u64: low 32 bits the record's hash (its
// home slot is hash & mask), high 32 bits the record's address; 0 means empty.
// Two tables use this: session records and group records. Matching a key is the caller's job.

@inline export function slotAt(base: usize, i: u32): u64 {
  return load<u64>(base + (usize(i) << 3));
}

@inline export function slotPack(hash: u32, ptr: usize): u64 {
  return u64(hash) | (u64(ptr) << 32);
}

/** Insert (hash, ptr); returns the probe length (0 = home slot). The table is never full. */
export function slotInsert(base: usize, mask: u32, hash: u32, ptr: usize): u32 {
  let i = hash & mask;
  let d: u32 = 0;
  while (load<u64>(base + (usize(i) << 3))) {
    i = (i + 1) & mask;
    d++;
  }
  store<u64>(base + (usize(i) << 3), slotPack(hash, ptr));
  return d;
}

/** Index of the slot holding `ptr` (which must be present). */
export function slotFind(base: usize, mask: u32, hash: u32, ptr: usize): u32 {
  const want = slotPack(hash, ptr);
  let i = hash & mask;
  while (load<u64>(base + (usize(i) << 3)) != want) i = (i + 1) & mask;
  return i;
}

/** Empty slot `i`, shifting later members of its cluster back so lookups never stop early. */
export function slotRemove(base: usize, mask: u32, i: u32): void {
  let j = i;
  while (true) {
    j = (j + 1) & mask;
    const s = load<u64>(base + (usize(j) << 3));
    if (!s) break;
    const home = u32(s) & mask;
    // move s into the hole if the hole lies on s's probe path (between home and j, cyclically)
    if (((j - home) & mask) >= ((j - i) & mask)) {
      store<u64>(base + (usize(i) << 3), s);
      i = j;
    }
  }
  store<u64>(base + (usize(i) << 3), 0);
}

/** Point the slot of a moved record at its new address. */
export function slotMove(base: usize, mask: u32, hash: u32, from: usize, to: usize): void {
  const i = slotFind(base, mask, hash, from);
  store<u64>(base + (usize(i) << 3), slotPack(hash, to));
}
