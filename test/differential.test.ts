// Property-based differential test: random operation sequences, at small capacities that force
// eviction (by count and by bytes), expiry and both onFull policies, must give identical results
// from the WebAssembly cache and the pure-JS one; the core's own consistency check must pass
// after every operation.
import fc from 'fast-check';
import { afterAll, expect, test } from 'vitest';
import {
  SessionCacheError,
  createJsSessionCache,
  createSessionCache,
  type SessionCache,
  type SessionCacheOptions,
} from '../src/index.js';
import { minimumMemoryBytes } from '../src/options.js';
import { bytes, comparableStats, contents, hex, verifyCore } from './helpers.js';

const PARTIAL_KEYS: Array<string | Uint8Array> = [
  'a:1',
  'b:2',
  '',
  'ü:443',
  Uint8Array.of(1, 2, 3),
  Uint8Array.of(0x61, 0x3a, 0x31) /* the bytes of 'a:1' */,
];
// ids of many lengths, some sharing all but their last byte
const SESSION_IDS = [1, 2, 8, 31, 32, 32, 32, 33, 64, 255].flatMap((len, i) => {
  const id = bytes(len, 100 + i);
  const twin = id.slice();
  twin[len - 1]! ^= 1;
  return [id, twin];
});

type Op =
  | { op: 'update'; pk: number; sid: number; len: number; seed: number }
  | { op: 'lookup' | 'lookupInto' | 'lookupView' | 'take' | 'delete'; pk: number; sid: number }
  | { op: 'select'; pk: number }
  | { op: 'lookupMany'; keys: Array<[number, number]> }
  | { op: 'foldMutate'; every: number; pk: number; sid: number; len: number }
  | { op: 'sweep' }
  | { op: 'advance'; ms: number };

const pk = fc.nat(PARTIAL_KEYS.length - 1);
const sid = fc.nat(SESSION_IDS.length - 1);
const len = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 1, max: 300 }) },
  { weight: 3, arbitrary: fc.integer({ min: 300, max: 1024 }) },
  { weight: 1, arbitrary: fc.integer({ min: 1025, max: 1400 }) }, // too large when maxSessionBytes is 1024
  // records of a page or more, which keep key entries (too large unless maxSessionBytes is 6000)
  { weight: 2, arbitrary: fc.integer({ min: 3700, max: 6000 }) },
);
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 10, arbitrary: fc.record({ op: fc.constant('update' as const), pk, sid, len, seed: fc.nat(1000) }) },
  {
    weight: 6,
    arbitrary: fc.record({ op: fc.constantFrom('lookup', 'lookupInto', 'lookupView', 'take', 'delete' as const), pk, sid }),
  },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('select' as const), pk }) },
  {
    weight: 1,
    arbitrary: fc.record({ op: fc.constant('lookupMany' as const), keys: fc.array(fc.tuple(pk, sid), { maxLength: 80 }) }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ op: fc.constant('foldMutate' as const), every: fc.integer({ min: 1, max: 4 }), pk, sid, len }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('sweep' as const) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 2500 }) }) },
);
const configArb = fc.record({
  maxSessions: fc.integer({ min: 1, max: 12 }),
  maxSessionBytes: fc.constantFrom(300, 1024, 6000),
  extraBytes: fc.integer({ min: 0, max: 6000 }),
  lifetimeSeconds: fc.integer({ min: 1, max: 6 }),
  onFull: fc.constantFrom('evict-oldest' as const, 'invalidate-all' as const),
  role: fc.constantFrom('client' as const, 'server' as const),
});

/** Run one operation; its observable outcome as plain data (errors by code). */
function apply(cache: SessionCache, op: Op): unknown {
  try {
    const k = () => ({
      partialKey: PARTIAL_KEYS[(op as { pk: number }).pk]!,
      sessionId: SESSION_IDS[(op as { sid: number }).sid]!,
    });
    switch (op.op) {
      case 'update':
        return cache.update(k(), bytes(op.len, op.seed));
      case 'lookup':
        return hex(cache.lookup(k()));
      case 'lookupInto': {
        const target = new Uint8Array(700); // some sessions do not fit: an error that must change nothing
        const n = cache.lookupInto(k(), target);
        return [n, hex(target.subarray(0, Math.max(n, 0)))];
      }
      case 'lookupView':
        return hex(cache.lookupView(k()));
      case 'take':
        return hex(cache.take(k()));
      case 'delete':
        return cache.delete(k());
      case 'select':
        return cache.selectSession(PARTIAL_KEYS[op.pk]!).map(hex);
      case 'lookupMany':
        return cache.lookupMany(op.keys.map(([p, s]) => ({ partialKey: PARTIAL_KEYS[p]!, sessionId: SESSION_IDS[s]! }))).map(hex);
      case 'foldMutate':
        return cache.foldl((e, acc: unknown[]) => {
          acc.push([hex(e.key.sessionId), hex(e.session)]);
          if (acc.length % op.every === 0) {
            cache.delete(e.key);
            cache.update(k(), bytes(op.len, acc.length));
            acc.push(cache.delete({ partialKey: PARTIAL_KEYS[(op.pk + 1) % PARTIAL_KEYS.length]!, sessionId: e.key.sessionId }));
          }
          return acc;
        }, []);
      case 'sweep':
        return cache.sweep();
      case 'advance':
        return undefined;
    }
  } catch (e) {
    if (e instanceof SessionCacheError) return `error ${e.code}`;
    throw e;
  }
}

let operations = 0;
let compactions = 0;
let evictions = 0;
/** Sessions stored in records of a page or more (key entries), counted so the run shows it had some. */
let pageRecords = 0;

test('wasm and JS caches agree on random operation sequences', () => {
  fc.assert(
    fc.property(configArb, fc.array(opArb, { minLength: 40, maxLength: 120 }), (config, ops) => {
      let now = 1_000_000;
      const options: SessionCacheOptions = {
        role: config.role,
        maxSessions: config.maxSessions,
        maxSessionBytes: config.maxSessionBytes,
        memoryBytes: minimumMemoryBytes(config.maxSessionBytes) + config.extraBytes,
        lifetimeSeconds: config.lifetimeSeconds,
        onFull: config.onFull,
        clock: () => now,
      };
      const wasm = createSessionCache(options);
      const js = createJsSessionCache(options);
      try {
        for (const [i, op] of ops.entries()) {
          if (op.op === 'advance') now += op.ms;
          const where = `op ${i} ${JSON.stringify(op)}`;
          const outcome = apply(wasm, op);
          expect(outcome, where).toEqual(apply(js, op));
          if (op.op === 'update' && outcome === undefined && op.len >= 3960) pageRecords++;
          expect(wasm.size, where).toBe(js.size);
          expect(comparableStats(wasm), where).toEqual(comparableStats(js));
          expect(verifyCore(wasm), where).toBe(0);
          operations++;
        }
        expect(contents(wasm)).toEqual(contents(js));
        expect(verifyCore(wasm)).toBe(0);
        compactions += wasm.stats().compactions;
        evictions += wasm.stats().evictions + wasm.stats().invalidations;
      } finally {
        wasm.terminate();
        js.terminate();
      }
    }),
    { numRuns: 250 },
  );
});

afterAll(() => {
  // the property ran enough operations to mean something, and exercised eviction
  expect(operations).toBeGreaterThanOrEqual(10_000);
  expect(evictions).toBeGreaterThan(0);
  expect(pageRecords).toBeGreaterThan(0);
  console.log(
    `differential: ${operations} operations, ${evictions} evictions/invalidations, ${compactions} compactions, ` +
      `${pageRecords} sessions stored in records of a page or more`,
  );
});
