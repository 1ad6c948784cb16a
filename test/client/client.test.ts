// connect() and createHttpsAgent() against real TLS servers on loopback.
import { randomBytes } from 'node:crypto';
import https from 'node:https';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createSessionCache, type SessionCache } from '../../src/index.js';
import {
  attachSessionCache,
  clientPartialKey,
  clientSessionStats,
  connect,
  createHttpsAgent,
  readSessionHeader,
  sessionCacheServerOptions,
  type SessionCacheAttachment,
} from '../../src/node-adapters.js';
import { manualClock } from '../helpers.js';
import { makeCerts, type KeyPair, type TestCerts } from '../tls/certs.js';
import { finish, plainConnect, serve, startTlsServer, type TestServer } from '../tls/loopback.js';

/** A handshake that hangs (a resumeSession callback never called) fails the test quickly. */
const HANG_GUARD = { timeout: 15_000 };

let certs: TestCerts;
let ecdsa: KeyPair;
let clientPair: KeyPair;

beforeAll(() => {
  certs = makeCerts();
  ecdsa = certs.leaf('ecdsa');
  clientPair = certs.leaf('ecdsa');
});
afterAll(() => certs.remove());

type CacheServer = TestServer & { attachment: SessionCacheAttachment; serverCache: SessionCache };

/** TLS 1.2, tickets off, with a server cache: resumption only through session ids. */
async function sessionIdServer(): Promise<CacheServer> {
  const serverCache = createSessionCache({ role: 'server' });
  let attachment: SessionCacheAttachment | undefined;
  const t = await startTlsServer({ ...ecdsa, ...sessionCacheServerOptions({ sessionIdContext: 'client-tests' }) }, (s) => {
    attachment = attachSessionCache(s, serverCache);
  });
  return Object.assign(t, { attachment: attachment!, serverCache });
}

/** TLS 1.3 with tickets (Node's default server). */
const ticketServer = () => startTlsServer({ ...ecdsa });

const dest = (port: number, servername = 'localhost'): tls.ConnectionOptions => ({
  host: '127.0.0.1',
  port,
  servername,
  ca: certs.ca,
});
const ids = (cache: SessionCache) =>
  cache.foldl((e, acc: string[]) => [...acc, Buffer.from(e.key.sessionId).toString('hex')], []);
const idOf = (der: Uint8Array) => Buffer.from(readSessionHeader(der)!.sessionId).toString('hex');

