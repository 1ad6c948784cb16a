// The README's "When the server cache matters" claims, on real TLS over loopback: which setups
// resume without any cache, which only with this one. Fewer reconnects than
// bench/resumption-matrix.mjs, which measures the table; the two processes of a fleet are two
// independent servers here (each has its own ticket key, as separate processes do), except for the
// shared-cache claims, which need real processes: a node:cluster, and two hosts sharing a redis-server
// (both import dist/: `npm test` builds first).
import { type ChildProcess, fork } from 'node:child_process';
import { constants, randomBytes } from 'node:crypto';
import type tls from 'node:tls';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createSessionCache, type SessionCache } from '../../src/index.js';
import { attachSessionCache, connect, sessionCacheServerOptions } from '../../src/node-adapters.js';
import { type ClusterFixture, type Reconnect, reconnects as clusterReconnects, startCluster } from '../cluster/harness.js';
import { type RedisServer, startRedis } from '../fleet/redis-server.js';
import { makeCerts, type KeyPair, type TestCerts } from '../tls/certs.js';
import { finish, plainConnect, startTlsServer, type TestServer } from '../tls/loopback.js';

const RECONNECTS = 4;
const HANG_GUARD = { timeout: 15_000 };

let certs: TestCerts;
let pair: KeyPair;
const servers: TestServer[] = [];
const caches: SessionCache[] = [];

beforeAll(() => {
  certs = makeCerts();
  pair = certs.leaf('ecdsa');
});
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
  for (const c of caches) c.terminate();
  certs.remove();
});

const serverCache = () => {
  const cache = createSessionCache({ role: 'server' });
  caches.push(cache);
  return cache;
};

/** A server with `options`; with `cache`, this package's cache is attached (no unused-cache warning). */
async function server(options: tls.TlsOptions, cache?: SessionCache): Promise<TestServer> {
  const s = await startTlsServer({ ...pair, sessionIdContext: 'when-cache-matters', ...options }, (srv) => {
    if (cache) attachSessionCache(srv, cache, { warn: false });
  });
  servers.push(s);
  return s;
}

const TICKETS_ON_TLS12: tls.TlsOptions = { maxVersion: 'TLSv1.2' };
const TICKETS_OFF: tls.TlsOptions = sessionCacheServerOptions({ sessionIdContext: 'when-cache-matters' });

/**
 * A first connection, then RECONNECTS more, round-robin over `targets`, the client offering the
 * latest session it was sent (as https.Agent does); returns whether each reconnect resumed.
 */
async function reconnects(targets: TestServer[], client: tls.ConnectionOptions = {}): Promise<boolean[]> {
  let session: Buffer | undefined;
  const resumed: boolean[] = [];
  for (let i = 0; i <= RECONNECTS; i++) {
    const port = targets[i % targets.length]!.port;
    const r = await plainConnect({ host: '127.0.0.1', port, servername: 'localhost', ca: certs.ca, session, ...client });
    if (i > 0) resumed.push(r.reused);
    session = r.sessions.at(-1) ?? session;
  }
  return resumed;
}

const ALL = Array<boolean>(RECONNECTS).fill(true);
const NONE = Array<boolean>(RECONNECTS).fill(false);
const NO_TICKET_CLIENT: tls.ConnectionOptions = { secureOptions: constants.SSL_OP_NO_TICKET };

describe('one server', HANG_GUARD, () => {
  test('TLS 1.3 resumes from tickets without any cache', async () => {
    expect(await reconnects([await server({})])).toEqual(ALL);
  });

  test('TLS 1.2 with tickets on resumes without any cache', async () => {
    expect(await reconnects([await server(TICKETS_ON_TLS12)])).toEqual(ALL);
  });

  test('TLS 1.2 with tickets off: no reconnect resumes without the cache, every one with it', async () => {
    expect(await reconnects([await server(TICKETS_OFF)])).toEqual(NONE);
    expect(await reconnects([await server(TICKETS_OFF, serverCache())])).toEqual(ALL);
  });

  test('a client without ticket support resumes only with the cache (server tickets on)', async () => {
    expect(await reconnects([await server(TICKETS_ON_TLS12)], NO_TICKET_CLIENT)).toEqual(NONE);
    expect(await reconnects([await server(TICKETS_ON_TLS12, serverCache())], NO_TICKET_CLIENT)).toEqual(ALL);
  });

  test('TLS 1.3 with tickets off never resumes, cache or not', async () => {
    const tls13Off = sessionCacheServerOptions({ sessionIdContext: 'when-cache-matters', tls13: true });
    expect(await reconnects([await server(tls13Off, serverCache())])).toEqual(NONE);
  });
});

