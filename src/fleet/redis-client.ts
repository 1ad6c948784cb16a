// The three commands the store sends, over whichever client the user brought: an ioredis
// instance (Redis or Cluster) or a node-redis ≥ 4 client (or cluster). Only single-key commands
// (GET, SET … PX, DEL), so every command goes to the one node that owns its key's slot: safe on
// Redis Cluster without hash tags. The package imports neither client: both are recognised by shape.

/** The part of an ioredis `Redis` or `Cluster` the store uses. */
export interface IoRedisLike {
  status: string;
  getBuffer(key: string): Promise<Buffer | null>;
  set(key: string, value: Buffer, mode: 'PX', ms: number): Promise<unknown>;
  del(key: string): Promise<unknown>;
  on(event: 'error', listener: (error: unknown) => void): unknown;
  off(event: 'error', listener: (error: unknown) => void): unknown;
}

/** The part of a node-redis (`redis` ≥ 4) client or cluster the store uses. */
export interface NodeRedisLike {
  readonly isReady: boolean;
  get(...args: unknown[]): Promise<unknown>;
  set(key: string, value: Buffer, options: { PX: number }): Promise<unknown>;
  del(key: string): Promise<unknown>;
  /** node-redis ≥ 5: a view of the client whose replies use the given types. */
  withTypeMapping?(mapping: Record<number, unknown>): NodeRedisLike;
  /** node-redis 4: per-command options (`returnBuffers`). */
  commandOptions?(options: { returnBuffers: boolean }): unknown;
  on(event: 'error', listener: (error: unknown) => void): unknown;
  off(event: 'error', listener: (error: unknown) => void): unknown;
}

/** A Redis client the store accepts. */
export type RedisClientLike = IoRedisLike | NodeRedisLike;

/** The store's view of a client. */
export interface RedisCommands {
  readonly kind: 'ioredis' | 'node-redis';
  /** Connected and ready: commands would be sent now, not queued. */
  ready(): boolean;
  get(key: string): Promise<Uint8Array | null>;
  set(key: string, value: Buffer, ms: number): Promise<unknown>;
  del(key: string): Promise<unknown>;
  /** Listen to the client's 'error' events; returns the function that stops listening. */
  onError(listener: (error: unknown) => void): () => void;
}

/** RESP's bulk string type ('$'), mapped to Buffer so values come back binary (node-redis ≥ 5). */
const RESP_BLOB_STRING = 36;

function isFunction(value: unknown): value is (...args: never[]) => unknown {
  return typeof value === 'function';
}

/** `command()`'s promise; a synchronous throw (a closed client, say) becomes a rejection. */
function promised<T>(command: () => Promise<T>): Promise<T> {
  try {
    return Promise.resolve(command());
  } catch (error) {
    return Promise.reject(error);
  }
}

function listen(client: IoRedisLike | NodeRedisLike, listener: (error: unknown) => void): () => void {
  client.on('error', listener);
  return () => void client.off('error', listener);
}

function ioredisCommands(client: IoRedisLike): RedisCommands {
  return {
    kind: 'ioredis',
    ready: () => client.status === 'ready',
    get: (key) => promised(() => client.getBuffer(key)),
    set: (key, value, ms) => promised(() => client.set(key, value, 'PX', ms)),
    del: (key) => promised(() => client.del(key)),
    onError: (listener) => listen(client, listener),
  };
}

function nodeRedisCommands(client: NodeRedisLike): RedisCommands {
  let get: (key: string) => Promise<unknown>;
  if (isFunction(client.withTypeMapping)) {
    const binary = client.withTypeMapping({ [RESP_BLOB_STRING]: Buffer });
    get = (key) => binary.get(key);
  } else {
    const options = client.commandOptions!({ returnBuffers: true });
    get = (key) => client.get(options, key);
  }
  return {
    kind: 'node-redis',
    ready: () => client.isReady === true,
    // A reply that is not bytes (a misconfigured client) is treated as no record.
    get: async (key) => {
      const value = await promised(() => get(key));
      return value instanceof Uint8Array ? value : null;
    },
    set: (key, value, ms) => promised(() => client.set(key, value, { PX: ms })),
    del: (key) => promised(() => client.del(key)),
    onError: (listener) => listen(client, listener),
  };
}

/** The commands over `client`, or undefined if it is neither an ioredis nor a node-redis client. */
export function redisCommands(client: unknown): RedisCommands | undefined {
  if (typeof client !== 'object' || client === null) return undefined;
  const c = client as Record<string, unknown>;
  if (!isFunction(c.on) || !isFunction(c.off) || !isFunction(c.set) || !isFunction(c.del)) return undefined;
  if (isFunction(c.getBuffer) && typeof c.status === 'string') return ioredisCommands(client as IoRedisLike);
  if (typeof c.isReady === 'boolean' && isFunction(c.get) && (isFunction(c.withTypeMapping) || isFunction(c.commandOptions))) {
    return nodeRedisCommands(client as NodeRedisLike);
  }
  return undefined;
}
