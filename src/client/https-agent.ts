// createHttpsAgent(): an https.Agent whose TLS sessions live in a SessionCache, through the
// agent's session hook _getSession, which Node calls synchronously inside createConnection.
import { createHash } from 'node:crypto';
import https from 'node:https';
import tls from 'node:tls';
import type { Duplex } from 'node:stream';
import type { SessionCache } from '../api.js';
import { configDigest } from '../tls/digest.js';
import { checkCache, checkLive, invalid } from '../tls/validate.js';
import { verificationParts, verificationSignature, type VerificationOptions } from './client-key.js';
import {
  clientSettings,
  pickSession,
  storeSessionsOf,
  watchOffer,
  type ClientSessionOptions,
  type ClientSessionSettings,
  type Offer,
} from './client-sessions.js';
import {
  CLIENT_CACHE_METHODS,
  cacheCounters,
  count,
  newClientStats,
  type ClientCounters,
  type ClientSessionStats,
} from './client-stats.js';

/** Options of {@link createHttpsAgent}: https.Agent's, plus the cache. */
export interface HttpsAgentSessionOptions extends https.AgentOptions, ClientSessionOptions {
  /** Where the agent's TLS sessions live; agents sharing it resume each other's sessions. */
  sessionCache: SessionCache;
}

/** The agent {@link createHttpsAgent} returns: an https.Agent with its session counters. */
export interface SessionCacheHttpsAgent extends https.Agent {
  /** This agent's counters (a copy); the cache's totals over all client adapters: `clientSessionStats(cache)`. */
  sessionStats(): ClientSessionStats;
}

/** Partial keys of recent connection names (names carry PEM strings: hashing them per request adds up). */
const NAME_MEMO_MAX = 256;

/**
 * The partial key of an agent connection: `"https-agent:"` and a base64url SHA-256 of the
 * connection name (`host:port:localAddress:` plus the TLS options Node names it by, PEM strings
 * and a private key included) and of what Node's name leaves out but a resumed connection would
 * skip: `checkServerIdentity` and `pskCallback` (by function identity), chain checks turned off
 * through NODE_TLS_REJECT_UNAUTHORIZED=0, `minDHSize` and `secureContext` (by identity), read from
 * the connection's `options` (the agent's merged with the request's). Without `options`, or with
 * all of those at Node's defaults, the key is a hash of the name alone.
 *
 * Throws ERR_INVALID_ARGUMENT when `checkServerIdentity` or `pskCallback` is not a function.
 */
export function agentPartialKey(name: string, options?: tls.ConnectionOptions): string {
  const extra = options === undefined ? undefined : agentExtras('agentPartialKey', options);
  const digest =
    extra === undefined ? createHash('sha256').update(name).digest() : configDigest('tls-resumption/agent/v1', [name, extra]);
  return `https-agent:${digest.toString('base64url')}`;
}

/** What keys an agent connection beyond its name, or undefined when all is Node's default. */
function agentExtras(fn: string, options: VerificationOptions & { secureContext?: unknown }): unknown[] | undefined {
  const verification = verificationParts(fn, options);
  const context = options.secureContext;
  return verification === undefined && context === undefined ? undefined : [verification, context];
}

/** The options object of an agent's createConnection call (`(options)` or `(port, host, options)`). */
function connectionOptions(args: readonly unknown[]): (tls.ConnectionOptions & { _agentKey?: unknown }) | undefined {
  for (const arg of args.slice(0, 3)) if (typeof arg === 'object' && arg !== null) return arg;
  return undefined;
}

class SessionCacheAgent extends https.Agent implements SessionCacheHttpsAgent {
  readonly #cache: SessionCache;
  readonly #settings: ClientSessionSettings;
  readonly #keys = new Map<string, string>();
  readonly #stats = newClientStats();
  readonly #counters: ClientCounters;
  /** The partial key of the connection createConnection is making, for _getSession. */
  #connecting: string | undefined;
  /** The session _getSession handed out during the current createConnection call. */
  #offer: Offer | undefined;

  constructor(options: https.AgentOptions, cache: SessionCache, settings: ClientSessionSettings) {
    super(options);
    this.#cache = cache;
    this.#settings = settings;
    this.#counters = [this.#stats, cacheCounters(cache)];
  }

