// createHttpsAgent(): an https.Agent whose TLS sessions live in a SessionCache, through the
// agent's session hooks (_getSession, _cacheSession, _evictSession), which Node calls synchronously.
import { createHash } from 'node:crypto';
import https from 'node:https';
import tls from 'node:tls';
import type { Duplex } from 'node:stream';
import type { SessionCache } from '../api.js';
import {
  CLIENT_CACHE_METHODS,
  clientSettings,
  forgetIfNotResumed,
  pickSession,
  storeSession,
  type ClientSessionOptions,
  type ClientSessionSettings,
  type Offer,
} from './client-sessions.js';
import { checkCache, checkLive, invalid } from '../tls/validate.js';

/** Options of {@link createHttpsAgent}: https.Agent's, plus the cache. */
export interface HttpsAgentSessionOptions extends https.AgentOptions, ClientSessionOptions {
  /** Where the agent's TLS sessions live; agents sharing it resume each other's sessions. */
  sessionCache: SessionCache;
}

/** Partial keys of recent connection names (names carry PEM strings: hashing them per request adds up). */
const NAME_MEMO_MAX = 256;

/**
 * The partial key of an agent connection name (`host:port:localAddress:` plus every TLS option,
 * PEM strings and a private key included): `"https-agent:"` and a base64url SHA-256 of the name.
 */
export function agentPartialKey(name: string): string {
  return `https-agent:${createHash('sha256').update(name).digest('base64url')}`;
}

class SessionCacheAgent extends https.Agent {
  readonly #cache: SessionCache;
  readonly #settings: ClientSessionSettings;
  readonly #keys = new Map<string, string>();
  /** The session _getSession handed out during the current createConnection call. */
  #offer: Offer | undefined;

  constructor(options: https.AgentOptions, cache: SessionCache, settings: ClientSessionSettings) {
    super(options);
    this.#cache = cache;
    this.#settings = settings;
  }

  #partialKey(name: string): string {
    let key = this.#keys.get(name);
    if (key === undefined) {
      if (this.#keys.size >= NAME_MEMO_MAX) this.#keys.clear();
      key = agentPartialKey(name);
      this.#keys.set(name, key);
    }
    return key;
  }

  /** Node: the session to offer for connection name `name`. */
  _getSession(name: string): Buffer | undefined {
    try {
      this.#offer = pickSession(this.#cache, this.#partialKey(name), this.#settings);
    } catch {
      this.#offer = undefined;
    }
    return this.#offer?.session;
  }

  /** Node: a session arrived on a connection named `name`. `maxCachedSessions` plays no part. */
  _cacheSession(name: string, session: Buffer): void {
    try {
      storeSession(this.#cache, this.#partialKey(name), session, this.#settings);
    } catch {
      // a full or terminated cache: the session is not kept
    }
  }

  /**
   * Node: a connection named `name` closed with an error. Node drops the name's one session; here
   * the session each connection offered is watched by createConnection instead, so sessions that
   * other connections (and other agents) still resume from are kept.
   */
  _evictSession(_name: string): void {}

  /** The offer _getSession made (if any), cleared. */
  #takeOffer(): Offer | undefined {
    const offer = this.#offer;
    this.#offer = undefined;
    return offer;
  }

  override createConnection(...args: Parameters<https.Agent['createConnection']>): Duplex | null | undefined {
    this.#offer = undefined;
    let socket: Duplex | null | undefined;
    let offer: Offer | undefined;
    try {
      socket = super.createConnection(...args);
    } finally {
      offer = this.#takeOffer();
      // tls.connect has handed the session to OpenSSL: our copy can go.
      offer?.session.fill(0);
    }
    // A per-request `session` option wins over ours, so ours was not tried.
    const requested = (args[0] as unknown as { session?: unknown } | undefined)?.session;
    if (offer !== undefined && !requested && socket instanceof tls.TLSSocket) forgetIfNotResumed(socket, this.#cache, offer);
    return socket;
  }
}

/**
 * An https.Agent whose TLS sessions live in `options.sessionCache` instead of the agent: agents
 * sharing one cache resume each other's sessions, and the cache's capacity, not
 * `maxCachedSessions`, bounds them. Sessions are keyed by the agent's connection name (host,
 * port, SNI name and every TLS option), hashed ({@link agentPartialKey}), so a private key in the
 * options never becomes part of a key. The newest session is offered; one the server did not
 * resume is deleted. Other options are https.Agent's.
 *
 * Throws ERR_INVALID_ARGUMENT for bad options, ERR_CACHE_TERMINATED for a terminated cache.
 */
export function createHttpsAgent(options: HttpsAgentSessionOptions): https.Agent {
  const fn = 'createHttpsAgent';
  if (typeof options !== 'object' || options === null) invalid(fn, 'options must be an object with a sessionCache');
  const { sessionCache, singleUseTickets, maxSessionsPerHost, ...agentOptions } = options;
  checkCache(fn, sessionCache, CLIENT_CACHE_METHODS, 'options.sessionCache');
  checkLive(fn, sessionCache);
  const settings = clientSettings(fn, { singleUseTickets, maxSessionsPerHost }, 'options');
  return new SessionCacheAgent(agentOptions, sessionCache, settings);
}
