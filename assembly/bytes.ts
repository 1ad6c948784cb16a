// Byte helpers that need no allocation.

/**
 * Whether `n` bytes at `a` and `b` are equal, 8 bytes at a time. The last partial word is read
 * whole and masked, so up to 7 bytes past each end are read: scratch areas are padded and every
 * record is followed by another block or the arena's sentinel.
 */
export function bytesEqual(a: usize, b: usize, n: u32): bool {
  while (n >= 8) {
    if (load<u64>(a) != load<u64>(b)) return false;
    a += 8;
    b += 8;
    n -= 8;
  }
  if (!n) return true;
  return ((load<u64>(a) ^ load<u64>(b)) & ((u64(1) << (u64(n) << 3)) - 1)) == 0;
}

/** Zero `n` bytes at `p`: secrets must not outlive their record. */
export function wipe(p: usize, n: usize): void {
  memory.fill(p, 0, n);
}
