// createRedisSessionStore: a server session store for a fleet of hosts. A local WebAssembly cache
// (L1) answers first; on an L1 miss the lookup asks Redis (L2) for the sealed record, waits at most
// `timeoutMs`, and fills L1 with what it opens. Updates and deletes write through. Redis faults
// never reach a handshake: a slow or absent Redis makes lookups misses and drops writes, counted,
// and the store uses Redis again as soon as the client reports it ready.
import { ErrorCodes, type SessionCache, SessionCacheError, type SessionKey, createSessionCache } from '../api.js';
import { checkInteger, checkOptionsObject, invalid } from '../tls/validate.js';
import { type FleetKeyring, type KeyMaterial, expandKeyring } from './keyring.js';
import { openRecord, sealRecord } from './record.js';
import { type RedisCommands, redisCommands } from './redis-client.js';
import { redisKey } from './redis-key.js';
import type { RedisSessionStore, RedisSessionStoreOptions, RedisSessionStoreStats } from './store-types.js';

const DEFAULT_PREFIX = 'tls-resumption:';
const DEFAULT_TIMEOUT_MS = 50;
const DEFAULT_MAX_PENDING = 1000;
const MAX_PREFIX_LENGTH = 128;

/** Copy of a key, for work that outlives the caller's buffers. */
function ownKey(key: SessionKey): SessionKey {
  const pk = key.partialKey;
  return { partialKey: typeof pk === 'string' ? pk : Uint8Array.from(pk), sessionId: Uint8Array.from(key.sessionId) };
}

class RedisStore implements RedisSessionStore {
  private readonly l1: SessionCache;
  private readonly commands: RedisCommands;
  private readonly prefix: string;
  private readonly timeoutMs: number;
  private readonly maxPending: number;
  private readonly lifetimeMs: number;
  private readonly now: () => number;
  private keys: KeyMaterial[];
  private closed = false;
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly stopListening: () => void;
  private readonly counts = {
    lookups: 0,
    l1Hits: 0,
    l2Hits: 0,
    misses: 0,
    timeouts: 0,
    unavailable: 0,
    errors: 0,
    authFailures: 0,
    writes: 0,
    droppedWrites: 0,
    clientErrors: 0,
  };

  constructor(
    l1: SessionCache,
    commands: RedisCommands,
    keys: KeyMaterial[],
    prefix: string,
    timeoutMs: number,
    maxPending: number,
  ) {
    this.l1 = l1;
    this.commands = commands;
    this.keys = keys;
    this.prefix = prefix;
    this.timeoutMs = timeoutMs;
    this.maxPending = maxPending;
    this.lifetimeMs = l1.options.lifetimeSeconds * 1000;
    this.now = l1.options.clock ?? Date.now;
    // node-redis throws an 'error' event nobody listens to, which would end the process when Redis goes away.
    this.stopListening = commands.onError(() => void this.counts.clientErrors++);
  }

  lookup(key: SessionKey): Uint8Array | undefined | Promise<Uint8Array | undefined> {
    const hit = this.l1.lookup(key); // checks the key first: a malformed one throws here
    if (this.closed) return undefined;
    this.counts.lookups++;
    if (hit !== undefined) {
      this.counts.l1Hits++;
      return hit;
    }
    if (!this.usable()) {
      this.counts.unavailable++;
      this.counts.misses++;
      return undefined;
    }
    return this.fetch(ownKey(key));
  }

  update(key: SessionKey, session: Uint8Array): void {
    this.checkOpen('update');
    this.l1.update(key, session); // checks key and session: bad input throws before Redis sees anything
    if (!this.usable()) {
      this.counts.droppedWrites++;
      return;
    }
    const current = this.keys[0]!;
    const record = sealRecord(current, key, session, this.now() + this.lifetimeMs);
    this.track(
      this.commands.set(redisKey(this.prefix, current, key), record, this.lifetimeMs).then(
        () => void this.counts.writes++,
        () => void this.counts.droppedWrites++,
      ),
    );
  }

  delete(key: SessionKey): boolean {
    this.checkOpen('delete');
    const had = this.l1.delete(key);
    if (!this.usable()) {
      this.counts.droppedWrites++;
      return had;
    }
    // A record may sit under any keyring key's name (written before a rotation).
    for (const material of this.keys) {
      this.track(this.commands.del(redisKey(this.prefix, material, key)).then(undefined, () => void this.counts.droppedWrites++));
    }
    return had;
  }

  selectSession(partialKey: SessionKey['partialKey']): Uint8Array[] {
    return this.l1.selectSession(partialKey);
  }

  setKeyring(keyring: FleetKeyring): void {
    this.keys = expandKeyring('RedisSessionStore.setKeyring', keyring);
  }

