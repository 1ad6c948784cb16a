// serveClusterSessionCache: the primary's side of the cluster session cache (OTP's model: one
// process owns the cache and alone writes it; every worker asks it). A SessionCache answers
// synchronously; a store (the Redis tier) may answer with a promise, replied to when it settles.
// The primary keeps no per-request state either way: a worker that dies mid-request costs
// nothing but its own requests. Session bytes the primary copies out are wiped once the channel
// has serialized them.
import cluster, { type Worker } from 'node:cluster';
import { ErrorCodes, MAX_PARTIAL_KEY_BYTES, MAX_SESSION_BYTES_LIMIT, SessionCacheError } from '../api.js';
import type { PartialKey, SessionCache, SessionCacheStats, SessionKey } from '../api.js';
import { carriesBytes, decodeBytes, encodeBytes, type IpcMessage, probe, sendSafely } from '../tls/ipc.js';
import { checkCache, checkInteger, checkLive, checkOptionsObject, invalid } from '../tls/validate.js';
import { decodeKey, isCounter, readMessage, storeMessage } from './protocol.js';
import type { ClusterStoreStats } from './worker-store.js';

/**
 * What the primary can serve besides a {@link SessionCache}: a store whose calls may answer with
 * a promise, such as the Redis tier (`createRedisSessionStore`): one L1 in the primary, the
 * fleet's L2 behind it. `close()` is called when serving stops; `stats().local`, if there, is
 * reported as the cache's counters.
 */
export interface ClusterServedStore {
  lookup(key: SessionKey): Uint8Array | undefined | PromiseLike<Uint8Array | undefined>;
  update(key: SessionKey, session: Uint8Array): unknown;
  delete(key: SessionKey): boolean | PromiseLike<boolean>;
  selectSession?(partialKey: PartialKey): Uint8Array[];
  stats?(): { local?: SessionCacheStats };
  close?(): void;
}

/** Options of {@link serveClusterSessionCache}. */
export interface ServeClusterSessionCacheOptions {
  /** How long `stats()` waits for the workers' counters, in ms. Default 1000. */
  statsTimeoutMs?: number;
}

/** Requests the primary answered for one worker. */
export interface ClusterRequestCounts {
  lookups: number;
  /** Lookups answered with a session. */
  hits: number;
  updates: number;
  deletes: number;
  selects: number;
  /** Messages of this protocol that were malformed and dropped. */
  malformed: number;
}

/** One worker as the primary's `stats()` sees it. */
export interface ClusterWorkerStats {
  /** `worker.id`. */
  id: number;
  pid: number | undefined;
  /** What the primary answered for it. */
  requests: ClusterRequestCounts;
  /** The counters of the worker's stores, as they reported them (none if they did not answer in time). */
  stores: ClusterStoreStats[];
  /** The counters of the adapters the worker reported (`store.reportStats(attachment)`). */
  adapters: Array<Record<string, number>>;
}

/** What the primary's `stats()` gathers. */
export interface ClusterSessionCacheStats {
  /** The cache's counters (the last ones, once closed). */
  cache: SessionCacheStats | undefined;
  /** Live workers that joined. */
  workers: ClusterWorkerStats[];
  /** Every reported adapter counter, summed over the workers. */
  adapters: Record<string, number>;
  /** Requests of workers that have since exited, summed. */
  exited: ClusterRequestCounts;
  /** Stores that did not report their counters within statsTimeoutMs. */
  unanswered: number;
}

/** The handle {@link serveClusterSessionCache} returns. */
export interface ClusterSessionCacheServer {
  /** Stop serving: workers' pending and later calls become misses; the cache is terminated
   * (every session wiped). Idempotent. */
  close(): void;
  /** The cache's counters, per-worker request counts, and the counters the workers report. */
  stats(): Promise<ClusterSessionCacheStats>;
  /** True once closed. */
  readonly closed: boolean;
}

const FN = 'serveClusterSessionCache';
const DEFAULT_STATS_TIMEOUT_MS = 1000;
/** One server per process: two would both answer every request. */
let serving: ClusterSessionCacheServer | undefined;

const zeroCounts = (): ClusterRequestCounts => ({ lookups: 0, hits: 0, updates: 0, deletes: 0, selects: 0, malformed: 0 });

/** What the primary knows of one worker. */
interface WorkerState {
  worker: Worker;
  /** The worker's channel carries bytes as they are ('advanced' serialization). */
  raw: boolean;
  stores: Set<number>;
  counts: ClusterRequestCounts;
}

