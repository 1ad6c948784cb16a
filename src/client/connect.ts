// connect(): tls.connect with its sessions kept in a SessionCache.
import tls from 'node:tls';
import type { PartialKey, SessionCache } from '../api.js';
import { clientPartialKey } from './client-key.js';
import {
  CLIENT_CACHE_METHODS,
  clientSettings,
  forgetIfNotResumed,
  pickSession,
  storeSession,
  type ClientSessionOptions,
  type Offer,
} from './client-sessions.js';
import { checkCache, invalid } from '../tls/validate.js';

/** Options of {@link connect} beyond tls.connect's. */
export interface ConnectSessionOptions extends ClientSessionOptions {
  /** The partial key to use instead of {@link clientPartialKey}'s (needed with `socket` and no port). */
  partialKey?: PartialKey;
}

/**
 * Like `tls.connect(options)`, with TLS sessions kept in `cache`: offers the newest session stored
 * for the destination ({@link clientPartialKey}: `servername || host`, port, trust options) unless
 * `options.session` is set, stores every session the server sends (TLS 1.2, and both TLS 1.3
 * tickets), and deletes an offered session the server did not resume. A session stored for one
 * SNI name is never offered to another. A fault of the cache never fails the connection.
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

  // selectSession validates the partial key (ERR_KEY_TOO_LONG) before anything is sent.
  const offer: Offer | undefined = options.session === undefined ? pickSession(cache, partialKey, settings) : undefined;
  let socket: tls.TLSSocket;
  try {
    socket = tls.connect(offer === undefined ? options : { ...options, session: offer.session });
  } finally {
    // Node has parsed the session into OpenSSL (setSession is synchronous): our copy can go.
    offer?.session.fill(0);
  }
  socket.on('session', (session: Buffer) => {
    try {
      storeSession(cache, partialKey, session, settings);
    } catch {
      // a full or terminated cache: the connection goes on, the session is not kept
    }
  });
  if (offer !== undefined) forgetIfNotResumed(socket, cache, offer);
  return socket;
}
