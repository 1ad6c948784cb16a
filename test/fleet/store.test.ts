// createRedisSessionStore against a real redis-server, through both clients: L1/L2, write-through,
// what Redis holds, TTL, tampering, rotation, bad input, and Redis hung or killed mid-run.
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { ErrorCodes, SessionCacheError, type SessionKey } from '../../src/index.js';
import {
  createRedisSessionStore,
  type FleetKeyring,
  type RedisSessionStore,
  type RedisSessionStoreOptions,
} from '../../src/node-adapters.js';
import { CLIENT_KINDS, type TestClient, connectClient, waitFor } from './clients.js';
import { type RedisServer, startRedis } from './redis-server.js';

const k1 = { id: 'k1', secret: randomBytes(32) };
const k2 = { id: 'k2', secret: randomBytes(32) };
const PK = randomBytes(32);
const key = (id: Uint8Array, partialKey: Uint8Array = PK): SessionKey => ({ partialKey, sessionId: id });

/** Every key in Redis with its value (SCAN, bounded). */
async function dump(inspect: Redis): Promise<Array<[string, Buffer]>> {
  const out: Array<[string, Buffer]> = [];
  let cursor = '0';
  for (let i = 0; i < 1000; i++) {
    const [next, names] = await inspect.scan(cursor, 'COUNT', 1000);
    for (const name of names) {
      const value = await inspect.getBuffer(name);
      if (value !== null) out.push([name, value]);
    }
    cursor = next;
    if (cursor === '0') break;
  }
  return out;
}

/** `needle` appears in `haystack` raw, or as hex or base64 (either case for hex). */
function appears(haystack: Buffer, needle: Buffer): boolean {
  const text = haystack.toString('latin1').toLowerCase();
  return (
    haystack.includes(needle) ||
    text.includes(needle.toString('hex')) ||
    haystack.toString('latin1').includes(needle.toString('base64').replace(/=+$/, '')) ||
    haystack.toString('latin1').includes(needle.toString('base64url'))
  );
}

let redis: RedisServer;
let inspect: Redis;

beforeAll(async () => {
  redis = await startRedis();
  inspect = new Redis({ host: '127.0.0.1', port: redis.port, retryStrategy: () => 50, maxRetriesPerRequest: 1 });
  inspect.on('error', () => {});
});
afterAll(async () => {
  inspect.disconnect();
  await redis.stop();
});

