// attachSessionCache on real TLS servers (loopback, certificates made by openssl in this run).
import { constants, randomBytes } from 'node:crypto';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createJsSessionCache, createSessionCache, type SessionCache, type SessionKey } from '../../src/index.js';
import {
  attachSessionCache,
  readSessionHeader,
  sessionCacheServerOptions,
  UNUSED_CACHE_WARNING,
  type AttachSessionCacheOptions,
  type SessionCacheAttachment,
  type ServerSessionStore,
} from '../../src/node-adapters.js';
import { SERVER_CONTEXT_FIELDS, ServerContextKey } from '../../src/server/server-context-key.js';
import { manualClock } from '../helpers.js';
import { makeCerts, type KeyPair, type TestCerts } from '../tls/certs.js';
import { plainConnect, rawHello, startTlsServer, type TestServer } from '../tls/loopback.js';

/** A handshake that hangs (a resumeSession callback never called) fails the test quickly. */
const HANG_GUARD = { timeout: 15_000 };

let certs: TestCerts;
let rsa: KeyPair;
let ecdsa: KeyPair;
let ecdsa2: KeyPair;

beforeAll(() => {
  certs = makeCerts();
  rsa = certs.leaf('rsa');
  ecdsa = certs.leaf('ecdsa');
  ecdsa2 = certs.leaf('ecdsa');
});
afterAll(() => certs.remove());

const cacheOptions = sessionCacheServerOptions({ sessionIdContext: 'tls-tests' });

type CacheServer = TestServer & { attachment: SessionCacheAttachment };

/** A TLS 1.2, tickets-off server with `cache` attached. */
async function cacheServer(
  pair: KeyPair,
  cache: SessionCache | ServerSessionStore,
  attach?: AttachSessionCacheOptions,
  extra?: tls.TlsOptions,
): Promise<CacheServer> {
  let attachment: SessionCacheAttachment | undefined;
  const server = await startTlsServer({ ...pair, ...cacheOptions, ...extra }, (s) => {
    attachment = attachSessionCache(s, cache, attach);
  });
  return Object.assign(server, { attachment: attachment! });
}

/** Client options for a test server (Node's own client, so only the server side is under test). */
const to = (port: number, session?: Buffer): tls.ConnectionOptions => ({
  host: '127.0.0.1',
  port,
  servername: 'localhost',
  ca: certs.ca,
  session,
});

/** The session ids a cache holds, hex. */
const storedIds = (cache: SessionCache) =>
  cache.foldl((e, acc: string[]) => [...acc, Buffer.from(e.key.sessionId).toString('hex')], []);
const idOf = (der: Buffer) => Buffer.from(readSessionHeader(der)!.sessionId).toString('hex');

/** resumeSession's callback, recording every call. */
function recorder() {
  const calls: Array<[Error | null, Buffer | null]> = [];
  return {
    calls,
    done: (err: Error | null, session: Buffer | null) => void calls.push([err, session === null ? null : Buffer.from(session)]),
  };
}