describe('connect()', HANG_GUARD, () => {
  test('resumes by host:port (TLS 1.2 session id); the cache holds one session for the destination', async () => {
    const s = await sessionIdServer();
    const cache = createSessionCache({ role: 'client' });
    const first = await finish(connect(dest(s.port), cache));
    expect(first).toMatchObject({ reused: false, protocol: 'TLSv1.2', data: 'ok\n' });
    const key = clientPartialKey(dest(s.port));
    expect(key.startsWith(`localhost:${s.port}#`)).toBe(true); // `#`: the trust settings (ca) hashed
    expect(cache.selectSession(key).map(idOf)).toEqual([idOf(first.sessions[0]!)]);
    const second = await finish(connect(dest(s.port), cache));
    expect(second.reused).toBe(true);
    expect(s.reused).toEqual([false, true]);
    expect(cache.size).toBe(1);
    await s.close();
  });

  test('a session stored for one SNI name is never offered to another name on the same host:port', async () => {
    const s = await sessionIdServer();
    const cache = createSessionCache({ role: 'client' });
    const a = await finish(connect(dest(s.port, 'a.test'), cache));
    const hits = s.attachment.stats().hits;
    const b = await finish(connect(dest(s.port, 'b.test'), cache));
    expect(b.reused).toBe(false);
    expect(s.attachment.stats().hits).toBe(hits); // the server was never offered a.test's id
    expect(cache.selectSession(clientPartialKey(dest(s.port, 'b.test'))).map(idOf)).toEqual([idOf(b.sessions[0]!)]);
    expect((await finish(connect(dest(s.port, 'a.test'), cache))).reused).toBe(true);
    // what the key prevents: Node's own client, offering a.test's session to b.test, resumes it
    expect((await plainConnect({ ...dest(s.port, 'b.test'), session: a.sessions[0] })).reused).toBe(true);
    await s.close();
  });

  test('TLS 1.3: both tickets are stored and the next connection resumes', async () => {
    const s = await ticketServer();
    const cache = createSessionCache({ role: 'client' });
    const first = await finish(connect(dest(s.port), cache));
    expect(first.protocol).toBe('TLSv1.3');
    expect(first.sessions).toHaveLength(2);
    expect(ids(cache).sort()).toEqual(first.sessions.map(idOf).sort());
    expect((await finish(connect(dest(s.port), cache))).reused).toBe(true);
    expect((await finish(connect(dest(s.port), cache))).reused).toBe(true); // reusable by default
    expect(cache.size).toBe(2);
    await s.close();
  });

  test('TLS 1.3 with singleUseTickets: each ticket is taken when offered', async () => {
    const s = await ticketServer();
    const cache = createSessionCache({ role: 'client' });
    const once = { singleUseTickets: true };
    const first = await finish(connect(dest(s.port), cache, once));
    const [older, newer] = first.sessions.map(idOf);
    expect((await finish(connect(dest(s.port), cache, once))).reused).toBe(true);
    expect(ids(cache)).toEqual([older]); // the newest was offered, and taken
    expect((await finish(connect(dest(s.port), cache, once))).reused).toBe(true);
    expect(cache.size).toBe(0);
    expect(newer).not.toBe(older);
    expect((await finish(connect(dest(s.port), cache, once))).reused).toBe(false); // none left
    await s.close();
  });

  test('a TLS 1.2 ticket (server tickets on) is stored and resumes', async () => {
    const s = await startTlsServer({ ...ecdsa, maxVersion: 'TLSv1.2' });
    const cache = createSessionCache({ role: 'client' });
    await finish(connect(dest(s.port), cache));
    expect(cache.size).toBe(1);
    expect((await finish(connect(dest(s.port), cache))).reused).toBe(true);
    await s.close();
  });

  test('a session whose resumption fails is removed', async () => {
    const s = await sessionIdServer();
    const cache = createSessionCache({ role: 'client' });
    const first = await finish(connect(dest(s.port), cache));
    // the server forgets every session (as after a restart)
    s.serverCache.foldl((e, n: number) => n + Number(s.serverCache.delete(e.key)), 0);
    const second = await finish(connect(dest(s.port), cache));
    expect(second.reused).toBe(false);
    expect(ids(cache)).toEqual([idOf(second.sessions[0]!)]);
    expect(ids(cache)).not.toContain(idOf(first.sessions[0]!));
    await s.close();
  });

  test('a session whose resumption fails with a TLS error is removed', async () => {
    // A broken server cache that answers a known id with another session's DER: OpenSSL then
    // fails the handshake (ERR_SSL_UNEXPECTED_MESSAGE), the failure a client must not repeat.
    const stored = new Map<string, Buffer>();
    const s = await startTlsServer({ ...ecdsa, ...sessionCacheServerOptions({ sessionIdContext: 'broken' }) }, (server) => {
      server.on('newSession', (id: Buffer, der: Buffer, done: () => void) => {
        stored.set(id.toString('hex'), der);
        done();
      });
      server.on('resumeSession', (id: Buffer, done: (e: Error | null, d: Buffer | null) => void) => {
        const other = [...stored].find(([k]) => k !== id.toString('hex'));
        done(null, stored.has(id.toString('hex')) && other !== undefined ? other[1] : null);
      });
    });
    const cache = createSessionCache({ role: 'client' });
    await finish(connect(dest(s.port), cache));
    await plainConnect(dest(s.port)); // a second session on the server, for it to mix up
    expect(cache.size).toBe(1);
    const socket = connect(dest(s.port), cache);
    const error = await new Promise<Error & { code?: string }>((resolve) => socket.once('error', resolve));
    await new Promise((resolve) => socket.once('close', resolve));
    expect(error.code).toMatch(/^ERR_SSL/);
    expect(cache.size).toBe(0);
    await s.close();
  });

  test('maxSessionsPerHost bounds the sessions kept per destination (ticket keys rotated: each resumption fails)', async () => {
    const s = await ticketServer();
    const cache = createSessionCache({ role: 'client' });
    let received = 0;
    for (let i = 0; i < 4; i++) {
      s.server.setTicketKeys(randomBytes(48));
      const r = await finish(connect(dest(s.port), cache, { maxSessionsPerHost: 3 }));
      expect(r.reused).toBe(false);
      received += r.sessions.length;
    }
    expect(received).toBe(8);
    expect(cache.selectSession(clientPartialKey(dest(s.port)))).toHaveLength(3);
    expect(cache.size).toBe(3);
    await s.close();
  });

  test('client cache of capacity 2, three servers: 2 sessions kept, the newest resumes', async () => {
    const servers = [await sessionIdServer(), await sessionIdServer(), await sessionIdServer()];
    const cache = createSessionCache({ role: 'client', maxSessions: 2 });
    for (const s of servers) await finish(connect(dest(s.port), cache));
    expect(cache.size).toBe(2);
    expect((await finish(connect(dest(servers[2]!.port), cache))).reused).toBe(true);
    expect((await finish(connect(dest(servers[0]!.port), cache))).reused).toBe(false);
    await Promise.all(servers.map((s) => s.close()));
  });

  test('client lifetime: past it, nothing is offered and the connection is a full handshake', async () => {
    const s = await sessionIdServer();
    const clock = manualClock();
    const cache = createSessionCache({ role: 'client', lifetimeSeconds: 30, clock: clock.read });
    await finish(connect(dest(s.port), cache));
    clock.advance(29_000);
    expect((await finish(connect(dest(s.port), cache))).reused).toBe(true);
    clock.advance(1_000);
    expect((await finish(connect(dest(s.port), cache))).reused).toBe(false);
    await s.close();
  });

  test('a pinned connection never resumes a session an unpinned one verified: its pin check runs (issue 22, defect 1)', async () => {
    const s = await sessionIdServer();
    const cache = createSessionCache({ role: 'client' });
    const trusted = (await finish(connect(dest(s.port), cache))).fingerprint; // unpinned: stored
    expect((await finish(connect(dest(s.port), cache))).reused).toBe(true); // control: unpinned resumes it
    let checks = 0;
    const pin = (host: string, cert: tls.PeerCertificate) => {
      checks++;
      return cert.fingerprint256 === trusted ? tls.checkServerIdentity(host, cert) : new Error('pin mismatch');
    };
    const pinned = await finish(connect({ ...dest(s.port), checkServerIdentity: pin }, cache));
    expect(pinned.reused).toBe(false);
    expect(checks).toBe(1);
    // the pinned connection's own session resumes for the same pin (Node then skips the check)
    expect((await finish(connect({ ...dest(s.port), checkServerIdentity: pin }, cache))).reused).toBe(true);
    expect(checks).toBe(1);
    // a pin the server fails is enforced: no session verified without it lets the connection through
    let wrongChecks = 0;
    const wrongPin = () => {
      wrongChecks++;
      return new Error('pin mismatch');
    };
    const socket = connect({ ...dest(s.port), checkServerIdentity: wrongPin }, cache);
    const error = await new Promise<Error>((resolve) => socket.once('error', resolve));
    expect(error.message).toBe('pin mismatch');
    expect(wrongChecks).toBe(1);
    await s.close();
  });

  test('clientSessionStats counts offers, resumptions, stored and dropped sessions', async () => {
    const s = await sessionIdServer();
    const cache = createSessionCache({ role: 'client' });
    expect(clientSessionStats(cache)).toEqual({ offered: 0, resumed: 0, stored: 0, dropped: 0, errors: 0 });
    await finish(connect(dest(s.port), cache));
    expect(clientSessionStats(cache)).toEqual({ offered: 0, resumed: 0, stored: 1, dropped: 0, errors: 0 });
    await finish(connect(dest(s.port), cache));
    expect(clientSessionStats(cache)).toEqual({ offered: 1, resumed: 1, stored: 1, dropped: 0, errors: 0 });
    s.serverCache.foldl((e, n: number) => n + Number(s.serverCache.delete(e.key)), 0); // the server forgets
    await finish(connect(dest(s.port), cache));
    expect(clientSessionStats(cache)).toEqual({ offered: 2, resumed: 1, stored: 2, dropped: 1, errors: 0 });
    // the caller's own session is not an offer of the cache's
    await finish(connect({ ...dest(s.port), session: Buffer.alloc(0) }, cache));
    expect(clientSessionStats(cache).offered).toBe(2);
    expect(cache.stats().hits).toBe(0); // what the counters are for: offers are not lookups
    const snapshot = clientSessionStats(cache);
    snapshot.offered = 99;
    expect(clientSessionStats(cache).offered).toBe(2);
    cache.terminate();
    await finish(connect(dest(s.port), cache));
    expect(clientSessionStats(cache)).toEqual({ offered: 2, resumed: 1, stored: 3, dropped: 1, errors: 1 });
    await s.close();
  });

  test('singleUseTickets against a Node TLS 1.3 server: full, resumed, resumed, full, ...', async () => {
    const s = await ticketServer();
    const cache = createSessionCache({ role: 'client' });
    const pattern: string[] = [];
    for (let i = 0; i < 7; i++) {
      const r = await finish(connect(dest(s.port), cache, { singleUseTickets: true }));
      expect(r.protocol).toBe('TLSv1.3');
      // two tickets after a full handshake, none after a resumption
      expect(r.sessions).toHaveLength(r.reused ? 0 : 2);
      pattern.push(r.reused ? 'resumed' : 'full');
    }
    expect(pattern).toEqual(['full', 'resumed', 'resumed', 'full', 'resumed', 'resumed', 'full']);
    expect(s.reused).toEqual([false, true, true, false, true, true, false]);
    expect(clientSessionStats(cache)).toEqual({ offered: 4, resumed: 4, stored: 6, dropped: 0, errors: 0 });
    await s.close();
  });

  test('a terminated cache: connections go on, nothing is kept', async () => {
    const s = await sessionIdServer();
    const cache = createSessionCache({ role: 'client' });
    cache.terminate();
    expect(await finish(connect(dest(s.port), cache))).toMatchObject({ reused: false, data: 'ok\n' });
    await s.close();
  });
});

