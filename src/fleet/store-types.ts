// The shapes of the fleet store: its options, counters and methods (implemented in redis-store.ts).
import type { SessionCacheOptions, SessionCacheStats, SessionKey } from '../api.js';
import type { FleetKeyring } from './keyring.js';
import type { RedisClientLike } from './redis-client.js';

/** Options of {@link createRedisSessionStore}. */
export interface RedisSessionStoreOptions {
  /** A connected ioredis `Redis`/`Cluster`, or a node-redis (`redis` ≥ 4) client or cluster. The
   * store does not connect, quit or configure it; it adds one 'error' listener (see close()). */
  client: RedisClientLike;
  /** The keys that seal and name records; the same on every host. See {@link FleetKeyring}. */
  keyring: FleetKeyring;
  /** Prepended to every Redis key. Default `'tls-resumption:'`. 1 to 128 characters. */
  prefix?: string;
  /** Options of the local (L1) cache, as for createSessionCache (`role` is always 'server').
   * Its `lifetimeSeconds` (default 300) is also each record's lifetime in Redis. */
  local?: Omit<SessionCacheOptions, 'role'>;
  /** How long a lookup waits for Redis, in ms; then it is a miss. Default 50: below
   * attachSessionCache's default of 100, so the store, not the server, counts the timeouts. */
  timeoutMs?: number;
  /** Most Redis lookups and writes in flight; beyond it lookups miss and writes are dropped (a
   * hung Redis then costs bounded memory). Default 1000. */
  maxPending?: number;
}

/** Counters of a {@link RedisSessionStore}. `lookups = l1Hits + l2Hits + misses`. */
export interface RedisSessionStoreStats {
  lookups: number;
  /** Answered by the local cache. */
  l1Hits: number;
  /** Answered by Redis (the local cache then holds the session too). */
  l2Hits: number;
  /** Answered with no session, for any reason below or because nobody had it. */
  misses: number;
  /** Misses because Redis did not answer within timeoutMs. */
  timeouts: number;
  /** Misses because the client was not ready (Redis down, reconnecting) or maxPending was reached. */
  unavailable: number;
  /** Misses because Redis answered with an error. */
  errors: number;
  /** Records that failed to open: tampered with, moved under another key, or unreadable. Misses. */
  authFailures: number;
  /** Records written to Redis. */
  writes: number;
  /** Writes and deletes not made: client not ready, maxPending reached, or an error from Redis. */
  droppedWrites: number;
  /** Redis commands in flight. */
  pending: number;
  /** 'error' events the client emitted (connection faults: the client reconnects by itself). */
  clientErrors: number;
  /** The local cache's own counters. */
  local: SessionCacheStats;
}

/**
 * A server session store shared by a fleet through Redis, for `attachSessionCache` (it has the
 * shape of a `ServerSessionStore`) and, in place of a local cache, for `serveClusterSessionCache`. Synchronous where it can be: an L1 hit, a
 * miss while Redis is unavailable, update and delete (whose Redis writes go on in the background).
 */
export interface RedisSessionStore {
  /** The session (a copy the caller owns), from L1 at once, else from Redis within timeoutMs
   * (a promise that never rejects). Throws only SessionCacheError for a malformed key. */
  lookup(key: SessionKey): Uint8Array | undefined | Promise<Uint8Array | undefined>;
  /** Store in L1 and write through to Redis (sealed; dropped and counted if Redis is unavailable).
   * Throws SessionCacheError (and stores nothing) for bad input. */
  update(key: SessionKey, session: Uint8Array): void;
  /** Remove from L1 and from Redis (under every keyring key's name); true if L1 had it. */
  delete(key: SessionKey): boolean;
  /** The sessions L1 holds under `partialKey`, newest first (Redis cannot be listed: its keys are HMACs). */
  selectSession(partialKey: SessionKey['partialKey']): Uint8Array[];
  /** Replace the keyring (rotation) without a restart. Throws ERR_INVALID_ARGUMENT, changing
   * nothing, for a malformed keyring. */
  setKeyring(keyring: FleetKeyring): void;
  stats(): RedisSessionStoreStats;
  /** Whether an L1 miss would ask Redis now: the client is ready and fewer than maxPending commands
   * wait (for health checks; false after close()). */
  available(): boolean;
  /** Resolves once the Redis writes and lookups in flight now have settled (never rejects). */
  flush(): Promise<void>;
  /** Wipe and free L1, remove the 'error' listener; lookups then miss. The client stays open (it
   * is yours). Idempotent. */
  close(): void;
}
