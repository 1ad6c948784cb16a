// Where `serve` keeps sessions: a WebAssembly cache, or (with --redis) the Redis tier with such a
// cache in front. The Redis client is the user's to install: loaded here, only when asked for.
import { readFileSync } from 'node:fs';
import { UsageError } from './args.js';
import {
  createRedisSessionStore,
  createSessionCache,
  type FleetKeyring,
  type RedisClientLike,
  type RedisSessionStore,
  type SessionCache,
  SessionCacheError,
  type SessionCacheStats,
} from './library.js';
import type { Metric } from './metrics.js';
import type { ServeConfig } from './serve.js';

/** The sessions of a `serve` process: what the server (or the cluster primary) is given. */
export interface SessionStore {
  store: SessionCache | RedisSessionStore;
  /** The local cache's counters. */
  cacheStats(): SessionCacheStats;
  /** Metrics of the Redis tier (none without --redis). */
  tierMetrics(): Metric[];
  /** Wipe the local cache and let go of Redis. */
  close(): Promise<void>;
}

function cacheOptions(config: ServeConfig) {
  return {
    maxSessions: config.maxSessions,
    lifetimeSeconds: config.lifetimeSeconds,
    ...(config.memoryBytes === undefined ? {} : { memoryBytes: config.memoryBytes }),
  };
}

/** A SessionCacheError from options the user gave, as a usage error. */
function usage<T>(make: () => T): T {
  try {
    return make();
  } catch (error) {
    if (error instanceof SessionCacheError) throw new UsageError(error.message.replace(/^\w+: /, ''));
    throw error;
  }
}

/**
 * The keyring file: JSON `{ "current": { "id": "k1", "secret": "<base64>" }, "previous": [...] }`,
 * each secret at least 32 random bytes (e.g. `openssl rand -base64 32`).
 */
export function readKeyring(path: string): FleetKeyring {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(
      `cannot read --keyring-file ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
  const bad = (why: string): never => {
    throw new UsageError(
      `--keyring-file ${path}: ${why} (expected {"current": {"id": "k1", "secret": "<base64>"}, "previous": [...]})`,
    );
  };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    bad('not JSON');
  }
  const key = (value: unknown, where: string) => {
    const k = value as { id?: unknown; secret?: unknown } | null;
    if (typeof k !== 'object' || k === null || typeof k.id !== 'string' || typeof k.secret !== 'string')
      bad(`${where} needs an id and a base64 secret`);
    return { id: k!.id as string, secret: new Uint8Array(Buffer.from(k!.secret as string, 'base64')) };
  };
  const j = json as { current?: unknown; previous?: unknown };
  if (typeof j !== 'object' || j === null) bad('not an object');
  if (j.previous !== undefined && !Array.isArray(j.previous)) bad('previous must be a list');
  return {
    current: key(j.current, 'current'),
    ...(j.previous === undefined ? {} : { previous: (j.previous as unknown[]).map((p, i) => key(p, `previous[${i}]`)) }),
  };
}

/** A connected client of whichever Redis package is installed (ioredis first, then redis). */
async function connectRedis(url: string): Promise<{ client: RedisClientLike; quit(): Promise<void> }> {
  const load = (name: string): Promise<Record<string, unknown> | undefined> => import(name).catch(() => undefined);
  const ioredis = await load('ioredis');
  if (ioredis !== undefined) {
    const Redis = (ioredis.Redis ?? ioredis.default) as new (
      url: string,
      options: object,
    ) => RedisClientLike & { disconnect(): void; on(e: string, f: () => void): void; once(e: string, f: () => void): void };
    // reconnects by itself; while Redis is away the store answers from the local cache
    const client = new Redis(url, { maxRetriesPerRequest: 1, retryStrategy: (n: number) => Math.min(n * 100, 2000) });
    client.on('error', () => {});
    // Start serving once connected, so the first handshakes can use Redis; an unreachable Redis
    // delays the start by at most 2 s (lookups then answer from the local cache until it is back).
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 2000);
      client.once('ready', () => {
        clearTimeout(timer);
        resolve();
      });
    });
    return { client, quit: async () => client.disconnect() };
  }
  const redis = await load('redis');
  if (redis !== undefined) {
    const createClient = redis.createClient as (
      options: object,
    ) => RedisClientLike & { connect(): Promise<unknown>; disconnect(): Promise<void>; on(e: string, f: () => void): void };
    const client = createClient({ url, socket: { reconnectStrategy: (n: number) => Math.min(n * 100, 2000) } });
    client.on('error', () => {});
    await client.connect().catch(() => {}); // not reachable yet: it keeps trying
    return { client, quit: () => client.disconnect().catch(() => {}) };
  }
  throw new UsageError('--redis needs a Redis client package: npm install ioredis (or redis)');
}

/** Open the sessions `config` asks for. */
export async function openSessionStore(config: ServeConfig): Promise<SessionStore> {
  if (config.redis === undefined) {
    const cache = usage(() => createSessionCache({ role: 'server', ...cacheOptions(config) }));
    return {
      store: cache,
      cacheStats: () => cache.stats(),
      tierMetrics: () => [],
      close: async () => cache.terminate(), // wipes every session
    };
  }
  const keyring = readKeyring(config.redis.keyringFile);
  const redis = await connectRedis(config.redis.url);
  let store: RedisSessionStore;
  try {
    store = usage(() => createRedisSessionStore({ client: redis.client, keyring, local: cacheOptions(config) }));
  } catch (error) {
    await redis.quit(); // a client left reconnecting would keep the process alive
    throw error;
  }
  return {
    store,
    cacheStats: () => store.stats().local,
    tierMetrics: () => {
      const s = store.stats();
      return [
        { name: 'redis_hits_total', type: 'counter', help: 'Lookups answered by Redis (local cache misses).', value: s.l2Hits },
        {
          name: 'redis_timeouts_total',
          type: 'counter',
          help: 'Lookups Redis did not answer in time (misses).',
          value: s.timeouts,
        },
        {
          name: 'redis_unavailable_total',
          type: 'counter',
          help: 'Lookups while Redis was unavailable (misses).',
          value: s.unavailable,
        },
        { name: 'redis_dropped_writes_total', type: 'counter', help: 'Writes to Redis dropped.', value: s.droppedWrites },
        {
          name: 'redis_auth_failures_total',
          type: 'counter',
          help: 'Records that failed authentication (misses).',
          value: s.authFailures,
        },
      ];
    },
    close: async () => {
      await store.flush().catch(() => {});
      store.close(); // wipes the local cache
      await redis.quit();
    },
  };
}
