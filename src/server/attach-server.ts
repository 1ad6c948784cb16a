// attachSessionCache: wire a session cache into a tls.Server's newSession / resumeSession events.
import tls from 'node:tls';
import type { SessionCache } from '../api.js';
import { ServerAdapter, type ServerCacheStats, type ServerSessionStore } from './server-adapter.js';
import { checkBoolean, checkCache, checkInteger, checkLive, checkOptionsObject, invalid } from '../tls/validate.js';

/** Options of {@link attachSessionCache}. */
export interface AttachSessionCacheOptions {
  /**
   * Mixed into the partial key, for servers whose certificates and settings are identical but
   * whose sessions must stay apart (a listener id). Default: none, so identically configured
   * servers (several processes of one service) resume each other's sessions.
   */
  context?: string | Uint8Array;
  /** Store the TLS 1.3 sessions newSession delivers. Node never looks them up. Default false. */
  storeTls13?: boolean;
  /** How long to wait for a store whose lookup answers with a promise, in ms; then a miss.
   * Default 100. A SessionCache answers synchronously and never waits. */
  timeoutMs?: number;
  /** Warn (once per server) when the server's options keep the cache unused (TLS 1.3 only).
   * Default true. */
  warn?: boolean;
}

/** The detach function attachSessionCache returns, with the adapter's counters. */
export interface SessionCacheAttachment {
  /** Remove the listeners: the server stops storing and resuming sessions through the cache. */
  (): void;
  /** The server's counters: hits, misses, stored, skippedTls13, errors, timeouts, pending. */
  stats(): ServerCacheStats;
  /** The partial key this server's sessions are stored under (32 bytes; changes with the server's context). */
  partialKey(): Uint8Array;
  /** False once detached. */
  readonly attached: boolean;
}

const DEFAULT_TIMEOUT_MS = 100;
/** Warning code, for `process.on('warning')` filters. */
export const UNUSED_CACHE_WARNING = 'TLS_RESUMPTION_UNUSED';
const warned = new WeakSet<tls.Server>();

/** Why `server` (as configured now) will not use the cache, or undefined. */
function unusableBecause(server: tls.Server): string | undefined {
  const s = server as unknown as { minVersion?: string; secureProtocol?: string; secureOptions?: number };
  if ((s.minVersion ?? tls.DEFAULT_MIN_VERSION) === 'TLSv1.3' || s.secureProtocol === 'TLSv1_3_method') {
    return 'it accepts only TLS 1.3, and TLS 1.3 resumes only through session tickets';
  }
  // With tickets on the cache still serves the clients that send no ticket extension (measured:
  // bench/resumption-matrix.mjs), so that is no reason to warn.
  return undefined;
}

/**
 * Resume TLS sessions of `server` through `cache`: newSession stores each TLS 1.2 session under
 * `{ partialKey: <this server's context>, sessionId }`, resumeSession looks it up. Returns a
 * function that detaches the cache, carrying the server's counters (`stats()`).
 *
 * - The partial key is a SHA-256 of every setting of the server's secure context, by content:
 *   key, certificate, PFX, passphrase, CA, CRL, ciphers, sigalgs, ECDH curves, DH parameters,
 *   honorCipherOrder, min/max version, secureProtocol, secureOptions, sessionIdContext,
 *   sessionTimeout, engines and private-key identifiers, requestCert and rejectUnauthorized (and
 *   `options.context`). Servers whose policies differ never resume each other's sessions, and a
 *   server whose context was rebuilt (`setSecureContext`, even from arrays changed in place) does
 *   not resume the sessions made under the old one. Per-name contexts (`addContext`,
 *   `SNICallback`) are not covered: give such servers their own `options.context`.
 * - Sessions a {@link ServerSessionStore} returns are never written to; only the adapter's own
 *   copies (from a SessionCache) are wiped once Node has them.
 * - resumeSession always calls back exactly once; a fault of the cache, a timeout, or a stored
 *   session whose id differs from the requested one becomes a miss (a full handshake).
 * - TLS 1.3 sessions are recognised and not stored unless `storeTls13` is set.
 * - Only TLS 1.2 resumes through the cache: every TLS 1.2 client when tickets are off
 *   ({@link sessionCacheServerOptions}), and the clients that send no ticket extension when they
 *   are on. A server on which the cache can never be used (TLS 1.3 only) gets one warning.
 *
 * Throws ERR_INVALID_ARGUMENT for a bad argument or a server that already has a resumeSession
 * listener (two listeners would answer twice), ERR_CACHE_TERMINATED for a terminated cache.
 */
export function attachSessionCache(
  server: tls.Server,
  cache: SessionCache | ServerSessionStore,
  options?: AttachSessionCacheOptions,
): SessionCacheAttachment {
  const fn = 'attachSessionCache';
  if (!(server instanceof tls.Server)) invalid(fn, 'server must be a tls.Server (or https.Server)');
  checkCache(fn, cache, ['lookup', 'update', 'delete']);
  checkOptionsObject(fn, options);
  const context = options?.context;
  if (context !== undefined && typeof context !== 'string' && !(context instanceof Uint8Array)) {
    invalid(fn, 'options.context must be a string or a Uint8Array');
  }
  checkBoolean(fn, options?.storeTls13, 'options.storeTls13');
  checkBoolean(fn, options?.warn, 'options.warn');
  checkInteger(fn, options?.timeoutMs, 'options.timeoutMs', 1, 60_000);
  if (server.listenerCount('resumeSession') > 0) {
    invalid(fn, 'the server already has a resumeSession listener; two would both answer and Node would destroy the socket');
  }
  checkLive(fn, cache);

  const adapter = new ServerAdapter(server, cache, {
    context,
    storeTls13: options?.storeTls13 ?? false,
    timeoutMs: options?.timeoutMs ?? DEFAULT_TIMEOUT_MS,
  });
  server.on('newSession', adapter.onNewSession);
  server.on('resumeSession', adapter.onResumeSession);

  const reason = options?.warn === false ? undefined : unusableBecause(server);
  if (reason !== undefined && !warned.has(server)) {
    warned.add(server);
    process.emitWarning(`attachSessionCache: this server will not use the session cache: ${reason}`, {
      type: 'TlsResumptionWarning',
      code: UNUSED_CACHE_WARNING,
    });
  }

  let attached = true;
  const detach = (): void => {
    if (!attached) return;
    attached = false;
    server.removeListener('newSession', adapter.onNewSession);
    server.removeListener('resumeSession', adapter.onResumeSession);
  };
  return Object.defineProperties(detach, {
    stats: { value: () => adapter.stats() },
    partialKey: { value: () => new Uint8Array(adapter.partialKey()) }, // a copy (Buffer#slice is a view)
    attached: { get: () => attached },
  }) as SessionCacheAttachment;
}
