// terminate() lets the cache's memory go and wipes it in bulk. (That no secret survives in the
// memory: wipe.test.ts.)
import { expect, test } from 'vitest';
import { S_COUNT, S_DELETES, S_EVICTIONS, S_EXPIRED, S_INVALIDATIONS } from '../src/core-interface.js';
import { createSessionCache, type SessionCache } from '../src/index.js';
import { testCoreOf } from './core-hooks.js';
import { bytes, key, manualClock } from './helpers.js';

const gc = (globalThis as { gc?: () => void }).gc;

/**
 * A cache that has used every view it keeps over its memory (counters, result, batch results,
 * lookupInto's last target, a lookupView), terminated; `collected` becomes true once the
 * memory's ArrayBuffer has been garbage collected. The buffer is reachable from the instance's
 * Memory object and from every view over it, so it stays alive while the cache holds any of them.
 */
// module-level: a registry that is itself collected calls nothing back
const collectedBuffers = new Set<string>();
const registry = new FinalizationRegistry((name: string) => collectedBuffers.add(name));

function terminatedCache(): { cache: SessionCache; collected: () => boolean } {
  const cache = createSessionCache({ role: 'server', maxSessions: 1000 });
  for (let i = 0; i < 100; i++) cache.update(key('h:1', i), bytes(160, i));
  const target = new Uint8Array(200);
  cache.lookupInto(key('h:1', 1), target);
  cache.lookupMany([key('h:1', 2), key('h:1', 3)]);
  cache.stats();
  registry.register(cache.lookupView(key('h:1', 4))!.buffer, 'memory');
  cache.terminate();
  return { cache, collected: () => collectedBuffers.has('memory') };
}

test('after terminate, nothing the cache object holds keeps its WebAssembly memory alive', async () => {
  expect(gc, 'run with node --expose-gc (vitest.config.ts sets it)').toBeTypeOf('function');
  const { cache, collected } = terminatedCache();
  for (let round = 0; round < 50 && !collected(); round++) {
    gc!();
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  expect(collected()).toBe(true);
  // the cache object itself is still reachable here, and still answers as a terminated cache
  expect(cache.size).toBe(0);
  expect(cache.lookup(key('h:1', 1))).toBeUndefined();
});

test('terminate wipes in bulk: no session is counted as expired, evicted, invalidated or deleted', () => {
  const clock = manualClock();
  const cache = createSessionCache({ role: 'client', maxSessions: 2000, clock: clock.read });
  for (let i = 0; i < 1500; i++) cache.update(key(`h:${i % 7}`, i), bytes(i % 3 === 0 ? 5000 : 300, i));
  clock.advance(10 * 60 * 1000); // every session has expired: a sweep would count each one
  expect(cache.size).toBe(1500);
  const core = testCoreOf(cache);
  const counters = new Float64Array(core.memory.buffer, core.statsAddress(), S_COUNT);
  const before = [...counters];
  expect([S_EXPIRED, S_EVICTIONS, S_INVALIDATIONS, S_DELETES].map((c) => before[c])).toEqual([0, 0, 0, 0]);
  cache.terminate();
  expect([...counters]).toEqual(before);
  // the records were not unlinked one by one: the core's own count was left as it was
  expect(core.size()).toBe(1500);
});
