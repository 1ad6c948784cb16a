// The one place the fetch connector touches src/client: the partial key connect() uses, and
// connect()'s offer / store / forget steps, with the client counters around them.
import tls from 'node:tls';
import type { PartialKey, SessionCache } from '../api.js';
import { clientPartialKey } from '../client/client-key.js';
import {
  forgetIfNotResumed,
  pickSession,
  storeSession,
  type ClientSessionSettings,
  type Offer,
} from '../client/client-sessions.js';
import { configDigest } from '../tls/digest.js';

/** Counters of a fetch connector since it was created. */
export interface FetchConnectorStats {
  /** TLS connections that were offered a session from the cache. */
  offered: number;
  /** TLS connections the server resumed (`isSessionReused()`). */
  resumed: number;
  /** Sessions the servers sent that the cache kept (TLS 1.2 sessions, TLS 1.3 tickets). */
  stored: number;
  /** Offered sessions deleted because the server did not resume them. */
  dropped: number;
}

/** Partial keys of recent destinations (hashing the trust options per connection adds up). */
const KEY_MEMO_MAX = 1024;

/**
 * Whether clientPartialKey covers checkServerIdentity itself. A resumed connection skips
 * checkServerIdentity, so a pinned connector must never resume a session verified without its pin:
 * until clientPartialKey keys by it, {@link partialKeyOf} does.
 */
const KEYS_BY_IDENTITY_CHECK =
  clientPartialKey({ host: 'h', port: 1, checkServerIdentity: () => undefined }) !== clientPartialKey({ host: 'h', port: 1 });

/** The partial key connect() would use for `options`, checkServerIdentity included (by identity). */
export function partialKeyOf(options: tls.ConnectionOptions): string {
  const key = clientPartialKey(options);
  const check = options.checkServerIdentity;
  if (KEYS_BY_IDENTITY_CHECK || check === undefined) return key;
  return `${key}~${configDigest('tls-resumption/fetch/check-server-identity/v1', [check]).toString('base64url')}`;
}

/** A connector's sessions: connect() behaviour over one cache, counted. */
export class FetchSessions {
  readonly #cache: SessionCache;
  readonly #settings: ClientSessionSettings;
  readonly #keys = new Map<string, string>();
  readonly #stats: FetchConnectorStats = { offered: 0, resumed: 0, stored: 0, dropped: 0 };
  /** forgetIfNotResumed's view of the cache: its deletes are the drops. */
  readonly #dropping: SessionCache;

  constructor(cache: SessionCache, settings: ClientSessionSettings) {
    this.#cache = cache;
    this.#settings = settings;
    this.#dropping = {
      delete: (key) => {
        const deleted = cache.delete(key);
        if (deleted) this.#stats.dropped++;
        return deleted;
      },
    } as Pick<SessionCache, 'delete'> as SessionCache;
  }

  /** The counters (a copy). */
  stats(): FetchConnectorStats {
    return { ...this.#stats };
  }

  /**
   * The partial key of `options`; memoised by destination, as the trust options are the
   * connector's own, fixed when it was made.
   */
  #partialKey(options: tls.ConnectionOptions): PartialKey {
    const memo = `${options.servername || options.host}\0${options.port ?? options.path}`;
    let key = this.#keys.get(memo);
    if (key === undefined) {
      if (this.#keys.size >= KEY_MEMO_MAX) this.#keys.clear();
      key = partialKeyOf(options);
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
      // a terminated cache, or a partial key it refuses: connect without a session
    }
    let socket: tls.TLSSocket;
    try {
      socket = tls.connect(offer === undefined ? options : { ...options, session: offer.session });
    } finally {
      // Node has parsed the session into OpenSSL (setSession is synchronous): our copy can go.
      offer?.session.fill(0);
    }
    if (offer !== undefined) {
      this.#stats.offered++;
      forgetIfNotResumed(socket, this.#dropping, offer);
    }
    socket.once('secureConnect', () => {
      if (socket.isSessionReused()) this.#stats.resumed++;
    });
    socket.on('session', (session: Buffer) => {
      try {
        storeSession(this.#cache, partialKey, session, this.#settings);
        this.#stats.stored++;
      } catch {
        // a full or terminated cache: the connection goes on, the session is not kept
      }
    });
    return socket;
  }
}