  sessionStats(): ClientSessionStats {
    return { ...this.#stats };
  }

  /** The partial key of connection `name` made with `options`, memoized by name and verification settings. */
  #partialKey(name: string, options: tls.ConnectionOptions | undefined): string {
    const extra = options === undefined ? undefined : agentExtras('createHttpsAgent', options);
    const memo = extra === undefined ? name : `${verificationSignature(extra.flat())}\n${name}`;
    let key = this.#keys.get(memo);
    if (key === undefined) {
      if (this.#keys.size >= NAME_MEMO_MAX) this.#keys.clear();
      key = agentPartialKey(name, options);
      this.#keys.set(memo, key);
    }
    return key;
  }

  /** Node: the session to offer for connection name `name`. */
  _getSession(name: string): Buffer | undefined {
    try {
      this.#offer = pickSession(this.#cache, this.#connecting ?? this.#partialKey(name, undefined), this.#settings);
    } catch {
      this.#offer = undefined;
      count(this.#counters, 'errors');
    }
    return this.#offer?.session;
  }

  /**
   * Node: a session arrived on a connection named `name`. Ignored: createConnection stores each
   * connection's sessions under its full key (the name alone misses checkServerIdentity).
   * `maxCachedSessions` plays no part.
   */
  _cacheSession(_name: string, _session: Buffer): void {}

  /**
   * Node: a connection named `name` closed with an error. Node drops the name's one session; here
   * the session each connection offered is watched by createConnection instead, so sessions that
   * other connections (and other agents) still resume from are kept.
   */
  _evictSession(_name: string): void {}

  /** The offer _getSession made (if any), cleared. A method: TypeScript would narrow the field to undefined. */
  #takeOffer(): Offer | undefined {
    const offer = this.#offer;
    this.#offer = undefined;
    return offer;
  }

  override createConnection(...args: Parameters<https.Agent['createConnection']>): Duplex | null | undefined {
    const options = connectionOptions(args);
    const name = options?._agentKey;
    // Node keys (and caches) only connections with a name; a bad checkServerIdentity throws here.
    const key = typeof name === 'string' ? this.#partialKey(name, options) : undefined;
    this.#offer = undefined;
    this.#connecting = key;
    let socket: Duplex | null | undefined;
    let offer: Offer | undefined;
    try {
      socket = super.createConnection(...args);
    } finally {
      offer = this.#takeOffer();
      this.#connecting = undefined;
      // tls.connect has handed the session to OpenSSL: our copy can go.
      offer?.session.fill(0);
    }
    if (!(socket instanceof tls.TLSSocket) || key === undefined) return socket;
    storeSessionsOf(socket, this.#cache, key, this.#settings, this.#counters);
    // A per-request `session` option wins over ours, so ours was not tried.
    if (offer !== undefined && !options?.session) watchOffer(socket, this.#cache, offer, this.#counters);
    return socket;
  }
}

/**
 * An https.Agent whose TLS sessions live in `options.sessionCache` instead of the agent: agents
 * sharing one cache resume each other's sessions, and the cache's capacity, not
 * `maxCachedSessions`, bounds them. Sessions are keyed by the agent's connection name (host,
 * port, SNI name and every TLS option) and the verification settings Node's name leaves out
 * (`checkServerIdentity` first: a resumed connection skips it), hashed ({@link agentPartialKey}),
 * so a pinned agent never resumes a session an unpinned one verified, and a private key in the
 * options never becomes part of a key. The newest session is offered; one the server did not
 * resume is deleted. Counters: `agent.sessionStats()`. Other options are https.Agent's.
 *
 * Throws ERR_INVALID_ARGUMENT for bad options, ERR_CACHE_TERMINATED for a terminated cache.
 */
export function createHttpsAgent(options: HttpsAgentSessionOptions): SessionCacheHttpsAgent {
  const fn = 'createHttpsAgent';
  if (typeof options !== 'object' || options === null) invalid(fn, 'options must be an object with a sessionCache');
  const { sessionCache, singleUseTickets, maxSessionsPerHost, ...agentOptions } = options;
  checkCache(fn, sessionCache, CLIENT_CACHE_METHODS, 'options.sessionCache');
  checkLive(fn, sessionCache);
  const settings = clientSettings(fn, { singleUseTickets, maxSessionsPerHost }, 'options');
  agentExtras(fn, agentOptions as VerificationOptions); // a bad checkServerIdentity is refused now, not per request
  return new SessionCacheAgent(agentOptions, sessionCache, settings);
}
