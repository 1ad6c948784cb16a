// The one place the fetch connector touches src/client: the partial key connect() uses, and
// connect()'s offer / store / watch steps, counted as connect() counts them (the cache's client
// totals, clientSessionStats, and the connector's own).
import tls from 'node:tls';
import type { PartialKey, SessionCache } from '../api.js';
import { clientPartialKey } from '../client/client-key.js';
import { type ClientSessionSettings, type Offer, pickSession, storeSessionsOf, watchOffer } from '../client/client-sessions.js';
import { type ClientCounters, type ClientSessionStats, cacheCounters, count, newClientStats } from '../client/client-stats.js';

/** Counters of a fetch connector since it was created (the client adapters' counters). */
export type FetchConnectorStats = ClientSessionStats;

/** Partial keys of recent destinations (hashing the trust options per connection adds up). */
const KEY_MEMO_MAX = 1024;

/** A connector's sessions: connect() behaviour over one cache, counted. */
export class FetchSessions {
  readonly #cache: SessionCache;
  readonly #settings: ClientSessionSettings;
  readonly #keys = new Map<string, string>();
  readonly #stats = newClientStats();
  readonly #counters: ClientCounters;

  constructor(cache: SessionCache, settings: ClientSessionSettings) {
    this.#cache = cache;
    this.#settings = settings;
    this.#counters = [cacheCounters(cache), this.#stats];
  }

  /** The counters (a copy). */
  stats(): FetchConnectorStats {
    return { ...this.#stats };
  }

  /**
   * The partial key of `options` (connect()'s: name, port, every trust option, checkServerIdentity
   * by identity); memoised by destination, as the trust options are the connector's own, fixed
   * when it was made.
   */
  #partialKey(options: tls.ConnectionOptions): PartialKey {
    const memo = `${options.servername || options.host}\0${options.port ?? options.path}`;
    let key = this.#keys.get(memo);
    if (key === undefined) {
      if (this.#keys.size >= KEY_MEMO_MAX) this.#keys.clear();
      key = clientPartialKey(options);
      this.#keys.set(memo, key);
    }
    return key;
  }

  /**
   * `tls.connect(options)` offering the newest session stored for the destination, storing every
   * session the server sends, deleting an offered session the server did not resume. A fault of
   * the cache never fails the connection.
   */
  connect(options: tls.ConnectionOptions): tls.TLSSocket {
    const partialKey = this.#partialKey(options);
    let offer: Offer | undefined;
    try {
      offer = pickSession(this.#cache, partialKey, this.#settings);
    } catch {
      count(this.#counters, 'errors'); // a terminated cache: connect without a session
    }
    let socket: tls.TLSSocket;
    try {
      socket = tls.connect(offer === undefined ? options : { ...options, session: offer.session });
    } finally {
      // Node has parsed the session into OpenSSL (setSession is synchronous): our copy can go.
      offer?.session.fill(0);
    }
    storeSessionsOf(socket, this.#cache, partialKey, this.#settings, this.#counters);
    if (offer !== undefined) watchOffer(socket, this.#cache, offer, this.#counters);
    return socket;
  }
}