/** A stats() call waiting for the workers' answers. */
interface Gathering {
  waiting: Set<string>;
  reports: Map<number, { stores: ClusterStoreStats[]; adapters: Array<Record<string, number>> }>;
  finish(): void;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

/** The served cache or store's counters, as a cache's. */
function statsOf(cache: SessionCache | ClusterServedStore): SessionCacheStats | undefined {
  const stats = (cache as { stats?: () => unknown }).stats?.call(cache) as
    | (SessionCacheStats & { local?: SessionCacheStats })
    | undefined;
  return stats?.local ?? stats;
}

class PrimaryServer implements ClusterSessionCacheServer {
  private readonly cache: SessionCache | ClusterServedStore;
  private readonly statsTimeoutMs: number;
  private readonly workers = new Map<number, WorkerState>();
  private readonly exited = zeroCounts();
  private readonly gatherings = new Map<number, Gathering>();
  private nextGathering = 1;
  private finalStats: SessionCacheStats | undefined;
  private isClosed = false;

  constructor(cache: SessionCache | ClusterServedStore, options: ServeClusterSessionCacheOptions | undefined) {
    this.cache = cache;
    this.statsTimeoutMs = options?.statsTimeoutMs ?? DEFAULT_STATS_TIMEOUT_MS;
    cluster.on('message', this.onMessage);
    cluster.on('exit', this.onExit);
    // Workers forked before this call have stores that greeted nobody: ask them to join.
    for (const worker of Object.values(cluster.workers ?? {})) {
      if (worker !== undefined) sendSafely(worker, storeMessage('serving', { probe: probe() }));
    }
  }

  get closed(): boolean {
    return this.isClosed;
  }

  close(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    if (serving === this) serving = undefined;
    cluster.removeListener('message', this.onMessage);
    cluster.removeListener('exit', this.onExit);
    for (const worker of Object.values(cluster.workers ?? {})) {
      if (worker !== undefined) sendSafely(worker, storeMessage('closed', {}));
    }
    for (const gathering of this.gatherings.values()) gathering.finish();
    try {
      this.finalStats = statsOf(this.cache);
      const cache = this.cache as Partial<SessionCache> & ClusterServedStore;
      if (typeof cache.terminate === 'function')
        cache.terminate(); // wipes every session
      else cache.close?.();
    } catch {
      // already terminated by its owner
    }
  }

  stats(): Promise<ClusterSessionCacheStats> {
    const id = this.nextGathering++;
    const waiting = new Set<string>();
    const reports: Gathering['reports'] = new Map();
    if (!this.isClosed) {
      for (const state of this.workers.values()) {
        if (state.stores.size === 0) continue;
        for (const s of state.stores) waiting.add(`${state.worker.id}:${s}`);
        sendSafely(state.worker, storeMessage('stats?', { id }));
      }
    }
    return new Promise((resolve) => {
      let done = false;
      const gathering: Gathering = {
        waiting,
        reports,
        finish: () => {
          if (done) return;
          done = true;
          this.gatherings.delete(id);
          clearTimeout(timer);
          resolve(this.summary(gathering));
        },
      };
      const timer = setTimeout(gathering.finish, this.statsTimeoutMs);
      timer.unref?.();
      this.gatherings.set(id, gathering);
      if (waiting.size === 0) gathering.finish();
    });
  }

  private summary(gathering: Gathering): ClusterSessionCacheStats {
    let cache = this.finalStats;
    if (!this.isClosed) {
      try {
        cache = statsOf(this.cache);
      } catch {
        cache = undefined;
      }
    }
    const adapters: Record<string, number> = {};
    const workers: ClusterWorkerStats[] = [];
    for (const state of this.workers.values()) {
      const report = gathering.reports.get(state.worker.id);
      for (const counters of report?.adapters ?? []) {
        for (const [name, value] of Object.entries(counters)) adapters[name] = (adapters[name] ?? 0) + value;
      }
      workers.push({
        id: state.worker.id,
        pid: state.worker.process.pid,
        requests: { ...state.counts },
        stores: report?.stores ?? [],
        adapters: report?.adapters ?? [],
      });
    }
    return { cache, workers, adapters, exited: { ...this.exited }, unanswered: gathering.waiting.size };
  }