describe('TLS 1.2 session-id resumption through the cache', HANG_GUARD, () => {
  test.each(['rsa', 'ecdsa'] as const)('%s certificate: the second connection resumes on both sides; one entry', async (kind) => {
    const cache = createSessionCache({ role: 'server' });
    const s = await cacheServer(kind === 'rsa' ? rsa : ecdsa, cache);
    const first = await plainConnect(to(s.port));
    expect(first).toMatchObject({ reused: false, protocol: 'TLSv1.2', data: 'ok\n' });
    expect(first.sessions).toHaveLength(1);
    const second = await plainConnect(to(s.port, first.sessions[0]));
    expect(second.reused).toBe(true);
    expect(s.reused).toEqual([false, true]);
    expect(cache.size).toBe(1);
    // stored under this server's context key and the session's own id
    const [entry] = cache.foldl((e, acc: SessionKey[]) => [...acc, e.key], []);
    expect(Buffer.from(entry!.partialKey as Uint8Array).equals(Buffer.from(s.attachment.partialKey()))).toBe(true);
    expect(Buffer.from(entry!.sessionId).toString('hex')).toBe(idOf(first.sessions[0]!));
    // the client's first ClientHello carries a random legacy id: one miss, then one hit
    expect(s.attachment.stats()).toMatchObject({ hits: 1, misses: 1, stored: 1, skippedTls13: 0, errors: 0, timeouts: 0 });
    await s.close();
    cache.terminate();
  });

  test('the pure-JS cache works the same', async () => {
    const cache = createJsSessionCache({ role: 'server' });
    const s = await cacheServer(ecdsa, cache);
    const first = await plainConnect(to(s.port));
    expect((await plainConnect(to(s.port, first.sessions[0]))).reused).toBe(true);
    expect(cache.size).toBe(1);
    await s.close();
  });

  test('capacity 2, three clients: the cache holds 2 sessions, the newest resumes, the evicted one does not', async () => {
    const cache = createSessionCache({ role: 'server', maxSessions: 2 });
    const s = await cacheServer(ecdsa, cache);
    const sessions: Buffer[] = [];
    for (let i = 0; i < 3; i++) sessions.push((await plainConnect(to(s.port))).sessions[0]!);
    expect(cache.size).toBe(2);
    expect(cache.stats().evictions).toBe(1);
    expect(storedIds(cache)).toEqual([idOf(sessions[1]!), idOf(sessions[2]!)]);
    expect((await plainConnect(to(s.port, sessions[2]))).reused).toBe(true);
    expect((await plainConnect(to(s.port, sessions[0]))).reused).toBe(false);
    await s.close();
    cache.terminate();
  });

  test('lifetime: with the clock moved past the lifetime, the next connection is a full handshake', async () => {
    const clock = manualClock();
    const cache = createSessionCache({ role: 'server', lifetimeSeconds: 60, clock: clock.read });
    const s = await cacheServer(ecdsa, cache);
    const session = (await plainConnect(to(s.port))).sessions[0]!;
    clock.advance(59_999);
    expect((await plainConnect(to(s.port, session))).reused).toBe(true);
    clock.advance(1);
    const late = await plainConnect(to(s.port, session));
    expect(late.reused).toBe(false);
    expect(cache.stats().expired).toBe(1);
    expect(storedIds(cache)).toEqual([idOf(late.sessions[0]!)]);
    await s.close();
    cache.terminate();
  });
});

describe('hostile session ids', HANG_GUARD, () => {
  test('a raw ClientHello with a random (or garbage) id, then close: a full handshake, size unchanged', async () => {
    const cache = createSessionCache({ role: 'server' });
    const s = await cacheServer(ecdsa, cache);
    const session = (await plainConnect(to(s.port))).sessions[0]!;
    const before = { size: cache.size, inserts: cache.stats().inserts, stats: s.attachment.stats() };
    const ids = [randomBytes(32), Buffer.alloc(32), Buffer.from([0xff]), randomBytes(17)];
    for (const id of ids) {
      const answer = await rawHello(s.port, id);
      expect(answer).toBeDefined(); // the server went on with a handshake...
      expect(answer!.equals(id)).toBe(false); // ...a full one: a resumed one echoes the id
    }
    await s.idle();
    expect(cache.size).toBe(before.size);
    expect(cache.stats().inserts).toBe(before.inserts);
    expect(s.attachment.stats()).toMatchObject({
      misses: before.stats.misses + ids.length,
      hits: before.stats.hits,
      stored: 1,
      errors: 0,
    });
    expect((await plainConnect(to(s.port, session))).reused).toBe(true); // still serving, session intact
    await s.close();
    cache.terminate();
  });

  test('1000 handshakes with random ids against a full cache: the server keeps serving, nothing leaks', async () => {
    const capacity = 24;
    const cache = createSessionCache({ role: 'server', maxSessions: capacity });
    const s = await cacheServer(ecdsa, cache);
    const sessions: Buffer[] = [];
    for (let i = 0; i < capacity; i++) sessions.push((await plainConnect(to(s.port))).sessions[0]!);
    expect(cache.size).toBe(capacity);
    const before = { cache: cache.stats(), adapter: s.attachment.stats() };

    let resumed = 0;
    let answered = 0;
    const worker = async (n: number) => {
      for (let i = 0; i < n; i++) {
        const id = randomBytes(32);
        const answer = await rawHello(s.port, id);
        if (answer !== undefined) answered++;
        if (answer?.equals(id)) resumed++;
      }
    };
    await Promise.all(Array.from({ length: 20 }, () => worker(50)));
    await s.idle();

    expect(answered).toBe(1000);
    expect(resumed).toBe(0);
    const after = cache.stats();
    expect(after.sessions).toBe(capacity);
    expect(after.inserts).toBe(before.cache.inserts);
    expect(after.evictions).toBe(before.cache.evictions);
    expect(after.bytesUsed).toBe(before.cache.bytesUsed);
    expect(s.attachment.stats()).toMatchObject({
      misses: before.adapter.misses + 1000,
      hits: before.adapter.hits,
      stored: capacity,
      errors: 0,
      pending: 0,
    });
    expect(s.server.listenerCount('resumeSession')).toBe(1);
    expect(s.server.listenerCount('newSession')).toBe(1);
    expect(await new Promise((resolve) => s.server.getConnections((_e, n) => resolve(n)))).toBe(0);
    // still serving, and the oldest and newest real sessions both still resume
    expect((await plainConnect(to(s.port, sessions[0]))).reused).toBe(true);
    expect((await plainConnect(to(s.port, sessions[capacity - 1]))).reused).toBe(true);
    await s.close();
    cache.terminate();
  });
});

