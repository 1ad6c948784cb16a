// Argument checks of the cluster store's calls: bad input throws before anything is sent.
import { ErrorCodes, MAX_PARTIAL_KEY_BYTES, MAX_SESSION_BYTES_LIMIT, MAX_SESSION_ID_BYTES, SessionCacheError } from '../api.js';
import type { PartialKey, SessionKey } from '../api.js';
import { invalid } from '../tls/validate.js';
import { partialKeyBytes } from './protocol.js';

/** Throw unless `partialKey` is a string or Uint8Array of at most 512 bytes. */
export function checkPartialKey(fn: string, partialKey: unknown): asserts partialKey is PartialKey {
  if (typeof partialKey !== 'string' && !(partialKey instanceof Uint8Array)) {
    invalid(fn, 'partialKey must be a string or a Uint8Array');
  }
  const n = partialKeyBytes(partialKey).byteLength;
  if (n > MAX_PARTIAL_KEY_BYTES) {
    throw new SessionCacheError(ErrorCodes.KEY_TOO_LONG, `${fn}: partialKey is ${n} bytes; at most ${MAX_PARTIAL_KEY_BYTES}`);
  }
}

/** Throw unless `key` is `{ partialKey, sessionId }` with a sessionId of 1 to 255 bytes. */
export function checkKey(fn: string, key: unknown): asserts key is SessionKey {
  if (typeof key !== 'object' || key === null) invalid(fn, 'key must be an object { partialKey, sessionId }');
  const { partialKey, sessionId } = key as Partial<SessionKey>;
  checkPartialKey(fn, partialKey);
  if (!(sessionId instanceof Uint8Array)) invalid(fn, 'key.sessionId must be a Uint8Array');
  if (sessionId.byteLength === 0) invalid(fn, 'key.sessionId must not be empty');
  if (sessionId.byteLength > MAX_SESSION_ID_BYTES) {
    throw new SessionCacheError(
      ErrorCodes.KEY_TOO_LONG,
      `${fn}: key.sessionId is ${sessionId.byteLength} bytes; at most ${MAX_SESSION_ID_BYTES}`,
    );
  }
}

/** Throw unless `session` is a non-empty Uint8Array of at most 1 MiB. */
export function checkSession(fn: string, session: unknown): asserts session is Uint8Array {
  if (!(session instanceof Uint8Array) || session.byteLength === 0) invalid(fn, 'session must be a non-empty Uint8Array');
  if (session.byteLength > MAX_SESSION_BYTES_LIMIT) {
    throw new SessionCacheError(
      ErrorCodes.SESSION_TOO_LARGE,
      `${fn}: session is ${session.byteLength} bytes; at most ${MAX_SESSION_BYTES_LIMIT}`,
    );
  }
}