  private readonly onExit = (worker: Worker): void => {
    const state = this.workers.get(worker.id);
    if (state === undefined) return;
    this.workers.delete(worker.id);
    for (const [name, value] of Object.entries(state.counts)) this.exited[name as keyof ClusterRequestCounts] += value;
    this.forget(worker.id, state.stores);
  };

  /** Stop waiting for stats from stores that closed or died. */
  private forget(workerId: number, stores: Iterable<number>): void {
    for (const gathering of [...this.gatherings.values()]) {
      for (const s of stores) gathering.waiting.delete(`${workerId}:${s}`);
      if (gathering.waiting.size === 0) gathering.finish();
    }
  }

  private readonly onMessage = (worker: Worker, value: unknown): void => {
    const msg = readMessage(value);
    if (msg === undefined || this.isClosed) return; // not ours: the user's own messages
    let state = this.workers.get(worker.id);
    if (state === undefined) {
      if (worker.isDead()) return; // a last message read after its exit: nobody to answer
      state = { worker, raw: false, stores: new Set(), counts: zeroCounts() };
      this.workers.set(worker.id, state);
    }
    try {
      if (!this.handle(state, msg)) state.counts.malformed++;
    } catch {
      state.counts.malformed++; // a malformed message never throws out of the primary
    }
  };

  /** Answer one message; false if it was malformed. */
  private handle(state: WorkerState, msg: IpcMessage): boolean {
    const s = msg.s;
    if (!isCounter(s)) return false;
    if (msg.op === 'join') {
      state.raw = carriesBytes(msg.probe);
      state.stores.add(s);
      sendSafely(state.worker, storeMessage('welcome', { s, probe: probe() }));
      return true;
    }
    if (msg.op === 'leave') {
      state.stores.delete(s);
      this.forget(state.worker.id, [s]);
      return true;
    }
    if (msg.op === 'stats') return this.report(state, msg);
    const id = msg.id;
    if (!isCounter(id)) return false;
    switch (msg.op) {
      case 'lookup':
        return this.lookup(state, s, id, msg);
      case 'update':
        return this.update(state, s, id, msg);
      case 'delete': {
        const key = decodeKey(msg.key);
        if (key === undefined) return this.reply(state, s, id, { ok: false }, false);
        state.counts.deletes++;
        const deleted = this.cache.delete(key);
        if (!isThenable(deleted)) return this.reply(state, s, id, { ok: deleted }, true);
        deleted.then(
          (ok) => this.reply(state, s, id, { ok: ok === true }, true),
          () => this.reply(state, s, id, { ok: false }, true),
        );
        return true;
      }
      case 'select':
        return this.select(state, s, id, msg);
      default:
        return false;
    }
  }

  private lookup(state: WorkerState, s: number, id: number, msg: IpcMessage): boolean {
    const key = decodeKey(msg.key);
    if (key === undefined) return this.reply(state, s, id, {}, false); // a miss, so the worker need not wait
    state.counts.lookups++;
    const answer = this.cache.lookup(key);
    if (!isThenable(answer)) return this.answerLookup(state, s, id, answer);
    answer.then(
      (session) => this.answerLookup(state, s, id, session instanceof Uint8Array ? session : undefined),
      () => this.reply(state, s, id, {}, true), // a store fault is a miss
    );
    return true;
  }

  private answerLookup(state: WorkerState, s: number, id: number, session: Uint8Array | undefined): boolean {
    if (session === undefined) return this.reply(state, s, id, {}, true);
    state.counts.hits++;
    const fields = { session: encodeBytes(session, state.raw) };
    if (!state.raw) session.fill(0); // base64 made its own copy
    sendSafely(state.worker, storeMessage('reply', { s, id, ...fields }), () => session.fill(0));
    return true;
  }

  private update(state: WorkerState, s: number, id: number, msg: IpcMessage): boolean {
    const key = decodeKey(msg.key);
    const session = decodeBytes(msg.session, MAX_SESSION_BYTES_LIMIT);
    if (key === undefined || session === undefined || session.byteLength === 0) {
      session?.fill(0);
      return this.reply(state, s, id, { ok: false, code: ErrorCodes.INVALID_ARGUMENT }, false);
    }
    state.counts.updates++;
    let code: string | undefined;
    let later: unknown;
    try {
      later = this.cache.update(key, session);
    } catch (error) {
      code = error instanceof SessionCacheError ? error.code : ErrorCodes.INVALID_ARGUMENT;
    } finally {
      session.fill(0); // the cache holds its own copy; this one came off the channel
    }
    if (code === undefined && isThenable(later)) {
      later.then(
        () => this.reply(state, s, id, { ok: true }, true),
        (error: unknown) =>
          this.reply(
            state,
            s,
            id,
            { ok: false, code: error instanceof SessionCacheError ? error.code : ErrorCodes.INVALID_ARGUMENT },
            true,
          ),
      );
      return true;
    }
    return this.reply(state, s, id, code === undefined ? { ok: true } : { ok: false, code }, true);
  }

