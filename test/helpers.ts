// Shared by the tests: both implementations under one name, keys, bytes, and memory scans.
// Importing it registers the test build of the core (see core-hooks.ts).
import {
  createJsSessionCache,
  createSessionCache,
  type SessionCache,
  type SessionCacheOptions,
  type SessionCacheStats,
} from '../src/index.js';
import { testCoreOf } from './core-hooks.js';

export interface Impl {
  name: 'wasm' | 'js';
  create(options: SessionCacheOptions): SessionCache;
}

export const impls: Impl[] = [
  { name: 'wasm', create: createSessionCache },
  { name: 'js', create: createJsSessionCache },
];

/** Deterministic bytes (xorshift32), so failures reproduce. */
export function bytes(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = (seed * 2654435761) >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

export function key(partialKey: string | Uint8Array, sessionId: Uint8Array | number) {
  return { partialKey, sessionId: typeof sessionId === 'number' ? bytes(32, sessionId) : sessionId };
}

/** A clock the test moves by hand. */
export function manualClock(start = 1_000_000) {
  const clock = {
    now: start,
    read: () => clock.now,
    advance: (ms: number) => {
      clock.now += ms;
    },
  };
  return clock;
}

/** Everything observable about a cache's contents, oldest first, as plain arrays. */
export function contents(cache: SessionCache): Array<[string, number[], number[]]> {
  return cache.foldl(
    (e, acc) => [
      ...acc,
      [
        typeof e.key.partialKey === 'string' ? `s:${e.key.partialKey}` : `b:${[...e.key.partialKey]}`,
        [...e.key.sessionId],
        [...e.session],
      ] as [string, number[], number[]],
    ],
    [] as Array<[string, number[], number[]]>,
  );
}

/** Stats that both implementations must agree on (the wasm-only figures left out). */
export function comparableStats(cache: SessionCache): Omit<SessionCacheStats, 'longestProbe' | 'compactions' | 'reservedBytes'> {
  const { longestProbe: _p, compactions: _c, reservedBytes: _r, ...rest } = cache.stats();
  return rest;
}

/** The linear memory of a wasm cache, as bytes (a view: it outlives terminate, for the wipe checks). */
export function linearMemory(cache: SessionCache): Buffer {
  return Buffer.from(testCoreOf(cache).memory.buffer);
}

/** The wasm core's consistency check: 0, or the number of the broken rule (assembly/verify.ts). */
export function verifyCore(cache: SessionCache): number {
  return testCoreOf(cache).verify();
}

/** The session table's slots of a wasm cache (u16: hash tag | distance from home << 8). */
export function sessionSlots(cache: SessionCache): Uint16Array {
  const core = testCoreOf(cache);
  return new Uint16Array(core.memory.buffer, core.sessionMetaAddress() >>> 0, core.sessionSlots());
}

/** Whether `needle` occurs anywhere in `haystack`. */
export function contains(haystack: Buffer, needle: Uint8Array): boolean {
  return haystack.indexOf(Buffer.from(needle.buffer, needle.byteOffset, needle.byteLength)) !== -1;
}

export const hex = (b: Uint8Array | undefined) => (b === undefined ? undefined : Buffer.from(b).toString('hex'));
