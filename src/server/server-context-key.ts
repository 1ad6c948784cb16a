// The partial key of a server's sessions. OpenSSL itself only checks `sessionIdContext` when it
// resumes a session, and a server session does not record the certificate it was made under, so
// the key must: sessions of servers with different certificates (or trust settings) never meet.
// Servers with the same configuration share the key, so sessions resume across processes.
import type { Server } from 'node:tls';
import { configDigest } from '../tls/digest.js';

/**
 * The tls.Server properties that make up a server's security context. Node sets them from the
 * server options (`setSecureContext()` replaces them when the certificate changes).
 */
const CONTEXT_FIELDS = ['cert', 'pfx', 'ca', 'crl', 'requestCert', 'rejectUnauthorized', 'sessionIdContext'] as const;

/** Tracks a server's context and the partial key derived from it. */
export class ServerContextKey {
  private readonly server: Record<string, unknown>;
  private readonly context: string | Uint8Array | undefined;
  private readonly seen: unknown[] = new Array(CONTEXT_FIELDS.length);
  private key: Uint8Array | undefined;

  constructor(server: Server, context: string | Uint8Array | undefined) {
    this.server = server as unknown as Record<string, unknown>;
    this.context = context;
  }

  /**
   * The partial key for the server's current context: a 32-byte SHA-256 of the user's `context`,
   * the certificates, PFX, CA, CRL, client-certificate settings and `sessionIdContext`. Recomputed
   * only when one of those properties has been replaced (an identity check per call).
   */
  current(): Uint8Array {
    const server = this.server;
    const seen = this.seen;
    let key = this.key;
    for (let i = 0; i < CONTEXT_FIELDS.length; i++) {
      const value = server[CONTEXT_FIELDS[i]!];
      if (value !== seen[i]) {
        seen[i] = value;
        key = undefined;
      }
    }
    if (key === undefined) {
      key = new Uint8Array(configDigest('tls-resumption/server/v1', [this.context, ...seen]));
      this.key = key;
    }
    return key;
  }
}