describe('two servers, the client alternating', HANG_GUARD, () => {
  test('tickets on: no reconnect resumes with their own ticket keys, every one with the same ticketKeys', async () => {
    expect(await reconnects([await server({}), await server({})])).toEqual(NONE);
    const ticketKeys = randomBytes(48);
    expect(await reconnects([await server({ ticketKeys }), await server({ ticketKeys })])).toEqual(ALL);
  });

  test('tickets off: a cache per server resumes nothing; one cache shared by both resumes every reconnect', async () => {
    expect(await reconnects([await server(TICKETS_OFF, serverCache()), await server(TICKETS_OFF, serverCache())])).toEqual(NONE);
    const shared = serverCache();
    expect(await reconnects([await server(TICKETS_OFF, shared), await server(TICKETS_OFF, shared)])).toEqual(ALL);
  });
});

test('outbound: tls.connect keeps no session; connect() with a client cache resumes every reconnect', HANG_GUARD, async () => {
  const s = await server({});
  const options = { host: '127.0.0.1', port: s.port, servername: 'localhost', ca: certs.ca };
  const plain: boolean[] = [];
  const cached: boolean[] = [];
  const cache = createSessionCache({ role: 'client' });
  caches.push(cache);
  for (let i = 0; i <= RECONNECTS; i++) {
    const a = await plainConnect(options);
    const b = await finish(connect(options, cache));
    if (i === 0) continue;
    plain.push(a.reused);
    cached.push(b.reused);
  }
  expect(plain).toEqual(NONE);
  expect(cached).toEqual(ALL);
});

describe('node:cluster, 2 workers, tickets off (TLS 1.2)', { timeout: 60_000 }, () => {
  const running: ClusterFixture[] = [];
  afterAll(async () => {
    await Promise.all(running.map((c) => c.stop()));
  });

  /** A first connection, then RECONNECTS more through the shared port (round-robin over the workers). */
  async function throughCluster(mode: 'per-worker' | 'cluster'): Promise<Reconnect[]> {
    const c = await startCluster({ workers: 2, mode }, pair);
    running.push(c);
    const { results } = await clusterReconnects(c.port, certs.ca, RECONNECTS + 1);
    // Both workers served reconnects, or a per-worker cache could pass by never changing worker.
    expect(new Set(results.slice(1).map((r) => r.worker)).size).toBe(2);
    return results.slice(1);
  }

  test("a cache per worker resumes no reconnect; the cluster store (the primary's cache) resumes every one", async () => {
    expect((await throughCluster('per-worker')).map((r) => r.resumed)).toEqual(NONE);
    expect((await throughCluster('cluster')).map((r) => r.resumed)).toEqual(ALL);
  });
});

describe('2 processes, tickets off (TLS 1.2), sharing a redis-server', { timeout: 60_000 }, () => {
  // A host of the fleet tests: a server with the Redis tier, in its own process, driven over IPC.
  const HOST = fileURLToPath(new URL('../fleet/host.mjs', import.meta.url));
  const keyring = { current: { id: 'k1', secret: randomBytes(32).toString('base64') } };
  const hosts: ChildProcess[] = [];
  let redis: RedisServer | undefined;

  afterAll(async () => {
    for (const h of hosts) h.kill();
    await redis?.stop();
  });

  /** Fork a host; `call` runs one of its ops (start, flush, stats, stop). */
  function startHost() {
    const child = fork(HOST, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    hosts.push(child);
    let next = 0;
    const call = <T>(op: string, args?: unknown): Promise<T> =>
      new Promise((resolve, reject) => {
        const id = next++;
        const onMessage = (m: { id: number; value?: T; error?: string }) => {
          if (m.id !== id) return;
          child.off('message', onMessage);
          if (m.error !== undefined) reject(new Error(m.error));
          else resolve(m.value as T);
        };
        child.on('message', onMessage);
        child.send({ id, op, args });
      });
    return { call };
  }

  test('every reconnect resumes through the Redis tier, alternating between the processes', async () => {
    redis = await startRedis();
    const hostArgs = { kind: 'ioredis', redisPort: redis.port, ...pair, prefix: 'when-cache-matters:', keyring };
    const both = [startHost(), startHost()];
    const ports = await Promise.all(both.map(async (h) => (await h.call<{ port: number }>('start', hostArgs)).port));
    // ioredis connects in the background; until it is ready the store answers from its own cache
    for (const h of both) {
      for (let i = 0; i < 500 && !(await h.call<boolean>('ready')); i++) await new Promise((r) => setTimeout(r, 10));
    }
    let session: Buffer | undefined;
    const resumed: boolean[] = [];
    for (let i = 0; i <= RECONNECTS; i++) {
      const r = await plainConnect({ host: '127.0.0.1', port: ports[i % 2]!, servername: 'localhost', ca: certs.ca, session });
      if (i > 0) resumed.push(r.reused && r.data === 'resumed\n');
      session = r.sessions.at(-1) ?? session;
      // Writes reach Redis in the background: settle them, so no lookup races the write before it.
      await both[i % 2]!.call('flush');
    }
    expect(resumed).toEqual(ALL);
  });
});
