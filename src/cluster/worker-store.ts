// clusterSessionStore: the worker's side of the cluster session cache. A store attachSessionCache
// accepts as is: lookups ask the primary's cache over the IPC channel (a promise the adapter awaits),
// updates are acknowledged, and every fault (no answer in time, a closed primary, a lost channel)
// ends as a miss. An optional local cache in front lets a worker resume its own sessions without
// a round trip.
import cluster from 'node:cluster';
import { createSessionCache, ErrorCodes, MAX_SESSION_BYTES_LIMIT, SessionCacheError } from '../api.js';
import type { PartialKey, SessionCache, SessionKey } from '../api.js';
import { carriesBytes, decodeBytes, encodeBytes, type IpcEndpoint, type IpcMessage, probe, sendSafely } from '../tls/ipc.js';
import { checkInteger, checkOptionsObject, invalid } from '../tls/validate.js';
import { checkKey, checkPartialKey, checkSession } from './check-args.js';
import { PendingRequests, type Outcome } from './pending-requests.js';
import { encodeKey, isCounter, partialKeyBytes, readMessage, storeMessage } from './protocol.js';

/** Options of {@link clusterSessionStore}. */
export interface ClusterSessionStoreOptions {
  /**
   * How long a call waits for the primary, in ms; then a lookup is a miss, an update is
   * rejected, a delete answers false. Default 100 (attachSessionCache's own default wait).
   */
  timeoutMs?: number;
  /**
   * A WebAssembly cache in this worker in front of the primary's: sessions this worker stored
   * resume without a round trip. `lifetimeSeconds` should match the primary cache's (default 300).
   * Default: none.
   */
  local?: { maxSessions: number; lifetimeSeconds?: number };
}

/** Counters of one worker's store. */
export interface ClusterStoreStats {
  /** lookup() calls. */
  lookups: number;
  /** Lookups answered by the local cache. */
  localHits: number;
  /** Lookups answered by the primary with a session. */
  remoteHits: number;
  /** Lookups that found nothing (including timeouts and a closed primary). */
  misses: number;
  /** Calls the primary did not answer within timeoutMs. */
  timeouts: number;
  /** update() calls, and how many the primary acknowledged. */
  updates: number;
  acknowledged: number;
  /** delete() and selectSession() calls. */
  deletes: number;
  selects: number;
  /** Requests waiting for the primary. */
  pending: number;
  /** Whether the primary has answered this store's greeting and not closed since. */
  connected: boolean;
  /** 'advanced' once the channel is known to carry bytes as they are, else 'json'. */
  channel: 'advanced' | 'json';
}

/** Something whose counters the primary's stats() gathers: an attachSessionCache attachment. */
export interface StatsSource {
  stats(): object;
}

/** The store {@link clusterSessionStore} returns: pass it to attachSessionCache. */
export interface ClusterSessionStore {
  /** The session under `key`: from the local cache at once, else a promise of the primary's
   * answer (undefined on a miss, a timeout, or a closed primary). Never rejects. */
  lookup(key: SessionKey): Uint8Array | undefined | Promise<Uint8Array | undefined>;
  /** Store `session` in the local cache and the primary's; resolves once the primary acknowledged
   * it, rejects when it did not (ERR_TIMEOUT, ERR_CACHE_TERMINATED, or the cache's own code). */
  update(key: SessionKey, session: Uint8Array): Promise<void>;
  /** Remove the session under `key` everywhere; resolves to whether the primary had one (false on
   * a timeout). Never rejects. */
  delete(key: SessionKey): Promise<boolean>;
  /** Every session the primary holds under `partialKey`, newest first; `[]` on a timeout. */
  selectSession(partialKey: PartialKey): Promise<Uint8Array[]>;
  /** Include `source.stats()` (an attachSessionCache attachment) in what the primary gathers. */
  reportStats(source: StatsSource): void;
  /** This store's counters. */
  stats(): ClusterStoreStats;
  /** Stop: pending calls end as misses, the local cache is wiped, the worker may exit. Idempotent. */
  close(): void;
  /** True once closed. */
  readonly closed: boolean;
}

