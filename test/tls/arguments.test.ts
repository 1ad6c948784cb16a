// Bad arguments get a SessionCacheError with a stable code and change nothing; the pure helpers
// (partial keys, server options, the DER reader) on their own.
import { constants } from 'node:crypto';
import https from 'node:https';
import net from 'node:net';
import tls from 'node:tls';
import { describe, expect, test } from 'vitest';
import { createSessionCache, SessionCacheError } from '../../src/index.js';
import {
  agentPartialKey,
  attachSessionCache,
  clientPartialKey,
  clientSessionStats,
  connect,
  createHttpsAgent,
  readSessionHeader,
  sessionCacheServerOptions,
  TLS12_VERSION,
} from '../../src/node-adapters.js';

/** Expect `fn` to throw a SessionCacheError with `code`. */
function throwsCode(fn: () => unknown, code: string): void {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(SessionCacheError);
  expect((caught as SessionCacheError).code).toBe(code);
}

const INVALID = 'ERR_INVALID_ARGUMENT';

describe('attachSessionCache', () => {
  test('refuses what is not a TLS server, a cache, or valid options, and adds no listener', () => {
    const cache = createSessionCache({ role: 'server' });
    const server = tls.createServer();
    for (const bad of [null, {}, net.createServer()]) throwsCode(() => attachSessionCache(bad as tls.Server, cache), INVALID);
    for (const bad of [null, 'cache', {}, { lookup: () => undefined, update: 1, delete: () => true }]) {
      throwsCode(() => attachSessionCache(server, bad as never), INVALID);
    }
    const badOptions = [
      'x',
      { context: 5 },
      { storeTls13: 'yes' },
      { warn: 1 },
      { timeoutMs: 0 },
      { timeoutMs: 1.5 },
      { timeoutMs: 1e9 },
    ];
    for (const bad of badOptions) throwsCode(() => attachSessionCache(server, cache, bad as never), INVALID);
    expect(server.listenerCount('newSession')).toBe(0);
    expect(server.listenerCount('resumeSession')).toBe(0);
    cache.terminate();
  });

  test('refuses a server that already answers resumeSession (it would answer twice)', () => {
    const cache = createSessionCache({ role: 'server' });
    const server = tls.createServer();
    const detach = attachSessionCache(server, cache, { warn: false });
    throwsCode(() => attachSessionCache(server, cache, { warn: false }), INVALID);
    expect(server.listenerCount('resumeSession')).toBe(1);
    detach();
    attachSessionCache(server, cache, { warn: false })();
    cache.terminate();
  });

  test('refuses a terminated cache', () => {
    const cache = createSessionCache({ role: 'server' });
    cache.terminate();
    throwsCode(() => attachSessionCache(tls.createServer(), cache), 'ERR_CACHE_TERMINATED');
  });
});

describe('sessionCacheServerOptions', () => {
  test('tickets off, an explicit context, TLS 1.2 unless tls13', () => {
    expect(sessionCacheServerOptions()).toEqual({
      secureOptions: constants.SSL_OP_NO_TICKET,
      sessionIdContext: 'tls-resumption',
      maxVersion: 'TLSv1.2',
    });
    expect(sessionCacheServerOptions({ sessionIdContext: 'api', tls13: true })).toEqual({
      secureOptions: constants.SSL_OP_NO_TICKET,
      sessionIdContext: 'api',
    });
    const combined = sessionCacheServerOptions({ secureOptions: constants.SSL_OP_ALL }).secureOptions;
    expect(combined).toBe((constants.SSL_OP_ALL | constants.SSL_OP_NO_TICKET) >>> 0);
    expect(combined).toBeGreaterThan(0);
  });

  test('refuses contexts OpenSSL would refuse, and bad flags', () => {
    for (const bad of [
      { sessionIdContext: '' },
      { sessionIdContext: 'x'.repeat(33) },
      { sessionIdContext: 5 },
      { tls13: 1 },
      { secureOptions: -1 },
      { secureOptions: 2 ** 32 },
      'x',
    ]) {
      throwsCode(() => sessionCacheServerOptions(bad as never), INVALID);
    }
    expect(sessionCacheServerOptions({ sessionIdContext: 'x'.repeat(32) }).sessionIdContext).toHaveLength(32);
  });
});

