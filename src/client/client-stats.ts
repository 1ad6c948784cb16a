// Counters of the client adapters. Offering a session is not a cache lookup (selectSession does
// not count as one), so the cache's own hits say nothing about client resumption: these do.
import type { SessionCache } from '../api.js';
import { checkCache } from '../tls/validate.js';

/** What the client adapters did with one cache (or one agent). Each connection counts at most one offer. */
export interface ClientSessionStats {
  /** Connections to which a stored session was offered (not those given their own `session` option). */
  offered: number;
  /** Offered sessions the server resumed. */
  resumed: number;
  /** Sessions the servers sent that were stored in the cache. */
  stored: number;
  /** Offered sessions the server did not resume (a full handshake or a TLS error): deleted from the
   * cache (or, taken single-use TLS 1.3 sessions, already gone). */
  dropped: number;
  /** Cache faults (a terminated or full cache, a throwing method): each became a session not offered
   * or not kept, never a failed connection. */
  errors: number;
}

/** The counters one event is added to: the cache's, and an agent's own. */
export type ClientCounters = readonly ClientSessionStats[];

/** The cache methods the client adapters use: each of them checks a cache for these. */
export const CLIENT_CACHE_METHODS = ['selectSession', 'update', 'delete', 'take'] as const;

const zero = (): ClientSessionStats => ({ offered: 0, resumed: 0, stored: 0, dropped: 0, errors: 0 });

/** A new set of zeroed counters. */
export function newClientStats(): ClientSessionStats {
  return zero();
}

const perCache = new WeakMap<object, ClientSessionStats>();

/** The live counters of `cache` (created on first use). */
export function cacheCounters(cache: SessionCache): ClientSessionStats {
  let stats = perCache.get(cache);
  if (stats === undefined) {
    stats = zero();
    perCache.set(cache, stats);
  }
  return stats;
}

/** Add one to `field` of every counter set in `counters`. */
export function count(counters: ClientCounters, field: keyof ClientSessionStats): void {
  for (const stats of counters) stats[field]++;
}

/**
 * The client counters of `cache`: totals over every `connect()` call and every
 * `createHttpsAgent()` agent that used it in this process, since the first (an agent's own
 * share: `agent.sessionStats()`). A copy: later connections do not change it. All zero for a cache
 * no client adapter has used. Counting continues after `terminate()` (sessions then are neither
 * offered nor stored).
 *
 * Throws ERR_INVALID_ARGUMENT when `cache` is not a SessionCache.
 */
export function clientSessionStats(cache: SessionCache): ClientSessionStats {
  checkCache('clientSessionStats', cache, CLIENT_CACHE_METHODS);
  return { ...(perCache.get(cache) ?? zero()) };
}
