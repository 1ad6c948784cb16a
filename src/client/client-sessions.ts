// Client sessions in a SessionCache, shared by connect() and createHttpsAgent(): pick the newest
// stored session for a destination, store the sessions servers send, forget the ones that did
// not resume. Sessions are keyed `{ partialKey: <destination>, sessionId: <the DER's session id> }`:
// OpenSSL gives every client session a distinct id (for tickets, a hash of the ticket), so the
// two TLS 1.3 tickets of one connection are two entries and a resent session replaces itself.
import { createHash } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import type { PartialKey, SessionCache } from '../api.js';
import { MAX_SESSION_ID_BYTES } from '../api.js';
import { TLS13_VERSION, readSessionHeader } from '../tls/der.js';
import { checkBoolean, checkInteger, checkOptionsObject } from '../tls/validate.js';
import { type ClientCounters, count } from './client-stats.js';

/** How a client uses its cache (options of connect() and createHttpsAgent()). */
export interface ClientSessionOptions {
  /**
   * Use each TLS 1.3 session once: it is taken out of the cache when offered, as OpenSSL and
   * RFC 8446 recommend (a reused ticket lets an observer link connections). TLS 1.2 sessions are
   * reusable either way. Default false (Node's own behaviour: reuse the newest session).
   *
   * Against a Node.js server (and any OpenSSL server with its default settings) this gives
   * full, resumed, resumed, full, resumed, resumed, ... in sequence: the server sends two tickets
   * after a full handshake and none after a resumption, so every third connection, having used
   * both tickets, makes a full handshake. Servers that send a ticket on resumption too
   * (`SSL_CTX_set_num_tickets`, other TLS stacks) resume every connection after the first.
   */
  singleUseTickets?: boolean;
  /** Most sessions kept per destination; the oldest beyond it are deleted. Default 8. */
  maxSessionsPerHost?: number;
}

/** Resolved {@link ClientSessionOptions}. */
export interface ClientSessionSettings {
  singleUseTickets: boolean;
  maxSessionsPerHost: number;
}

/** A session offered to a server: the caller wipes `session` once Node has it. */
export interface Offer {
  partialKey: PartialKey;
  sessionId: Uint8Array;
  session: Buffer;
  /** Taken out of the cache already (a single-use TLS 1.3 session). */
  taken: boolean;
}

const DEFAULT_MAX_PER_HOST = 8;

/** Check and resolve {@link ClientSessionOptions}. */
export function clientSettings(fn: string, options: ClientSessionOptions | undefined, name: string): ClientSessionSettings {
  checkOptionsObject(fn, options, name);
  checkBoolean(fn, options?.singleUseTickets, `${name}.singleUseTickets`);
  checkInteger(fn, options?.maxSessionsPerHost, `${name}.maxSessionsPerHost`, 1, 1024);
  return {
    singleUseTickets: options?.singleUseTickets ?? false,
    maxSessionsPerHost: options?.maxSessionsPerHost ?? DEFAULT_MAX_PER_HOST,
  };
}

/** The id a client session is stored under: its DER session id (a copy), or a hash of it if it has none. */
function storageId(der: Uint8Array, id: Uint8Array): Uint8Array {
  if (id.length > 0 && id.length <= MAX_SESSION_ID_BYTES) return new Uint8Array(id); // not id.slice(): a Buffer view
  return new Uint8Array(createHash('sha256').update(der).digest());
}

/**
 * The newest stored session under `partialKey` (Node-ready), or undefined. The other copies
 * selectSession made are wiped. With `singleUseTickets`, a TLS 1.3 session is taken out.
 */
export function pickSession(cache: SessionCache, partialKey: PartialKey, settings: ClientSessionSettings): Offer | undefined {
  const sessions = cache.selectSession(partialKey);
  let offer: Offer | undefined;
  let version = 0;
  for (const session of sessions) {
    if (offer === undefined) {
      const header = readSessionHeader(session);
      if (header !== undefined) {
        version = header.version;
        const buffer = Buffer.from(session.buffer, session.byteOffset, session.byteLength);
        offer = { partialKey, sessionId: storageId(session, header.sessionId), session: buffer, taken: false };
        continue;
      }
    }
    session.fill(0);
  }
  if (offer !== undefined && settings.singleUseTickets && version === TLS13_VERSION) {
    cache.take({ partialKey, sessionId: offer.sessionId })?.fill(0);
    offer.taken = true;
  }
  return offer;
}

/**
 * Store a session a server sent, then keep at most maxSessionsPerHost under its partial key.
 * False if `der` is not a session (nothing Node could resume from).
 */
export function storeSession(
  cache: SessionCache,
  partialKey: PartialKey,
  der: Uint8Array,
  settings: ClientSessionSettings,
): boolean {
  const header = readSessionHeader(der);
  if (header === undefined) return false;
  cache.update({ partialKey, sessionId: storageId(der, header.sessionId) }, der);
  const sessions = cache.selectSession(partialKey);
  for (let i = 0; i < sessions.length; i++) {
    const session = sessions[i]!;
    if (i >= settings.maxSessionsPerHost) {
      const old = readSessionHeader(session);
      if (old !== undefined) cache.delete({ partialKey, sessionId: storageId(session, old.sessionId) });
    }
    session.fill(0);
  }
  return true;
}

/**
 * Store every session `socket` receives under `partialKey`, counting each stored one; a fault of
 * the cache (full, terminated) is counted, and the connection goes on.
 */
export function storeSessionsOf(
  socket: TLSSocket,
  cache: SessionCache,
  partialKey: PartialKey,
  settings: ClientSessionSettings,
  counters: ClientCounters,
): void {
  socket.on('session', (session: Buffer) => {
    try {
      if (storeSession(cache, partialKey, session, settings)) count(counters, 'stored');
    } catch {
      count(counters, 'errors');
    }
  });
}

/** Delete `offer` from the cache; a fault is counted (the session simply stays until it expires). */
function forget(cache: SessionCache, offer: Offer, counters: ClientCounters): void {
  if (offer.taken) return; // a single-use session left the cache when it was offered
  try {
    cache.delete({ partialKey: offer.partialKey, sessionId: offer.sessionId });
  } catch {
    count(counters, 'errors');
  }
}

/**
 * Count `offer` and its outcome, and delete the offered session if the server did not resume
 * it: after a full handshake, or when the handshake failed with a TLS error (OpenSSL drops a
 * session on a fatal alert, too). Adds no 'error' listener, so the socket's error behaviour is
 * unchanged.
 */
export function watchOffer(socket: TLSSocket, cache: SessionCache, offer: Offer, counters: ClientCounters): void {
  count(counters, 'offered');
  let secured = false;
  socket.once('secureConnect', () => {
    secured = true;
    if (socket.isSessionReused()) {
      count(counters, 'resumed');
      return;
    }
    count(counters, 'dropped');
    forget(cache, offer, counters);
  });
  socket.once('close', () => {
    const code = (socket.errored as { code?: unknown } | null)?.code;
    if (secured || typeof code !== 'string' || !code.startsWith('ERR_SSL')) return;
    count(counters, 'dropped');
    forget(cache, offer, counters);
  });
}