describe('client partial keys', () => {
  test('"<servername || host>:<port>", a hash of trust options after #', () => {
    expect(clientPartialKey({ host: 'example.com', port: 443 })).toBe('example.com:443');
    expect(clientPartialKey({ host: '10.0.0.1', servername: 'example.com', port: 443 })).toBe('example.com:443');
    expect(clientPartialKey({ host: '::1', port: 8443 })).toBe('[::1]:8443');
    expect(clientPartialKey({ port: 443 })).toBe('localhost:443');
    expect(clientPartialKey({ host: 'example.com', port: 443, rejectUnauthorized: true })).toBe('example.com:443');
    const withCa = clientPartialKey({ host: 'example.com', port: 443, ca: 'CA ONE' });
    expect(withCa).toMatch(/^example\.com:443#[A-Za-z0-9_-]{43}$/);
    expect(clientPartialKey({ host: 'example.com', port: 443, ca: 'CA ONE' })).toBe(withCa);
    expect(clientPartialKey({ host: 'example.com', port: 443, ca: 'CA TWO' })).not.toBe(withCa);
    expect(clientPartialKey({ host: 'example.com', port: 443, rejectUnauthorized: false })).not.toBe('example.com:443');
    const secret = '-----BEGIN PRIVATE KEY-----\nsecret\n-----END PRIVATE KEY-----';
    expect(clientPartialKey({ host: 'example.com', port: 443, key: secret })).not.toContain('secret');
  });

  test('every option that decides whether a server is trusted separates keys (issue 22, defect 1)', () => {
    const base = { host: 'example.com', port: 443 };
    const plain = clientPartialKey(base);
    const pin = () => undefined;
    const variants: tls.ConnectionOptions[] = [
      { checkServerIdentity: pin },
      { checkServerIdentity: () => undefined }, // another function object: another key
      { rejectUnauthorized: false },
      { minDHSize: 2048 },
      { pskCallback: () => null },
      { ciphers: 'ECDHE-ECDSA-AES256-GCM-SHA384' },
      { sigalgs: 'ECDSA+SHA256' },
      { ecdhCurve: 'P-384' },
      { minVersion: 'TLSv1.3' },
      { maxVersion: 'TLSv1.2' },
      { secureOptions: constants.SSL_OP_NO_TICKET },
      { honorCipherOrder: false },
      { crl: 'CRL' },
      { secureContext: tls.createSecureContext() },
    ];
    const keys = variants.map((v) => clientPartialKey({ ...base, ...v }));
    expect(new Set([plain, ...keys]).size).toBe(variants.length + 1);
    // the same function object, and Node's defaults, keep the key
    expect(clientPartialKey({ ...base, checkServerIdentity: pin })).toBe(keys[0]);
    expect(clientPartialKey({ ...base, checkServerIdentity: tls.checkServerIdentity, minDHSize: 1024 })).toBe(plain);
  });

  test('chain checks turned off through NODE_TLS_REJECT_UNAUTHORIZED=0 separate keys; an explicit option wins', () => {
    const base = { host: 'example.com', port: 443 };
    const plain = clientPartialKey(base);
    const saved = process.env.NODE_TLS_REJECT_UNAUTHORIZED;
    process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
    try {
      expect(clientPartialKey(base)).toBe(clientPartialKey({ ...base, rejectUnauthorized: false }));
      expect(clientPartialKey({ ...base, rejectUnauthorized: true })).toBe(plain);
      expect(agentPartialKey('n', {})).not.toBe(agentPartialKey('n'));
    } finally {
      if (saved === undefined) delete process.env.NODE_TLS_REJECT_UNAUTHORIZED;
      else process.env.NODE_TLS_REJECT_UNAUTHORIZED = saved;
    }
  });

  test('a checkServerIdentity or pskCallback that is not a function is refused', () => {
    for (const bad of [{ checkServerIdentity: 'pin' }, { checkServerIdentity: null }, { pskCallback: {} }]) {
      throwsCode(() => clientPartialKey({ host: 'example.com', port: 443, ...(bad as object) }), INVALID);
      throwsCode(() => agentPartialKey('name', bad as never), INVALID);
    }
  });

  test('agent keys hash the whole connection name', () => {
    const name = 'example.com:443::::-----BEGIN PRIVATE KEY-----';
    expect(agentPartialKey(name)).toMatch(/^https-agent:[A-Za-z0-9_-]{43}$/);
    expect(agentPartialKey(name)).toBe(agentPartialKey(name));
    expect(agentPartialKey(`${name}x`)).not.toBe(agentPartialKey(name));
    // what Node's name leaves out: checkServerIdentity (by identity), secureContext, minDHSize
    const pin = () => undefined;
    expect(agentPartialKey(name, {})).toBe(agentPartialKey(name));
    expect(agentPartialKey(name, { checkServerIdentity: tls.checkServerIdentity })).toBe(agentPartialKey(name));
    expect(agentPartialKey(name, { checkServerIdentity: pin })).not.toBe(agentPartialKey(name));
    expect(agentPartialKey(name, { checkServerIdentity: pin })).toBe(agentPartialKey(name, { checkServerIdentity: pin }));
    expect(agentPartialKey(name, { checkServerIdentity: () => undefined })).not.toBe(
      agentPartialKey(name, { checkServerIdentity: pin }),
    );
    expect(agentPartialKey(name, { secureContext: tls.createSecureContext() })).not.toBe(agentPartialKey(name));
    expect(agentPartialKey(name, { minDHSize: 2048 })).not.toBe(agentPartialKey(name));
  });
});

describe('connect and createHttpsAgent', () => {
  test('connect refuses bad options, caches and session options before connecting', () => {
    const cache = createSessionCache({ role: 'client' });
    throwsCode(() => connect(null as never, cache), INVALID);
    throwsCode(() => connect({ host: 'example.com', port: 443 }, {} as never), INVALID);
    throwsCode(() => connect({ host: 'example.com' }, cache), INVALID); // no port: nothing to key by
    for (const bad of ['x', { maxSessionsPerHost: 0 }, { singleUseTickets: 'yes' }, { partialKey: 5 }]) {
      throwsCode(() => connect({ host: 'example.com', port: 443 }, cache, bad as never), INVALID);
    }
    throwsCode(() => connect({ host: 'example.com', port: 443, checkServerIdentity: 'pin' as never }, cache), INVALID);
    expect(clientSessionStats(cache)).toEqual({ offered: 0, resumed: 0, stored: 0, dropped: 0, errors: 0 });
    throwsCode(() => connect({ host: 'example.com', servername: 'a'.repeat(600), port: 443 }, cache), 'ERR_KEY_TOO_LONG');
    cache.terminate();
  });

  test('createHttpsAgent refuses a missing or terminated cache; the cache is not an agent option', () => {
    throwsCode(() => createHttpsAgent(null as never), INVALID);
    throwsCode(() => createHttpsAgent({} as never), INVALID);
    const cache = createSessionCache({ role: 'client' });
    throwsCode(() => createHttpsAgent({ sessionCache: cache, maxSessionsPerHost: -1 }), INVALID);
    throwsCode(() => createHttpsAgent({ sessionCache: cache, checkServerIdentity: 5 as never }), INVALID);
    const agent = createHttpsAgent({ sessionCache: cache, keepAlive: true });
    expect(agent).toBeInstanceOf(https.Agent);
    expect(agent.options).not.toHaveProperty('sessionCache');
    expect(agent.options.keepAlive).toBe(true);
    expect(agent.sessionStats()).toEqual({ offered: 0, resumed: 0, stored: 0, dropped: 0, errors: 0 });
    agent.destroy();
    cache.terminate();
    throwsCode(() => createHttpsAgent({ sessionCache: cache }), 'ERR_CACHE_TERMINATED');
  });
});

describe('clientSessionStats', () => {
  test('refuses what is not a SessionCache; zeros for a cache no adapter used; a copy each call', () => {
    for (const bad of [null, undefined, 'cache', 5, {}, { selectSession: () => [] }]) {
      throwsCode(() => clientSessionStats(bad as never), INVALID);
    }
    const cache = createSessionCache({ role: 'client' });
    const stats = clientSessionStats(cache);
    expect(stats).toEqual({ offered: 0, resumed: 0, stored: 0, dropped: 0, errors: 0 });
    stats.offered = 5;
    expect(clientSessionStats(cache).offered).toBe(0);
    cache.terminate();
    expect(clientSessionStats(cache).offered).toBe(0); // still readable after terminate
  });
});

describe('readSessionHeader', () => {
  const id = Uint8Array.from({ length: 32 }, (_, i) => i + 1);
  const der = (lengthBytes: number[], tail: number[] = []) =>
    Uint8Array.from([
      0x30,
      ...lengthBytes,
      0x02,
      0x01,
      0x01,
      0x02,
      0x02,
      0x03,
      0x03,
      0x04,
      0x02,
      0xc0,
      0x2f,
      0x04,
      0x20,
      ...id,
      ...tail,
    ]);

  test('reads the version and id of a short- and a long-form SEQUENCE', () => {
    const short = readSessionHeader(der([45]));
    expect(short?.version).toBe(TLS12_VERSION);
    expect([...short!.sessionId]).toEqual([...id]);
    const long = readSessionHeader(der([0x82, 0x00, 45 + 200], new Array(200).fill(0)));
    expect([...long!.sessionId]).toEqual([...id]);
  });

  test('undefined for anything else: garbage, truncation, a wrong format version', () => {
    expect(readSessionHeader(new Uint8Array(0))).toBeUndefined();
    expect(readSessionHeader(Uint8Array.from([0x30, 0x80]))).toBeUndefined();
    expect(readSessionHeader(der([45]).subarray(0, 40))).toBeUndefined();
    expect(readSessionHeader(der([60]))).toBeUndefined(); // SEQUENCE longer than the buffer
    const wrongFormat = der([45]);
    wrongFormat[4] = 2;
    expect(readSessionHeader(wrongFormat)).toBeUndefined();
    expect(readSessionHeader(Uint8Array.from({ length: 300 }, (_, i) => (i * 7919) & 255))).toBeUndefined();
  });
});
