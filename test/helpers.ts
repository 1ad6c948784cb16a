// Shared by the tests: both implementations under one name, keys, bytes, and memory scans.
import {
  WasmSessionCache,
  createJsSessionCache,
  createSessionCache,
  type SessionCache,
  type SessionCacheOptions,
  type SessionCacheStats,
} from '../src/index.js';

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

/** The linear memory of a wasm cache, as bytes (a fresh view: valid until terminate). */
export function linearMemory(cache: SessionCache): Buffer {
  const inside = WasmSessionCache.inspect(cache as WasmSessionCache);
  if (inside === undefined) throw new Error('not a live wasm cache');
  return Buffer.from(inside.memory.buffer);
}

/** The wasm core's consistency check: 0, or the number of the broken rule (assembly/verify.ts). */
export function verifyCore(cache: SessionCache): number {
  const inside = WasmSessionCache.inspect(cache as WasmSessionCache);
  if (inside === undefined) throw new Error('not a live wasm cache');
  return inside.verify();
}

/** Whether `needle` occurs anywhere in `haystack`. */
export function contains(haystack: Buffer, needle: Uint8Array): boolean {
  return haystack.indexOf(Buffer.from(needle.buffer, needle.byteOffset, needle.byteLength)) !== -1;
}

export const hex = (b: Uint8Array | undefined) => (b === undefined ? undefined : Buffer.from(b).toString('hex'));
