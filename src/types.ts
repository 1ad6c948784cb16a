/**
 * The first element of a cache key. Client caches use `"host:port"` (the SNI name when one is
 * set); server caches use a listener or certificate-context id, or `""`. A string stands for its
 * UTF-8 bytes: `"a"` and `Uint8Array.of(0x61)` are the same partial key.
 */
export type PartialKey = string | Uint8Array;

/** A cache key: OTP's `{PartialKey, SessionId}`. */
export interface SessionKey {
  partialKey: PartialKey;
  /** 1 to 255 bytes. Chosen by the peer: treated as hostile input. */
  sessionId: Uint8Array;
}

/** What to do when a new session would exceed `maxSessions` or `memoryBytes`. */
export type OnFullPolicy = 'evict-oldest' | 'invalidate-all';

/** Options of {@link createSessionCache} and {@link createJsSessionCache} (OTP's `init` Args). */
export interface SessionCacheOptions {
  /** Which side of TLS the cache serves (OTP's `{role, client | server}`). Required. */
  role: 'client' | 'server';
  /** Most sessions held at once. Default 20480 (OpenSSL's default); at most 16,777,216. */
  maxSessions?: number;
  /** Largest session accepted, in bytes; larger ones are refused with ERR_SESSION_TOO_LARGE.
   * Default 16384; at most 1 MiB. */
  maxSessionBytes?: number;
  /**
   * Byte budget for stored sessions: each session counts the bytes its record takes,
   * `recordBytes(partialKey bytes, sessionId.length, session.length)` (a 38-byte header plus the
   * key and the session, rounded up to the allocator's size class). Default `maxSessions` × 512
   * for servers and × 2048 for clients (server sessions are ~160 B, client sessions 550–1200 B),
   * at most 2 GiB, and never less than one largest session.
   */
  memoryBytes?: number;
  /** A session is valid while `now - created < lifetimeSeconds`. Default 300 (Node, nginx,
   * HAProxy, Apache). */
  lifetimeSeconds?: number;
  /** Default `'evict-oldest'` (OTP 23.3+): drop the oldest session. `'invalidate-all'`: the
   * documented older OTP rule, clear every stored session, then store the new one. */
  onFull?: OnFullPolicy;
  /** Current time in milliseconds; inject one in tests so they never sleep. Default: `Date.now`,
   * read at most once per microtask turn (a synchronous run of calls shares one reading). It must
   * return a finite `number` (never coerced): anything else makes the call throw
   * ERR_INVALID_OPTION, changing nothing. Each call reads it before checking its arguments. */
  clock?: () => number;
  /** User-defined properties (OTP's init Args may carry any): kept as given, the same object, and
   * readable back as `cache.options.properties`. Any other unknown option is refused. */
  properties?: Readonly<Record<string, unknown>>;
}

/** The options a cache runs with: every default filled in, user-defined `properties` kept. */
export interface ResolvedSessionCacheOptions {
  readonly role: 'client' | 'server';
  readonly maxSessions: number;
  readonly maxSessionBytes: number;
  readonly memoryBytes: number;
  readonly lifetimeSeconds: number;
  readonly onFull: OnFullPolicy;
  readonly clock: (() => number) | undefined;
  readonly properties: Readonly<Record<string, unknown>> | undefined;
}

/** Counters of a cache since it was created. */
export interface SessionCacheStats {
  /** Calls of lookup, lookupInto, lookupView and take. */
  lookups: number;
  hits: number;
  misses: number;
  /** hits / lookups, 0 before the first lookup. */
  hitRatio: number;
  /** Sessions removed because their lifetime had passed (found by a lookup, a sweep, an update). */
  expired: number;
  /** Sessions stored under a new key. */
  inserts: number;
  /** Sessions stored under a key that already had one (the old one is wiped). */
  replacements: number;
  /** Sessions removed by delete or take. */
  deletes: number;
  /** Sessions removed to make room ('evict-oldest'). */
  evictions: number;
  /** Sessions removed by clearing a full cache ('invalidate-all'). */
  invalidations: number;
  /** Updates refused because the session exceeded maxSessionBytes. */
  rejected: number;
  sessions: number;
  maxSessions: number;
  /** Bytes counted against the budget (see `memoryBytes`). */
  bytesUsed: number;
  /** The byte budget, `memoryBytes`. */
  bytesCapacity: number;
  /** Longest probe sequence seen in the hash table (0 = home slot). 0 for the JS implementation. */
  longestProbe: number;
  /** Times fragmentation made the arena compact itself. 0 for the JS implementation. */
  compactions: number;
  /** Linear memory reserved by the WebAssembly instance, in bytes. 0 for the JS implementation. */
  reservedBytes: number;
}

