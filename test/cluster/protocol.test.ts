// The cluster store's protocol, without TLS: argument checks in this process, and in a real
// cluster (fixtures/protocol-worker.mjs) timeouts, close(), acknowledged updates, malformed
// messages and a worker that dies with requests in flight.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createSessionCache, ErrorCodes } from '../../src/index.js';
import { type ClusterSessionCacheStats, clusterSessionStore, serveClusterSessionCache } from '../../src/node-adapters.js';
import { makeCerts, type KeyPair, type TestCerts } from '../tls/certs.js';
import { type ClusterFixture, startCluster } from './harness.js';

let certs: TestCerts;
let pair: KeyPair;
let c: ClusterFixture;
let ids: number[];

beforeAll(async () => {
  certs = makeCerts();
  pair = certs.leaf('ecdsa');
  c = await startCluster({ workers: 2, mode: 'cluster', serve: 'never', worker: './protocol-worker.mjs' }, pair);
  ids = c.workers;
});
afterAll(async () => {
  await c?.stop();
  certs.remove();
});

/** Run `phase` in worker `id` and return its report. */
// biome-ignore lint/suspicious/noExplicitAny: a fixture's report, JSON read field by field
type Report = Record<string, any>;

async function phase(id: number, name: string): Promise<Report> {
  const seen = c.fromWorkers.length;
  await c.command('tell', { id, msg: { phase: name } });
  return c.waitFor((m) => m.fixture === name && m.fromWorker === id && c.fromWorkers.indexOf(m) >= seen);
}

const invalid = `SessionCacheError:${ErrorCodes.INVALID_ARGUMENT}`;

test('bad arguments in the primary throw ERR_INVALID_ARGUMENT / ERR_CACHE_TERMINATED and serve nothing', () => {
  const code = (fn: () => unknown) => {
    try {
      fn();
      return null;
    } catch (error) {
      return (error as { code?: string }).code;
    }
  };
  expect(code(() => serveClusterSessionCache(undefined as never))).toBe(ErrorCodes.INVALID_ARGUMENT);
  expect(code(() => serveClusterSessionCache({ lookup() {} } as never))).toBe(ErrorCodes.INVALID_ARGUMENT);
  const cache = createSessionCache({ role: 'server' });
  expect(code(() => serveClusterSessionCache(cache, 5 as never))).toBe(ErrorCodes.INVALID_ARGUMENT);
  expect(code(() => serveClusterSessionCache(cache, { statsTimeoutMs: 0 }))).toBe(ErrorCodes.INVALID_ARGUMENT);
  const served = serveClusterSessionCache(cache);
  expect(code(() => serveClusterSessionCache(createSessionCache({ role: 'server' })))).toBe(ErrorCodes.INVALID_ARGUMENT);
  served.close();
  expect(served.closed).toBe(true);
  // close() terminated the cache (its sessions wiped)
  expect(code(() => cache.update({ partialKey: 'a', sessionId: Uint8Array.of(1) }, Uint8Array.of(1)))).toBe(
    ErrorCodes.CACHE_TERMINATED,
  );
  expect(code(() => serveClusterSessionCache(cache))).toBe(ErrorCodes.CACHE_TERMINATED);
  // this process is no cluster worker
  expect(code(() => clusterSessionStore())).toBe(ErrorCodes.INVALID_ARGUMENT);
});

test('bad arguments in a worker throw before anything is sent', async () => {
  const r = await phase(ids[0]!, 'args');
  expect(r).toMatchObject({
    noOptions: invalid,
    timeout0: invalid,
    localNoMax: invalid,
    localBad: invalid,
    keyMissing: invalid,
    keyEmptyId: invalid,
    keyLongId: `SessionCacheError:${ErrorCodes.KEY_TOO_LONG}`,
    keyLongPartial: `SessionCacheError:${ErrorCodes.KEY_TOO_LONG}`,
    sessionEmpty: invalid,
    sessionString: invalid,
    report: invalid,
    pending: 0,
  });
});

test('no primary serving: every call ends at its timeout as a miss; close() ends pending calls at once', async () => {
  const r = await phase(ids[0]!, 'unserved');
  expect(r.lookup).toBeNull();
  expect(r.update).toBe(`SessionCacheError:${ErrorCodes.TIMEOUT}`);
  expect(r.del).toBe(false);
  expect(r.select).toBe(0);
  expect(r.afterTimeouts).toMatchObject({ timeouts: 4, pending: 0, misses: 1, connected: false });
  expect(r.pendingBefore).toBe(2);
  expect(r.closedAnswers).toEqual([null, `SessionCacheError:${ErrorCodes.CACHE_TERMINATED}`]);
  expect(r.afterClose).toEqual({ lookup: null, update: `SessionCacheError:${ErrorCodes.CACHE_TERMINATED}`, pending: 0 });
});

test('served: updates are acknowledged, a lookup before its update is a miss, delete and select work', async () => {
  await c.command('serve');
  const r = await phase(ids[1]!, 'served');
  expect(r.ok).toBe(true);
  expect(r.channel).toBe('advanced');
  expect(r.before).toBeNull();
  expect(r.update).toBeNull();
  expect(r.after).toBe(r.expected);
  expect(r.otherId).toBeNull();
  expect(r.selected).toEqual([r.expected]);
  expect(r.byBytes).toBe('0909'); // a string partial key is its UTF-8 bytes, as in the cache
  expect(r.tooLarge).toBe(`SessionCacheError:${ErrorCodes.SESSION_TOO_LARGE}`);
  expect([r.deleted, r.deletedAgain, r.afterDelete]).toEqual([true, false, null]);
  expect(r.stats).toMatchObject({ timeouts: 0, pending: 0, remoteHits: 2 });
});

test('malformed messages are counted and dropped; the application’s own messages are left alone', async () => {
  const r = await phase(ids[1]!, 'malformed');
  expect(r.after).toBe('010203');
  const { stats } = (await c.command('stats')) as unknown as { stats: ClusterSessionCacheStats };
  const w = stats.workers.find((w) => w.id === ids[1]);
  expect(w?.requests.malformed).toBe(r.sent);
});

test('a worker killed with requests in flight costs nothing but its own requests', async () => {
  await c.command('tell', { id: ids[0]!, msg: { phase: 'burst' } });
  // the other worker is still served, after the primary answered a dead worker's requests
  const r = await phase(ids[1]!, 'served');
  expect(r.after).toBe(r.expected);
  const { stats } = (await c.command('stats')) as unknown as { stats: ClusterSessionCacheStats };
  expect(stats.workers.map((w) => w.id)).toEqual([ids[1]]);
  expect(stats.exited.lookups + stats.exited.updates).toBeGreaterThan(0);
});

test("the primary's close(): pending and later calls are misses, updates refused", async () => {
  await c.command('close');
  const r = await phase(ids[1]!, 'closed');
  expect(r.lookup).toBeNull();
  expect(r.update).toBe(`SessionCacheError:${ErrorCodes.CACHE_TERMINATED}`);
  expect(r.stats).toMatchObject({ connected: false, pending: 0 });
});