const DEFAULT_TIMEOUT_MS = 100;
const FN = 'clusterSessionStore';

class WorkerStore implements ClusterSessionStore {
  private readonly channel: IpcEndpoint & NodeJS.EventEmitter;
  private readonly name: number;
  private readonly timeoutMs: number;
  private readonly localOptions: ClusterSessionStoreOptions['local'];
  private local: SessionCache | undefined;
  private readonly requests = new PendingRequests();
  private readonly sources: StatsSource[] = [];
  private raw = false;
  private connected = false;
  /** The primary said it closed: answer misses without asking, until it serves again. */
  private primaryClosed = false;
  private isClosed = false;
  private readonly counts = {
    lookups: 0,
    localHits: 0,
    remoteHits: 0,
    misses: 0,
    timeouts: 0,
    updates: 0,
    acknowledged: 0,
    deletes: 0,
    selects: 0,
  };

  constructor(channel: IpcEndpoint & NodeJS.EventEmitter, options: ClusterSessionStoreOptions | undefined) {
    this.channel = channel;
    // Several stores may share one worker's channel: replies name the store they answer.
    this.name = 1 + Math.floor(Math.random() * 0x7fff_ffff);
    this.timeoutMs = options?.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.localOptions = options?.local;
    this.local = this.makeLocal();
    channel.on('message', this.onMessage);
    this.join();
  }

  get closed(): boolean {
    return this.isClosed;
  }

  lookup(key: SessionKey): Uint8Array | undefined | Promise<Uint8Array | undefined> {
    if (this.isClosed) return undefined;
    checkKey('clusterSessionStore.lookup', key);
    this.counts.lookups++;
    const mine = this.local?.lookup(key);
    if (mine !== undefined) {
      this.counts.localHits++;
      return mine;
    }
    if (this.primaryClosed) {
      this.counts.misses++;
      return undefined;
    }
    return new Promise((resolve) => {
      this.request(
        'lookup',
        { key: encodeKey(key, this.raw) },
        (reply) => {
          const session = reply.session === undefined ? undefined : decodeBytes(reply.session, MAX_SESSION_BYTES_LIMIT);
          if (session === undefined) this.counts.misses++;
          else this.counts.remoteHits++;
          resolve(session);
        },
        () => {
          this.counts.misses++;
          resolve(undefined);
        },
      );
    });
  }

  update(key: SessionKey, session: Uint8Array): Promise<void> {
    const fn = 'clusterSessionStore.update';
    if (this.isClosed) throw new SessionCacheError(ErrorCodes.CACHE_TERMINATED, `${fn}: the store was closed`);
    checkKey(fn, key);
    checkSession(fn, session);
    this.counts.updates++;
    try {
      this.local?.update(key, session);
    } catch {
      // too large for the local cache: the primary's answer below says what counts
    }
    if (this.primaryClosed) {
      return Promise.reject(new SessionCacheError(ErrorCodes.CACHE_TERMINATED, `${fn}: the primary closed its cache`));
    }
    return new Promise((resolve, reject) => {
      this.request(
        'update',
        { key: encodeKey(key, this.raw), session: encodeBytes(session, this.raw) },
        (reply) => {
          if (reply.ok === true) {
            this.counts.acknowledged++;
            resolve();
          } else {
            const code = Object.values(ErrorCodes).find((c) => c === reply.code) ?? ErrorCodes.INVALID_ARGUMENT;
            reject(new SessionCacheError(code, `${fn}: the primary's cache refused the session (${code})`));
          }
        },
        (outcome) => reject(this.noReply(outcome, fn)),
      );
    });
  }

