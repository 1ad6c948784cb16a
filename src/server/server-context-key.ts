// The partial key of a server: a digest of everything that constrains which sessions it may resume.
// A session-id session is resumed by OpenSSL without renegotiating the cipher, the protocol version
// or the client's certificate check, so a session made under one policy must never be found by a
// server with another: every setting of the server's secure context goes into the key.
import type { Server } from 'node:tls';
import { configDigest } from '../tls/digest.js';
import { SECURE_CONTEXT_OPTIONS } from '../tls/secure-context-options.js';

/**
 * The tls.Server properties the key covers. `setSecureContext()` (which the constructor calls too)
 * stores each option of `tls.createSecureContext` on the server under its own name, then builds
 * the context from them (Node 20, lib/_tls_wrap.js); `requestCert` and `rejectUnauthorized` are
 * set by the constructor and read for every connection. Left out on purpose: `ticketKeys` (they
 * protect tickets, which never reach the cache) and per-name contexts (`addContext`, `SNICallback`),
 * which have no content to hash: tell such servers apart with `options.context`.
 */
export const SERVER_CONTEXT_FIELDS = [...SECURE_CONTEXT_OPTIONS, 'sessionTimeout', 'requestCert', 'rejectUnauthorized'] as const;

/** What, read per handshake, says whether the key may have changed: the secure context that
 * setSecureContext() replaces on every call, and the two settings assignable on their own. */
const WATCHED = ['_sharedCreds', 'requestCert', 'rejectUnauthorized'] as const;

/** Tracks a server's context and the partial key derived from it. */
export class ServerContextKey {
  private readonly server: Record<string, unknown>;
  private readonly context: string | Uint8Array | undefined;
  private readonly watched: readonly string[];
  private readonly seen: unknown[];
  private key: Uint8Array | undefined;

  constructor(server: Server, context: string | Uint8Array | undefined) {
    this.server = server as unknown as Record<string, unknown>;
    this.context = context;
    // A Node without `_sharedCreds`: watch every field by identity instead (a change in place
    // then goes unseen, as it did before).
    this.watched = '_sharedCreds' in server ? WATCHED : SERVER_CONTEXT_FIELDS;
    this.seen = new Array(this.watched.length);
  }

  /**
   * The partial key for the server's current context: a 32-byte SHA-256 of the user's `context`
   * and every field of {@link SERVER_CONTEXT_FIELDS}, by content. Recomputed when the server's
   * secure context was rebuilt (`setSecureContext()`, which reads the options' contents afresh,
   * even from the same arrays changed in place) or a client-certificate setting was reassigned:
   * three identity checks per call, no hashing.
   */
  current(): Uint8Array {
    const server = this.server;
    const { watched, seen } = this;
    let key = this.key;
    for (let i = 0; i < watched.length; i++) {
      const value = server[watched[i]!];
      if (value !== seen[i]) {
        seen[i] = value;
        key = undefined;
      }
    }
    if (key === undefined) {
      const parts: unknown[] = [this.context];
      for (const field of SERVER_CONTEXT_FIELDS) parts.push(server[field]);
      key = new Uint8Array(configDigest('tls-resumption/server/v2', parts));
      this.key = key;
    }
    return key;
  }
}
