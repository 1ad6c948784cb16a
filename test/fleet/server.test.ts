// The store attached to real TLS servers in this process: hostile session ids and a hung Redis
// never fail a handshake; they are misses, counted.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect, test } from 'vitest';
import '../../src/index.js'; // loads the core
import {
  attachSessionCache,
  createRedisSessionStore,
  type RedisSessionStore,
  type SessionCacheAttachment,
  sessionCacheServerOptions,
} from '../../src/node-adapters.js';
import { makeCerts, type KeyPair, type TestCerts } from '../tls/certs.js';
import { plainConnect, rawHello, startTlsServer, type TestServer } from '../tls/loopback.js';
import { type TestClient, connectClient } from './clients.js';
import { type RedisServer, startRedis } from './redis-server.js';

let certs: TestCerts;
let pair: KeyPair;
let redis: RedisServer;
const keyring = { current: { id: 'k1', secret: randomBytes(32) } };

interface Host {
  tls: TestServer;
  store: RedisSessionStore;
  attachment: SessionCacheAttachment;
  client: TestClient;
}
const hosts: Host[] = [];

async function host(storeTimeoutMs: number): Promise<Host> {
  const client = await connectClient('ioredis', redis.port);
  const store = createRedisSessionStore({ client: client.client, keyring, prefix: 'srv:', timeoutMs: storeTimeoutMs });
  let attachment: SessionCacheAttachment | undefined;
  const tls = await startTlsServer({ ...pair, ...sessionCacheServerOptions({ sessionIdContext: 'fleet-srv' }) }, (s) => {
    attachment = attachSessionCache(s, store, { timeoutMs: 10_000 });
  });
  const h = { tls, store, attachment: attachment!, client };
  hosts.push(h);
  return h;
}

beforeAll(async () => {
  certs = makeCerts();
  pair = certs.leaf('ecdsa');
  redis = await startRedis();
});
afterAll(async () => {
  for (const h of hosts) {
    await h.tls.close();
    h.store.close();
    await h.client.close();
  }
  await redis.stop();
  certs.remove();
});

const to = (port: number, session?: Buffer) => ({ host: '127.0.0.1', port, servername: 'localhost', ca: certs.ca, session });

test('random session ids from raw ClientHellos: each a full handshake and a counted miss', { timeout: 30_000 }, async () => {
  const h = await host(5000);
  const ids = Array.from({ length: 40 }, (_, i) => randomBytes(1 + (i % 32)));
  for (const id of ids) {
    const answered = await rawHello(h.tls.port, id);
    expect(answered).toBeDefined(); // a ServerHello came back...
    expect(answered!.equals(id)).toBe(false); // ...with a new session id: not resumed
  }
  expect(h.store.stats()).toMatchObject({ lookups: 40, misses: 40, l2Hits: 0, timeouts: 0, authFailures: 0 });
  expect(h.attachment.stats()).toMatchObject({ misses: 40, errors: 0 });
});

test('Redis hung: a handshake offering another host’s session still completes, as a full one', { timeout: 30_000 }, async () => {
  const a = await host(5000);
  const b = await host(30);
  const first = await plainConnect(to(a.tls.port));
  await a.store.flush();
  redis.pause();
  try {
    const second = await plainConnect(to(b.tls.port, first.sessions.at(-1)));
    expect(second.data).toBe('ok\n');
    expect(second.reused).toBe(false);
    expect(b.store.stats()).toMatchObject({ timeouts: 1, misses: 1 });
    expect(b.attachment.stats()).toMatchObject({ misses: 1, errors: 0 });
    // a's own L1 still resumes it
    const third = await plainConnect(to(a.tls.port, first.sessions.at(-1)));
    expect(third.reused).toBe(true);
  } finally {
    redis.resume();
  }
  // Redis runs again: another host (a generous timeout, the machine may be busy) resumes it.
  const c = await host(5000);
  const fourth = await plainConnect(to(c.tls.port, first.sessions.at(-1)));
  expect(fourth.reused).toBe(true);
  expect(c.store.stats().l2Hits).toBe(1);
});