  stats(): RedisSessionStoreStats {
    this.checkOpen('stats');
    return { ...this.counts, pending: this.inFlight.size, local: this.l1.stats() };
  }

  available(): boolean {
    return !this.closed && this.usable();
  }

  async flush(): Promise<void> {
    // Bounded: each round waits for the commands in flight at its start.
    for (let round = 0; round < 8 && this.inFlight.size > 0; round++) await Promise.allSettled([...this.inFlight]);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.stopListening();
    this.l1.terminate();
  }

  private checkOpen(method: string): void {
    if (this.closed)
      throw new SessionCacheError(ErrorCodes.CACHE_TERMINATED, `RedisSessionStore.${method}: the store was closed`);
  }

  private usable(): boolean {
    return this.inFlight.size < this.maxPending && this.commands.ready();
  }

  private track(command: Promise<unknown>): void {
    this.inFlight.add(command);
    command.then(() => this.inFlight.delete(command));
  }

  /** Ask Redis under each keyring key's name at once; the first record that opens wins. */
  private fetch(key: SessionKey): Promise<Uint8Array | undefined> {
    const keys = this.keys;
    const counts = this.counts;
    const gets = keys.map((material) => this.commands.get(redisKey(this.prefix, material, key)));
    const all = Promise.allSettled(gets);
    this.track(all);
    return new Promise((resolve) => {
      let settled = false;
      const timer = setTimeout(() => {
        settled = true;
        counts.timeouts++;
        counts.misses++;
        resolve(undefined);
      }, this.timeoutMs);
      all.then((answers) => {
        if (settled) return; // too late: the record is never opened
        clearTimeout(timer);
        resolve(this.open(keys, key, answers));
      });
    });
  }

  /** The session in the first answer that opens (then also in L1), else a counted miss. */
  private open(keys: KeyMaterial[], key: SessionKey, answers: PromiseSettledResult<Uint8Array | null>[]): Uint8Array | undefined {
    const counts = this.counts;
    let faults = 0;
    for (const answer of answers) {
      if (answer.status === 'rejected') {
        faults++;
        continue;
      }
      if (answer.value === null) continue;
      const opened = openRecord(keys, key, answer.value, this.now(), this.l1.options.maxSessionBytes);
      if (typeof opened === 'string') {
        if (opened !== 'expired') counts.authFailures++;
        continue;
      }
      counts.l2Hits++;
      if (!this.closed) {
        try {
          this.l1.update(key, opened.session);
        } catch {
          // L1 refused it (too large for its budget): the lookup still answers
        }
      }
      return opened.session;
    }
    if (faults === answers.length) counts.errors++;
    counts.misses++;
    return undefined;
  }
}

/**
 * A server session store for a fleet: a local WebAssembly cache in front of Redis, sessions sealed
 * with AES-256-GCM before they leave the process, Redis keys that are HMACs. Pass it to
 * `attachSessionCache(server, store)`. Throws ERR_INVALID_ARGUMENT for an unknown client, a
 * malformed keyring or a bad option (ERR_INVALID_OPTION for a bad `local` option), creating nothing.
 *
 * @example
 * const store = createRedisSessionStore({ client: new Redis(), keyring: { current: { id: 'k1', secret } } });
 * attachSessionCache(server, store);
 */
export function createRedisSessionStore(options: RedisSessionStoreOptions): RedisSessionStore {
  const fn = 'createRedisSessionStore';
  if (typeof options !== 'object' || options === null) invalid(fn, 'options must be an object { client, keyring, ... }');
  const commands = redisCommands(options.client);
  if (commands === undefined) invalid(fn, 'client must be an ioredis Redis/Cluster or a node-redis (redis >= 4) client');
  const prefix = options.prefix ?? DEFAULT_PREFIX;
  if (typeof prefix !== 'string' || prefix.length === 0 || prefix.length > MAX_PREFIX_LENGTH) {
    invalid(fn, `prefix must be a string of 1 to ${MAX_PREFIX_LENGTH} characters`);
  }
  checkInteger(fn, options.timeoutMs, 'timeoutMs', 1, 60_000);
  checkInteger(fn, options.maxPending, 'maxPending', 1, 1_000_000);
  checkOptionsObject(fn, options.local, 'local');
  if (options.local !== undefined && 'role' in options.local && options.local.role !== 'server') {
    invalid(fn, "local.role must be 'server' (or left out): client sessions stay per process");
  }
  const keys = expandKeyring(fn, options.keyring);
  const l1 = createSessionCache({ ...options.local, role: 'server' });
  return new RedisStore(
    l1,
    commands,
    keys,
    prefix,
    options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    options.maxPending ?? DEFAULT_MAX_PENDING,
  );
}
