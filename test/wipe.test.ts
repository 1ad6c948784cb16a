// Session blobs hold master secrets: once a session leaves the cache, neither its bytes nor its
// id may remain anywhere in the instance's linear memory.
import { describe, expect, test } from 'vitest';
import { createSessionCache, type SessionCache } from '../src/index.js';
import { minimumMemoryBytes } from '../src/options.js';
import { testCoreOf } from './core-hooks.js';
import { bytes, contains, key, linearMemory, manualClock } from './helpers.js';

const SECRET = bytes(160, 0xc0ffee);
const SECRET_ID = bytes(32, 0xbadf00d);
const SECRET_KEY = { partialKey: 'bank.example:443', sessionId: SECRET_ID };

function present(cache: SessionCache): { session: boolean; id: boolean } {
  const mem = linearMemory(cache);
  return { session: contains(mem, SECRET), id: contains(mem, SECRET_ID) };
}

function withSecret(options: Parameters<typeof createSessionCache>[0]) {
  const cache = createSessionCache(options);
  cache.update(key('other:1', 1), bytes(160, 1));
  cache.update(SECRET_KEY, SECRET);
  cache.update(key('other:1', 2), bytes(160, 2));
  // the scan can find the secret while it is stored: the later checks can fail
  expect(present(cache)).toEqual({ session: true, id: true });
  return cache;
}

describe('wiping on the way out', () => {
  test('delete', () => {
    const cache = withSecret({ role: 'client' });
    expect(cache.delete(SECRET_KEY)).toBe(true);
    expect(present(cache)).toEqual({ session: false, id: false });
    cache.terminate();
  });

  test('take', () => {
    const cache = withSecret({ role: 'client' });
    expect(cache.take(SECRET_KEY)).toBeDefined();
    expect(present(cache)).toEqual({ session: false, id: false });
    cache.terminate();
  });

  test('overwrite under the same key: the old bytes go, the id stays with the new session', () => {
    const cache = withSecret({ role: 'client' });
    cache.update(SECRET_KEY, bytes(160, 77));
    expect(present(cache)).toEqual({ session: false, id: true });
    cache.delete(SECRET_KEY);
    expect(present(cache)).toEqual({ session: false, id: false });
    cache.terminate();
  });

  test('overwrite in place with a shorter session (same size class): the old tail is wiped', () => {
    const cache = createSessionCache({ role: 'client' });
    const old = bytes(1258, 31); // record 38 + 16 + 32 + 1258 = 1344 bytes
    const tail = old.subarray(1258 - 32);
    cache.update(SECRET_KEY, old);
    expect(contains(linearMemory(cache), tail)).toBe(true);
    cache.update(SECRET_KEY, bytes(1195, 32)); // 1281 bytes: the same 1344-byte class
    expect(cache.stats()).toMatchObject({ replacements: 1, bytesUsed: 1344 });
    expect(contains(linearMemory(cache), tail)).toBe(false);
    expect(contains(linearMemory(cache), old.subarray(0, 32))).toBe(false);
    cache.terminate();
  });

  test('eviction', () => {
    const cache = withSecret({ role: 'client', maxSessions: 3 });
    cache.update(key('other:1', 3), bytes(160, 3)); // evicts other:1/1
    cache.update(key('other:1', 4), bytes(160, 4)); // evicts the secret
    expect(cache.stats().evictions).toBe(2);
    expect(present(cache)).toEqual({ session: false, id: false });
    cache.terminate();
  });

  test('eviction by the byte budget', () => {
    // the smallest budget allowed: one 2000-byte session under the longest id and partial key
    const cache = withSecret({ role: 'client', maxSessionBytes: 2000, memoryBytes: minimumMemoryBytes(2000) });
    cache.update(key('x'.repeat(300), bytes(255, 3)), bytes(2000, 3));
    expect(cache.size).toBe(1);
    expect(cache.lookup(SECRET_KEY)).toBeUndefined();
    expect(present(cache)).toEqual({ session: false, id: false });
    cache.terminate();
  });

  test("invalidation ('invalidate-all')", () => {
    const cache = withSecret({ role: 'client', maxSessions: 3, onFull: 'invalidate-all' });
    cache.update(key('other:1', 3), bytes(160, 3));
    expect(cache.stats().invalidations).toBe(3);
    expect(present(cache)).toEqual({ session: false, id: false });
    cache.terminate();
  });

  test('expiry found by a lookup', () => {
    const clock = manualClock();
    const cache = withSecret({ role: 'client', clock: clock.read });
    clock.advance(300_000);
    expect(cache.lookup(SECRET_KEY)).toBeUndefined();
    expect(present(cache)).toEqual({ session: false, id: false });
    cache.terminate();
  });

  test('expiry found by sweep, by an update, by selectSession', () => {
    for (const expire of [
      (c: SessionCache) => c.sweep(),
      (c: SessionCache) => c.update(key('fresh:1', 9), bytes(160, 9)),
      (c: SessionCache) => c.selectSession('bank.example:443'),
      (c: SessionCache) => c.foldl((_e, a) => a, 0),
    ]) {
      const clock = manualClock();
      const cache = withSecret({ role: 'client', clock: clock.read });
      clock.advance(300_000);
      expire(cache);
      expect(present(cache)).toEqual({ session: false, id: false });
      cache.terminate();
    }
  });

  test('a lookup leaves no copy of the id it looked for', () => {
    const cache = createSessionCache({ role: 'client' });
    cache.lookupMany([key('other:1', 1), SECRET_KEY, key('other:1', 2)]);
    cache.lookup(SECRET_KEY);
    cache.lookupInto(SECRET_KEY, new Uint8Array(10));
    cache.delete(SECRET_KEY);
    expect(present(cache)).toEqual({ session: false, id: false });
    cache.terminate();
  });

  test('terminate wipes everything, including the hash key', () => {
    const cache = withSecret({ role: 'server' });
    const memory = linearMemory(cache);
    const core = testCoreOf(cache);
    const hashKey = memory.subarray(core.hashKeyAddress(), core.hashKeyAddress() + core.hashKeyBytes());
    expect(hashKey.some((b) => b !== 0)).toBe(true);
    cache.terminate();
    expect(contains(memory, SECRET)).toBe(false);
    expect(contains(memory, SECRET_ID)).toBe(false);
    expect(contains(memory, bytes(160, 2))).toBe(false);
    expect(hashKey.every((b) => b === 0)).toBe(true);
  });

  test('terminate wipes the key entries of large sessions', () => {
    // sessions of a page or more have a copy of their key in the key-entry area
    const cache = createSessionCache({ role: 'client', maxSessions: 100, maxSessionBytes: 8000 });
    const large = bytes(5000, 5);
    cache.update(key('other:1', 1), bytes(5000, 1));
    cache.update(SECRET_KEY, large);
    cache.update(key('other:1', 2), bytes(5000, 2));
    const memory = linearMemory(cache);
    // the id is in the record and in its key entry: two copies the scan can find
    const id = Buffer.from(SECRET_ID);
    expect(memory.indexOf(id, memory.indexOf(id) + 1)).toBeGreaterThan(0);
    cache.terminate();
    expect(contains(memory, SECRET_ID)).toBe(false);
    expect(contains(memory, large)).toBe(false);
    expect(contains(memory, bytes(5000, 2))).toBe(false);
  });
});
