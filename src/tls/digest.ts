// Partial keys derived from TLS configuration. Certificates, private keys and PFX blobs can be
// kilobytes long and private keys are secrets, so they never become part of a key themselves:
// the key holds a SHA-256 over an unambiguous encoding of them.
import { createHash, type Hash } from 'node:crypto';

/** Process-local ids for values that cannot be hashed by content (functions, SecureContexts). */
const identities = new WeakMap<object, number>();
let nextIdentity = 1;

/**
 * A process-local id for `value`, the same for the same object as long as it lives: how a
 * function (a `checkServerIdentity`, a `pskCallback`) or a SecureContext takes part in a key.
 */
export function identity(value: object): number {
  let id = identities.get(value);
  if (id === undefined) {
    id = nextIdentity++;
    identities.set(value, id);
  }
  return id;
}

/** Feed `value` into `hash`, tagged and length-prefixed so different values never collide. */
function feed(hash: Hash, value: unknown, depth: number): void {
  if (value === undefined || value === null) {
    hash.update('u;');
  } else if (typeof value === 'boolean' || typeof value === 'number' || typeof value === 'bigint') {
    const text = String(value);
    hash.update(`${(typeof value)[0]}${text.length}:${text};`);
  } else if (typeof value === 'string') {
    hash
      .update(`s${Buffer.byteLength(value)}:`)
      .update(value)
      .update(';');
  } else if (ArrayBuffer.isView(value)) {
    hash
      .update(`x${value.byteLength}:`)
      .update(new Uint8Array(value.buffer, value.byteOffset, value.byteLength))
      .update(';');
  } else if (Array.isArray(value) && depth < 4) {
    hash.update(`a${value.length}:`);
    for (const item of value) feed(hash, item, depth + 1);
    hash.update(';');
  } else if (typeof value === 'object' && depth < 4 && Object.getPrototypeOf(value) === Object.prototype) {
    // `{ pem, passphrase }` / `{ buf, passphrase }` entries of key and pfx options
    const keys = Object.keys(value).sort();
    hash.update(`o${keys.length}:`);
    for (const k of keys) {
      feed(hash, k, depth + 1);
      feed(hash, (value as Record<string, unknown>)[k], depth + 1);
    }
    hash.update(';');
  } else {
    hash.update(`i${typeof value === 'object' || typeof value === 'function' ? identity(value) : String(value)};`);
  }
}

/**
 * SHA-256 over `label` and `parts` (strings, bytes, numbers, booleans, arrays and plain objects
 * of them, by content; other objects by identity within this process).
 */
export function configDigest(label: string, parts: readonly unknown[]): Buffer {
  const hash = createHash('sha256');
  feed(hash, label, 0);
  for (const part of parts) feed(hash, part, 0);
  return hash.digest();
}