describe.each(CLIENT_KINDS)('%s', (kind) => {
  const clients: TestClient[] = [];
  const stores: RedisSessionStore[] = [];
  let prefix = '';

  async function store(options: Partial<RedisSessionStoreOptions> = {}): Promise<RedisSessionStore> {
    const c = await connectClient(kind, redis.port);
    clients.push(c);
    // A generous timeout: on a busy machine a healthy Redis must not look like a slow one.
    const s = createRedisSessionStore({ client: c.client, keyring: { current: k1 }, prefix, timeoutMs: 5000, ...options });
    stores.push(s);
    return s;
  }

  afterEach(async () => {
    for (const s of stores.splice(0)) s.close();
    for (const c of clients.splice(0)) await c.close();
    prefix = `t${randomBytes(4).toString('hex')}:`; // each test its own keys
  });
  beforeAll(() => {
    prefix = `t${randomBytes(4).toString('hex')}:`;
  });

  test('an L1 miss is answered by Redis and fills L1; a session nobody has is a miss', async () => {
    const a = await store();
    const b = await store();
    const id = randomBytes(32);
    const session = randomBytes(160);
    a.update(key(id), session);
    await a.flush();
    expect(a.stats()).toMatchObject({ writes: 1, droppedWrites: 0 });
    expect(a.lookup(key(id))).toEqual(new Uint8Array(session)); // L1, synchronous

    const fromRedis = b.lookup(key(id));
    expect(fromRedis).toBeInstanceOf(Promise);
    expect(Buffer.from((await fromRedis)!)).toEqual(session);
    const again = b.lookup(key(id)); // now in b's L1
    expect(again).toBeInstanceOf(Uint8Array);
    expect(Buffer.from(again as Uint8Array)).toEqual(session);
    expect(await b.lookup(key(randomBytes(32)))).toBeUndefined();
    expect(b.stats()).toMatchObject({ lookups: 3, l1Hits: 1, l2Hits: 1, misses: 1, authFailures: 0, timeouts: 0 });
    expect(b.selectSession(PK).map((s) => Buffer.from(s))).toEqual([session]);
  });

  test('delete writes through: gone from L1 and from Redis', async () => {
    const a = await store();
    const b = await store();
    const id = randomBytes(32);
    a.update(key(id), randomBytes(160));
    await a.flush();
    expect(await b.lookup(key(id))).toBeDefined();
    expect(a.delete(key(id))).toBe(true);
    await a.flush();
    const c = await store();
    expect(await c.lookup(key(id))).toBeUndefined();
    expect((await dump(inspect)).filter(([name]) => name.startsWith(prefix))).toEqual([]);
  });

  test('Redis holds sealed records under HMAC names: no session bytes, session id or partial key', async () => {
    const a = await store();
    const written: Array<[Buffer, Buffer]> = [];
    for (let i = 0; i < 20; i++) {
      const id = randomBytes(32);
      const session = randomBytes(160);
      written.push([id, session]);
      a.update(key(id), session);
    }
    await a.flush();
    const entries = (await dump(inspect)).filter(([name]) => name.startsWith(prefix));
    expect(entries).toHaveLength(20);
    for (const [name, value] of entries) {
      const all = Buffer.concat([Buffer.from(name, 'latin1'), value]);
      expect(appears(all, PK)).toBe(false);
      for (const [id, session] of written) {
        expect(appears(all, id)).toBe(false);
        for (let at = 0; at + 16 <= session.length; at += 8) expect(all.includes(session.subarray(at, at + 16))).toBe(false);
      }
    }
    // The scan itself can fail: a plaintext copy would be found.
    expect(appears(Buffer.concat([Buffer.from('x'), written[0]![0]]), written[0]![0])).toBe(true);
  });

  test('each record expires in Redis with the session lifetime (PX)', async () => {
    const a = await store({ local: { lifetimeSeconds: 1 } });
    const id = randomBytes(32);
    a.update(key(id), randomBytes(160));
    await a.flush();
    const [[name]] = (await dump(inspect)).filter(([n]) => n.startsWith(prefix)) as [[string, Buffer]];
    const ttl = await inspect.pttl(name);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(1000);
    // Gone by Redis' own expiry (nothing deletes it), and then a miss for another host.
    await waitFor(async () => (await inspect.exists(name)) === 0, 'the record to expire');
    const b = await store();
    expect(await b.lookup(key(id))).toBeUndefined();
  });

  test('one bit flipped anywhere in a record: a miss, counted; the intact record opens', async () => {
    const a = await store();
    const id = randomBytes(32);
    const session = randomBytes(160);
    a.update(key(id), session);
    await a.flush();
    const [[name, record]] = (await dump(inspect)).filter(([n]) => n.startsWith(prefix)) as [[string, Buffer]];
    const b = await store();
    for (let i = 0; i < record.length; i++) {
      const tampered = Buffer.from(record);
      tampered[i]! ^= 1 << (i % 8);
      await inspect.set(name, tampered, 'PX', 60_000);
      expect(await b.lookup(key(id))).toBeUndefined();
    }
    expect(b.stats()).toMatchObject({ l2Hits: 0, misses: record.length, authFailures: record.length });
    await inspect.set(name, record, 'PX', 60_000);
    expect(Buffer.from((await b.lookup(key(id)))!)).toEqual(session);
  });

  test('a record moved under another session or server: a miss, counted', async () => {
    const a = await store();
    const [id1, id2] = [randomBytes(32), randomBytes(32)];
    const otherServer = randomBytes(32);
    a.update(key(id1), randomBytes(160));
    a.update(key(id2), randomBytes(160));
    a.update(key(id1, otherServer), randomBytes(160));
    await a.flush();
    const before = new Map((await dump(inspect)).filter(([n]) => n.startsWith(prefix)));
    expect(before.size).toBe(3);
    const [n1, n2, n3] = [...before.keys()];
    // Each record copied over each other one.
    await inspect.set(n2!, before.get(n1!)!, 'PX', 60_000);
    await inspect.set(n3!, before.get(n1!)!, 'PX', 60_000);
    await inspect.set(n1!, before.get(n2!)!, 'PX', 60_000);
    const b = await store();
    const answers = await Promise.all([b.lookup(key(id1)), b.lookup(key(id2)), b.lookup(key(id1, otherServer))]);
    expect(answers).toEqual([undefined, undefined, undefined]);
    expect(b.stats()).toMatchObject({ authFailures: 3, l2Hits: 0 });
  });

  test('key rotation: records sealed under the previous key still open; once it is dropped they miss', async () => {
    const old = await store({ keyring: { current: k1 } });
    const id = randomBytes(32);
    const session = randomBytes(160);
    old.update(key(id), session);
    await old.flush();

    const rotated = await store({ keyring: { current: k2, previous: [k1] } });
    expect(Buffer.from((await rotated.lookup(key(id)))!)).toEqual(session);
    // New records are sealed under k2, which a host still on { current: k1 } cannot open...
    const id2 = randomBytes(32);
    rotated.update(key(id2), session);
    await rotated.flush();
    expect(await (await store({ keyring: { current: k1 } })).lookup(key(id2))).toBeUndefined();
    // ...but a host that already knows k2 as previous can (step one of a rotation).
    expect(await (await store({ keyring: { current: k1, previous: [k2] } })).lookup(key(id2))).toBeDefined();

    const dropped = await store({ keyring: { current: k2 } });
    expect(await dropped.lookup(key(id))).toBeUndefined();
    expect(dropped.stats()).toMatchObject({ misses: 1, authFailures: 0 });
    // The same on a live store, through setKeyring.
    const live = await store({ keyring: { current: k2, previous: [k1] } });
    live.setKeyring({ current: k2 });
    expect(await live.lookup(key(id))).toBeUndefined();
    live.setKeyring({ current: k2, previous: [k1] });
    expect(await live.lookup(key(id))).toBeDefined();
  });

  test('bad input: a SessionCacheError with a code, and nothing changes', async () => {
    const c = await connectClient(kind, redis.port);
    clients.push(c);
    const bad = (options: Record<string, unknown>) => () =>
      createRedisSessionStore({ client: c.client, keyring: { current: k1 }, ...options } as RedisSessionStoreOptions);
    const invalidArgument = expect.objectContaining({ name: 'SessionCacheError', code: ErrorCodes.INVALID_ARGUMENT });
    const badOptions: Array<Record<string, unknown>> = [
      { client: {} },
      { client: null },
      { keyring: undefined },
      { keyring: { current: { id: 'k', secret: randomBytes(31) } } },
      { keyring: { current: { id: 'k', secret: 'a string secret that is long enough....' } } },
      { keyring: { current: { id: '', secret: randomBytes(32) } } },
      { keyring: { current: { id: 'has space', secret: randomBytes(32) } } },
      { keyring: { current: k1, previous: [k1] } },
      { keyring: { current: k1, previous: k2 } },
      { prefix: '' },
      { prefix: 5 },
      { timeoutMs: 0 },
      { timeoutMs: 1.5 },
      { maxPending: 0 },
      { local: { role: 'client' } },
      { local: 'big' },
    ];
    for (const options of badOptions) expect(bad(options)).toThrow(invalidArgument);
    expect(bad({ local: { maxSessions: -1 } })).toThrow(SessionCacheError);

    const s = await store();
    const id = randomBytes(32);
    s.update(key(id), randomBytes(160));
    await s.flush();
    const stored = (await dump(inspect)).filter(([n]) => n.startsWith(prefix));
    const badKeys = [{ partialKey: PK, sessionId: new Uint8Array(0) }, { partialKey: 5, sessionId: id }, null];
    for (const k of badKeys) {
      expect(() => s.lookup(k as unknown as SessionKey)).toThrow(SessionCacheError);
      expect(() => s.update(k as unknown as SessionKey, randomBytes(160))).toThrow(SessionCacheError);
      expect(() => s.delete(k as unknown as SessionKey)).toThrow(SessionCacheError);
    }
    expect(() => s.update(key(id), 'not bytes' as unknown as Uint8Array)).toThrow(SessionCacheError);
    expect(() => s.update(key(id), new Uint8Array(20_000))).toThrow(
      expect.objectContaining({ code: ErrorCodes.SESSION_TOO_LARGE }),
    );
    expect(() => s.setKeyring({ current: { id: 'x', secret: new Uint8Array(8) } } as FleetKeyring)).toThrow(invalidArgument);
    await s.flush();
    expect((await dump(inspect)).filter(([n]) => n.startsWith(prefix))).toEqual(stored);
    const other = await store();
    expect(await other.lookup(key(id))).toBeDefined(); // the keyring was not replaced
    s.close();
    expect(() => s.update(key(id), randomBytes(160))).toThrow(expect.objectContaining({ code: ErrorCodes.CACHE_TERMINATED }));
    expect(s.lookup(key(id))).toBeUndefined();
  });

  test('Redis hung (SIGSTOP): L1 still answers, Redis lookups time out into misses; resumed: used again', async () => {
    const a = await store({ timeoutMs: 30 });
    const b = await store({ timeoutMs: 30 });
    const [id1, id2] = [randomBytes(32), randomBytes(32)];
    a.update(key(id1), randomBytes(160));
    await a.flush();
    redis.pause();
    try {
      expect(a.lookup(key(id1))).toBeInstanceOf(Uint8Array); // L1: no wait at all
      expect(await b.lookup(key(id1))).toBeUndefined();
      expect(b.stats()).toMatchObject({ timeouts: 1, misses: 1 });
      a.update(key(id2), randomBytes(160)); // sent; answered once Redis runs again
    } finally {
      redis.resume();
    }
    await a.flush();
    const c = await store();
    expect(await c.lookup(key(id1))).toBeDefined();
    expect(await c.lookup(key(id2))).toBeDefined();
  });

  test('Redis killed: lookups miss, writes are dropped and counted, nothing throws; restarted: used again', async () => {
    const a = await store();
    const b = await store();
    const ids = Array.from({ length: 4 }, () => randomBytes(32));
    a.update(key(ids[0]!), randomBytes(160));
    await a.flush();
    await redis.kill();
    try {
      await waitFor(() => !clients[0]!.ready() && !clients[1]!.ready(), 'the clients to notice');
      a.update(key(ids[1]!), randomBytes(160));
      expect(a.delete(key(ids[0]!))).toBe(true);
      expect(await b.lookup(key(ids[0]!))).toBeUndefined();
      expect(a.stats()).toMatchObject({ droppedWrites: 2 });
      expect(b.stats()).toMatchObject({ unavailable: 1, misses: 1 });
      expect(a.lookup(key(ids[1]!))).toBeInstanceOf(Uint8Array); // L1 keeps serving
    } finally {
      await redis.start();
    }
    await waitFor(() => clients[0]!.ready() && clients[1]!.ready(), 'the clients to reconnect');
    a.update(key(ids[2]!), randomBytes(160));
    await a.flush();
    expect(await b.lookup(key(ids[2]!))).toBeDefined();
    expect(b.stats().l2Hits).toBe(1);
  });

  test('Redis answering with an error (a foreign value under the name): a miss, counted', async () => {
    const a = await store();
    const id = randomBytes(32);
    a.update(key(id), randomBytes(160));
    await a.flush();
    const [[name]] = (await dump(inspect)).filter(([n]) => n.startsWith(prefix)) as [[string, Buffer]];
    await inspect.del(name);
    await inspect.hset(name, 'f', 'v'); // GET on a hash: WRONGTYPE
    const b = await store();
    expect(await b.lookup(key(id))).toBeUndefined();
    expect(b.stats()).toMatchObject({ errors: 1, misses: 1, l2Hits: 0 });
    await inspect.del(name);
  });

  test('the client closed under the store: lookups miss, writes are dropped, nothing throws', async () => {
    const a = await store();
    const id = randomBytes(32);
    a.update(key(id), randomBytes(160));
    await a.flush();
    expect(a.available()).toBe(true);
    await clients[0]!.close();
    await waitFor(() => !a.available(), 'the client to close');
    expect(a.lookup(key(id))).toBeInstanceOf(Uint8Array); // L1
    expect(a.lookup(key(randomBytes(32)))).toBeUndefined(); // no wait: Redis is not asked
    a.update(key(randomBytes(32)), randomBytes(160));
    a.delete(key(id));
    expect(a.stats()).toMatchObject({ unavailable: 1, droppedWrites: 2, pending: 0 });
  });

  test('Redis hung: at most maxPending commands wait; beyond that lookups miss at once and writes are dropped', async () => {
    const a = await store({ timeoutMs: 30, maxPending: 3 });
    redis.pause();
    try {
      const waits = [0, 1, 2].map(() => a.lookup(key(randomBytes(32))));
      expect(waits.every((w) => w instanceof Promise)).toBe(true);
      expect(await Promise.all(waits)).toEqual([undefined, undefined, undefined]); // timed out...
      expect(a.stats()).toMatchObject({ timeouts: 3, pending: 3 }); // ...but the GETs are still out
      expect(a.available()).toBe(false);
      expect(a.lookup(key(randomBytes(32)))).toBeUndefined(); // not even asked
      a.update(key(randomBytes(32)), randomBytes(160));
      expect(a.stats()).toMatchObject({ unavailable: 1, droppedWrites: 1, pending: 3 });
    } finally {
      redis.resume();
    }
    await a.flush();
    expect(a.stats().pending).toBe(0);
    expect(a.available()).toBe(true);
  });
});