/** One entry as foldl sees it: copies the callback owns. */
export interface SessionCacheEntry {
  key: SessionKey;
  session: Uint8Array;
}

/**
 * A TLS session cache (OTP's `ssl_session_cache_api`, plus copies without allocation, zero-copy
 * views, take, sweep and stats). Every call is synchronous. Calls on a terminated cache throw
 * ERR_CACHE_TERMINATED, except the lookups (a miss), selectSession (`[]`) and `size` (0).
 */
export interface SessionCache {
  /** The options the cache runs with, user-defined `properties` included. */
  readonly options: ResolvedSessionCacheOptions;
  /** The session stored under `key` (a copy the caller owns), or undefined. Never throws for a
   * well-formed key. An expired session is removed and reported as a miss. */
  lookup(key: SessionKey): Uint8Array | undefined;
  /**
   * Look up many keys at once: the same answers, counters and expiry as `lookup` on each key in
   * order, but the WebAssembly cache overlaps the keys' memory accesses, which is what a lookup
   * among a million sessions waits on. Every key is checked before any is looked up, each as it
   * is read (the first bad one throws before the rest are read); at most
   * 65,536 keys per call (`MAX_LOOKUP_MANY_KEYS`).
   */
  lookupMany(keys: readonly SessionKey[]): Array<Uint8Array | undefined>;
  /** Copy the session into `target`; returns bytes written, or -1 on a miss. Throws
   * ERR_INVALID_ARGUMENT (and changes nothing) if `target` is too small. */
  lookupInto(key: SessionKey, target: Uint8Array): number;
  /** A view of the session inside the cache's memory, without copying. Valid only until the next
   * call that changes the cache (update, delete, take, sweep, terminate, or a lookup that expires
   * an entry): after that its bytes may be wiped or belong to another session. */
  lookupView(key: SessionKey): Uint8Array | undefined;
  /** Store `session` (copied) under `key`, replacing any session there; the stored session
   * becomes the newest. May evict, per `onFull`. */
  update(key: SessionKey, session: Uint8Array): void;
  /** Remove the session under `key`; true if one was there (and not expired). */
  delete(key: SessionKey): boolean;
  /** lookup + delete in one call: for single-use sessions (TLS 1.3 tickets). */
  take(key: SessionKey): Uint8Array | undefined;
  /** Every session stored under `partialKey`, newest first (copies). */
  selectSession(partialKey: PartialKey): Uint8Array[];
  /**
   * Call `fn` for every session present when foldl began and still present when reached, oldest
   * first, threading an accumulator. `fn` may change the cache (the OTP client sweeper deletes
   * from within foldl); sessions it adds are not visited.
   */
  foldl<A>(fn: (entry: SessionCacheEntry, acc: A) => A, acc0: A): A;
  /** Remove expired sessions from the old end; returns how many. */
  sweep(): number;
  /** Sessions stored. */
  readonly size: number;
  stats(): SessionCacheStats;
  /** Wipe every session and free the cache. Idempotent. */
  terminate(): void;
}

/** OTP's `ssl_session_cache_api` callbacks, cache reference first as in OTP. */
export interface SessionCacheModule<C extends SessionCache = SessionCache> {
  init(options: SessionCacheOptions): C;
  terminate(cache: C): void;
  lookup(cache: C, key: SessionKey): Uint8Array | undefined;
  update(cache: C, key: SessionKey, session: Uint8Array): void;
  delete(cache: C, key: SessionKey): void;
  foldl<A>(fn: (entry: SessionCacheEntry, acc: A) => A, acc0: A, cache: C): A;
  selectSession(cache: C, partialKey: PartialKey): Uint8Array[];
  size(cache: C): number;
}