/** GET / through `agent`; whether the connection resumed. */
function get(port: number, agent: https.Agent, extra?: https.RequestOptions): Promise<{ reused: boolean; body: string }> {
  return new Promise((resolve, reject) => {
    const req = https.get({ host: '127.0.0.1', port, path: '/', agent, ...extra }, (res) => {
      const reused = (res.socket as tls.TLSSocket).isSessionReused();
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ reused, body }));
    });
    req.on('error', reject);
  });
}

/** An https server; with `cached`, TLS 1.2 resuming through a server cache, else Node's defaults (TLS 1.3, tickets). */
async function httpsServer(cached: boolean) {
  const serverCache = createSessionCache({ role: 'server' });
  const server = https.createServer(
    { ...ecdsa, ...(cached ? sessionCacheServerOptions({ sessionIdContext: 'agent-tests' }) : {}) },
    (_req, res) => res.end('ok'),
  );
  if (cached) attachSessionCache(server, serverCache);
  const t = await serve(server);
  return Object.assign(t, { serverCache });
}

describe('createHttpsAgent()', HANG_GUARD, () => {
  test('two requests: the second resumes; a new agent sharing the cache resumes too', async () => {
    const s = await httpsServer(true);
    const cache = createSessionCache({ role: 'client' });
    const agent = createHttpsAgent({ sessionCache: cache, ca: certs.ca });
    expect(await get(s.port, agent)).toEqual({ reused: false, body: 'ok' });
    expect((await get(s.port, agent)).reused).toBe(true);
    const other = createHttpsAgent({ sessionCache: cache, ca: certs.ca });
    expect((await get(s.port, other)).reused).toBe(true);
    expect(cache.size).toBe(1);
    // control: an agent with its own (Node) session store does not resume on its first request
    expect((await get(s.port, new https.Agent({ ca: certs.ca }))).reused).toBe(false);
    await s.close();
  });

  test("maxCachedSessions no longer limits: the cache's capacity does", async () => {
    const [x, y] = [await httpsServer(true), await httpsServer(true)];
    const agent = createHttpsAgent({ sessionCache: createSessionCache({ role: 'client' }), ca: certs.ca, maxCachedSessions: 1 });
    await get(x.port, agent);
    await get(y.port, agent);
    expect((await get(x.port, agent)).reused).toBe(true);
    // control: Node's agent with maxCachedSessions 1 dropped x's session for y's
    const nodeAgent = new https.Agent({ ca: certs.ca, maxCachedSessions: 1 });
    await get(x.port, nodeAgent);
    await get(y.port, nodeAgent);
    expect((await get(x.port, nodeAgent)).reused).toBe(false);
    await Promise.all([x.close(), y.close()]);
  });

  test('TLS 1.3 tickets resume through the agent', async () => {
    const s = await httpsServer(false);
    const cache = createSessionCache({ role: 'client' });
    const agent = createHttpsAgent({ sessionCache: cache, ca: certs.ca });
    await get(s.port, agent);
    expect(cache.size).toBe(2);
    expect((await get(s.port, agent)).reused).toBe(true);
    await s.close();
  });

  test("the partial key is a hash of the connection name: no PEM or private key in the cache's keys", async () => {
    const s = await httpsServer(true);
    const cache = createSessionCache({ role: 'client' });
    const agent = createHttpsAgent({ sessionCache: cache, ca: certs.ca, key: clientPair.key, cert: clientPair.cert });
    await get(s.port, agent);
    const keys = cache.foldl((e, acc: string[]) => [...acc, String(e.key.partialKey)], []);
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatch(/^https-agent:[A-Za-z0-9_-]{43}$/);
    // a different client identity is a different destination
    const anonymous = createHttpsAgent({ sessionCache: cache, ca: certs.ca });
    expect((await get(s.port, anonymous)).reused).toBe(false);
    expect((await get(s.port, agent)).reused).toBe(true);
    await s.close();
  });

  test('a session the server no longer resumes is removed', async () => {
    const s = await httpsServer(true);
    const cache = createSessionCache({ role: 'client' });
    const agent = createHttpsAgent({ sessionCache: cache, ca: certs.ca });
    await get(s.port, agent);
    const [old] = ids(cache);
    s.serverCache.foldl((e, n: number) => n + Number(s.serverCache.delete(e.key)), 0);
    expect((await get(s.port, agent)).reused).toBe(false);
    expect(cache.size).toBe(1);
    expect(ids(cache)).not.toContain(old);
    await s.close();
  });

  test("two agents sharing a cache, one pinned: the pinned one never resumes the other's session (issue 22, defect 1)", async () => {
    const s = await httpsServer(true);
    const cache = createSessionCache({ role: 'client' });
    const plain = createHttpsAgent({ sessionCache: cache, ca: certs.ca });
    await get(s.port, plain);
    expect((await get(s.port, plain)).reused).toBe(true); // control: the unpinned agent resumes
    let checks = 0;
    const pin = (host: string, cert: tls.PeerCertificate) => {
      checks++;
      return tls.checkServerIdentity(host, cert);
    };
    const pinned = createHttpsAgent({ sessionCache: cache, ca: certs.ca, checkServerIdentity: pin });
    expect((await get(s.port, pinned)).reused).toBe(false);
    expect(checks).toBe(1);
    expect((await get(s.port, pinned)).reused).toBe(true); // its own session, verified under its pin
    expect(checks).toBe(1);
    // a pin the server fails: the request fails instead of resuming a session verified without it
    const wrongPin = createHttpsAgent({
      sessionCache: cache,
      ca: certs.ca,
      checkServerIdentity: () => new Error('pin mismatch'),
    });
    await expect(get(s.port, wrongPin)).rejects.toThrow('pin mismatch');
    await s.close();
  });

  test("a request's own checkServerIdentity separates its sessions too", async () => {
    const s = await httpsServer(true);
    const cache = createSessionCache({ role: 'client' });
    const agent = createHttpsAgent({ sessionCache: cache, ca: certs.ca });
    await get(s.port, agent);
    let checks = 0;
    const pin = (host: string, cert: tls.PeerCertificate) => {
      checks++;
      return tls.checkServerIdentity(host, cert);
    };
    expect((await get(s.port, agent, { checkServerIdentity: pin })).reused).toBe(false);
    expect(checks).toBe(1);
    await s.close();
  });

  test('agent.sessionStats() counts its own connections; clientSessionStats(cache) all of them', async () => {
    const s = await httpsServer(true);
    const cache = createSessionCache({ role: 'client' });
    const a = createHttpsAgent({ sessionCache: cache, ca: certs.ca });
    const b = createHttpsAgent({ sessionCache: cache, ca: certs.ca });
    for (let i = 0; i < 3; i++) await get(s.port, a);
    await get(s.port, b);
    expect(a.sessionStats()).toEqual({ offered: 2, resumed: 2, stored: 1, dropped: 0, errors: 0 });
    expect(b.sessionStats()).toEqual({ offered: 1, resumed: 1, stored: 0, dropped: 0, errors: 0 });
    s.serverCache.foldl((e, n: number) => n + Number(s.serverCache.delete(e.key)), 0);
    await get(s.port, b);
    expect(b.sessionStats()).toEqual({ offered: 2, resumed: 1, stored: 1, dropped: 1, errors: 0 });
    expect(clientSessionStats(cache)).toEqual({ offered: 4, resumed: 3, stored: 2, dropped: 1, errors: 0 });
    expect(cache.stats().hits).toBe(0);
    await s.close();
  });
});
