// The Redis tier served by a node:cluster primary in place of a local cache: two clusters (two
// "hosts", each a primary with 2 workers, each primary with its own L1) share sessions through one
// real redis-server. A client alternating between the two resumes on both.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { type ClusterFixture, connectOnce, startCluster } from '../cluster/harness.js';
import { type KeyPair, makeCerts, type TestCerts } from '../tls/certs.js';
import { type RedisServer, startRedis } from './redis-server.js';

let certs: TestCerts;
let pair: KeyPair;
let redis: RedisServer;
const clusters: ClusterFixture[] = [];

beforeAll(async () => {
  certs = makeCerts();
  pair = certs.leaf('ecdsa');
  redis = await startRedis();
});
afterAll(async () => {
  await Promise.all(clusters.map((c) => c.stop()));
  await redis.stop();
  certs.remove();
});

test('two clusters whose primaries serve the Redis store resume each other’s sessions', async () => {
  for (let i = 0; i < 2; i++) clusters.push(await startCluster({ workers: 2, mode: 'cluster', redisPort: redis.port }, pair));
  const [a, b] = clusters as [ClusterFixture, ClusterFixture];
  let [first, session] = await connectOnce(a.port, certs.ca, undefined);
  expect(first.resumed).toBe(false);
  const resumed: boolean[] = [];
  for (let i = 0; i < 20; i++) {
    // reconnects alternate between the two hosts, and round-robin between each one's workers
    const [r, next] = await connectOnce(i % 2 === 0 ? b.port : a.port, certs.ca, session);
    expect(r.error).toBeUndefined();
    resumed.push(r.resumed);
    session = next;
  }
  expect(resumed).toEqual(new Array(20).fill(true));
  first = undefined as never;
});
