// Session ids come straight from clients. A keyed hash (random per cache) keeps probe sequences
// short even for ids built to collide under a weak hash; asserted on the probe counter, not time.
import { expect, test } from 'vitest';
import { createSessionCache } from '../src/index.js';
import { bytes, sessionSlots } from './helpers.js';

test('100k ids sharing their first 28 bytes keep the longest probe short', () => {
  const cache = createSessionCache({ role: 'server', maxSessions: 100_000, memoryBytes: 100_000 * 96 });
  const id = bytes(32, 42);
  const view = new DataView(id.buffer);
  const session = bytes(16, 1);
  for (let i = 0; i < 100_000; i++) {
    view.setUint32(28, i);
    cache.update({ partialKey: '', sessionId: id }, session);
  }
  expect(cache.size).toBe(100_000);
  // every id is still found
  for (let i = 0; i < 100_000; i += 997) {
    view.setUint32(28, i);
    expect(cache.lookupView({ partialKey: '', sessionId: id })).toBeDefined();
  }
  // unknown ids miss
  for (let i = 100_000; i < 101_000; i++) {
    view.setUint32(28, i);
    expect(cache.lookupView({ partialKey: '', sessionId: id })).toBeUndefined();
  }
  const { longestProbe, evictions } = cache.stats();
  expect(evictions).toBe(0);
  // Linear probing at load 100k / 262,144 slots: a random hash gives a longest probe around 15-30.
  // A hash of the first bytes only would put all 100k ids in one chain (a probe of ~100k).
  console.log(`longest probe over 100k adversarial ids: ${longestProbe}`);
  expect(longestProbe).toBeLessThan(64);
  cache.terminate();
});

test('ids that differ only in length (zero padding) are different keys', () => {
  const cache = createSessionCache({ role: 'server' });
  const ids = [1, 2, 7, 8, 9, 31, 32].map((n) => new Uint8Array(n)); // all zeros
  ids.forEach((id, i) => {
    cache.update({ partialKey: '', sessionId: id }, Uint8Array.of(i + 1));
  });
  expect(cache.size).toBe(ids.length);
  ids.forEach((id, i) => {
    expect([...cache.lookup({ partialKey: '', sessionId: id })!]).toEqual([i + 1]);
  });
  cache.terminate();
});

test('two caches hash the same ids differently (the secret is per cache)', () => {
  // Fill two caches with the same ids: their slot layouts (tags and places) differ.
  const a = createSessionCache({ role: 'server', maxSessions: 64 });
  const b = createSessionCache({ role: 'server', maxSessions: 64 });
  for (let i = 0; i < 32; i++) {
    a.update({ partialKey: '', sessionId: bytes(32, i) }, Uint8Array.of(1));
    b.update({ partialKey: '', sessionId: bytes(32, i) }, Uint8Array.of(1));
  }
  const slotsOf = (c: typeof a) => [...sessionSlots(c)].join(',');
  // the same ids land in the same slots of one cache: the comparison below can fail
  expect(slotsOf(a)).toBe(slotsOf(a));
  expect(slotsOf(a)).not.toBe(slotsOf(b));
  a.terminate();
  b.terminate();
});
