// Partial keys of client sessions. A resumed TLS connection skips the certificate checks (Node
// does not run checkServerIdentity, OpenSSL reuses the stored verification result, no minimum DH
// size is enforced), so a session may only be offered under the name, the secure context and the
// verification settings it was verified with.
import tls from 'node:tls';
import { configDigest, identity } from '../tls/digest.js';
import { SECURE_CONTEXT_OPTIONS } from '../tls/secure-context-options.js';
import { invalid } from '../tls/validate.js';

/** The options tls.connect builds the client's secure context from (or a ready `secureContext`):
 * what the client proves and accepts. */
const CONTEXT_FIELDS = [...SECURE_CONTEXT_OPTIONS, 'secureContext'] as const;

/** Node's default minimum DH prime size for clients (tls.connect's `minDHSize`). */
const DEFAULT_MIN_DH_SIZE = 1024;

/** Options that decide how a server's certificate is checked, beyond the secure context. */
export interface VerificationOptions {
  checkServerIdentity?: unknown;
  rejectUnauthorized?: unknown;
  minDHSize?: unknown;
  pskCallback?: unknown;
}

/**
 * Whether a connection with `options` checks the server's certificate chain: tls.connect's own
 * rule (an explicit `rejectUnauthorized`, even undefined, wins over NODE_TLS_REJECT_UNAUTHORIZED).
 */
function rejectsUnauthorized(options: VerificationOptions): boolean {
  if (Object.hasOwn(options, 'rejectUnauthorized')) return options.rejectUnauthorized !== false;
  return process.env.NODE_TLS_REJECT_UNAUTHORIZED !== '0';
}

/**
 * The verification settings that differ from Node's defaults, for a key: `checkServerIdentity`
 * and `pskCallback` (by identity: the same function object, not the same source), chain checks
 * turned off, `minDHSize`; undefined when every one is the default.
 */
export function verificationParts(fn: string, options: VerificationOptions): unknown[] | undefined {
  const check = options.checkServerIdentity;
  if (check !== undefined && typeof check !== 'function') invalid(fn, 'options.checkServerIdentity must be a function');
  const psk = options.pskCallback;
  if (psk !== undefined && typeof psk !== 'function') invalid(fn, 'options.pskCallback must be a function');
  const minDH = options.minDHSize;
  const parts = [
    check === undefined || check === tls.checkServerIdentity ? undefined : check,
    rejectsUnauthorized(options) ? undefined : 'unverified',
    minDH === undefined || minDH === DEFAULT_MIN_DH_SIZE ? undefined : minDH,
    psk,
  ];
  return parts.some((v) => v !== undefined) ? parts : undefined;
}

/** A cheap string telling settings apart (functions and objects by id), for memo keys. */
export function verificationSignature(parts: readonly unknown[]): string {
  return parts
    .map((v) => ((typeof v === 'object' && v !== null) || typeof v === 'function' ? `#${identity(v)}` : String(v)))
    .join(':');
}

/**
 * The partial key connect() stores and looks up sessions under: `"<name>:<port>"`, where name is
 * `servername || host || 'localhost'` (the name the certificate was checked against; an IPv6
 * address in brackets) and port the port (or the IPC path). When any option that decides what a
 * server must prove, or what the client proves, differs from Node's default, a SHA-256 of them
 * follows after `#`: the secure-context options (ca, cert, key, pfx, passphrase, crl, ciphers,
 * sigalgs, ecdhCurve, dhparam, honorCipherOrder, minVersion, maxVersion, secureProtocol,
 * secureOptions, sessionIdContext, clientCertEngine, privateKeyIdentifier, privateKeyEngine,
 * secureContext) and the verification ones (`checkServerIdentity` and `pskCallback` by function
 * identity, chain checks off through `rejectUnauthorized: false` or NODE_TLS_REJECT_UNAUTHORIZED=0,
 * `minDHSize`). So a session verified under one policy (say, without a certificate pin) is never
 * offered under another, and a private key never becomes a key. Pass the same
 * `checkServerIdentity` function object to every connection that should resume the others'
 * sessions: a new closure per connection is a new key each time.
 *
 * Throws ERR_INVALID_ARGUMENT when the options name no port or path, or when
 * `checkServerIdentity` or `pskCallback` is not a function.
 */
export function clientPartialKey(options: tls.ConnectionOptions): string {
  const fn = 'clientPartialKey';
  if (typeof options !== 'object' || options === null) invalid(fn, 'options must be an object');
  const name = options.servername || options.host || 'localhost';
  if (typeof name !== 'string') invalid(fn, 'options.host and options.servername must be strings');
  const where = options.port ?? options.path;
  if ((typeof where !== 'number' && typeof where !== 'string') || where === '') {
    invalid(fn, 'options name no port or path to key sessions by; pass a partialKey');
  }
  let key = `${name.includes(':') ? `[${name}]` : name}:${where}`;
  const record = options as Record<string, unknown>;
  const trust: unknown[] = CONTEXT_FIELDS.map((f) => record[f]);
  const verification = verificationParts(fn, options);
  if (verification !== undefined || trust.some((v) => v !== undefined)) {
    trust.push(verification);
    key += `#${configDigest('tls-resumption/client/v2', trust).toString('base64url')}`;
  }
  return key;
}