describe('per-context partial keys', HANG_GUARD, () => {
  test("two servers with different certificates sharing a cache do not resume each other's sessions", async () => {
    const cache = createSessionCache({ role: 'server' });
    const a = await cacheServer(ecdsa, cache);
    const b = await cacheServer(ecdsa2, cache);
    const sameAsA = await cacheServer(ecdsa, cache); // control: an identically configured server
    const fromA = (await plainConnect(to(a.port))).sessions[0]!;

    const onB = await plainConnect(to(b.port, fromA));
    expect(onB.reused).toBe(false);
    expect(b.reused).toEqual([false]);
    expect(b.attachment.stats().hits).toBe(0);
    expect(Buffer.from(a.attachment.partialKey()).equals(Buffer.from(b.attachment.partialKey()))).toBe(false);

    // the same offer to a server with A's configuration resumes: the key, not chance, kept B apart
    expect((await plainConnect(to(sameAsA.port, fromA))).reused).toBe(true);
    expect(Buffer.from(a.attachment.partialKey()).equals(Buffer.from(sameAsA.attachment.partialKey()))).toBe(true);
    await Promise.all([a.close(), b.close(), sameAsA.close()]);
    cache.terminate();
  });

  test('a server whose certificate changed does not resume sessions made under the old one', async () => {
    const cache = createSessionCache({ role: 'server' });
    const s = await cacheServer(ecdsa, cache);
    const keyBefore = s.attachment.partialKey();
    const old = (await plainConnect(to(s.port))).sessions[0]!;
    s.server.setSecureContext({ ...ecdsa2, ...cacheOptions });
    const afterChange = await plainConnect(to(s.port, old));
    expect(afterChange.reused).toBe(false);
    expect(Buffer.from(s.attachment.partialKey()).equals(Buffer.from(keyBefore))).toBe(false);
    expect((await plainConnect(to(s.port, afterChange.sessions[0]))).reused).toBe(true);
    await s.close();
    cache.terminate();
  });

  test('options.context separates identically configured servers', async () => {
    const cache = createSessionCache({ role: 'server' });
    const a = await cacheServer(ecdsa, cache, { context: 'listener-a' });
    const b = await cacheServer(ecdsa, cache, { context: 'listener-b' });
    const fromA = (await plainConnect(to(a.port))).sessions[0]!;
    expect((await plainConnect(to(b.port, fromA))).reused).toBe(false);
    expect((await plainConnect(to(a.port, fromA))).reused).toBe(true);
    await Promise.all([a.close(), b.close()]);
    cache.terminate();
  });
});