  delete(key: SessionKey): Promise<boolean> {
    if (this.isClosed) return Promise.resolve(false);
    checkKey('clusterSessionStore.delete', key);
    this.counts.deletes++;
    const here = this.local?.delete(key) ?? false;
    if (this.primaryClosed) return Promise.resolve(here);
    return new Promise((resolve) => {
      this.request(
        'delete',
        { key: encodeKey(key, this.raw) },
        (reply) => resolve(reply.ok === true || here),
        () => resolve(here),
      );
    });
  }

  selectSession(partialKey: PartialKey): Promise<Uint8Array[]> {
    if (this.isClosed) return Promise.resolve([]);
    checkPartialKey('clusterSessionStore.selectSession', partialKey);
    this.counts.selects++;
    if (this.primaryClosed) return Promise.resolve([]);
    return new Promise((resolve) => {
      this.request(
        'select',
        { partialKey: encodeBytes(partialKeyBytes(partialKey), this.raw) },
        (reply) => {
          const sessions: Uint8Array[] = [];
          if (Array.isArray(reply.sessions)) {
            for (const item of reply.sessions) {
              const session = decodeBytes(item, MAX_SESSION_BYTES_LIMIT);
              if (session !== undefined) sessions.push(session);
            }
          }
          resolve(sessions);
        },
        () => resolve([]),
      );
    });
  }

  reportStats(source: StatsSource): void {
    // attachSessionCache returns a function carrying stats(), so functions are accepted too
    const ok = (typeof source === 'object' || typeof source === 'function') && source !== null;
    if (!ok || typeof (source as StatsSource).stats !== 'function') {
      invalid('clusterSessionStore.reportStats', 'source must have a stats() method (an attachSessionCache attachment)');
    }
    if (!this.sources.includes(source)) this.sources.push(source);
  }

  stats(): ClusterStoreStats {
    return {
      ...this.counts,
      pending: this.requests.size,
      connected: this.connected,
      channel: this.raw ? 'advanced' : 'json',
    };
  }

  close(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.connected = false;
    this.channel.removeListener('message', this.onMessage);
    sendSafely(this.channel, storeMessage('leave', { s: this.name })); // so the primary's stats() stops asking it
    this.requests.failAll('closed');
    this.local?.terminate();
    this.local = undefined;
  }

  private makeLocal(): SessionCache | undefined {
    const local = this.localOptions;
    if (local === undefined) return undefined;
    return createSessionCache({ role: 'server', maxSessions: local.maxSessions, lifetimeSeconds: local.lifetimeSeconds ?? 300 });
  }

  /** Why a request got no reply, as the rejection of an update. */
  private noReply(outcome: Outcome, fn: string): Error {
    if (outcome === 'timeout') {
      return new SessionCacheError(ErrorCodes.TIMEOUT, `${fn}: the primary did not answer within ${this.timeoutMs} ms`);
    }
    return new SessionCacheError(ErrorCodes.CACHE_TERMINATED, `${fn}: the store or the primary's cache was closed`);
  }

  /** Send one request; exactly one of the callbacks runs (see PendingRequests). */
  private request(
    op: string,
    fields: Record<string, unknown>,
    onReply: (reply: Record<string, unknown>) => void,
    onFail: (outcome: Outcome) => void,
  ): void {
    const id = this.requests.add(this.timeoutMs, onReply, (outcome) => {
      if (outcome === 'timeout') this.counts.timeouts++;
      onFail(outcome);
    });
    // A channel that is gone fails the request now rather than after the timeout.
    sendSafely(this.channel, storeMessage(op, { s: this.name, id, ...fields }), (ok) => {
      if (!ok) this.requests.fail(id, 'closed');
    });
  }

  private join(): void {
    sendSafely(this.channel, storeMessage('join', { s: this.name, probe: probe() }));
  }

  private readonly onMessage = (value: unknown): void => {
    const msg = readMessage(value);
    if (msg === undefined) return;
    try {
      this.handle(msg);
    } catch {
      // a malformed message from the primary: ignore it, the request times out as a miss
    }
  };

