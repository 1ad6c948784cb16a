// The callbacks one by one, mirroring OTP's ssl_session_cache_api_SUITE, for both implementations
// and both roles, through the OTP-shaped modules and through the cache objects.
import { describe, expect, test } from 'vitest';
import { jsSessionCache, wasmSessionCache, type SessionCache, type SessionCacheModule } from '../src/index.js';
import { bytes, comparableStats, contents, hex, impls, key, manualClock } from './helpers.js';

const modules: Array<[string, SessionCacheModule<SessionCache>]> = [
  ['wasmSessionCache', wasmSessionCache as SessionCacheModule<SessionCache>],
  ['jsSessionCache', jsSessionCache as SessionCacheModule<SessionCache>],
];

describe.each(modules)('%s (OTP callbacks)', (_name, m) => {
  describe.each(['client', 'server'] as const)('role %s', (role) => {
    const pk = role === 'client' ? 'example.com:443' : '';

    test('init, update, lookup, delete, size: the OTP API suite sequence', () => {
      const cache = m.init({ role });
      expect(m.size(cache)).toBe(0);
      const [k1, k2] = [key(pk, 1), key(pk, 2)];
      const [s1, s2] = [bytes(160, 11), bytes(160, 12)];
      m.update(cache, k1, s1);
      expect(m.size(cache)).toBe(1);
      m.update(cache, k2, s2);
      expect(m.size(cache)).toBe(2);
      expect(hex(m.lookup(cache, k1))).toBe(hex(s1));
      expect(hex(m.lookup(cache, k2))).toBe(hex(s2));
      m.delete(cache, k2);
      expect(m.size(cache)).toBe(1);
      expect(m.lookup(cache, k2)).toBeUndefined();
      expect(m.lookup(cache, key(pk, 999))).toBeUndefined();
      m.terminate(cache);
    });

    test('foldl returns Acc0 on an empty cache and visits every entry otherwise', () => {
      const cache = m.init({ role });
      const acc0 = { untouched: true };
      expect(m.foldl(() => ({ untouched: false }), acc0, cache)).toBe(acc0);
      m.update(cache, key(pk, 1), bytes(10, 1));
      m.update(cache, key(pk, 2), bytes(20, 2));
      expect(m.foldl((e, n: number) => n + e.session.length, 0, cache)).toBe(30);
      m.terminate(cache);
    });

    test('selectSession returns [] when nothing matches, newest first otherwise', () => {
      const cache = m.init({ role });
      expect(m.selectSession(cache, pk)).toEqual([]);
      m.update(cache, key(pk, 1), bytes(8, 1));
      m.update(cache, key(pk, 2), bytes(8, 2));
      m.update(cache, key('other:1', 3), bytes(8, 3));
      expect(m.selectSession(cache, pk).map(hex)).toEqual([hex(bytes(8, 2)), hex(bytes(8, 1))]);
      m.terminate(cache);
    });

    test('callbacks refuse a cache that is not theirs', () => {
      const other = (m === (wasmSessionCache as unknown) ? jsSessionCache : wasmSessionCache).init({ role });
      expect(() => m.size(other as SessionCache)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
      expect(() => m.lookup({} as SessionCache, key(pk, 1))).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
      other.terminate();
    });
  });
});

describe.each(impls)('$name cache', ({ create }) => {
  test('user-defined properties are kept as given and readable back', () => {
    const properties = { listener: 'tcp/443', tag: { a: 1 } };
    const cache = create({ role: 'server', properties });
    expect(cache.options.properties).toBe(properties);
    expect(cache.options.properties).toEqual({ listener: 'tcp/443', tag: { a: 1 } });
    expect(cache.options).toMatchObject({
      role: 'server',
      maxSessions: 20480,
      lifetimeSeconds: 300,
      onFull: 'evict-oldest',
      maxSessionBytes: 16384,
    });
    expect(Object.isFrozen(cache.options)).toBe(true);
    cache.terminate();
  });

  test('max size 2: three sessions saved leave exactly 2, and the newest is there (OTP 23.3+)', () => {
    const cache = create({ role: 'client', maxSessions: 2 });
    for (let i = 1; i <= 3; i++) cache.update(key('h:1', i), bytes(100, i));
    expect(cache.size).toBe(2);
    expect(cache.lookup(key('h:1', 1))).toBeUndefined();
    expect(hex(cache.lookup(key('h:1', 3)))).toBe(hex(bytes(100, 3)));
    expect(cache.stats().evictions).toBe(1);
    cache.terminate();
  });

  test("onFull 'invalidate-all': a session beyond the maximum clears every older one", () => {
    const cache = create({ role: 'server', maxSessions: 3, onFull: 'invalidate-all' });
    for (let i = 1; i <= 3; i++) cache.update(key('', i), bytes(50, i));
    cache.update(key('', 4), bytes(50, 4));
    expect(cache.size).toBe(1);
    expect(hex(cache.lookup(key('', 4)))).toBe(hex(bytes(50, 4)));
    for (let i = 1; i <= 3; i++) expect(cache.lookup(key('', i))).toBeUndefined();
    expect(cache.stats().invalidations).toBe(3);
    // replacing under an existing key does not count as exceeding the maximum
    cache.update(key('', 5), bytes(50, 5));
    cache.update(key('', 6), bytes(50, 6));
    cache.update(key('', 5), bytes(50, 55));
    expect(cache.size).toBe(3);
    cache.terminate();
  });

  test('20 updates of an equivalent session leave one entry, holding the last bytes', () => {
    const cache = create({ role: 'client' });
    for (let i = 0; i < 20; i++) cache.update(key('h:443', 7), bytes(600, i));
    expect(cache.size).toBe(1);
    expect(hex(cache.lookup(key('h:443', 7)))).toBe(hex(bytes(600, 19)));
    expect(cache.stats()).toMatchObject({ inserts: 1, replacements: 19 });
    cache.terminate();
  });

  test('lifetime 2 s: after 4 s the entry is gone (lookup reports a miss and removes it)', () => {
    const clock = manualClock();
    const cache = create({ role: 'server', lifetimeSeconds: 2, clock: clock.read });
    cache.update(key('', 1), bytes(160, 1));
    clock.advance(1999);
    expect(cache.lookup(key('', 1))).toBeDefined();
    clock.advance(2001);
    expect(cache.lookup(key('', 1))).toBeUndefined();
    expect(cache.size).toBe(0);
    expect(cache.stats()).toMatchObject({ expired: 1, hits: 1, misses: 1, lookups: 2 });
    cache.terminate();
  });

  test('valid while now - created < lifetime: expired exactly at the lifetime', () => {
    const clock = manualClock();
    const cache = create({ role: 'server', lifetimeSeconds: 1, clock: clock.read });
    cache.update(key('', 1), bytes(16, 1));
    clock.advance(999);
    expect(cache.lookup(key('', 1))).toBeDefined();
    clock.advance(1);
    expect(cache.lookup(key('', 1))).toBeUndefined();
    cache.terminate();
  });

  test('replacing a session makes it the newest: its age restarts and eviction skips it', () => {
    const clock = manualClock();
    const cache = create({ role: 'client', maxSessions: 3, lifetimeSeconds: 10, clock: clock.read });
    cache.update(key('h:1', 1), bytes(10, 1));
    cache.update(key('h:1', 2), bytes(10, 2));
    cache.update(key('h:1', 3), bytes(10, 3));
    clock.advance(5000);
    cache.update(key('h:1', 1), bytes(10, 11)); // 1 becomes the newest
    cache.update(key('h:1', 4), bytes(10, 4)); // evicts 2, the oldest now
    expect(cache.lookup(key('h:1', 2))).toBeUndefined();
    expect(hex(cache.lookup(key('h:1', 1)))).toBe(hex(bytes(10, 11)));
    clock.advance(6000); // 3 was created 11 s ago, 1 only 6 s ago
    expect(cache.lookup(key('h:1', 3))).toBeUndefined();
    expect(cache.lookup(key('h:1', 1))).toBeDefined();
    expect(cache.selectSession('h:1').map(hex)).toEqual([hex(bytes(10, 4)), hex(bytes(10, 11))]);
    cache.terminate();
  });

  test('each update sweeps up to two expired sessions from the old end; sweep() takes the rest', () => {
    const clock = manualClock();
    const cache = create({ role: 'server', lifetimeSeconds: 1, clock: clock.read });
    for (let i = 0; i < 5; i++) cache.update(key('', i), bytes(20, i));
    clock.advance(1000);
    cache.update(key('', 100), bytes(20, 100));
    expect(cache.size).toBe(4);
    expect(cache.sweep()).toBe(3);
    expect(cache.size).toBe(1);
    expect(cache.stats().expired).toBe(5);
    cache.terminate();
  });

  test('partial keys: a string and its UTF-8 bytes are the same key; other keys stay apart', () => {
    const cache = create({ role: 'client' });
    cache.update(key('höst:443', 1), bytes(30, 1));
    expect(hex(cache.lookup(key(new TextEncoder().encode('höst:443'), 1)))).toBe(hex(bytes(30, 1)));
    expect(cache.lookup(key('host:443', 1))).toBeUndefined();
    expect(cache.lookup(key('höst:4430', 1))).toBeUndefined();
    cache.update(key(Uint8Array.of(1, 2, 3), 2), bytes(30, 2));
    expect(cache.selectSession(Uint8Array.of(1, 2, 3)).map(hex)).toEqual([hex(bytes(30, 2))]);
    expect(cache.selectSession(Uint8Array.of(1, 2))).toEqual([]);
    // foldl reports each session's partial key in the form it was stored with
    const pks = cache.foldl((e, acc: unknown[]) => [...acc, e.key.partialKey], []);
    expect(pks[0]).toBe('höst:443');
    expect(pks[1]).toEqual(Uint8Array.of(1, 2, 3));
    cache.terminate();
  });

  test('partial-key strings of 0-13 and 509-512 chars, ASCII or not anywhere, are keyed by their UTF-8 bytes', () => {
    // The wasm layer packs four chars per store and checks for non-ASCII once per string: every
    // length mod 4, a non-ASCII char in each place, and a long key written before a short one
    // (stale bytes past the end) must still give exactly the UTF-8 bytes.
    const cache = create({ role: 'client', maxSessions: 10_000 });
    const utf8 = new TextEncoder();
    const pks: string[] = [];
    for (const n of [13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 509, 510, 511, 512]) {
      const ascii = Array.from({ length: n }, (_, i) => String.fromCharCode(0x61 + ((i * 7 + n) % 26))).join('');
      pks.push(ascii);
      for (let at = 0; at < Math.min(n, 13); at++) {
        for (const c of ['\u00e9', '\u20ac', '\u0100']) {
          const pk = ascii.slice(0, at) + c + ascii.slice(at + 1);
          if (utf8.encode(pk).length <= 512) pks.push(pk);
        }
      }
    }
    pks.forEach((pk, i) => {
      cache.update(key(pk, i), bytes(20, i));
    });
    expect(cache.size).toBe(pks.length);
    const byBytes = pks.map((pk, i) => hex(cache.lookup(key(utf8.encode(pk), i))));
    expect(byBytes).toEqual(pks.map((_, i) => hex(bytes(20, i))));
    expect(cache.lookupMany(pks.map((pk, i) => key(pk, i))).map(hex)).toEqual(byBytes);
    pks.forEach((pk, i) => {
      if (pk.length > 0) expect(cache.lookup(key(pk.slice(0, -1), i))).toBeUndefined();
      if (utf8.encode(pk).length < 512) expect(cache.lookup(key(`${pk}a`, i))).toBeUndefined();
    });
    expect(cache.foldl((e, acc: unknown[]) => [...acc, e.key.partialKey], [])).toEqual(pks);
    cache.terminate();
  });

  test('session ids of 1 and 255 bytes, and partial keys of 0 and 512 bytes, are accepted', () => {
    const cache = create({ role: 'client' });
    const longPk = 'p'.repeat(512);
    cache.update(key(longPk, bytes(255, 1)), bytes(40, 1));
    cache.update(key('', bytes(1, 2)), bytes(40, 2));
    expect(hex(cache.lookup(key(longPk, bytes(255, 1))))).toBe(hex(bytes(40, 1)));
    expect(hex(cache.lookup(key('', bytes(1, 2))))).toBe(hex(bytes(40, 2)));
    expect(cache.lookup(key('', bytes(2, 2)))).toBeUndefined();
    cache.terminate();
  });

  test('lookup returns a copy; lookupInto fills a buffer; lookupView sees the stored bytes', () => {
    const cache = create({ role: 'client' });
    const s = bytes(700, 3);
    cache.update(key('h:1', 1), s);
    const copy = cache.lookup(key('h:1', 1))!;
    copy.fill(0);
    expect(hex(cache.lookup(key('h:1', 1)))).toBe(hex(s));
    const target = new Uint8Array(1000);
    expect(cache.lookupInto(key('h:1', 1), target)).toBe(700);
    expect(hex(target.subarray(0, 700))).toBe(hex(s));
    expect(cache.lookupInto(key('h:1', 2), target)).toBe(-1);
    expect(hex(cache.lookupView(key('h:1', 1)))).toBe(hex(s));
    expect(cache.lookupView(key('h:1', 2))).toBeUndefined();
    // the caller's buffer passed to update is copied, not kept
    s.fill(1);
    expect(hex(cache.lookup(key('h:1', 1)))).toBe(hex(bytes(700, 3)));
    cache.terminate();
  });

  test('updating with a view of the cache itself (from lookupView) stores the right bytes', () => {
    const cache = create({ role: 'client', maxSessions: 2 });
    cache.update(key('h:1', 1), bytes(300, 1));
    cache.update(key('h:1', 2), bytes(300, 2));
    // key 3 evicts key 1, whose bytes the view shows
    cache.update(key('h:1', 3), cache.lookupView(key('h:1', 1))!);
    expect(hex(cache.lookup(key('h:1', 3)))).toBe(hex(bytes(300, 1)));
    cache.update(key('h:1', 2), cache.lookupView(key('h:1', 2))!);
    expect(hex(cache.lookup(key('h:1', 2)))).toBe(hex(bytes(300, 2)));
    cache.terminate();
  });

  test('take is lookup + delete', () => {
    const cache = create({ role: 'client' });
    cache.update(key('h:1', 1), bytes(64, 1));
    expect(hex(cache.take(key('h:1', 1)))).toBe(hex(bytes(64, 1)));
    expect(cache.take(key('h:1', 1))).toBeUndefined();
    expect(cache.size).toBe(0);
    expect(cache.stats()).toMatchObject({ hits: 1, misses: 1, deletes: 1 });
    cache.terminate();
  });

  test('delete reports whether a live session was there', () => {
    const clock = manualClock();
    const cache = create({ role: 'client', lifetimeSeconds: 1, clock: clock.read });
    cache.update(key('h:1', 1), bytes(64, 1));
    cache.update(key('h:1', 2), bytes(64, 2));
    expect(cache.delete(key('h:1', 1))).toBe(true);
    expect(cache.delete(key('h:1', 1))).toBe(false);
    expect(cache.delete(key('nope:1', 1))).toBe(false);
    clock.advance(1000);
    expect(cache.delete(key('h:1', 2))).toBe(false); // expired counts as gone
    expect(cache.stats()).toMatchObject({ deletes: 1, expired: 1 });
    cache.terminate();
  });

  test('memoryBytes: sessions are evicted oldest first to stay within the byte budget', () => {
    // room for the largest session (255-byte id, 512-byte partial key) and then some
    const cache = create({ role: 'client', maxSessionBytes: 1000, memoryBytes: 4000 });
    for (let i = 0; i < 10; i++) cache.update(key('h:1', i), bytes(1000, i));
    const st = cache.stats();
    expect(st.bytesUsed).toBeLessThanOrEqual(4000);
    expect(st.sessions).toBe(3);
    expect(st.bytesUsed).toBe(3 * 1088); // 38 + 3 + 32 + 1000 = 1073, in the 64-byte class 1088
    expect(st.evictions).toBe(7);
    expect(cache.lookup(key('h:1', 9))).toBeDefined();
    expect(cache.lookup(key('h:1', 6))).toBeUndefined();
    cache.terminate();
  });

  test('foldl: the callback may delete and update; it visits what was there at the start', () => {
    const cache = create({ role: 'client' });
    for (let i = 0; i < 6; i++) cache.update(key('h:1', i), bytes(8, i));
    const seen: string[] = [];
    cache.foldl((e) => {
      seen.push(hex(e.session)!);
      if (seen.length === 1) {
        cache.delete(key('h:1', 1)); // not yet visited: skipped
        cache.update(key('h:1', 2), bytes(8, 22)); // moved to the newest: not visited
        cache.update(key('h:1', 9), bytes(8, 9)); // new: not visited
        cache.delete(key('h:1', 5)); // the last one: the fold ends at 4
      }
      return undefined;
    }, undefined);
    expect(seen).toEqual([0, 3, 4].map((i) => hex(bytes(8, i))));
    cache.terminate();
  });

  test('foldl: nested folds, a callback that throws, a callback that terminates', () => {
    const cache = create({ role: 'client' });
    for (let i = 0; i < 3; i++) cache.update(key('h:1', i), bytes(8, i));
    const pairs = cache.foldl(
      (a, acc: number) => acc + cache.foldl((b, n: number) => n + (a.session[0]! <= b.session[0]! ? 1 : 0), 0),
      0,
    );
    expect(pairs).toBe(6);
    expect(() =>
      cache.foldl(() => {
        throw new Error('boom');
      }, 0),
    ).toThrow('boom');
    // the failed fold released its cursor: MAX_FOLDS nested folds still work afterwards
    for (let i = 1; i < 3; i++) cache.delete(key('h:1', i));
    const nest = (d: number): number => (d === 0 ? 0 : cache.foldl((_e, acc: number) => Math.max(acc, 1 + nest(d - 1)), 0));
    expect(nest(32)).toBe(32);
    expect(() => nest(33)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
    expect(
      cache.foldl((_e, n: number) => {
        cache.terminate();
        return n + 1;
      }, 0),
    ).toBe(1);
    expect(cache.size).toBe(0);
  });

  test('contents() sees every field: partial key, session id, session, in age order', () => {
    const cache = create({ role: 'client' });
    cache.update(key('a:1', bytes(3, 1)), bytes(4, 1));
    cache.update(key(Uint8Array.of(9), bytes(2, 2)), bytes(5, 2));
    expect(contents(cache)).toEqual([
      ['s:a:1', [...bytes(3, 1)], [...bytes(4, 1)]],
      ['b:9', [...bytes(2, 2)], [...bytes(5, 2)]],
    ]);
    cache.terminate();
  });

  test('a terminated cache: lookups miss, size is 0, other calls throw ERR_CACHE_TERMINATED', () => {
    const cache = create({ role: 'client' });
    cache.update(key('h:1', 1), bytes(8, 1));
    cache.terminate();
    cache.terminate(); // idempotent
    expect(cache.lookup(key('h:1', 1))).toBeUndefined();
    expect(cache.lookupInto(key('h:1', 1), new Uint8Array(8))).toBe(-1);
    expect(cache.lookupView(key('h:1', 1))).toBeUndefined();
    expect(cache.selectSession('h:1')).toEqual([]);
    expect(cache.size).toBe(0);
    const terminated = expect.objectContaining({ code: 'ERR_CACHE_TERMINATED' });
    expect(() => cache.update(key('h:1', 1), bytes(8, 1))).toThrow(terminated);
    expect(() => cache.delete(key('h:1', 1))).toThrow(terminated);
    expect(() => cache.take(key('h:1', 1))).toThrow(terminated);
    expect(() => cache.foldl((_e, a) => a, 0)).toThrow(terminated);
    expect(() => cache.sweep()).toThrow(terminated);
    expect(() => cache.stats()).toThrow(terminated);
  });
});

describe.each(impls)('$name cache with the default clock', ({ create }) => {
  test('time moves on between event-loop turns (a session with a 1 ms lifetime expires)', async () => {
    const cache = create({ role: 'server', lifetimeSeconds: 0.001 });
    cache.update(key('', 1), bytes(16, 1));
    // the same synchronous run shares one reading of the clock: the session is still there
    expect(cache.lookup(key('', 1))).toBeDefined();
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(cache.lookup(key('', 1))).toBeUndefined();
    expect(cache.stats().expired).toBe(1);
    cache.terminate();
  });
});

describe.each(impls)('$name cache with Node Buffers', ({ create }) => {
  test("copies the caller's Buffers (Buffer#slice is a view) and never touches them", () => {
    const cache = create({ role: 'client', maxSessions: 2 });
    const id = Buffer.from(bytes(32, 1));
    const session = Buffer.from(bytes(300, 2));
    const pk = Buffer.from('h:1');
    cache.update({ partialKey: pk, sessionId: id }, session);
    session.fill(9);
    pk.fill(9);
    expect(hex(cache.lookup({ partialKey: 'h:1', sessionId: id }))).toBe(hex(bytes(300, 2)));
    // removal wipes the cache's own copies, not the caller's buffers
    cache.delete({ partialKey: 'h:1', sessionId: id });
    cache.update(key('h:1', 5), session);
    cache.update(key('h:1', 6), session);
    cache.update(key('h:1', 7), session); // evicts 5
    expect(hex(id)).toBe(hex(bytes(32, 1)));
    expect([...session].every((b) => b === 9)).toBe(true);
    // what foldl hands out is a copy too
    cache.foldl((e) => {
      e.key.sessionId.fill(0);
      e.session.fill(0);
      return 0;
    }, 0);
    expect(hex(cache.lookup(key('h:1', 7)))).toBe(hex(session));
    cache.terminate();
  });
});

describe.each(impls)('$name cache: lookupMany', ({ create }) => {
  test('answers as lookup on each key in order, across several batches, with the same counters', () => {
    const clock = manualClock();
    const a = create({ role: 'client', lifetimeSeconds: 10, clock: clock.read });
    const b = create({ role: 'client', lifetimeSeconds: 10, clock: clock.read });
    const pks = ['h:1', 'höst:2', Uint8Array.of(1, 2), '', 'p'.repeat(512)];
    for (const c of [a, b]) {
      for (let i = 0; i < 150; i++) c.update(key(pks[i % pks.length]!, bytes(i % 7 === 0 ? 255 : 32, i)), bytes(20 + i, i));
    }
    clock.advance(5000);
    for (const c of [a, b])
      for (let i = 150; i < 160; i++) c.update(key(pks[i % pks.length]!, bytes(i % 7 === 0 ? 255 : 32, i)), bytes(20 + i, i));
    clock.advance(6000); // the first 150 have expired, the last 10 have not
    const keys = [];
    for (let i = 0; i < 200; i++) keys.push(key(pks[i % pks.length]!, bytes(i % 7 === 0 ? 255 : 32, i)));
    keys.push(keys[155]!, keys[3]!); // duplicates
    const many = a.lookupMany(keys).map(hex);
    const one = keys.map((k) => hex(b.lookup(k)));
    expect(many).toEqual(one);
    expect(many.filter((x) => x !== undefined)).toHaveLength(11);
    expect(comparableStats(a)).toEqual(comparableStats(b));
    expect(a.stats()).toMatchObject({ lookups: 202, hits: 11, expired: 150 });
    expect(a.lookupMany([])).toEqual([]);
    a.terminate();
    b.terminate();
  });

  test('a bad key anywhere throws before any key is looked up', () => {
    const cache = create({ role: 'client' });
    cache.update(key('h:1', 1), bytes(10, 1));
    const good = key('h:1', 1);
    expect(() => cache.lookupMany([good, { partialKey: 'h:1', sessionId: new Uint8Array(0) }])).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }),
    );
    expect(() => cache.lookupMany([good, key('ü'.repeat(300), 2)])).toThrow(
      expect.objectContaining({ code: 'ERR_KEY_TOO_LONG' }),
    );
    expect(() => cache.lookupMany('keys' as never)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
    expect(cache.stats().lookups).toBe(0);
    cache.terminate();
    expect(cache.lookupMany([good, good])).toEqual([undefined, undefined]);
  });
});
