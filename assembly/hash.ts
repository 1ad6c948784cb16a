// Keyed hash for attacker-chosen session ids.
//
// NH (the universal hash inside UMAC): each 8-byte chunk (a, b) adds (a + k1) * (b + k2) as a
// 64-bit product. With secret random key words, two distinct inputs of equal length collide with
// probability at most 2^-32, whatever the inputs, so a client cannot build probe chains without
// knowing the per-cache key. The sum is finished with a keyed xor and a 64-bit mixer so every
// output bit depends on every input bit (the table uses the low bits for the home slot).
// Chosen over SipHash-1-3, which costs about three times as much for a 32-byte id.
import { HASH_KEY, HASH_KEY_BYTES } from "./layout";

/** Offset in the key area of the 64-bit finalisation key (after the NH words for 512 B). */
const FINAL_KEY: usize = HASH_KEY + HASH_KEY_BYTES - 16;
const LENGTH_KEY: usize = HASH_KEY + HASH_KEY_BYTES - 8;

/**
 * Hash `len` bytes at `p` (len <= 512), seeded with `seed`. Reads up to 7 bytes past the end
 * (masked off), so callers keep an 8-byte pad after every hashed buffer.
 */
export function hashBytes(p: usize, len: u32, seed: u32): u32 {
  let acc: u64 = (u64(seed) << 32) ^ (u64(len) * load<u64>(LENGTH_KEY));
  let k = HASH_KEY;
  const end = p + (len & ~7);
  while (p < end) {
    const a = load<u32>(p) + load<u32>(k);
    const b = load<u32>(p, 4) + load<u32>(k, 4);
    acc += u64(a) * u64(b);
    p += 8;
    k += 8;
  }
  const rem = len & 7;
  if (rem) {
    const w = load<u64>(p) & ((u64(1) << (u64(rem) << 3)) - 1);
    const a = u32(w) + load<u32>(k);
    const b = u32(w >> 32) + load<u32>(k, 4);
    acc += u64(a) * u64(b);
  }
  acc ^= load<u64>(FINAL_KEY);
  // murmur3 fmix64: a bijection, so it keeps NH's collision bound on the full 64 bits
  acc ^= acc >> 33;
  acc *= 0xff51afd7ed558ccd;
  acc ^= acc >> 33;
  acc *= 0xc4ceb9fe1a85ec53;
  acc ^= acc >> 33;
  return u32(acc) ^ u32(acc >> 32);
}