  private handle(msg: IpcMessage): void {
    switch (msg.op) {
      case 'reply':
        if (msg.s === this.name && isCounter(msg.id) && !this.requests.reply(msg.id, msg)) this.wipeLate(msg);
        return;
      case 'welcome':
        if (msg.s !== this.name) return;
        this.raw = carriesBytes(msg.probe);
        this.connected = true;
        this.primaryClosed = false;
        this.local ??= this.makeLocal();
        return;
      case 'serving':
        this.join();
        return;
      case 'closed':
        // The primary wiped its cache: wipe ours too, and answer misses until it serves again.
        this.connected = false;
        this.primaryClosed = true;
        this.requests.failAll('closed');
        this.local?.terminate();
        this.local = undefined;
        return;
      case 'stats?':
        if (!isCounter(msg.id)) return;
        sendSafely(
          this.channel,
          storeMessage('stats', { s: this.name, id: msg.id, store: this.stats(), adapters: this.adapterStats() }),
        );
        return;
    }
  }

  /** The counters of the reported sources (numbers only: nothing else crosses the channel). */
  private adapterStats(): Array<Record<string, number>> {
    return this.sources.map((source) => {
      const out: Record<string, number> = {};
      try {
        for (const [name, value] of Object.entries(source.stats())) if (typeof value === 'number') out[name] = value;
      } catch {
        // a source that fails is reported empty
      }
      return out;
    });
  }

  /** A reply that came after its request ended: wipe the session bytes it carries. */
  private wipeLate(msg: IpcMessage): void {
    if (msg.session instanceof Uint8Array) msg.session.fill(0);
    if (Array.isArray(msg.sessions)) for (const s of msg.sessions) if (s instanceof Uint8Array) s.fill(0);
  }
}

/**
 * A session store for `attachSessionCache` in a node:cluster worker, backed by the cache the
 * primary serves with {@link serveClusterSessionCache}: every worker resumes the sessions any
 * worker made.
 *
 * - `lookup` answers from the local cache (option `local`) or asks the primary; no answer within
 *   `timeoutMs`, a closed primary or a lost channel is a miss, never a hang or a failed handshake.
 * - `update` is acknowledged by the primary; a reconnect that reaches another worker before the
 *   acknowledgement is a miss (attachSessionCache also checks every session against its id).
 * - Bytes cross the channel as they are with `cluster.setupPrimary({ serialization: 'advanced' })`,
 *   as base64 otherwise (detected at the greeting).
 * - Give every worker the same `sessionIdContext` (see `sessionCacheServerOptions`): it is part of
 *   the key, and OpenSSL refuses sessions made under another.
 *
 * Call `store.reportStats(attachment)` to include the adapter's counters in the primary's
 * `stats()`. The store listens on the IPC channel until `close()` (a listener keeps a worker's
 * channel, and so the worker, alive).
 *
 * Throws ERR_INVALID_ARGUMENT outside a worker (no IPC channel) or for bad options.
 *
 * @example
 * const store = clusterSessionStore({ local: { maxSessions: 1000 } });
 * store.reportStats(attachSessionCache(server, store));
 */
export function clusterSessionStore(options?: ClusterSessionStoreOptions): ClusterSessionStore {
  checkOptionsObject(FN, options);
  checkInteger(FN, options?.timeoutMs, 'options.timeoutMs', 1, 60_000);
  const local = options?.local;
  if (local !== undefined) {
    checkOptionsObject(FN, local, 'options.local');
    if (local.maxSessions === undefined) invalid(FN, 'options.local.maxSessions is required');
    checkInteger(FN, local.maxSessions, 'options.local.maxSessions', 1, 1 << 24);
    checkInteger(FN, local.lifetimeSeconds, 'options.local.lifetimeSeconds', 1, 86_400 * 365);
  }
  if (!cluster.isWorker || typeof process.send !== 'function') {
    invalid(FN, 'call it in a node:cluster worker (the primary calls serveClusterSessionCache)');
  }
  return new WorkerStore(process as unknown as IpcEndpoint & NodeJS.EventEmitter, options);
}