describe('servers with different policies sharing a cache (issue 22, defect 2)', HANG_GUARD, () => {
  const AES128 = 'ECDHE-ECDSA-AES128-GCM-SHA256';
  const AES256 = 'ECDHE-ECDSA-AES256-GCM-SHA384';
  // Each pair differs in one option only; both sides accept what the test client offers.
  const pairs: Array<[string, tls.TlsOptions, tls.TlsOptions]> = [
    ['ciphers', { ciphers: `${AES128}:${AES256}` }, { ciphers: AES256 }],
    ['minVersion', { minVersion: 'TLSv1' }, { minVersion: 'TLSv1.2' }],
    ['ecdhCurve', { ecdhCurve: 'P-256' }, { ecdhCurve: 'P-384' }],
    ['sigalgs', {}, { sigalgs: 'ECDSA+SHA256:ECDSA+SHA384' }],
    ['honorCipherOrder', {}, { honorCipherOrder: false }],
    ['secureOptions', {}, { secureOptions: cacheOptions.secureOptions | constants.SSL_OP_NO_RENEGOTIATION }],
  ];

  test.each(pairs)(
    "%s: neither server resumes the other's session; an identical server does",
    async (_name, laxOptions, strictOptions) => {
      const cache = createSessionCache({ role: 'server' });
      const lax = await cacheServer(ecdsa, cache, undefined, laxOptions);
      const strict = await cacheServer(ecdsa, cache, undefined, strictOptions);
      const twin = await cacheServer(ecdsa, cache, undefined, laxOptions); // control: same policy as lax
      const fromLax = (await plainConnect(to(lax.port))).sessions[0]!;
      const fromStrict = (await plainConnect(to(strict.port))).sessions[0]!;

      expect((await plainConnect(to(strict.port, fromLax))).reused).toBe(false);
      expect((await plainConnect(to(lax.port, fromStrict))).reused).toBe(false);
      expect(strict.attachment.stats().hits).toBe(0);
      expect(Buffer.from(lax.attachment.partialKey()).equals(Buffer.from(strict.attachment.partialKey()))).toBe(false);
      // the key, not OpenSSL, kept them apart: the same offer resumes on a server with lax's policy
      expect((await plainConnect(to(twin.port, fromLax))).reused).toBe(true);
      await Promise.all([lax.close(), strict.close(), twin.close()]);
      cache.terminate();
    },
  );

  test('the strict server never runs a cipher outside its list', async () => {
    const cache = createSessionCache({ role: 'server' });
    const lax = await cacheServer(ecdsa, cache, undefined, { ciphers: `${AES128}:${AES256}` });
    const strict = await cacheServer(ecdsa, cache, undefined, { ciphers: AES256 });
    const fromLax = await plainConnect(to(lax.port));
    expect(fromLax.cipher).toBe(AES128);
    const onStrict = await plainConnect(to(strict.port, fromLax.sessions[0]));
    expect(onStrict).toMatchObject({ reused: false, cipher: AES256 });
    await Promise.all([lax.close(), strict.close()]);
    cache.terminate();
  });

  test('every secure-context field of the server is part of the key', () => {
    const base: Record<string, unknown> = { _sharedCreds: {}, requestCert: false, rejectUnauthorized: true };
    const keyOf = (fields: Record<string, unknown>) =>
      Buffer.from(new ServerContextKey({ ...base, ...fields } as unknown as tls.Server, undefined).current()).toString('hex');
    const seen = new Set([keyOf({})]);
    for (const field of SERVER_CONTEXT_FIELDS) {
      const value = field === 'requestCert' ? true : field === 'rejectUnauthorized' ? false : `${field} value`;
      seen.add(keyOf({ [field]: value }));
    }
    expect(seen.size).toBe(SERVER_CONTEXT_FIELDS.length + 1);
    for (const field of ['ciphers', 'minVersion', 'maxVersion', 'ecdhCurve', 'sigalgs', 'secureOptions', 'dhparam', 'crl']) {
      expect(SERVER_CONTEXT_FIELDS).toContain(field);
    }
  });
});

