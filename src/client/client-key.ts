// Partial keys of client sessions. A resumed TLS connection skips the certificate checks (Node
// does not run checkServerIdentity, OpenSSL reuses the stored verification result), so a session
// may only be offered under the name and the trust settings it was verified with.
import type { ConnectionOptions } from 'node:tls';
import { configDigest } from '../tls/digest.js';
import { invalid } from '../tls/validate.js';

/** The options that decide what a server must prove, or what the client proves, in a handshake. */
const TRUST_FIELDS = ['ca', 'cert', 'key', 'pfx', 'passphrase', 'crl', 'secureContext', 'minVersion', 'maxVersion'] as const;

/**
 * The partial key connect() stores and looks up sessions under: `"<name>:<port>"`, where name is
 * `servername || host || 'localhost'` (the name the certificate was checked against; an IPv6
 * address in brackets) and port the port (or the IPC path). When trust or identity options are
 * set (ca, cert, key, pfx, passphrase, crl, secureContext, minVersion, maxVersion,
 * `rejectUnauthorized: false`) a SHA-256 of them follows after `#`, so a session verified under
 * one set of trust anchors is never offered under another, and a private key never becomes a key.
 * Throws ERR_INVALID_ARGUMENT when the options name no port or path.
 */
export function clientPartialKey(options: ConnectionOptions): string {
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
  const trust: unknown[] = TRUST_FIELDS.map((f) => record[f]);
  trust.push(options.rejectUnauthorized === false);
  if (trust.some((v) => v !== undefined && v !== false)) {
    key += `#${configDigest('tls-resumption/client/v1', trust).toString('base64url')}`;
  }
  return key;
}
