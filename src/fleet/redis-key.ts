// The name of a session's record in Redis: an HMAC of the partial key and session id under one
// keyring key, so Redis never sees either (a TLS 1.2 session id travels in clear on the wire;
// without the key nobody can link it to a record). A record has one name per keyring key: lookups
// try each, so records named under a previous key are still found after a rotation.
import { createHmac } from 'node:crypto';
import type { SessionKey } from '../api.js';
import type { KeyMaterial } from './keyring.js';
import { partialKeyBytes } from './record.js';

/** `prefix` + base64url(HMAC-SHA256(indexKey, role | partialKey length | partialKey | sessionId)). */
export function redisKey(prefix: string, material: KeyMaterial, key: SessionKey): string {
  const pk = partialKeyBytes(key);
  const head = Buffer.alloc(3);
  head[0] = 2; // server role, as in the record's associated data
  head.writeUInt16BE(pk.length, 1);
  const mac = createHmac('sha256', material.indexKey).update(head).update(pk).update(key.sessionId).digest('base64url');
  return prefix + mac;
}
