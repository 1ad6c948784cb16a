// The server options under which Node resumes TLS sessions through a session-id cache.
import { constants } from 'node:crypto';
import type { SecureVersion } from 'node:tls';
import { checkBoolean, checkInteger, checkOptionsObject, invalid } from '../tls/validate.js';

/** OpenSSL's limit on a session id context (SSL_MAX_SID_CTX_LENGTH). */
const MAX_SID_CTX_BYTES = 32;

/** Options of {@link sessionCacheServerOptions}. */
export interface SessionCacheServerOptionsInput {
  /**
   * Names the service whose sessions may resume one another: 1 to 32 bytes. Set the same value in
   * every process that shares sessions (Node's default hashes `process.argv`, so workers started
   * differently never resume each other). Default `'tls-resumption'`.
   */
  sessionIdContext?: string;
  /**
   * Allow TLS 1.3. With tickets disabled Node 20 cannot resume TLS 1.3 at all, so TLS 1.3 clients
   * would make a full handshake every time; by default the options cap the server at TLS 1.2.
   * Default false.
   */
  tls13?: boolean;
  /** Further `SSL_OP_*` flags to combine with `SSL_OP_NO_TICKET`. Default 0. */
  secureOptions?: number;
}

/** Options to spread into `tls.createServer` / `https.createServer`. */
export interface SessionCacheServerOptions {
  secureOptions: number;
  sessionIdContext: string;
  maxVersion?: SecureVersion;
}

/**
 * The server options that make Node resume sessions through a cache attached with
 * `attachSessionCache`: tickets off (`SSL_OP_NO_TICKET`, or clients resume from tickets and the
 * cache is never asked), an explicit `sessionIdContext` (so several processes agree), and TLS 1.2
 * at most unless `tls13` is set (TLS 1.3 resumes only through tickets).
 *
 * @example
 * tls.createServer({ key, cert, ...sessionCacheServerOptions({ sessionIdContext: 'api' }) })
 */
export function sessionCacheServerOptions(options?: SessionCacheServerOptionsInput): SessionCacheServerOptions {
  const fn = 'sessionCacheServerOptions';
  checkOptionsObject(fn, options);
  const sessionIdContext = options?.sessionIdContext ?? 'tls-resumption';
  if (typeof sessionIdContext !== 'string' || sessionIdContext.length === 0) {
    invalid(fn, 'sessionIdContext must be a non-empty string');
  }
  if (Buffer.byteLength(sessionIdContext) > MAX_SID_CTX_BYTES) {
    invalid(fn, `sessionIdContext is ${Buffer.byteLength(sessionIdContext)} bytes; OpenSSL accepts at most ${MAX_SID_CTX_BYTES}`);
  }
  checkBoolean(fn, options?.tls13, 'tls13');
  checkInteger(fn, options?.secureOptions, 'secureOptions', 0, 0xffffffff);
  // SSL_OP_* flags fill an unsigned 32-bit word (SSL_OP_ALL has bit 31): keep the result unsigned.
  const secureOptions = ((options?.secureOptions ?? 0) | constants.SSL_OP_NO_TICKET) >>> 0;
  const result: SessionCacheServerOptions = { secureOptions, sessionIdContext };
  if (options?.tls13 !== true) result.maxVersion = 'TLSv1.2';
  return result;
}
