// connect(): tls.connect with its sessions kept in a SessionCache.
import tls from 'node:tls';
import type { PartialKey, SessionCache } from '../api.js';
import { clientPartialKey } from './client-key.js';
import {
  clientSettings,
  pickSession,
  storeSessionsOf,
  watchOffer,
  type ClientSessionOptions,
  type Offer,
} from './client-sessions.js';
import { CLIENT_CACHE_METHODS, cacheCounters } from './client-stats.js';
import { checkCache, invalid } from '../tls/validate.js';

/** Options of {@link connect} beyond tls.connect's. */
export interface ConnectSessionOptions extends ClientSessionOptions {
  /**
   * The partial key to use instead of {@link clientPartialKey}'s (needed with `socket` and no
   * port). It replaces the whole key, trust settings included: give connections whose
   * certificate checks differ (a `checkServerIdentity` pin, another `ca`) different keys.
   */
  partialKey?: PartialKey;
}

/**
 * Like `tls.connect(options)`, with TLS sessions kept in `cache`: offers the newest session stored
 * for the destination ({@link clientPartialKey}: `servername || host`, port, and every option that
 * decides whether the server is trusted, `checkServerIdentity` included) unless `options.session`
 * is set, stores every session the server sends (TLS 1.2, and both TLS 1.3 tickets), and deletes
 * an offered session the server did not resume. A session verified under one name or one trust
 * policy is never offered under another: Node skips every certificate check, pins included, on a
 * resumed connection. A fault of the cache never fails the connection. What happened is counted
 * in {@link clientSessionStats}`(cache)`.
 *
 * Throws ERR_INVALID_ARGUMENT for bad arguments (and ERR_KEY_TOO_LONG for a partial key over 512 bytes).
 */
export function connect(
  options: tls.ConnectionOptions,
  cache: SessionCache,
  sessionOptions?: ConnectSessionOptions,
): tls.TLSSocket {
  const fn = 'connect';
  if (typeof options !== 'object' || options === null) invalid(fn, 'options must be an object (as for tls.connect)');
  checkCache(fn, cache, CLIENT_CACHE_METHODS);
  const settings = clientSettings(fn, sessionOptions, 'sessionOptions');
  const given = sessionOptions?.partialKey;
  if (given !== undefined && typeof given !== 'string' && !(given instanceof Uint8Array)) {
    invalid(fn, 'sessionOptions.partialKey must be a string or a Uint8Array');
  }
  const partialKey = given ?? clientPartialKey(options);
  const counters = [cacheCounters(cache)];

  // selectSession validates the partial key (ERR_KEY_TOO_LONG) before anything is sent.
  const offer: Offer | undefined = options.session === undefined ? pickSession(cache, partialKey, settings) : undefined;
  let socket: tls.TLSSocket;
  try {
    socket = tls.connect(offer === undefined ? options : { ...options, session: offer.session });
  } finally {
    // Node has parsed the session into OpenSSL (setSession is synchronous): our copy can go.
    offer?.session.fill(0);
  }
  storeSessionsOf(socket, cache, partialKey, settings, counters);
  if (offer !== undefined) watchOffer(socket, cache, offer, counters);
  return socket;
}
