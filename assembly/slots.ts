// The slot table: open addressing with linear probing and backward-shift deletion (no tombstones,
// so probe lengths do not degrade under churn). Any table size: the home slot of a tag is
// fastrange(tag, n) = (tag * n) >> 32, so the table need not be a power of two.
// A slot is a u64: low 32 bits the tag, high 32 bits the record's address; 0 means empty.
// Matching a key is the caller's job (table.ts).

export let base: usize = 0;
export let n: u32 = 0;
/** Longest probe sequence seen (slots stepped past the home slot), by a lookup or an insert. */
export let longestProbe: u32 = 0;

export function slotsInit(at: usize, count: u32): void {
  base = at;
  n = count;
  longestProbe = 0;
}

@inline export function home(tag: u32): u32 {
  return u32((u64(tag) * u64(n)) >> 32);
}

@inline export function next(i: u32): u32 {
  return i + 1 == n ? 0 : i + 1;
}

@inline export function slotAt(i: u32): u64 {
  return load<u64>(base + (usize(i) << 3));
}

@inline export function slotSet(i: u32, tag: u32, ptr: usize): void {
  store<u64>(base + (usize(i) << 3), u64(tag) | (u64(ptr) << 32));
}

/** Note a probe of length `d`. */
@inline export function probed(d: u32): void {
  if (d > longestProbe) longestProbe = d;
}

/** Insert (tag, ptr) in the first empty slot from its home. The table is never full. */
export function slotInsert(tag: u32, ptr: usize): void {
  let i = home(tag);
  let d: u32 = 0;
  while (slotAt(i)) {
    i = next(i);
    d++;
  }
  slotSet(i, tag, ptr);
  probed(d);
}

/** Index of the slot holding (tag, ptr), which must be present. */
export function slotFind(tag: u32, ptr: usize): u32 {
  const want = u64(tag) | (u64(ptr) << 32);
  let i = home(tag);
  while (slotAt(i) != want) i = next(i);
  return i;
}

@inline function distance(from: u32, to: u32): u32 {
  return to >= from ? to - from : to + n - from;
}

/** Empty slot `i`, shifting later members of its cluster back so lookups never stop early. */
export function slotRemove(i: u32): void {
  let j = i;
  while (true) {
    j = next(j);
    const s = slotAt(j);
    if (!s) break;
    // move s into the hole if the hole lies on s's probe path (between its home and j)
    if (distance(home(u32(s)), j) >= distance(i, j)) {
      store<u64>(base + (usize(i) << 3), s);
      i = j;
    }
  }
  store<u64>(base + (usize(i) << 3), 0);
}