describe('a certificate rotated in place (issue 22, defect 4)', HANG_GUARD, () => {
  test('the same arrays changed in place, then setSecureContext: old sessions no longer resume', async () => {
    const cache = createSessionCache({ role: 'server' });
    const options = { key: [ecdsa.key], cert: [ecdsa.cert], ...cacheOptions };
    const s = await startTlsServer(options);
    const attachment = attachSessionCache(s.server, cache);
    const keyBefore = attachment.partialKey();
    const underA = await plainConnect(to(s.port));
    expect((await plainConnect(to(s.port, underA.sessions[0]))).reused).toBe(true);

    options.cert[0] = ecdsa2.cert;
    options.key[0] = ecdsa2.key;
    s.server.setSecureContext(options);
    const afterRotation = await plainConnect(to(s.port, underA.sessions[0]));
    expect(afterRotation.reused).toBe(false);
    expect(afterRotation.fingerprint).not.toBe(underA.fingerprint); // the server presents B now
    expect(Buffer.from(attachment.partialKey()).equals(Buffer.from(keyBefore))).toBe(false);
    // sessions made under B resume
    expect((await plainConnect(to(s.port, afterRotation.sessions[0]))).reused).toBe(true);
    await s.close();
    cache.terminate();
  });

  test("changed in place without setSecureContext: the server still presents A, and A's sessions resume", async () => {
    const cache = createSessionCache({ role: 'server' });
    const options = { key: [ecdsa.key], cert: [ecdsa.cert], ...cacheOptions };
    const s = await startTlsServer(options);
    const attachment = attachSessionCache(s.server, cache);
    const underA = await plainConnect(to(s.port));
    const keyBefore = attachment.partialKey();
    options.cert[0] = ecdsa2.cert;
    options.key[0] = ecdsa2.key;
    const again = await plainConnect(to(s.port, underA.sessions[0]));
    expect(again.reused).toBe(true);
    expect((await plainConnect(to(s.port))).fingerprint).toBe(underA.fingerprint); // a full handshake shows A
    expect(Buffer.from(attachment.partialKey()).equals(Buffer.from(keyBefore))).toBe(true);
    await s.close();
    cache.terminate();
  });
});

/** A store that keeps the Buffers it is given and hands them back as they are (no copies). */
class MapStore implements ServerSessionStore {
  readonly sessions = new Map<string, Buffer>();
  constructor(readonly async: boolean) {}
  private id(key: SessionKey): string {
    return `${Buffer.from(key.partialKey as Uint8Array).toString('hex')}/${Buffer.from(key.sessionId).toString('hex')}`;
  }
  lookup(key: SessionKey): Buffer | undefined | Promise<Buffer | undefined> {
    const kept = this.sessions.get(this.id(key));
    return this.async ? Promise.resolve(kept) : kept;
  }
  update(key: SessionKey, session: Uint8Array): void {
    this.sessions.set(this.id(key), Buffer.from(session));
  }
  delete(key: SessionKey): boolean {
    return this.sessions.delete(this.id(key));
  }
}

describe("the adapter never wipes a store's own buffers (issue 22, defect 3)", HANG_GUARD, () => {
  test.each([
    ['synchronous', false],
    ['asynchronous', true],
  ])('a Map-backed store (%s) resumes the same session 3 times in a row', async (_mode, async) => {
    const store = new MapStore(async);
    const s = await cacheServer(ecdsa, store);
    const session = (await plainConnect(to(s.port))).sessions[0]!;
    const [kept] = [...store.sessions.values()];
    const copy = Buffer.from(kept!);
    for (let i = 0; i < 3; i++) expect((await plainConnect(to(s.port, session))).reused).toBe(true);
    expect(kept!.equals(copy)).toBe(true); // byte for byte what the store was given
    expect(s.attachment.stats()).toMatchObject({ hits: 3, errors: 0 });
    await s.close();
  });

  test('a SessionCache: the adapter zeroes its own scratch copy after answering', async () => {
    const cache = createSessionCache({ role: 'server' });
    const s = await cacheServer(ecdsa, cache);
    const session = (await plainConnect(to(s.port))).sessions[0]!;
    const id = Buffer.from(readSessionHeader(session)!.sessionId);
    let handed: Buffer | null = null;
    s.server.emit('resumeSession', id, (_err: Error | null, der: Buffer | null) => {
      handed = der;
      expect(der && readSessionHeader(der)).toBeDefined(); // a real session while Node parses it
    });
    expect(handed).not.toBeNull();
    expect(handed!.every((b) => b === 0)).toBe(true);
    expect((await plainConnect(to(s.port, session))).reused).toBe(true); // the cache's copy intact
    await s.close();
    cache.terminate();
  });
});

