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
    test('lookupMany', () => rejects(errorCode, (c) => c.lookupMany([key('h:1', 1), k, key('höst:2', 2)])));
  });

  /**
   * A key whose members are getters: valid on the first read, then `later` (a session id too long
   * for the cache's scratch area, or not bytes at all). The cache must use what it checked.
   */
  function shiftyKey(partialKey: string, sessionId: Uint8Array, later: { partialKey?: unknown; sessionId?: unknown }) {
    const reads = { partialKey: 0, sessionId: 0 };
    const k = {
      get partialKey() {
        return reads.partialKey++ === 0 || !('partialKey' in later) ? partialKey : later.partialKey;
      },
      get sessionId() {
        return reads.sessionId++ === 0 || !('sessionId' in later) ? sessionId : later.sessionId;
      },
    };
    return { key: k as never, reads };
  }

  const laters: Array<[string, { partialKey?: unknown; sessionId?: unknown }]> = [
    ['a session id of 4096 bytes', { sessionId: bytes(4096, 7) }],
    ['a session id that is a string', { sessionId: 'x'.repeat(40) }],
    ['a partial key of 600 bytes', { partialKey: bytes(600, 7) }],
    ['a partial key that is a number', { partialKey: 7 }],
  ];

  describe.each(laters)('a key member read twice would give %s: each is read once', (_what, later) => {
    const check = (reads: { partialKey: number; sessionId: number }) => expect(reads).toEqual({ partialKey: 1, sessionId: 1 });

    test('lookup, lookupView, lookupInto, take, delete: found as the checked key', () => {
      const cache = filled();
      const wanted = hex(bytes(300, 1));
      const lookups: Array<(k: never) => unknown> = [
        (k) => hex(cache.lookup(k)),
        (k) => hex(cache.lookupView(k)),
        (k) => {
          const target = new Uint8Array(2048);
          return hex(target.subarray(0, cache.lookupInto(k, target)));
        },
        (k) => hex(cache.lookupMany([k])[0]),
      ];
      for (const lookup of lookups) {
        const s = shiftyKey('h:1', bytes(32, 1), later);
        expect(lookup(s.key)).toBe(wanted);
        check(s.reads);
      }
      const t = shiftyKey('h:1', bytes(32, 1), later);
      expect(hex(cache.take(t.key))).toBe(wanted);
      check(t.reads);
      cache.update(key('h:1', 1), bytes(300, 1));
      const d = shiftyKey('h:1', bytes(32, 1), later);
      expect(cache.delete(d.key)).toBe(true);
      check(d.reads);
      expect(cache.lookup(key('h:1', 1))).toBeUndefined();
      cache.terminate();
    });

    test('update: stored under the checked key, and nothing else changed', () => {
      const cache = filled();
      const before = contents(cache);
      const s = shiftyKey('new:9', bytes(32, 9), later);
      cache.update(s.key, bytes(200, 9));
      check(s.reads);
      expect(hex(cache.lookup(key('new:9', 9)))).toBe(hex(bytes(200, 9)));
      cache.delete(key('new:9', 9));
      expect(contents(cache)).toEqual(before);
      cache.terminate();
    });
  });

  test('a lookup on a terminated cache still checks the key', () => {
    const cache = create({ role: 'client' });
    cache.terminate();
    expect(() => cache.lookup({ partialKey: 'h:1', sessionId: new Uint8Array(0) })).toThrow(code('ERR_INVALID_ARGUMENT'));
  });

  /** A Uint8Array of `real` bytes whose `length` property claims `claimed`. */
  function lying(real: Uint8Array, claimed: number): Uint8Array {
    class Lying extends Uint8Array {
      override get length() {
        return claimed;
      }
    }
    const out = new Lying(real.length);
    out.set(real);
    return out;
  }

  test('byte arrays are measured by their real length, not a length property that lies', () => {
    // 3000 bytes claiming 10: too large for this cache (it once wrote all 3000 over its neighbours)
    rejects('ERR_SESSION_TOO_LARGE', (c) => c.update(key('h:1', 1), lying(bytes(3000, 5), 10)), true);
    // a session id of 4000 bytes claiming 32
    rejects('ERR_KEY_TOO_LONG', (c) => c.lookup(key('h:1', lying(bytes(4000, 1), 32))));
    rejects('ERR_KEY_TOO_LONG', (c) => c.update(key('h:1', lying(bytes(4000, 1), 32)), bytes(10, 1)));
    rejects('ERR_KEY_TOO_LONG', (c) => c.lookupMany([key('h:1', lying(bytes(4000, 1), 32))]));
    rejects('ERR_KEY_TOO_LONG', (c) => c.update(key(lying(bytes(600, 1), 5), 1), bytes(10, 1)));
    // a target of 100 bytes claiming 4096 is too small for a 300-byte session
    rejects('ERR_INVALID_ARGUMENT', (c) => c.lookupInto(key('h:1', 1), lying(new Uint8Array(100), 4096)));

    // and what the real bytes say is what is stored and found
    const cache = filled();
    const id = lying(bytes(32, 6), 300); // a valid 32-byte id that claims to be too long
    cache.update(key('h:6', id), lying(bytes(700, 6), 1));
    expect(hex(cache.lookup(key('h:6', 6)))).toBe(hex(bytes(700, 6)));
    const target = lying(new Uint8Array(1024), 5);
    expect(cache.lookupInto(key('h:6', 6), target)).toBe(700);
    expect(hex(new Uint8Array(target.buffer, 0, 700))).toBe(hex(bytes(700, 6)));
    expect(hex(cache.lookup(key('h:1', 1)))).toBe(hex(bytes(300, 1)));
    cache.terminate();
  });

  test('an object that only inherits from Uint8Array.prototype is not a Uint8Array', () => {
    const fake = () => Object.create(Uint8Array.prototype) as Uint8Array;
    rejects('ERR_INVALID_ARGUMENT', (c) => c.lookup(key('h:1', fake())));
    rejects('ERR_INVALID_ARGUMENT', (c) => c.update(key('h:1', 1), fake()));
    rejects('ERR_INVALID_ARGUMENT', (c) => c.update(key(fake(), 1), bytes(10, 1)));
    rejects('ERR_INVALID_ARGUMENT', (c) => c.lookupInto(key('h:1', 1), fake()));
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
      // a view of the cache's memory whose `buffer` property names another buffer
      rejects('ERR_INVALID_ARGUMENT', (c) => {
        class Elsewhere extends Uint8Array {
          override get buffer() {
            return new ArrayBuffer(8);
          }
        }
        return c.lookupInto(key('h:1', 1), new Elsewhere(linearMemory(c).buffer as ArrayBuffer, 0, 4096));
      });
    });
  }

  test('foldl with a bad callback', () => {
    rejects('ERR_INVALID_ARGUMENT', (c) => c.foldl('fn' as never, 0));
  });

  test('ERR_INVALID_OPTION for every bad option', () => {
    const bad: unknown[] = [
      undefined,
      null,
      'client',
      {},
      { role: 'both' },
      { role: 'client', maxSessions: 0 },
      { role: 'client', maxSessions: 1.5 },
      { role: 'client', maxSessions: 2 ** 24 + 1 },
      { role: 'client', maxSessions: '10' },
      { role: 'client', maxSessionBytes: 0 },
      { role: 'client', maxSessionBytes: 2 ** 20 + 1 },
      { role: 'client', memoryBytes: 100 },
      { role: 'client', memoryBytes: 2 ** 32 },
      { role: 'client', maxSessionBytes: 2 ** 20, memoryBytes: 2 ** 20 },
      { role: 'client', lifetimeSeconds: 0 },
      { role: 'client', lifetimeSeconds: -1 },
      { role: 'client', lifetimeSeconds: NaN },
      { role: 'client', lifetimeSeconds: Infinity },
      { role: 'client', lifetimeSeconds: '300' },
      { role: 'client', onFull: 'drop' },
      { role: 'client', clock: 5 },
    ];
    for (const options of bad)
      expect(() => create(options as never), JSON.stringify(options)).toThrow(code('ERR_INVALID_OPTION'));
  });
});

test('the wasm cache refuses limits beyond a 4 GiB wasm32 memory, naming the way out', () => {
  const options = { role: 'server' as const, maxSessions: 2 ** 24, memoryBytes: 2 ** 32 - 1 };
  expect(() => createSessionCache(options)).toThrow(code('ERR_INVALID_OPTION'));
  expect(() => createSessionCache(options)).toThrow(/4 GiB/);
  // the JS implementation has no such limit (it allocates per session)
  createJsSessionCache(options).terminate();
});
