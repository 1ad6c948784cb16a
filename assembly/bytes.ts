// Byte helpers that need no allocation.

/** Whether `n` bytes at `a` and `b` are equal (8 bytes at a time; addresses need no alignment). */
export function bytesEqual(a: usize, b: usize, n: u32): bool {
  while (n >= 8) {
    if (load<u64>(a) != load<u64>(b)) return false;
    a += 8;
    b += 8;
    n -= 8;
  }
  while (n) {
    if (load<u8>(a) != load<u8>(b)) return false;
    a++;
    b++;
    n--;
  }
  return true;
}

/** Zero `n` bytes at `p`: secrets must not outlive their record. */
export function wipe(p: usize, n: usize): void {
  memory.fill(p, 0, n);
}