/** A real cache whose lookups can be made to throw: the only way to get a lookup fault on demand. */
function withLookupFault(cache: SessionCache) {
  const fault = { on: false };
  const faulty = new Proxy(cache, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        if (fault.on && (property === 'lookup' || property === 'lookupInto')) throw new Error('injected cache fault');
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { faulty, fault };
}

/** A store answering lookups asynchronously from a real cache, as one in another process would. */
class RemoteStore implements ServerSessionStore {
  mode: 'answer' | 'never' | 'hold' | 'reject' = 'answer';
  held: Array<() => void> = [];
  constructor(readonly cache: SessionCache) {}
  lookup(key: SessionKey): Promise<Uint8Array | undefined> {
    const session = this.cache.lookup(key);
    switch (this.mode) {
      case 'answer':
        return new Promise((resolve) => setImmediate(() => resolve(session)));
      case 'never':
        return new Promise(() => {});
      case 'hold':
        return new Promise((resolve) => this.held.push(() => resolve(session)));
      case 'reject':
        return Promise.reject(new Error('remote cache unreachable'));
    }
  }
  update(key: SessionKey, session: Uint8Array): Promise<void> {
    this.cache.update(key, session);
    return Promise.resolve();
  }
  delete(key: SessionKey): boolean {
    return this.cache.delete(key);
  }
}

describe('resumeSession calls back exactly once, with a miss on any fault', HANG_GUARD, () => {
  test('a cache error: a miss (full handshake), never a failed connection', async () => {
    const { faulty, fault } = withLookupFault(createSessionCache({ role: 'server' }));
    const s = await cacheServer(ecdsa, faulty);
    const session = (await plainConnect(to(s.port))).sessions[0]!;
    fault.on = true;
    const r = await plainConnect(to(s.port, session));
    expect(r).toMatchObject({ reused: false, data: 'ok\n' });
    expect(s.attachment.stats().errors).toBe(1);
    const { calls, done } = recorder();
    s.server.emit('resumeSession', Buffer.from(readSessionHeader(session)!.sessionId), done);
    expect(calls).toEqual([[null, null]]);
    fault.on = false; // control: the same session resumes once the cache works
    expect((await plainConnect(to(s.port, session))).reused).toBe(true);
    await s.close();
  });

  test('lookup of a deleted entry: one miss', async () => {
    const cache = createSessionCache({ role: 'server' });
    const s = await cacheServer(ecdsa, cache);
    const session = (await plainConnect(to(s.port))).sessions[0]!;
    const id = Buffer.from(readSessionHeader(session)!.sessionId);
    expect(cache.delete({ partialKey: s.attachment.partialKey(), sessionId: id })).toBe(true);
    const { calls, done } = recorder();
    s.server.emit('resumeSession', id, done);
    expect(calls).toEqual([[null, null]]);
    expect(await plainConnect(to(s.port, session))).toMatchObject({ reused: false, data: 'ok\n' });
    await s.close();
    cache.terminate();
  });

  test('a terminated cache: misses, sessions not stored, connections unharmed', async () => {
    const cache = createSessionCache({ role: 'server' });
    const s = await cacheServer(ecdsa, cache);
    const session = (await plainConnect(to(s.port))).sessions[0]!;
    cache.terminate();
    const r = await plainConnect(to(s.port, session));
    expect(r).toMatchObject({ reused: false, data: 'ok\n' });
    expect(s.attachment.stats()).toMatchObject({ stored: 1, errors: 1 }); // the new session's update threw
    const { calls, done } = recorder();
    s.server.emit('resumeSession', Buffer.from(readSessionHeader(session)!.sessionId), done);
    expect(calls).toEqual([[null, null]]);
    await s.close();
  });

  test('a stored session whose id differs from the requested id is never returned, and is dropped', async () => {
    const cache = createSessionCache({ role: 'server' });
    const s = await cacheServer(ecdsa, cache);
    await plainConnect(to(s.port));
    const [der] = cache.foldl((e, acc: Uint8Array[]) => [...acc, e.session], []);
    const forged = randomBytes(32);
    cache.update({ partialKey: s.attachment.partialKey(), sessionId: forged }, der!);
    const { calls, done } = recorder();
    s.server.emit('resumeSession', forged, done);
    expect(calls).toEqual([[null, null]]);
    expect(s.attachment.stats().errors).toBe(1);
    expect(cache.lookup({ partialKey: s.attachment.partialKey(), sessionId: forged })).toBeUndefined();
    // on the wire: the same forgery makes a full handshake, not a failed one
    cache.update({ partialKey: s.attachment.partialKey(), sessionId: forged }, der!);
    const answer = await rawHello(s.port, forged);
    expect(answer).toBeDefined();
    expect(answer!.equals(forged)).toBe(false);
    await s.close();
    cache.terminate();
  });

  test('an asynchronous store: answers resume; silence times out; late answers and rejections are misses', async () => {
    const store = new RemoteStore(createSessionCache({ role: 'server' }));
    const s = await cacheServer(ecdsa, store, { timeoutMs: 5 });
    const session = (await plainConnect(to(s.port))).sessions[0]!;
    const id = Buffer.from(readSessionHeader(session)!.sessionId);
    await new Promise((resolve) => setImmediate(resolve)); // the store's update settles
    expect(s.attachment.stats().stored).toBe(1);
    expect((await plainConnect(to(s.port, session))).reused).toBe(true);

    store.mode = 'never';
    expect(await plainConnect(to(s.port, session))).toMatchObject({ reused: false, data: 'ok\n' });
    expect(s.attachment.stats()).toMatchObject({ timeouts: 1, pending: 0 });

    store.mode = 'hold';
    const late = recorder();
    s.server.emit('resumeSession', id, late.done);
    expect(s.attachment.stats().pending).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 20)); // past timeoutMs: the timeout answers
    expect(late.calls).toEqual([[null, null]]);
    for (const answer of store.held.splice(0)) answer();
    await new Promise((resolve) => setImmediate(resolve));
    expect(late.calls).toHaveLength(1); // the late answer is dropped, not a second call

    store.mode = 'reject';
    const rejected = recorder();
    s.server.emit('resumeSession', id, rejected.done);
    await new Promise((resolve) => setImmediate(resolve));
    expect(rejected.calls).toEqual([[null, null]]);
    expect(s.attachment.stats()).toMatchObject({ timeouts: 2, pending: 0, errors: 1 });
    await s.close();
    store.cache.terminate();
  });
});

