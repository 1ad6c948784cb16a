// A session sealed for Redis: AES-256-GCM under the keyring's current key, with a fresh random
// nonce per record. The key id, role, partial key and session id are authenticated as associated
// data, so a record copied under another Redis key (another session, another server) fails to open.
//
// Record layout (all lengths in bytes):
//   version 1 (= 1) | idLength 1 | keyId idLength | expiresAt 8 (ms since the epoch, big-endian)
//   | nonce 12 | ciphertext (= session length) | tag 16
// Associated data: "tls-resumption/fleet/v1" 0x00 | header (version .. expiresAt) | role 1
//   | partialKey length 2 | partialKey | sessionId length 1 | sessionId
import { createCipheriv, createDecipheriv, randomFillSync } from 'node:crypto';
import type { SessionKey } from '../api.js';
import type { KeyMaterial } from './keyring.js';

const VERSION = 1;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const LABEL = Buffer.from('tls-resumption/fleet/v1\0', 'ascii');
/** The only role stored in Redis so far; client sessions stay per process. */
const ROLE_SERVER = 2;

/** A record opened: the session (owned by the caller, who wipes it) and when it expires. */
export interface OpenedRecord {
  session: Buffer;
  expiresAt: number;
}

/** Why a record did not open. `unknown-key`: sealed under a key the keyring no longer holds. */
export type OpenFailure = 'malformed' | 'unknown-key' | 'expired' | 'forged';

/** The partial key's bytes (a string stands for its UTF-8 bytes, as in every cache). */
export function partialKeyBytes(key: SessionKey): Uint8Array {
  return typeof key.partialKey === 'string' ? Buffer.from(key.partialKey, 'utf8') : key.partialKey;
}

function associatedData(header: Uint8Array, key: SessionKey): Buffer {
  const pk = partialKeyBytes(key);
  const lengths = Buffer.alloc(3);
  lengths.writeUInt16BE(pk.length, 0);
  lengths[2] = key.sessionId.length;
  return Buffer.concat([LABEL, header, Buffer.of(ROLE_SERVER), lengths.subarray(0, 2), pk, lengths.subarray(2), key.sessionId]);
}

/** Seal `session` (not modified, not kept) for `key` under `material`, valid until `expiresAt`. */
export function sealRecord(material: KeyMaterial, key: SessionKey, session: Uint8Array, expiresAt: number): Buffer {
  const idLength = material.idBytes.length;
  const headerBytes = 2 + idLength + 8;
  const record = Buffer.allocUnsafe(headerBytes + NONCE_BYTES + session.length + TAG_BYTES);
  record[0] = VERSION;
  record[1] = idLength;
  material.idBytes.copy(record, 2);
  record.writeBigUInt64BE(BigInt(Math.max(0, Math.floor(expiresAt))), 2 + idLength);
  const nonce = randomFillSync(record, headerBytes, NONCE_BYTES).subarray(headerBytes, headerBytes + NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', material.sealKey, nonce, { authTagLength: TAG_BYTES });
  cipher.setAAD(associatedData(record.subarray(0, headerBytes), key));
  // GCM is a stream mode: update() returns exactly the ciphertext, final() nothing more.
  const body = cipher.update(session);
  cipher.final();
  body.copy(record, headerBytes + NONCE_BYTES);
  cipher.getAuthTag().copy(record, headerBytes + NONCE_BYTES + session.length);
  return record;
}

/**
 * Open a record found under `key`'s Redis key: the session, or why not. `keys` is the keyring
 * (the record names its key). Longer than `maxSessionBytes` of plaintext: malformed, never decrypted.
 */
export function openRecord(
  keys: readonly KeyMaterial[],
  key: SessionKey,
  record: Uint8Array,
  now: number,
  maxSessionBytes: number,
): OpenedRecord | OpenFailure {
  if (record.length < 2 || record[0] !== VERSION) return 'malformed';
  const idLength = record[1]!;
  const headerBytes = 2 + idLength + 8;
  const sessionBytes = record.length - headerBytes - NONCE_BYTES - TAG_BYTES;
  if (idLength === 0 || sessionBytes <= 0 || sessionBytes > maxSessionBytes) return 'malformed';
  const bytes = Buffer.from(record.buffer, record.byteOffset, record.length);
  const idBytes = bytes.subarray(2, 2 + idLength);
  const material = keys.find((k) => k.idBytes.equals(idBytes));
  if (material === undefined) return 'unknown-key';
  const nonce = bytes.subarray(headerBytes, headerBytes + NONCE_BYTES);
  const tag = bytes.subarray(record.length - TAG_BYTES);
  const decipher = createDecipheriv('aes-256-gcm', material.sealKey, nonce, { authTagLength: TAG_BYTES });
  decipher.setAAD(associatedData(bytes.subarray(0, headerBytes), key));
  decipher.setAuthTag(tag);
  const session = decipher.update(bytes.subarray(headerBytes + NONCE_BYTES, record.length - TAG_BYTES));
  try {
    decipher.final();
  } catch {
    session.fill(0); // unauthenticated plaintext: never used, never kept
    return 'forged';
  }
  const expiresAt = Number(bytes.readBigUInt64BE(2 + idLength));
  if (expiresAt <= now) {
    session.fill(0);
    return 'expired';
  }
  return { session, expiresAt };
}
