// Every error code, and that a throwing call leaves every stored session exactly as it was.
import { describe, expect, test } from 'vitest';
import { SessionCacheError, createJsSessionCache, createSessionCache, type SessionCache } from '../src/index.js';
import { bytes, comparableStats, contents, hex, impls, key, linearMemory } from './helpers.js';

const code = (c: string) => expect.objectContaining({ code: c, name: 'SessionCacheError' });

describe.each(impls)('$name cache', ({ name, create }) => {
  function filled(): SessionCache {
    const cache = create({ role: 'client', maxSessions: 8, maxSessionBytes: 1024 });
    cache.update(key('h:1', 1), bytes(300, 1));
    cache.update(key('höst:2', 2), bytes(500, 2));
    cache.update(key(Uint8Array.of(7, 7), 3), bytes(1024, 3));
    return cache;
  }

  /** Run `bad`, expect `errorCode`, and expect contents and counters (but `rejected`) unchanged. */
  function rejects(errorCode: string, bad: (c: SessionCache) => unknown, counted = false, cache = filled()) {
    const before = contents(cache);
    const stats = comparableStats(cache);
    let thrown: unknown;
    try {
      bad(cache);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(SessionCacheError);
    expect(thrown).toBeInstanceOf(Error);
    expect(thrown).toMatchObject({ code: errorCode });
    expect(contents(cache)).toEqual(before);
    expect(comparableStats(cache)).toEqual({ ...stats, rejected: stats.rejected + (counted ? 1 : 0) });
    // the partial key caching inside the cache is not confused by the failed call
    expect(hex(cache.lookup(key('höst:2', 2)))).toBe(hex(bytes(500, 2)));
    expect(hex(cache.lookup(key('h:1', 1)))).toBe(hex(bytes(300, 1)));
    cache.terminate();
  }

  const badKeys: Array<[string, string, unknown]> = [
    ['key is null', 'ERR_INVALID_ARGUMENT', null],
    ['key is a string', 'ERR_INVALID_ARGUMENT', 'h:1'],
    ['sessionId missing', 'ERR_INVALID_ARGUMENT', { partialKey: 'h:1' }],
    ['sessionId is a string', 'ERR_INVALID_ARGUMENT', { partialKey: 'h:1', sessionId: 'abc' }],
    ['sessionId is an array', 'ERR_INVALID_ARGUMENT', { partialKey: 'h:1', sessionId: [1, 2] }],
    ['sessionId is an ArrayBuffer', 'ERR_INVALID_ARGUMENT', { partialKey: 'h:1', sessionId: new ArrayBuffer(4) }],
    ['sessionId is a Uint16Array', 'ERR_INVALID_ARGUMENT', { partialKey: 'h:1', sessionId: new Uint16Array(4) }],
    ['sessionId is empty', 'ERR_INVALID_ARGUMENT', { partialKey: 'h:1', sessionId: new Uint8Array(0) }],
    ['partialKey is a number', 'ERR_INVALID_ARGUMENT', { partialKey: 443, sessionId: bytes(32, 1) }],
    ['partialKey is missing', 'ERR_INVALID_ARGUMENT', { sessionId: bytes(32, 1) }],
    ['partialKey has a lone surrogate', 'ERR_INVALID_ARGUMENT', { partialKey: 'h\ud800:1', sessionId: bytes(32, 1) }],
    ['sessionId of 256 bytes', 'ERR_KEY_TOO_LONG', { partialKey: 'h:1', sessionId: bytes(256, 1) }],
    ['partialKey of 513 bytes', 'ERR_KEY_TOO_LONG', { partialKey: bytes(513, 1), sessionId: bytes(32, 1) }],
    ['partialKey of 513 chars', 'ERR_KEY_TOO_LONG', { partialKey: 'x'.repeat(513), sessionId: bytes(32, 1) }],
    ['partialKey of 300 chars, 600 UTF-8 bytes', 'ERR_KEY_TOO_LONG', { partialKey: 'ü'.repeat(300), sessionId: bytes(32, 1) }],
  ];

  describe.each(badKeys)('%s', (_what, errorCode, badKey) => {
    const k = badKey as never;
    test('lookup', () => rejects(errorCode, (c) => c.lookup(k)));
    test('lookupInto', () => rejects(errorCode, (c) => c.lookupInto(k, new Uint8Array(2048))));
    test('lookupView', () => rejects(errorCode, (c) => c.lookupView(k)));
    test('update', () => rejects(errorCode, (c) => c.update(k, bytes(10, 1))));
    test('delete', () => rejects(errorCode, (c) => c.delete(k)));
    test('take', () => rejects(errorCode, (c) => c.take(k)));
  });

  test('a lookup on a terminated cache still checks the key', () => {
    const cache = create({ role: 'client' });
    cache.terminate();
    expect(() => cache.lookup({ partialKey: 'h:1', sessionId: new Uint8Array(0) })).toThrow(code('ERR_INVALID_ARGUMENT'));
  });

  test('selectSession with a bad partial key', () => {
    rejects('ERR_INVALID_ARGUMENT', (c) => c.selectSession(5 as never));
    rejects('ERR_INVALID_ARGUMENT', (c) => c.selectSession(null as never));
    rejects('ERR_KEY_TOO_LONG', (c) => c.selectSession('y'.repeat(600)));
    rejects('ERR_KEY_TOO_LONG', (c) => c.selectSession('€'.repeat(200)));
  });

  test('update with a bad session', () => {
    rejects('ERR_INVALID_ARGUMENT', (c) => c.update(key('h:1', 1), 'session' as never));
    rejects('ERR_INVALID_ARGUMENT', (c) => c.update(key('h:1', 1), new Uint8Array(0)));
    rejects('ERR_INVALID_ARGUMENT', (c) => c.update(key('h:1', 1), [1, 2, 3] as never));
    rejects('ERR_INVALID_ARGUMENT', (c) => c.update(key('h:1', 1), new DataView(new ArrayBuffer(8)) as never));
  });

  test('ERR_SESSION_TOO_LARGE: the session already under that key is kept byte for byte; counted as rejected', () => {
    rejects('ERR_SESSION_TOO_LARGE', (c) => c.update(key('h:1', 1), bytes(1025, 9)), true);
    rejects('ERR_SESSION_TOO_LARGE', (c) => c.update(key('new:1', 5), bytes(5000, 9)), true);
  });

  test('lookupInto with a bad or too small target', () => {
    rejects('ERR_INVALID_ARGUMENT', (c) => c.lookupInto(key('h:1', 1), 'buf' as never));
    rejects('ERR_INVALID_ARGUMENT', (c) => c.lookupInto(key('h:1', 1), new Uint8Array(299)));
    const cache = filled();
    expect(cache.lookupInto(key('h:1', 1), new Uint8Array(300))).toBe(300);
    cache.terminate();
  });

  if (name === 'wasm') {
    test("lookupInto refuses a target inside the cache's own memory", () => {
      const cache = filled();
      const view = cache.lookupView(key('höst:2', 2))!;
      rejects('ERR_INVALID_ARGUMENT', (c) => c.lookupInto(key('h:1', 1), view), false, cache);
      rejects('ERR_INVALID_ARGUMENT', (c) => c.lookupInto(key('h:1', 1), new Uint8Array(linearMemory(c).buffer, 0, 4096)));
    });
  }

  test('foldl with a bad callback', () => {
    rejects('ERR_INVALID_ARGUMENT', (c) => c.foldl('fn' as never, 0));
  });

  test('ERR_INVALID_OPTION for every bad option', () => {
    const bad: unknown[] = [
      undefined, null, 'client', {}, { role: 'both' }, { role: 'client', maxSessions: 0 },
      { role: 'client', maxSessions: 1.5 }, { role: 'client', maxSessions: 2 ** 24 + 1 },
      { role: 'client', maxSessions: '10' }, { role: 'client', maxSessionBytes: 0 },
      { role: 'client', maxSessionBytes: 2 ** 20 + 1 }, { role: 'client', memoryBytes: 100 },
      { role: 'client', memoryBytes: 2 ** 32 }, { role: 'client', maxSessionBytes: 2 ** 20, memoryBytes: 2 ** 20 },
      { role: 'client', lifetimeSeconds: 0 }, { role: 'client', lifetimeSeconds: -1 },
      { role: 'client', lifetimeSeconds: NaN }, { role: 'client', lifetimeSeconds: Infinity },
      { role: 'client', lifetimeSeconds: '300' }, { role: 'client', onFull: 'drop' },
      { role: 'client', clock: 5 },
    ];
    for (const options of bad) expect(() => create(options as never), JSON.stringify(options)).toThrow(code('ERR_INVALID_OPTION'));
  });
});

test('the wasm cache refuses limits beyond a 4 GiB wasm32 memory, naming the way out', () => {
  const options = { role: 'server' as const, maxSessions: 2 ** 24, memoryBytes: 2 ** 32 - 1 };
  expect(() => createSessionCache(options)).toThrow(code('ERR_INVALID_OPTION'));
  expect(() => createSessionCache(options)).toThrow(/4 GiB/);
  // the JS implementation has no such limit (it allocates per session)
  createJsSessionCache(options).terminate();
});