describe('which TLS versions resume through the cache (the README table)', HANG_GUARD, () => {
  const serverWith = (cache: SessionCache, options: tls.TlsOptions, attach?: AttachSessionCacheOptions) => {
    let attachment: SessionCacheAttachment | undefined;
    return startTlsServer({ ...ecdsa, sessionIdContext: 'tls-tests', ...options }, (server) => {
      attachment = attachSessionCache(server, cache, { warn: false, ...attach });
    }).then((t) => Object.assign(t, { attachment: attachment! }));
  };

  test('TLS 1.2 with tickets: resumes through the ticket; Node never hands the cache a session', async () => {
    const cache = createSessionCache({ role: 'server' });
    const s = await serverWith(cache, { maxVersion: 'TLSv1.2' });
    const first = await plainConnect(to(s.port));
    expect((await plainConnect(to(s.port, first.sessions[0]))).reused).toBe(true);
    expect(cache.size).toBe(0);
    expect(s.attachment.stats()).toMatchObject({ stored: 0, hits: 0 });
    await s.close();
    cache.terminate();
  });

  test('TLS 1.3 with tickets: resumes through tickets; its newSession sessions are recognised and skipped', async () => {
    const cache = createSessionCache({ role: 'server' });
    const s = await serverWith(cache, {});
    const first = await plainConnect(to(s.port));
    expect(first.protocol).toBe('TLSv1.3');
    expect(first.sessions).toHaveLength(2);
    expect((await plainConnect(to(s.port, first.sessions[1]))).reused).toBe(true);
    expect(cache.size).toBe(0);
    // the full handshake's two tickets (a resumed TLS 1.3 connection brings no newSession)
    expect(s.attachment.stats()).toMatchObject({ stored: 0, hits: 0, skippedTls13: 2 });
    await s.close();
    cache.terminate();
  });

  test('TLS 1.3 sessions are stored when asked (storeTls13)', async () => {
    const cache = createSessionCache({ role: 'server' });
    const s = await serverWith(cache, {}, { storeTls13: true });
    await plainConnect(to(s.port));
    expect(cache.size).toBe(2);
    expect(s.attachment.stats()).toMatchObject({ stored: 2, skippedTls13: 0 });
    await s.close();
    cache.terminate();
  });

  test('TLS 1.3 with tickets disabled: no resumption at all', async () => {
    const cache = createSessionCache({ role: 'server' });
    const s = await serverWith(cache, sessionCacheServerOptions({ sessionIdContext: 'tls-tests', tls13: true }));
    const first = await plainConnect(to(s.port));
    expect(first.protocol).toBe('TLSv1.3');
    expect((await plainConnect(to(s.port, first.sessions[1]))).reused).toBe(false);
    expect(cache.size).toBe(0);
    await s.close();
    cache.terminate();
  });
});

