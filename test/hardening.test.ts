// Issue 22, defects 5-8 and the options rules: buffers that grow between a check and a copy,
// clocks and getters that run the caller's code mid-call, and errors that must stay
// SessionCacheErrors whatever the argument does. Every case runs on both implementations.
import { Worker } from 'node:worker_threads';
import { describe, expect, test } from 'vitest';
import {
  JsSessionCache,
  MAX_LOOKUP_MANY_KEYS,
  SessionCacheError,
  recordBytes,
  WasmSessionCache,
  jsSessionCache,
  wasmSessionCache,
  type SessionCache,
  type SessionCacheModule,
  type SessionKey,
} from '../src/index.js';
import { bytes, comparableStats, contents, hex, impls, key, verifyCore } from './helpers.js';

const MAX_SESSION_ID = 255;
const MAX_PK = 512;
const code = (c: string) => expect.objectContaining({ code: c, name: 'SessionCacheError' });

/** A length-tracking view over a resizable ArrayBuffer holding `initial`, and a way to resize it. */
function resizable(initial: Uint8Array, maxByteLength = 65536) {
  const buffer = new ArrayBuffer(initial.length, { maxByteLength });
  const view = new Uint8Array(buffer);
  view.set(initial);
  return { view, resize: (n: number) => buffer.resize(n) };
}

