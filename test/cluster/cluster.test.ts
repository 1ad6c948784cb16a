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