describe('attach, warn, detach', HANG_GUARD, () => {
  test('warns once per server on which the cache can never be used', async () => {
    const warnings: Error[] = [];
    const onWarning = (w: Error & { code?: string }) => void (w.code === UNUSED_CACHE_WARNING && warnings.push(w));
    process.on('warning', onWarning);
    const tick = () => new Promise((resolve) => setImmediate(resolve));
    try {
      const cache = createSessionCache({ role: 'server' });
      // tickets on: clients without ticket support still resume through the cache, so no warning
      attachSessionCache(tls.createServer({ ...ecdsa }), cache)();
      await tick();
      expect(warnings).toHaveLength(0);

      const tls13Only = tls.createServer({ ...ecdsa, minVersion: 'TLSv1.3', secureOptions: constants.SSL_OP_NO_TICKET });
      attachSessionCache(tls13Only, cache)();
      attachSessionCache(tls13Only, cache)();
      await tick();
      expect(warnings).toHaveLength(1);
      expect(warnings[0]!.message).toMatch(/only TLS 1\.3/);

      attachSessionCache(tls.createServer({ ...ecdsa, ...cacheOptions }), cache);
      attachSessionCache(tls.createServer({ ...ecdsa, minVersion: 'TLSv1.3' }), cache, { warn: false });
      await tick();
      expect(warnings).toHaveLength(1);
      cache.terminate();
    } finally {
      process.off('warning', onWarning);
    }
  });

  test('detach removes the listeners: the server stops resuming through the cache', async () => {
    const cache = createSessionCache({ role: 'server' });
    const s = await cacheServer(ecdsa, cache);
    const session = (await plainConnect(to(s.port))).sessions[0]!;
    s.attachment();
    expect(s.attachment.attached).toBe(false);
    expect(s.server.listenerCount('resumeSession')).toBe(0);
    expect(s.server.listenerCount('newSession')).toBe(0);
    expect((await plainConnect(to(s.port, session))).reused).toBe(false);
    expect(cache.size).toBe(1);
    const again = attachSessionCache(s.server, cache);
    expect((await plainConnect(to(s.port, session))).reused).toBe(true);
    again();
    await s.close();
    cache.terminate();
  });
});
