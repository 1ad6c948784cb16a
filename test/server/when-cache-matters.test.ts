// The README's "When the server cache matters" claims, on real TLS over loopback: which setups
// resume without any cache, which only with this one. Fewer reconnects than
// bench/resumption-matrix.mjs, which measures the table; the two processes of a fleet are two
// independent servers here (each has its own ticket key, as separate processes do).
import { constants, randomBytes } from 'node:crypto';
import type tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createSessionCache, type SessionCache } from '../../src/index.js';
import { attachSessionCache, connect, sessionCacheServerOptions } from '../../src/node-adapters.js';
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
