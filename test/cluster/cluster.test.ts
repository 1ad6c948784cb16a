// One session cache for a whole node:cluster: real primaries and workers (fixtures/), one port,
// round-robin scheduling, TLS 1.2 with tickets off, sequential reconnects from a real client.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { ClusterSessionCacheStats } from '../../src/node-adapters.js';
import { makeCerts, type KeyPair, type TestCerts } from '../tls/certs.js';
import { type ClusterFixture, reconnects, resumedCount, startCluster } from './harness.js';

let certs: TestCerts;
let pair: KeyPair;
const running: ClusterFixture[] = [];

beforeAll(() => {
  certs = makeCerts();
  pair = certs.leaf('ecdsa');
});
afterAll(async () => {
  await Promise.all(running.map((c) => c.stop()));
  certs.remove();
});

async function cluster(config: Parameters<typeof startCluster>[0]): Promise<ClusterFixture> {
  const c = await startCluster(config, pair);
  running.push(c);
  return c;
}

const RECONNECTS = 200;

describe.each([2, 4])('a cluster of %i workers, 200 sequential reconnects', (workers) => {
  test('with the cluster store: at least 99 % resume, on every worker', async () => {
    const c = await cluster({ workers, mode: 'cluster' });
    const { results } = await reconnects(c.port, certs.ca, RECONNECTS + 1);
    const after = results.slice(1); // the first connection has nothing to resume
    expect(after.filter((r) => r.error !== undefined)).toEqual([]);
    expect(resumedCount(after)).toBeGreaterThanOrEqual(Math.ceil(RECONNECTS * 0.99));
    // round-robin spread the reconnects over every worker
    expect(new Set(after.map((r) => r.worker)).size).toBe(workers);
    const { stats } = (await c.command('stats')) as unknown as { stats: ClusterSessionCacheStats };
    expect(stats.cache?.hits).toBeGreaterThanOrEqual(Math.ceil(RECONNECTS * 0.99));
    expect(stats.workers).toHaveLength(workers);
    expect(stats.unanswered).toBe(0);
    expect(stats.adapters.hits).toBe(resumedCount(after));
    for (const w of stats.workers) {
      expect(w.requests.malformed).toBe(0);
      expect(w.stores[0]?.channel).toBe('advanced');
    }
    await c.command('stop');
  });

  test('with a cache per worker: (near) none resume', async () => {
    const c = await cluster({ workers, mode: 'per-worker' });
    const { results } = await reconnects(c.port, certs.ca, RECONNECTS + 1);
    const after = results.slice(1);
    expect(after.filter((r) => r.error !== undefined)).toEqual([]);
    expect(resumedCount(after)).toBeLessThanOrEqual(RECONNECTS * 0.05);
    await c.command('stop');
  });
});

describe('faults and variants (2 workers)', () => {
  test('a worker killed mid-run and replaced: the cache survives, resumption continues', async () => {
    const c = await cluster({ workers: 2, mode: 'cluster' });
    const first = await reconnects(c.port, certs.ca, 101);
    expect(resumedCount(first.results.slice(1))).toBeGreaterThanOrEqual(99);
    const { killed, replacement } = (await c.command('kill', { index: 0 })) as { killed: number; replacement: number };
    // the session made before the kill resumes on whichever worker gets the reconnect
    const second = await reconnects(c.port, certs.ca, 100, first.session);
    expect(second.results.filter((r) => r.error !== undefined)).toEqual([]);
    expect(resumedCount(second.results)).toBeGreaterThanOrEqual(99);
    const served = new Set(second.results.map((r) => r.worker));
    expect(served.has(killed)).toBe(false);
    expect(served.has(replacement)).toBe(true);
    await c.command('stop');
  });

  test("the primary's store closed: every handshake still completes, as a full one", async () => {
    const c = await cluster({ workers: 2, mode: 'cluster' });
    const first = await reconnects(c.port, certs.ca, 51);
    expect(resumedCount(first.results.slice(1))).toBeGreaterThanOrEqual(49);
    await c.command('close');
    const second = await reconnects(c.port, certs.ca, 50, first.session);
    expect(second.results.filter((r) => r.error !== undefined || r.worker === -1)).toEqual([]);
    expect(resumedCount(second.results)).toBe(0);
    await c.command('stop');
  });

  test('JSON serialization: bytes travel as base64, resumption is the same', async () => {
    const c = await cluster({ workers: 2, mode: 'cluster', serialization: 'json' });
    const { results } = await reconnects(c.port, certs.ca, 101);
    expect(resumedCount(results.slice(1))).toBeGreaterThanOrEqual(99);
    const { stats } = (await c.command('stats')) as unknown as { stats: ClusterSessionCacheStats };
    expect(stats.workers.map((w) => w.stores[0]?.channel)).toEqual(['json', 'json']);
    await c.command('stop');
  });

  test('served after the workers were forked: they join and resume', async () => {
    const c = await cluster({ workers: 2, mode: 'cluster', serve: 'after' });
    const { results } = await reconnects(c.port, certs.ca, 101);
    expect(resumedCount(results.slice(1))).toBeGreaterThanOrEqual(99);
    await c.command('stop');
  });

  test("a local cache in front: a worker's own sessions resume without asking the primary", async () => {
    const c = await cluster({ workers: 1, mode: 'cluster', local: { maxSessions: 100 } });
    const { results } = await reconnects(c.port, certs.ca, 51);
    expect(resumedCount(results.slice(1))).toBe(50);
    const { stats } = (await c.command('stats')) as unknown as { stats: ClusterSessionCacheStats };
    expect(stats.workers[0]?.stores[0]?.localHits).toBe(50);
    expect(stats.workers[0]?.requests.lookups).toBe(0);
    expect(stats.workers[0]?.requests.updates).toBe(1);
    await c.command('stop');
  });
});
