// createFetchConnector() with undici's fetch and Node's bundled fetch, against real TLS servers on
// loopback. Every response closes its connection, so every fetch is a new TLS handshake, and the
// server's isSessionReused() of each connection is what the assertions read.
import { X509Certificate, randomBytes } from 'node:crypto';
import net from 'node:net';
import tls from 'node:tls';
import {
  Agent,
  type Dispatcher,
  type buildConnector,
  errors,
  fetch,
  getGlobalDispatcher,
  request,
  setGlobalDispatcher,
} from 'undici';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createSessionCache, ErrorCodes, type SessionCache, type SessionCacheOptions } from '../../src/index.js';
import {
  attachSessionCache,
  clientPartialKey,
  connect,
  createFetchConnector,
  type FetchConnector,
  type FetchConnectorOptions,
  sessionCacheServerOptions,
} from '../../src/node-adapters.js';
import { makeCerts, type KeyPair, type TestCerts } from '../tls/certs.js';
import { finish, serve } from '../tls/loopback.js';
import { lookup, startHttp2Server, startHttpServer, startHttpsServer } from './fetch-server.js';

/** A handshake that hangs fails the test quickly. */
const HANG_GUARD = { timeout: 30_000 };

let certs: TestCerts;
let pair: KeyPair;

beforeAll(() => {
  certs = makeCerts();
  pair = certs.leaf('ecdsa');
});
afterAll(() => certs.remove());

const clientCache = (options?: Partial<SessionCacheOptions>) => createSessionCache({ role: 'client', ...options });
const connector = (cache: SessionCache, extra?: Partial<FetchConnectorOptions>): FetchConnector =>
  createFetchConnector({ sessionCache: cache, ca: certs.ca, lookup, ...extra });
const url = (port: number, name = 'a.test') => `https://${name}:${port}/`;

/** Fetch `target` through `dispatcher`; the body, after checking the status. */
async function get(dispatcher: Dispatcher, target: string): Promise<string> {
  const response = await fetch(target, { dispatcher });
  expect(response.status).toBe(200);
  return response.text();
}

/** The distinct partial keys in `cache`. */
const partialKeys = (cache: SessionCache) =>
  new Set(cache.foldl((e, acc: string[]) => [...acc, Buffer.from(e.key.partialKey).toString()], []));