  private select(state: WorkerState, s: number, id: number, msg: IpcMessage): boolean {
    const partialKey = decodeBytes(msg.partialKey, MAX_PARTIAL_KEY_BYTES);
    if (partialKey === undefined) return this.reply(state, s, id, { sessions: [] }, false);
    state.counts.selects++;
    const sessions = this.cache.selectSession?.(partialKey) ?? [];
    const wire = sessions.map((session) => encodeBytes(session, state.raw));
    const wipe = (): void => {
      for (const session of sessions) session.fill(0);
    };
    if (!state.raw) wipe();
    sendSafely(state.worker, storeMessage('reply', { s, id, sessions: wire }), wipe);
    return true;
  }

  /** A worker's stats answer: file it under the gathering it answers. */
  private report(state: WorkerState, msg: IpcMessage): boolean {
    if (!isCounter(msg.id) || !Array.isArray(msg.adapters) || typeof msg.store !== 'object' || msg.store === null) return false;
    const gathering = this.gatherings.get(msg.id);
    if (gathering === undefined) return true; // late: stats() already answered
    const id = state.worker.id;
    let report = gathering.reports.get(id);
    if (report === undefined) {
      report = { stores: [], adapters: [] };
      gathering.reports.set(id, report);
    }
    report.stores.push(msg.store as ClusterStoreStats);
    for (const counters of msg.adapters) {
      if (typeof counters !== 'object' || counters === null) continue;
      const numbers: Record<string, number> = {};
      for (const [name, value] of Object.entries(counters)) if (typeof value === 'number') numbers[name] = value;
      report.adapters.push(numbers);
    }
    gathering.waiting.delete(`${id}:${msg.s}`);
    if (gathering.waiting.size === 0) gathering.finish();
    return true;
  }

  private reply(state: WorkerState, s: number, id: number, fields: Record<string, unknown>, wellFormed: boolean): boolean {
    sendSafely(state.worker, storeMessage('reply', { s, id, ...fields }));
    return wellFormed;
  }
}

/**
 * Serve `cache` to the workers of this node:cluster primary: their {@link clusterSessionStore}s
 * look up, update, delete and select sessions in it over the IPC channel, so a session any worker
 * made resumes on every worker. Serves workers forked before and after the call. `cache` may also
 * be a store that answers with promises ({@link ClusterServedStore}), such as the Redis tier:
 * the cluster then shares one L1 in the primary and the fleet's L2.
 *
 * Messages carry a namespace property and never clash with the application's own; a malformed
 * one is counted and dropped. Use `cluster.setupPrimary({ serialization: 'advanced' })` so
 * session bytes cross the channel without base64 (and can be wiped once sent).
 *
 * `close()` stops serving, tells the workers (their calls become misses at once) and terminates
 * the cache, wiping every session. Throws ERR_INVALID_ARGUMENT outside the primary, for a bad
 * argument, or while another cache is served; ERR_CACHE_TERMINATED for a terminated cache.
 *
 * @example
 * cluster.setupPrimary({ serialization: 'advanced' });
 * const served = serveClusterSessionCache(createSessionCache({ role: 'server' }));
 */
export function serveClusterSessionCache(
  cache: SessionCache | ClusterServedStore,
  options?: ServeClusterSessionCacheOptions,
): ClusterSessionCacheServer {
  if (!cluster.isPrimary) invalid(FN, 'call it in the cluster primary (workers use clusterSessionStore)');
  checkCache(FN, cache, ['lookup', 'update', 'delete']);
  checkOptionsObject(FN, options);
  checkInteger(FN, options?.statsTimeoutMs, 'options.statsTimeoutMs', 1, 60_000);
  checkLive(FN, cache);
  if (serving !== undefined) invalid(FN, 'a cache is already served in this process; close() it first');
  serving = new PrimaryServer(cache, options);
  return serving;
}