describe.each(impls)('$name cache', ({ name, create }) => {
  /** A cache whose clock runs `onTick` once, the next time it is read. */
  function withHook() {
    const hook: { onTick: (() => void) | undefined; now: unknown } = { onTick: undefined, now: 1_000_000 };
    const cache = create({
      role: 'client',
      maxSessions: 16,
      maxSessionBytes: 1024,
      clock: () => {
        const f = hook.onTick;
        hook.onTick = undefined;
        f?.();
        return hook.now as number;
      },
    });
    cache.update(key('h:1', 1), bytes(300, 1));
    cache.update(key('h:2', 2), bytes(500, 2));
    cache.update(key(Uint8Array.of(7, 7), 3), bytes(1024, 3));
    return { cache, hook };
  }

  /** Everything observable, for "changed nothing" (contents, counters, and the core's own check). */
  function snapshot(cache: SessionCache) {
    return { contents: contents(cache), stats: comparableStats(cache), verify: name === 'wasm' ? verifyCore(cache) : 0 };
  }

  /** `call` must throw a SessionCacheError with `errorCode` and change nothing. */
  function refused(cache: SessionCache, errorCode: string, call: () => unknown) {
    const before = snapshot(cache);
    expect(call).toThrow(code(errorCode));
    expect(snapshot(cache)).toEqual(before);
    expect(before.verify).toBe(0);
  }

  describe('defect 5: a buffer the clock grows between check and copy', () => {
    /** A key whose session id (32 bytes, stored under 'h:1' as id 1) the clock grows to 4096 bytes. */
    function growingId(hook: { onTick: (() => void) | undefined }) {
      const id = resizable(bytes(32, 1));
      hook.onTick = () => id.resize(4096);
      return { partialKey: 'h:1', sessionId: id.view };
    }
    /** A key whose 10-byte partial key the clock grows to `n` bytes. */
    function growingPartialKey(hook: { onTick: (() => void) | undefined }, n = 1000) {
      const pk = resizable(bytes(10, 4));
      hook.onTick = () => pk.resize(n);
      return { partialKey: pk.view, sessionId: bytes(32, 4) };
    }

    const lookups: Array<[string, (c: SessionCache, k: SessionKey) => unknown]> = [
      ['lookup', (c, k) => c.lookup(k)],
      ['lookupView', (c, k) => c.lookupView(k)],
      ['lookupInto', (c, k) => c.lookupInto(k, new Uint8Array(2048))],
      ['take', (c, k) => c.take(k)],
      ['delete', (c, k) => c.delete(k)],
      ['update', (c, k) => c.update(k, bytes(40, 9))],
      ['lookupMany', (c, k) => c.lookupMany([key('h:2', 2), k])],
    ];

    test.each(lookups)('%s: a session id grown past 255 bytes is refused, nothing changed', (_fn, call) => {
      const { cache, hook } = withHook();
      refused(cache, 'ERR_KEY_TOO_LONG', () => call(cache, growingId(hook)));
      cache.terminate();
    });

    test.each(lookups)('%s: a partial key grown past 512 bytes is refused, nothing changed', (_fn, call) => {
      const { cache, hook } = withHook();
      refused(cache, 'ERR_KEY_TOO_LONG', () => call(cache, growingPartialKey(hook)));
      cache.terminate();
    });

    test('selectSession: a partial key grown past 512 bytes is refused', () => {
      const { cache, hook } = withHook();
      refused(cache, 'ERR_KEY_TOO_LONG', () => cache.selectSession(growingPartialKey(hook).partialKey));
      cache.terminate();
    });

    test('lookupMany: a partial key grown past the 16 KiB batch area is refused (it once looped forever)', () => {
      const { cache, hook } = withHook();
      refused(cache, 'ERR_KEY_TOO_LONG', () => cache.lookupMany([growingPartialKey(hook, 20_000)]));
      cache.terminate();
    });

    test('update: a session grown by the clock is stored at its grown length, its neighbours untouched', () => {
      const { cache, hook } = withHook();
      const session = resizable(bytes(100, 5));
      const before = contents(cache);
      const used = cache.stats().bytesUsed;
      hook.onTick = () => {
        session.resize(900);
        session.view.set(bytes(900, 6));
      };
      cache.update(key('h:5', 5), session.view);
      expect(hex(cache.lookup(key('h:5', 5)))).toBe(hex(bytes(900, 6)));
      expect(cache.stats().bytesUsed).toBe(used + recordBytes(3, 32, 900)); // counted as stored
      cache.delete(key('h:5', 5));
      expect(contents(cache)).toEqual(before);
      if (name === 'wasm') expect(verifyCore(cache)).toBe(0);
      cache.terminate();
    });

    test('update: a session grown past maxSessionBytes by the clock is refused', () => {
      const { cache, hook } = withHook();
      const session = resizable(bytes(100, 5));
      const before = contents(cache);
      hook.onTick = () => session.resize(2000);
      expect(() => cache.update(key('h:1', 1), session.view)).toThrow(code('ERR_SESSION_TOO_LARGE'));
      expect(contents(cache)).toEqual(before);
      cache.terminate();
    });

    test('lookupInto: a target the clock shrinks is measured after the clock', () => {
      const { cache, hook } = withHook();
      const target = resizable(new Uint8Array(2048));
      refused(cache, 'ERR_INVALID_ARGUMENT', () => {
        hook.onTick = () => target.resize(10);
        return cache.lookupInto(key('h:1', 1), target.view);
      });
      cache.terminate();
    });
  });

  test('defect 5: a worker grows shared buffers while this thread stores and looks up; everything reads back exactly', async () => {
    const MAX_SESSION = 4096;
    const ROUNDS = 400;
    const cache = create({ role: 'client', maxSessions: 256, maxSessionBytes: MAX_SESSION, memoryBytes: 4 << 20 });
    const references = Array.from({ length: 8 }, (_, i) => [key(`ref:${i}`, 1000 + i), bytes(200 + i, 1000 + i)] as const);
    for (const [k, s] of references) cache.update(k, s);
    // Per round, length-tracking views over growable shared buffers, their first bytes set here;
    // the worker appends (zero) bytes one at a time, the id across its 255-byte limit, the partial
    // key across 512, the session by 64 bytes (any growth between its check and its copy once
    // overflowed its record), then starts the next round.
    const grown = (initial: Uint8Array, max: number) => {
      const buffer = new SharedArrayBuffer(initial.length, { maxByteLength: max });
      const view = new Uint8Array(buffer);
      view.set(initial);
      return { buffer, view };
    };
    const SESSION = bytes(1000, 1);
    const ID = bytes(MAX_SESSION_ID - 5, 2);
    const PK = bytes(MAX_PK - 6, 3);
    const rounds = Array.from({ length: ROUNDS }, () => ({
      session: grown(SESSION, 1064),
      id: grown(ID, MAX_SESSION_ID + 6),
      pk: grown(PK, MAX_PK + 6),
    }));
    const round = new Int32Array(new SharedArrayBuffer(8)); // [current round, done]
    const worker = new Worker(
      `const { workerData } = require('node:worker_threads');
       const { buffers, round } = workerData;
       for (let r = 0; r < buffers.length; r++) {
         Atomics.store(round, 0, r);
         for (let grew = true; grew; ) {
           grew = false;
           for (const b of buffers[r]) if (b.byteLength < b.maxByteLength) { b.grow(b.byteLength + 1); grew = true; }
           // about 20 us per step, so this thread's calls straddle each growth
           for (const until = performance.now() + 0.02; performance.now() < until; );
         }
       }
       Atomics.store(round, 1, 1);`,
      { eval: true, workerData: { buffers: rounds.map((r) => [r.session.buffer, r.id.buffer, r.pk.buffer]), round } },
    );
    const refusals = new Map<string, number>();
    const sessionKeys = Array.from({ length: 16 }, (_, j) => key(`s:${j}`, j));
    const pkIds = [100, 101, 102, 103].map((j) => [bytes(32, j), bytes(50, j)] as const);
    const session40 = bytes(40, 7);
    const ref0 = key('ref:0', 1000);
    let calls = 0;
    try {
      await new Promise((resolve) => worker.once('online', resolve));
      for (; calls < 2_000_000 && Atomics.load(round, 1) === 0; calls++) {
        const { session, id, pk } = rounds[Atomics.load(round, 0)]!;
        try {
          switch (calls % 4) {
            case 0:
              cache.update(sessionKeys[calls % 16]!, session.view);
              break;
            case 1:
              cache.update({ partialKey: pk.view, sessionId: pkIds[calls % 4]![0] }, pkIds[calls % 4]![1]);
              break;
            case 2:
              cache.update({ partialKey: 'id', sessionId: id.view }, session40);
              break;
            default:
              cache.lookup({ partialKey: 'id', sessionId: id.view });
              cache.lookupMany([{ partialKey: pk.view, sessionId: id.view }, ref0]);
          }
        } catch (error) {
          // only the refusals a grown argument earns; anything else fails the test
          if (!(error instanceof SessionCacheError) || !['ERR_KEY_TOO_LONG', 'ERR_SESSION_TOO_LARGE'].includes(error.code)) {
            throw error;
          }
          refusals.set(error.code, (refusals.get(error.code) ?? 0) + 1);
        }
      }
    } finally {
      await worker.terminate();
    }
    console.log(`${name}: ${calls} calls while growing; refused: ${JSON.stringify(Object.fromEntries(refusals))}`);

    if (name === 'wasm') expect(verifyCore(cache)).toBe(0);
    for (const [k, s] of references) expect(hex(cache.lookup(k))).toBe(hex(s));
    // what grew is zeros after the bytes set here: every stored copy is a prefix of that
    const prefixOf = (initial: Uint8Array, length: number) => {
      const out = new Uint8Array(length);
      out.set(initial.subarray(0, Math.min(length, initial.length)));
      return hex(out);
    };
    const entries = cache.foldl((e, acc: Array<typeof e>) => [...acc, e], []);
    expect(entries.length).toBeGreaterThan(references.length);
    // the byte budget counts exactly what is stored
    const counted = entries.reduce(
      (sum, { key: k, session: s }) => sum + recordBytes(k.partialKey.length, k.sessionId.length, s.length),
      0,
    );
    expect(cache.stats().bytesUsed).toBe(counted);
    for (const { key: k, session: s } of entries) {
      const partialKey = k.partialKey;
      expect(partialKey.length).toBeLessThanOrEqual(MAX_PK);
      expect(k.sessionId.length).toBeLessThanOrEqual(MAX_SESSION_ID);
      expect(s.length).toBeLessThanOrEqual(MAX_SESSION);
      expect(hex(cache.lookup(k))).toBe(hex(s));
      if (typeof partialKey !== 'string') {
        expect(hex(partialKey)).toBe(prefixOf(PK, partialKey.length));
        const seed = [100, 101, 102, 103].find((j) => hex(bytes(32, j)) === hex(k.sessionId));
        expect(hex(s)).toBe(hex(bytes(50, seed!)));
      } else if (partialKey === 'id') {
        expect(hex(k.sessionId)).toBe(prefixOf(ID, k.sessionId.length));
        expect(hex(s)).toBe(hex(bytes(40, 7)));
      } else if (partialKey.startsWith('s:')) {
        expect(hex(s)).toBe(prefixOf(SESSION, s.length));
      }
    }
    cache.terminate();
  });

  test('defect 6: a throwing clock leaves no foldl slot taken', () => {
    let broken = true;
    const cache = create({
      role: 'client',
      clock: () => {
        if (broken) throw new Error('clock broke');
        return 1_000_000;
      },
    });
    for (let i = 0; i < 40; i++) expect(() => cache.foldl((_e, n: number) => n + 1, 0)).toThrow('clock broke');
    broken = false;
    cache.update(key('h:1', 1), bytes(10, 1));
    expect(cache.foldl((_e, n: number) => n + 1, 0)).toBe(1);
    cache.terminate();
  });

  describe('defect 7: the caller code a call runs cannot change the cache under it', () => {
    test("a clock reading whose valueOf updates another key is refused, uncoerced: lookup never answers with that key's session", () => {
      const { cache, hook } = withHook();
      let ran = 0;
      hook.now = {
        valueOf() {
          ran++;
          cache.update(key('h:2', 2), bytes(30, 9));
          return 1_000_000;
        },
      };
      const calls: Array<() => unknown> = [
        () => cache.lookup(key('h:1', 1)),
        () => cache.lookupView(key('h:1', 1)),
        () => cache.update(key('h:1', 1), bytes(20, 1)),
        () => cache.selectSession('h:1'),
        () => cache.lookupMany([key('h:1', 1)]),
      ];
      for (const call of calls) expect(call).toThrow(code('ERR_INVALID_OPTION'));
      expect(ran).toBe(0);
      hook.now = 1_000_000;
      expect(hex(cache.lookup(key('h:1', 1)))).toBe(hex(bytes(300, 1)));
      expect(hex(cache.lookup(key('h:2', 2)))).toBe(hex(bytes(500, 2)));
      cache.terminate();
    });

    test.each([
      ['a BigInt', 1_000_000n],
      ['NaN', Number.NaN],
      ['Infinity', Number.POSITIVE_INFINITY],
      ['a numeric string', '1000000'],
    ])('a clock returning %s: update is refused and the old session kept', (_what, reading) => {
      const { cache, hook } = withHook();
      const before = contents(cache);
      hook.now = reading;
      expect(() => cache.update(key('h:1', 1), bytes(20, 1))).toThrow(code('ERR_INVALID_OPTION'));
      expect(() => cache.update(key('h:1', 1), bytes(20, 1))).toThrow(/clock/);
      hook.now = 1_000_000;
      expect(contents(cache)).toEqual(before);
      cache.terminate();
    });

    /** A key whose partialKey getter terminates `cache` before answering. */
    const terminating = (cache: SessionCache) => ({
      get partialKey() {
        cache.terminate();
        return 'h:1';
      },
      sessionId: bytes(32, 1),
    });

    test('a key getter that terminates the cache: lookups miss, changes throw ERR_CACHE_TERMINATED, nothing stored', () => {
      for (const lookup of [
        (c: SessionCache) => c.lookup(terminating(c)),
        (c: SessionCache) => c.lookupView(terminating(c)),
        (c: SessionCache) => c.take(terminating(c)),
        (c: SessionCache) => c.lookupMany([terminating(c)])[0],
      ]) {
        const { cache } = withHook();
        expect(lookup(cache)).toBeUndefined();
        expect(cache.size).toBe(0);
      }
      const { cache } = withHook();
      expect(cache.lookupInto(terminating(cache), new Uint8Array(2048))).toBe(-1);
      for (const change of [
        (c: SessionCache) => c.update(terminating(c), bytes(40, 1)),
        (c: SessionCache) => c.delete(terminating(c)),
      ]) {
        const { cache } = withHook();
        expect(() => change(cache)).toThrow(code('ERR_CACHE_TERMINATED'));
        expect(cache.size).toBe(0);
        expect(cache.lookup(key('h:1', 1))).toBeUndefined();
      }
    });

    test('a clock that terminates the cache: the call after it sees a terminated cache', () => {
      const { cache, hook } = withHook();
      hook.onTick = () => cache.terminate();
      expect(() => cache.update(key('h:9', 9), bytes(40, 1))).toThrow(code('ERR_CACHE_TERMINATED'));
      expect(cache.size).toBe(0);
      expect(cache.lookup(key('h:9', 9))).toBeUndefined();
    });
  });

  describe('defect 8: errors stay SessionCacheErrors whatever the argument does', () => {
    const hostile = {
      get constructor(): never {
        throw new Error('constructor getter ran');
      },
      toString(): never {
        throw new Error('toString ran');
      },
    };

    test('a value whose constructor getter or toString throws is named without running them', () => {
      const { cache } = withHook();
      refused(cache, 'ERR_INVALID_ARGUMENT', () => cache.lookup({ partialKey: 'h:1', sessionId: hostile as never }));
      refused(cache, 'ERR_INVALID_ARGUMENT', () => cache.lookup({ partialKey: hostile as never, sessionId: bytes(32, 1) }));
      refused(cache, 'ERR_INVALID_ARGUMENT', () => cache.lookup(Object.create(hostile)));
      refused(cache, 'ERR_INVALID_ARGUMENT', () => cache.update(key('h:1', 1), hostile as never));
      for (const option of ['role', 'maxSessions', 'lifetimeSeconds', 'onFull', 'properties']) {
        expect(() => create({ role: 'client', [option]: option === 'properties' ? 5 : hostile } as never)).toThrow(
          code('ERR_INVALID_OPTION'),
        );
      }
      expect(() => create({ role: 'client', onFull: Symbol('x') } as never)).toThrow(code('ERR_INVALID_OPTION'));
      cache.terminate();
    });

    test('a module callback given an object that only inherits from the cache class is refused', () => {
      const module = (name === 'wasm' ? wasmSessionCache : jsSessionCache) as SessionCacheModule<SessionCache>;
      const fake = Object.create((name === 'wasm' ? WasmSessionCache : JsSessionCache).prototype) as SessionCache;
      const calls: Array<() => unknown> = [
        () => module.lookup(fake, key('h:1', 1)),
        () => module.update(fake, key('h:1', 1), bytes(10, 1)),
        () => module.delete(fake, key('h:1', 1)),
        () => module.foldl((_e, a) => a, 0, fake),
        () => module.selectSession(fake, 'h:1'),
        () => module.size(fake),
        () => module.terminate(fake),
      ];
      for (const call of calls) expect(call).toThrow(code('ERR_INVALID_ARGUMENT'));
      expect(fake instanceof (name === 'wasm' ? WasmSessionCache : JsSessionCache)).toBe(false);
      const real = module.init({ role: 'client' });
      expect(real instanceof (name === 'wasm' ? WasmSessionCache : JsSessionCache)).toBe(true);
      module.terminate(real);
    });

    test('lookupMany checks each key as it reads it, and refuses more keys than it accepts without reading them', () => {
      const { cache } = withHook();
      let reads = 0;
      const counted = (length: number, firstBad: boolean) => {
        const keys: unknown[] = [];
        keys.length = length;
        for (let i = 0; i < Math.min(length, 100); i++) {
          Object.defineProperty(keys, i, {
            get: () => {
              reads++;
              return i === 0 && firstBad ? null : key('h:1', 1);
            },
          });
        }
        return keys as SessionKey[];
      };
      refused(cache, 'ERR_INVALID_ARGUMENT', () => cache.lookupMany(counted(100, true)));
      expect(reads).toBe(1);
      reads = 0;
      refused(cache, 'ERR_INVALID_ARGUMENT', () => cache.lookupMany(counted(MAX_LOOKUP_MANY_KEYS + 1, false)));
      expect(reads).toBe(0);
      // a sparse array far over the maximum: refused at once, nothing read or allocated per key
      refused(cache, 'ERR_INVALID_ARGUMENT', () => cache.lookupMany(new Array(20_000_000)));
      // holes are keys that are not objects
      const holes = new Array(1000);
      holes[999] = key('h:1', 1);
      refused(cache, 'ERR_INVALID_ARGUMENT', () => cache.lookupMany(holes));
      const most = cache.lookupMany(Array.from({ length: MAX_LOOKUP_MANY_KEYS }, () => key('h:1', 1)));
      expect(most).toHaveLength(MAX_LOOKUP_MANY_KEYS);
      expect(hex(most[MAX_LOOKUP_MANY_KEYS - 1])).toBe(hex(bytes(300, 1)));
      cache.terminate();
    });
  });

  describe('unknown options', () => {
    test('are refused with ERR_INVALID_OPTION and a suggestion', () => {
      // @ts-expect-error maxSesions is not an option: a misspelling must not type-check either
      expect(() => create({ role: 'client', maxSesions: 10 })).toThrow(code('ERR_INVALID_OPTION'));
      // @ts-expect-error
      expect(() => create({ role: 'client', maxSesions: 10 })).toThrow(
        /unknown option "maxSesions" \(did you mean maxSessions\?\)/,
      );
      // @ts-expect-error
      expect(() => create({ role: 'client', lifetime: 60 })).toThrow(/did you mean lifetimeSeconds\?/);
      // @ts-expect-error
      expect(() => create({ role: 'client', Clock: () => 0 })).toThrow(/did you mean clock\?/);
      // @ts-expect-error user-defined properties go under `properties`
      expect(() => create({ role: 'server', listener: 'tcp/443' })).toThrow(/unknown option "listener"; .*properties/);
      expect(() => create({ role: 'server', properties: null as never })).toThrow(code('ERR_INVALID_OPTION'));
    });

    test('properties are kept as given, and resolved options have nothing else', () => {
      const properties = { listener: 'tcp/443' };
      const cache = create({ role: 'server', properties });
      expect(cache.options.properties).toBe(properties);
      expect(Object.keys(cache.options).sort()).toEqual(
        ['clock', 'lifetimeSeconds', 'maxSessionBytes', 'maxSessions', 'memoryBytes', 'onFull', 'properties', 'role'].sort(),
      );
      cache.terminate();
    });
  });
});