describe('createFetchConnector()', HANG_GUARD, () => {
  test('TLS 1.3: the next connection resumes a ticket, also through another Agent sharing the cache', async () => {
    const server = await startHttpsServer({ ...pair });
    const cache = clientCache();
    const first = connector(cache);
    const second = connector(cache);
    const agents = [new Agent({ connect: first }), new Agent({ connect: second })];
    try {
      expect(await get(agents[0]!, url(server.port))).toBe('ok');
      await get(agents[0]!, url(server.port));
      await get(agents[1]!, url(server.port));
      expect(server.reused).toEqual([false, true, true]);
      // Node's server sends two tickets after a full TLS 1.3 handshake, none after a resumed one
      expect(first.stats()).toEqual({ offered: 1, resumed: 1, stored: 2, dropped: 0, errors: 0 });
      expect(second.stats()).toEqual({ offered: 1, resumed: 1, stored: 0, dropped: 0, errors: 0 });
      // keyed as connect() keys: servername, port, the trust options
      expect(partialKeys(cache)).toEqual(
        new Set([clientPartialKey({ host: 'a.test', servername: 'a.test', port: server.port, ca: certs.ca })]),
      );
    } finally {
      await Promise.all(agents.map((a) => a.close()));
      await server.close();
    }
  });

  test('TLS 1.2: resumes a ticket, and a session id through a server cache', async () => {
    const ticketServer = await startHttpsServer({ ...pair, maxVersion: 'TLSv1.2' });
    const serverCache = createSessionCache({ role: 'server' });
    const idServer = await startHttpsServer({ ...pair, ...sessionCacheServerOptions({ sessionIdContext: 'fetch-tests' }) });
    const detach = attachSessionCache(idServer.server, serverCache);
    const cache = clientCache();
    const c = connector(cache);
    const agent = new Agent({ connect: c });
    try {
      for (const server of [ticketServer, idServer]) {
        for (let i = 0; i < 3; i++) await get(agent, url(server.port));
        expect(server.reused).toEqual([false, true, true]);
      }
      expect(detach.stats()).toMatchObject({ hits: 2, stored: 1 });
      expect(c.stats()).toMatchObject({ offered: 4, resumed: 4, dropped: 0 });
      expect(c.stats().stored).toBeGreaterThanOrEqual(2);
    } finally {
      detach();
      await agent.close();
      await Promise.all([ticketServer.close(), idServer.close()]);
    }
  });

  test("Node's bundled fetch through the undici package's setGlobalDispatcher resumes", async () => {
    const server = await startHttpsServer({ ...pair });
    const c = connector(clientCache());
    const previous = getGlobalDispatcher();
    const agent = new Agent({ connect: c });
    setGlobalDispatcher(agent);
    try {
      for (let i = 0; i < 3; i++) {
        const response = await globalThis.fetch(url(server.port, 'b.test'));
        expect(await response.text()).toBe('ok');
      }
      expect(server.reused).toEqual([false, true, true]);
      expect(c.stats()).toMatchObject({ offered: 2, resumed: 2, dropped: 0 });
    } finally {
      setGlobalDispatcher(previous);
      await agent.close();
      await server.close();
    }
  });

  test('shares sessions with connect(): the same key for the same destination and trust options', async () => {
    const server = await startHttpsServer({ ...pair });
    const httpRequest = 'GET / HTTP/1.1\r\nhost: a.test\r\nconnection: close\r\n\r\n';
    const viaConnect = async (cache: SessionCache) => {
      const socket = connect({ host: '127.0.0.1', port: server.port, servername: 'a.test', ca: certs.ca }, cache);
      socket.write(httpRequest);
      const result = await finish(socket);
      expect(result.data).toMatch(/^HTTP\/1\.1 200/);
      return result.reused;
    };
    const agent = new Agent({ connect: connector(clientCache()) });
    try {
      // connect() first, the connector resumes
      const a = clientCache();
      expect(await viaConnect(a)).toBe(false);
      const ca = connector(a);
      await get(new Agent({ connect: ca }), url(server.port));
      expect(ca.stats()).toMatchObject({ offered: 1, resumed: 1 });
      // the connector first, connect() resumes
      const b = clientCache();
      await get(new Agent({ connect: connector(b) }), url(server.port));
      expect(await viaConnect(b)).toBe(true);
      expect(server.reused).toEqual([false, true, false, true]);
    } finally {
      await agent.close();
      await server.close();
    }
  });

  test.each(['TLSv1.3', 'TLSv1.2'] as const)(
    '%s: pinned and unpinned dispatchers sharing a cache never resume each other\u2019s sessions',
    async (maxVersion) => {
      const server = await startHttpsServer({ ...pair, maxVersion });
      const fingerprint = new X509Certificate(pair.cert).fingerprint256;
      const pin = (expected: string) => {
        const calls = { count: 0 };
        const check = (host: string, cert: tls.PeerCertificate) => {
          calls.count++;
          return cert.fingerprint256 === expected ? tls.checkServerIdentity(host, cert) : new Error('pin mismatch');
        };
        return { calls, check };
      };
      const good = pin(fingerprint);
      const bad = pin('00');
      const cache = clientCache();
      const pinned = connector(cache, { checkServerIdentity: good.check });
      const unpinned = connector(cache);
      const mispinned = connector(cache, { checkServerIdentity: bad.check });
      const agents = [pinned, unpinned, mispinned].map((c) => new Agent({ connect: c }));
      const [pinnedAgent, unpinnedAgent, mispinnedAgent] = agents as [Agent, Agent, Agent];
      try {
        await get(pinnedAgent, url(server.port));
        await get(pinnedAgent, url(server.port));
        // the cache holds pinned sessions for a.test: the unpinned dispatcher makes its own
        await get(unpinnedAgent, url(server.port));
        await get(unpinnedAgent, url(server.port));
        expect(server.reused).toEqual([false, true, false, true]);
        expect(good.calls.count).toBe(1);
        expect(partialKeys(cache).size).toBe(2);
        // a pin that rejects the certificate: every fetch runs it and fails, though the cache
        // holds sessions for a.test from both dispatchers (resuming one would skip the check)
        for (let i = 0; i < 3; i++) {
          const error = await fetch(url(server.port), { dispatcher: mispinnedAgent }).catch((e: unknown) => e);
          expect((error as { cause?: Error }).cause?.message).toBe('pin mismatch');
        }
        expect(bad.calls.count).toBe(3);
        expect(mispinned.stats()).toEqual({ offered: 0, resumed: 0, stored: 0, dropped: 0, errors: 0 });
        // each dispatcher still resumes its own
        await get(pinnedAgent, url(server.port));
        await get(unpinnedAgent, url(server.port));
        expect(server.reused.slice(-2)).toEqual([true, true]);
        expect(good.calls.count).toBe(1);
        expect(pinned.stats()).toMatchObject({ offered: 2, resumed: 2, dropped: 0 });
        expect(unpinned.stats()).toMatchObject({ offered: 2, resumed: 2, dropped: 0 });
      } finally {
        await Promise.all(agents.map((a) => a.close()));
        await server.close();
      }
    },
  );

  test('deletes an offered session the server did not resume (new ticket keys)', async () => {
    const server = await startHttpsServer({ ...pair });
    const cache = clientCache();
    const c = connector(cache);
    const agent = new Agent({ connect: c });
    try {
      await get(agent, url(server.port));
      expect(cache.size).toBe(2);
      server.server.setTicketKeys(randomBytes(48));
      await get(agent, url(server.port));
      await get(agent, url(server.port));
      expect(server.reused).toEqual([false, false, true]);
      expect(c.stats()).toMatchObject({ offered: 2, resumed: 1, dropped: 1 });
    } finally {
      await agent.close();
      await server.close();
    }
  });

  test('singleUseTickets: each TLS 1.3 ticket is taken out when offered, then a full handshake', async () => {
    const server = await startHttpsServer({ ...pair });
    const cache = clientCache();
    const c = connector(cache, { singleUseTickets: true });
    const agent = new Agent({ connect: c });
    try {
      const sizes: number[] = [];
      for (let i = 0; i < 4; i++) {
        await get(agent, url(server.port));
        sizes.push(cache.size);
      }
      // two tickets from the full handshake, used one by one, then two new ones
      expect(server.reused).toEqual([false, true, true, false]);
      expect(sizes).toEqual([2, 1, 0, 2]);
      expect(c.stats()).toEqual({ offered: 2, resumed: 2, stored: 4, dropped: 0, errors: 0 });
    } finally {
      await agent.close();
      await server.close();
    }
  });

  test.each([
    ['a full cache (maxSessions: 1)', { maxSessions: 1 }],
    ['a cache refusing every session (maxSessionBytes: 64)', { maxSessionBytes: 64 }],
    ['a terminated cache', 'terminated'],
  ] as const)('%s: every fetch still succeeds', async (_name, setup) => {
    const server = await startHttpsServer({ ...pair });
    const cache = clientCache(setup === 'terminated' ? {} : setup);
    const c = connector(cache);
    if (setup === 'terminated') cache.terminate();
    const agent = new Agent({ connect: c });
    try {
      const names = ['a.test', 'b.test', 'localhost'];
      for (let round = 0; round < 3; round++) {
        for (const name of names) expect(await get(agent, url(server.port, name))).toBe('ok');
      }
      expect(server.reused.length).toBe(9);
      if (setup === 'terminated') {
        // nothing offered or kept; every session the servers sent was a counted fault, not a failure
        expect(c.stats()).toMatchObject({ offered: 0, resumed: 0, stored: 0, dropped: 0 });
        expect(c.stats().errors).toBeGreaterThan(0);
      }
      if (typeof setup === 'object' && 'maxSessionBytes' in setup) expect(c.stats().stored).toBe(0);
    } finally {
      await agent.close();
      await server.close();
    }
  });

  test('HTTP/2 by ALPN with allowH2, resumed across Agents; plain http: through net.connect', async () => {
    const h2 = await startHttp2Server({ ...pair });
    const plain = await startHttpServer();
    const cache = clientCache();
    const c = connector(cache, { allowH2: true });
    try {
      for (let i = 0; i < 2; i++) {
        // an HTTP/2 connection stays open: a new Agent makes a new one
        const agent = new Agent({ connect: c, allowH2: true });
        expect(await get(agent, url(h2.port))).toBe('2.0');
        await agent.close();
      }
      expect(h2.reused).toEqual([false, true]);
      const agent = new Agent({ connect: c });
      expect(await get(agent, `http://127.0.0.1:${plain.port}/`)).toBe('plain');
      await agent.close();
      expect(c.stats()).toMatchObject({ offered: 1, resumed: 1, dropped: 0 });
    } finally {
      await Promise.all([h2.close(), plain.close()]);
    }
  });

  test("undici's contract: servername from the host (none for an IP), the Client's wins; errors reach the callback", async () => {
    const names: Array<string | false> = [];
    const server = await startHttpsServer({ ...pair });
    server.server.on('secureConnection', (socket: tls.TLSSocket) => names.push(socket.servername as string | false));
    const c: buildConnector.connector = connector(clientCache(), { ca: certs.ca, checkServerIdentity: () => undefined });
    const call = (options: buildConnector.Options) =>
      new Promise<net.Socket | tls.TLSSocket>((resolve, reject) =>
        c(options, (...args) => (args[0] === null ? resolve(args[1]) : reject(args[0]))),
      );
    try {
      const host = `a.test:${server.port}`;
      const port = String(server.port);
      const calls: buildConnector.Options[] = [
        { hostname: 'a.test', host, protocol: 'https:', port },
        { hostname: '127.0.0.1', host: `127.0.0.1:${port}`, protocol: 'https:', port },
        { hostname: 'a.test', host, protocol: 'https:', port, servername: 'b.test' },
      ];
      for (const options of calls) {
        const socket = (await call(options)) as tls.TLSSocket;
        expect(socket.alpnProtocol).toBe('http/1.1');
        // a request, so the server finishes its side of the handshake before the socket closes
        socket.write('GET / HTTP/1.1\r\nhost: a.test\r\nconnection: close\r\n\r\n');
        expect((await finish(socket)).data).toMatch(/^HTTP\/1\.1 200/);
      }
      expect(names).toEqual(['a.test', false, 'b.test']);
      await server.close();
      const refused = await call({ hostname: 'a.test', host, protocol: 'https:', port }).catch((e: unknown) => e);
      expect((refused as { code?: string }).code).toBe('ECONNREFUSED');
    } finally {
      await server.close().catch(() => {});
    }
  });

  test("a connection that does not finish in time fails with undici's ConnectTimeoutError", async () => {
    const silent = await serve(net.createServer(() => {}));
    const agent = new Agent({ connect: connector(clientCache(), { timeout: 50 }) });
    try {
      const error = await request(url(silent.port), { dispatcher: agent }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(errors.ConnectTimeoutError);
      expect(error).toMatchObject({ code: 'UND_ERR_CONNECT_TIMEOUT', name: 'ConnectTimeoutError' });
      expect((error as Error).message).toContain(`a.test:${silent.port}, timeout: 50ms`);
    } finally {
      await agent.close();
      await silent.close();
    }
  });

  test('bad options throw a SessionCacheError and make no connector', () => {
    const cache = clientCache();
    const terminated = clientCache();
    terminated.terminate();
    const cases: Array<[unknown, string]> = [
      [undefined, ErrorCodes.INVALID_ARGUMENT],
      [{}, ErrorCodes.INVALID_ARGUMENT],
      [{ sessionCache: {} }, ErrorCodes.INVALID_ARGUMENT],
      [{ sessionCache: terminated }, ErrorCodes.CACHE_TERMINATED],
      [{ sessionCache: cache, maxCachedSessions: 100 }, ErrorCodes.INVALID_ARGUMENT],
      [{ sessionCache: cache, session: Buffer.alloc(10) }, ErrorCodes.INVALID_ARGUMENT],
      [{ sessionCache: cache, allowH2: 'yes' }, ErrorCodes.INVALID_ARGUMENT],
      [{ sessionCache: cache, timeout: -1 }, ErrorCodes.INVALID_ARGUMENT],
      [{ sessionCache: cache, socketPath: 7 }, ErrorCodes.INVALID_ARGUMENT],
      [{ sessionCache: cache, maxSessionsPerHost: 0 }, ErrorCodes.INVALID_ARGUMENT],
    ];
    for (const [i, [options, code]] of cases.entries()) {
      expect(() => createFetchConnector(options as FetchConnectorOptions), `case ${i}`).toThrow(
        expect.objectContaining({ name: 'SessionCacheError', code }),
      );
    }
    expect(cache.stats().inserts).toBe(0);
  });
});
