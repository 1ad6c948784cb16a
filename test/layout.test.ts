// Memory layout and sizing: storage stays close to the bytes stored, memory is reserved once, and
// fragmentation is repaired by compaction. (That src/ and the core agree: interface.test.ts.)
import { expect, test } from 'vitest';
import { createJsSessionCache, createSessionCache, recordBytes } from '../src/index.js';
import { RECORD_HEADER_BYTES } from '../src/limits.js';
import { bytes, contains, contents, linearMemory, verifyCore } from './helpers.js';

/** Distance in linear memory between two sessions stored one after the other: the real footprint. */
function footprint(sessionBytes: number): number {
  const cache = createSessionCache({ role: 'server', maxSessionBytes: 16384 });
  const a = bytes(sessionBytes, 1);
  const b = bytes(sessionBytes, 2);
  cache.update({ partialKey: '', sessionId: bytes(32, 1) }, a);
  cache.update({ partialKey: '', sessionId: bytes(32, 2) }, b);
  const mem = linearMemory(cache);
  const stride = mem.indexOf(Buffer.from(b)) - mem.indexOf(Buffer.from(a));
  cache.terminate();
  return stride;
}

test.each([150, 160, 1200, 4000, 8192])('a %i-byte session with a 32-byte id is stored within 15 percent of its size', (size) => {
  const stride = footprint(size);
  expect(stride).toBe(recordBytes(0, 32, size));
  // beyond the fixed header, the size class wastes at most 1/16 of the record
  const stored = RECORD_HEADER_BYTES + 32 + size;
  expect(stride - stored).toBeLessThanOrEqual(0.15 * size);
  expect(stride - stored).toBeLessThanOrEqual(stored / 16);
  // the per-entry target of the benchmarks: <= 1.15 x (key + session) + 48 B, slots included
  // (2.4 slots of 8 bytes per session)
  expect(stride + 2.4 * 8).toBeLessThanOrEqual(1.15 * (32 + size) + 48);
});

test('capacity is accounted in bytes as well as in sessions', () => {
  const per = recordBytes(0, 32, 150);
  const cache = createSessionCache({ role: 'server', maxSessions: 1000, memoryBytes: 100 * per });
  for (let i = 0; i < 150; i++) cache.update({ partialKey: '', sessionId: bytes(32, i) }, bytes(150, i));
  expect(cache.size).toBe(100);
  expect(cache.stats()).toMatchObject({ bytesUsed: 100 * per, evictions: 50, compactions: 0 });
  cache.terminate();
});

test('memory is reserved once: a 1M-session cache fits in 4 GiB, and views stay valid', () => {
  const cache = createSessionCache({ role: 'client', maxSessions: 1_000_000, memoryBytes: 1_250_000_000 });
  const { reservedBytes } = cache.stats();
  expect(reservedBytes).toBeGreaterThan(1_250_000_000);
  expect(reservedBytes).toBeLessThan(2 ** 32);
  const k = { partialKey: 'h:443', sessionId: bytes(32, 1) };
  cache.update(k, bytes(1200, 1));
  const view = cache.lookupView(k)!;
  for (let i = 2; i < 2000; i++) cache.update({ partialKey: 'h:443', sessionId: bytes(32, i) }, bytes(1200, i));
  expect(view.byteLength).toBe(1200); // not detached: the memory never grew
  expect(cache.stats().reservedBytes).toBe(reservedBytes);
  cache.terminate();
});

test('fragmentation: a large session that fits the budget but no free block compacts the arena', () => {
  const options = { role: 'server' as const, maxSessions: 10_000, maxSessionBytes: 600_000, memoryBytes: 1_000_000 };
  const wasm = createSessionCache(options);
  const js = createJsSessionCache(options);
  const small = (i: number) => bytes(64, 1000 + i);
  let n = 0;
  while (wasm.stats().bytesUsed + recordBytes(0, 32, 64) <= options.memoryBytes) {
    for (const c of [wasm, js]) c.update({ partialKey: '', sessionId: bytes(32, n) }, small(n));
    n++;
  }
  // free every other small session: half the budget free, in 136-byte holes
  for (let i = 0; i < n; i += 2) for (const c of [wasm, js]) c.delete({ partialKey: '', sessionId: bytes(32, i) });
  // the largest session that fits what is left of the budget
  let size = options.memoryBytes - wasm.stats().bytesUsed;
  while (recordBytes(0, 32, size) > options.memoryBytes - wasm.stats().bytesUsed) size -= 8;
  const large = bytes(size, 7);
  expect(large.length).toBeGreaterThan(400_000); // more than the arena's slack at its end
  for (const c of [wasm, js]) c.update({ partialKey: '', sessionId: bytes(32, 999_999) }, large);

  expect(wasm.stats()).toMatchObject({ compactions: 1, evictions: 0 });
  expect(verifyCore(wasm)).toBe(0);
  expect(contents(wasm)).toEqual(contents(js));
  // every live session is in memory exactly once: the copies left behind by moving were wiped
  const mem = linearMemory(wasm);
  for (let i = 1; i < n; i += 2) {
    const at = mem.indexOf(Buffer.from(small(i)));
    expect(at).toBeGreaterThan(0);
    expect(mem.indexOf(Buffer.from(small(i)), at + 1)).toBe(-1);
  }
  for (let i = 0; i < n; i += 2) expect(contains(mem, small(i))).toBe(false);
  wasm.terminate();
  js.terminate();
});
