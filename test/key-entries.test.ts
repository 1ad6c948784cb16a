// Key entries (assembly/key-entries.ts): a record of a page or more keeps a copy of its key in a
// packed area, and lookupView checks the key there without reading the record. The copy must
// change no answer, follow the record through replacement, expiry and compaction, and be wiped
// with it. Its presence is seen from outside as a second copy of the session id in memory.
import { describe, expect, test } from 'vitest';
import { createSessionCache, type SessionCache } from '../src/index.js';
import { bytes, key, linearMemory, manualClock, verifyCore } from './helpers.js';

const LARGE = 4000; // with a 32-byte id and a short partial key: a 4096-byte record, a page
const SMALL = 160;
// small caches: the tests scan the whole linear memory
const SMALL_CACHE = { role: 'client', maxSessions: 64, maxSessionBytes: 8192, memoryBytes: 64 * 4096 } as const;

/** How many times `needle` occurs in the cache's linear memory. */
function occurrences(cache: SessionCache, needle: Uint8Array): number {
  const mem = linearMemory(cache);
  const n = Buffer.from(needle.buffer, needle.byteOffset, needle.byteLength);
  let count = 0;
  for (let at = mem.indexOf(n); at !== -1; at = mem.indexOf(n, at + 1)) count++;
  return count;
}

describe('key entries', () => {
  test('a record of a page or more has one (its id is stored twice); a smaller one has none', () => {
    const cache = createSessionCache(SMALL_CACHE);
    const large = key('large.example:443', 1);
    const small = key('small.example:443', 2);
    cache.update(large, bytes(LARGE, 1000 + 1));
    cache.update(small, bytes(SMALL, 1000 + 2));
    expect(occurrences(cache, large.sessionId)).toBe(2);
    expect(occurrences(cache, small.sessionId)).toBe(1);
    expect(cache.lookupView(large)).toEqual(bytes(LARGE, 1000 + 1));
    expect(verifyCore(cache)).toBe(0);
    cache.terminate();
  });

  test('a key too long for an entry: none, and lookupView still finds the record', () => {
    const cache = createSessionCache(SMALL_CACHE);
    const k = key(`${'h'.repeat(200)}.example:443`, 3);
    cache.update(k, bytes(LARGE, 1000 + 3));
    expect(occurrences(cache, k.sessionId)).toBe(1);
    expect(cache.lookupView(k)).toEqual(bytes(LARGE, 1000 + 3));
    expect(cache.lookupView(key(`${'h'.repeat(200)}.example:443`, 4))).toBeUndefined();
    expect(verifyCore(cache)).toBe(0);
    cache.terminate();
  });

  test('lookupView expires by the entry, and a replacement in place renews the entry', () => {
    const clock = manualClock();
    const cache = createSessionCache({ ...SMALL_CACHE, lifetimeSeconds: 10, clock: clock.read });
    const k = key('a.example:443', 5);
    cache.update(k, bytes(LARGE, 1000 + 5));
    clock.advance(9_000);
    cache.update(k, bytes(LARGE, 1000 + 6)); // same size: overwritten in place, created anew
    expect(cache.stats()).toMatchObject({ replacements: 1 });
    clock.advance(2_000); // 11 s after the first store, 2 s after the second
    expect(cache.lookupView(k)).toEqual(bytes(LARGE, 1000 + 6));
    clock.advance(8_000);
    expect(cache.lookupView(k)).toBeUndefined();
    expect(cache.stats()).toMatchObject({ expired: 1, sessions: 0 });
    expect(occurrences(cache, k.sessionId)).toBe(0);
    expect(verifyCore(cache)).toBe(0);
    cache.terminate();
  });

  test('compaction moves entries with their records and leaves no copy behind', () => {
    // Large and small sessions alternate; deleting the small ones and every other large one leaves
    // holes (4608 bytes at most) that the new, larger records (4864) do not fit, so storing them
    // compacts the arena.
    const cache = createSessionCache({ role: 'client', maxSessions: 200, maxSessionBytes: 8192, memoryBytes: 40 * 4096 });
    const stored = new Map<number, Uint8Array>();
    let n = 0;
    for (; cache.stats().bytesUsed + 4096 + 256 <= 40 * 4096; n++) {
      cache.update(key('big.example:443', n), bytes(LARGE, 1000 + n));
      stored.set(n, bytes(LARGE, 1000 + n));
      cache.update(key('small.example:443', 10_000 + n), bytes(SMALL, 1000 + n));
    }
    for (let i = 0; i < n; i++) cache.delete(key('small.example:443', 10_000 + i));
    for (let i = 0; i < n / 2; i++) {
      cache.delete(key('big.example:443', i * 2));
      stored.delete(i * 2);
    }
    for (let i = 0; cache.stats().compactions === 0 && i < 100; i++) {
      cache.update(key('new.example:443', 20_000 + i), bytes(LARGE + 600, 1000 + i));
      expect(verifyCore(cache)).toBe(0);
    }
    expect(cache.stats().compactions).toBeGreaterThan(0);
    for (const [i, session] of stored) {
      const k = key('big.example:443', i);
      expect(cache.lookupView(k)).toEqual(session);
      expect(occurrences(cache, k.sessionId)).toBe(2);
    }
    for (let i = 0; i < n; i += 2) expect(occurrences(cache, key('big.example:443', i).sessionId)).toBe(0);
    expect(verifyCore(cache)).toBe(0);
    cache.terminate();
  });

  test('delete, take and terminate wipe the entry', () => {
    const cache = createSessionCache(SMALL_CACHE);
    const ids = [key('a.example:443', 7), key('a.example:443', 8), key('a.example:443', 9)];
    for (const [i, k] of ids.entries()) cache.update(k, bytes(LARGE, 1000 + 7 + i));
    expect(cache.delete(ids[0]!)).toBe(true);
    expect(cache.take(ids[1]!)).toEqual(bytes(LARGE, 1000 + 8));
    expect(occurrences(cache, ids[0]!.sessionId)).toBe(0);
    expect(occurrences(cache, ids[1]!.sessionId)).toBe(0);
    expect(occurrences(cache, ids[2]!.sessionId)).toBe(2);
    const memory = linearMemory(cache);
    cache.terminate();
    expect(memory.indexOf(Buffer.from(ids[2]!.sessionId))).toBe(-1);
  });
});
