// The fleet's keyring: one current key that seals new records and older keys that still open
// theirs, so keys rotate host by host without a flag day. Each secret is expanded with HKDF into two
// independent keys (one to encrypt, one to name records in Redis); the raw secret is not kept.
import { type KeyObject, createSecretKey, hkdfSync } from 'node:crypto';
import { invalid } from '../tls/validate.js';

/** One key of a {@link FleetKeyring}. */
export interface FleetKey {
  /** Names the key inside each record: 1 to 64 characters of `A-Z a-z 0-9 . _ : -`. Not secret;
   * unique within a keyring. */
  id: string;
  /** At least 32 random bytes (e.g. `crypto.randomBytes(32)`), the same on every host. At most 1024. */
  secret: Uint8Array;
}

/**
 * The keys of a fleet. `current` seals every new record; `previous` (newest first) only open
 * records sealed before a rotation. Rotate in three steps: add the new key as `previous` on every
 * host, then make it `current` (the old one moving to `previous`), and drop the old key once a
 * session lifetime has passed.
 */
export interface FleetKeyring {
  current: FleetKey;
  previous?: readonly FleetKey[];
}

/** A keyring key expanded for use: the id as it is written in records, and two derived keys. */
export interface KeyMaterial {
  readonly id: string;
  /** The id's ASCII bytes, as written in each record's header. */
  readonly idBytes: Buffer;
  /** AES-256-GCM key. */
  readonly sealKey: KeyObject;
  /** HMAC-SHA256 key naming records in Redis. */
  readonly indexKey: KeyObject;
}

/** Most keys in one keyring (each adds one GET to a lookup that misses L1). */
export const MAX_KEYS = 8;
const ID_PATTERN = /^[A-Za-z0-9._:-]{1,64}$/;
const MIN_SECRET_BYTES = 32;
const MAX_SECRET_BYTES = 1024;
const SALT = 'tls-resumption/fleet/v1';

/** Expand one secret into a KeyObject for `purpose`; the intermediate bytes are wiped. */
function derive(secret: Uint8Array, purpose: string): KeyObject {
  const bytes = new Uint8Array(hkdfSync('sha256', secret, SALT, purpose, 32));
  try {
    return createSecretKey(bytes);
  } finally {
    bytes.fill(0);
  }
}

function checkKey(fn: string, key: unknown, name: string): FleetKey {
  if (typeof key !== 'object' || key === null) invalid(fn, `${name} must be an object { id, secret }`);
  const { id, secret } = key as Partial<FleetKey>;
  if (typeof id !== 'string' || !ID_PATTERN.test(id)) {
    invalid(fn, `${name}.id must be a string of 1 to 64 characters from A-Z a-z 0-9 . _ : -`);
  }
  if (!(secret instanceof Uint8Array)) invalid(fn, `${name}.secret must be a Uint8Array (or Buffer)`);
  if (secret.length < MIN_SECRET_BYTES || secret.length > MAX_SECRET_BYTES) {
    invalid(fn, `${name}.secret must be ${MIN_SECRET_BYTES} to ${MAX_SECRET_BYTES} bytes, got ${secret.length}`);
  }
  return { id, secret };
}

/**
 * Validate `keyring` and expand its keys, current first. Throws ERR_INVALID_ARGUMENT (and derives
 * nothing) for a malformed keyring, a short secret, or a repeated id.
 */
export function expandKeyring(fn: string, keyring: unknown): KeyMaterial[] {
  if (typeof keyring !== 'object' || keyring === null || Array.isArray(keyring)) {
    invalid(fn, 'keyring must be an object { current: { id, secret }, previous?: [...] }');
  }
  const { current, previous } = keyring as Partial<FleetKeyring>;
  const keys = [checkKey(fn, current, 'keyring.current')];
  if (previous !== undefined) {
    if (!Array.isArray(previous)) invalid(fn, 'keyring.previous must be an array');
    for (const [i, k] of previous.entries()) keys.push(checkKey(fn, k, `keyring.previous[${i}]`));
  }
  if (keys.length > MAX_KEYS) invalid(fn, `a keyring holds at most ${MAX_KEYS} keys, got ${keys.length}`);
  const ids = new Set(keys.map((k) => k.id));
  if (ids.size !== keys.length) invalid(fn, 'keyring ids must be unique');
  return keys.map((k) => ({
    id: k.id,
    idBytes: Buffer.from(k.id, 'ascii'),
    sealKey: derive(k.secret, 'aes-256-gcm record key'),
    indexKey: derive(k.secret, 'hmac-sha256 index key'),
  }));
}
