// The store on a real Redis Cluster (three masters on loopback), through ioredis' Cluster and
// node-redis' createCluster: records spread over the nodes' slots, every command single-key.
import { randomBytes } from 'node:crypto';
import { Cluster } from 'ioredis';
import { createCluster } from 'redis';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { SessionKey } from '../../src/index.js';
import '../../src/index.js'; // loads the core
import { type RedisClientLike, createRedisSessionStore } from '../../src/node-adapters.js';
import { waitFor } from './clients.js';
import { type RedisCluster, startRedisCluster } from './redis-server.js';

let cluster: RedisCluster;
beforeAll(async () => {
  cluster = await startRedisCluster(3);
});
afterAll(async () => {
  await cluster?.stop();
});

interface ClusterClient {
  client: RedisClientLike;
  /** Keys held by each master. */
  sizes(): Promise<number[]>;
  close(): Promise<void>;
}

async function connect(kind: 'ioredis' | 'node-redis'): Promise<ClusterClient> {
  const nodes = cluster.ports.map((port) => ({ host: '127.0.0.1', port }));
  if (kind === 'ioredis') {
    const c = new Cluster(nodes);
    c.on('error', () => {});
    await waitFor(() => c.status === 'ready', 'the ioredis cluster client');
    return {
      client: c as unknown as RedisClientLike,
      sizes: () => Promise.all(c.nodes('master').map((n) => n.dbsize())),
      close: async () => void c.disconnect(),
    };
  }
  const c = createCluster({ rootNodes: cluster.ports.map((port) => ({ url: `redis://127.0.0.1:${port}` })) });
  c.on('error', () => {});
  await c.connect();
  return {
    client: c as unknown as RedisClientLike,
    sizes: () => Promise.all(c.masters.map(async (m) => (await c.nodeClient(m)).dbSize())),
    close: async () => c.destroy(),
  };
}

describe.each(['ioredis', 'node-redis'] as const)('%s cluster client', (kind) => {
  test('sessions written by one host are read by another; records spread over every master', { timeout: 60_000 }, async () => {
    const [ca, cb] = [await connect(kind), await connect(kind)];
    const keyring = { current: { id: 'k1', secret: randomBytes(32) } };
    const prefix = `c${randomBytes(4).toString('hex')}:`;
    const a = createRedisSessionStore({ client: ca.client, keyring, prefix, timeoutMs: 5000 });
    const b = createRedisSessionStore({ client: cb.client, keyring, prefix, timeoutMs: 5000 });
    try {
      const partialKey = randomBytes(32);
      const sessions = Array.from({ length: 60 }, () => ({
        key: { partialKey, sessionId: randomBytes(32) } as SessionKey,
        s: randomBytes(160),
      }));
      const before = await ca.sizes();
      for (const { key, s } of sessions) a.update(key, s);
      await a.flush();
      expect(a.stats()).toMatchObject({ writes: 60, droppedWrites: 0 });
      const after = await ca.sizes();
      const added = after.map((n, i) => n - before[i]!);
      expect(added.reduce((x, y) => x + y, 0)).toBe(60);
      expect(added.every((n) => n > 0)).toBe(true); // 60 random names: each master owns some
      const found = await Promise.all(sessions.map(({ key }) => b.lookup(key)));
      expect(found.map((f) => Buffer.from(f!))).toEqual(sessions.map(({ s }) => s));
      expect(b.stats()).toMatchObject({ l2Hits: 60, misses: 0, errors: 0 });
      for (const { key } of sessions) a.delete(key);
      await a.flush();
      expect(await ca.sizes()).toEqual(before);
    } finally {
      a.close();
      b.close();
      await ca.close();
      await cb.close();
    }
  });
});
