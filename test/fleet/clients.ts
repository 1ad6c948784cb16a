// Both Redis clients the store accepts, connected to a test server, reconnecting quickly (the
// restart tests wait for them), and a way to wait until one is ready again.
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { createClient as createClient4 } from 'redis4';
import type { RedisClientLike } from '../../src/node-adapters.js';

/** node-redis 4 answers binary through commandOptions(), 5 and later through withTypeMapping(). */
export type ClientKind = 'ioredis' | 'node-redis' | 'node-redis-4';
export const CLIENT_KINDS: ClientKind[] = ['ioredis', 'node-redis', 'node-redis-4'];

export interface TestClient {
  client: RedisClientLike;
  ready(): boolean;
  close(): Promise<void>;
}

/** A connected client of `kind` on 127.0.0.1:`port`. */
export async function connectClient(kind: ClientKind, port: number): Promise<TestClient> {
  if (kind === 'ioredis') {
    const client = new Redis({ host: '127.0.0.1', port, retryStrategy: (n) => Math.min(n * 20, 200), maxRetriesPerRequest: 2 });
    client.on('error', () => {});
    await waitFor(() => client.status === 'ready');
    return {
      client: client as unknown as RedisClientLike,
      ready: () => client.status === 'ready',
      close: async () => void client.disconnect(),
    };
  }
  const socket = { host: '127.0.0.1', port, reconnectStrategy: (n: number) => Math.min(n * 20, 200) };
  if (kind === 'node-redis-4') {
    const client = createClient4({ socket });
    client.on('error', () => {});
    await client.connect();
    return {
      client: client as unknown as RedisClientLike,
      ready: () => client.isReady,
      close: async () => {
        if (client.isOpen) await client.disconnect();
      },
    };
  }
  const client = createClient({ socket });
  client.on('error', () => {});
  await client.connect();
  return {
    client: client as unknown as RedisClientLike,
    ready: () => client.isReady,
    close: async () => {
      if (client.isOpen) client.destroy();
    },
  };
}

/** Poll `condition` every 20 ms, at most 500 times (10 s); throws if it never holds. */
export async function waitFor(condition: () => boolean | Promise<boolean>, what = 'condition'): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (await condition()) return;
    await sleep(20);
  }
  throw new Error(`timed out waiting for ${what}`);
}
