// Argument checks shared by both implementations. The checks are cheap enough for the hot path;
// the messages are built only when a check fails.
import { fixedView, isUint8Array, lengthOf } from './byte-views.js';
import { describe } from './describe.js';
import { ErrorCodes, fail } from './errors.js';
import { MAX_PARTIAL_KEY_BYTES, MAX_SESSION_ID_BYTES } from './limits.js';
import type { PartialKey, SessionKey } from './types.js';

const encoder = new TextEncoder();

/** Throw unless `id` is a Uint8Array of 1..255 bytes. */
export function validateSessionId(fn: string, id: unknown): asserts id is Uint8Array {
  if (!isUint8Array(id)) {
    fail(ErrorCodes.INVALID_ARGUMENT, fn, `key.sessionId must be a Uint8Array, got ${describe(id)}`);
  }
  const n = lengthOf(id);
  if (n === 0) fail(ErrorCodes.INVALID_ARGUMENT, fn, 'key.sessionId must not be empty');
  if (n > MAX_SESSION_ID_BYTES) {
    fail(ErrorCodes.KEY_TOO_LONG, fn, `key.sessionId is ${n} bytes; at most ${MAX_SESSION_ID_BYTES} are accepted`);
  }
}

/** Throw unless `pk` is a string or a Uint8Array of at most 512 bytes (string length: see utf8). */
export function validatePartialKey(fn: string, pk: unknown): asserts pk is PartialKey {
  if (typeof pk === 'string') {
    if (pk.length > MAX_PARTIAL_KEY_BYTES) tooLongPartialKey(fn, pk.length);
    return;
  }
  if (!isUint8Array(pk)) {
    fail(ErrorCodes.INVALID_ARGUMENT, fn, `partialKey must be a string or a Uint8Array, got ${describe(pk)}`);
  }
  const n = lengthOf(pk);
  if (n > MAX_PARTIAL_KEY_BYTES) tooLongPartialKey(fn, n);
}

/** Throw unless `key` is an object (the members are checked by {@link checkKeyParts}). */
export function checkKeyObject(fn: string, key: unknown): asserts key is SessionKey {
  if (typeof key !== 'object' || key === null) notAKey(fn, key);
}

/**
 * Throw unless `pk` and `id` are a valid partial key and session id (the partial key is checked
 * first). The passing case is a few comparisons, small enough that V8 inlines it into every hot
 * path (as one larger function it was left out of line: a tenth of a 10k lookup); the failing
 * case calls the full checks, which find the reason and throw. Returns the session id's length.
 */
export function checkKeyParts(fn: string, pk: unknown, id: unknown): number {
  if (typeof pk === 'string' ? pk.length > MAX_PARTIAL_KEY_BYTES : !isUint8Array(pk) || lengthOf(pk) > MAX_PARTIAL_KEY_BYTES) {
    validatePartialKey(fn, pk);
  }
  if (!isUint8Array(id)) validateSessionId(fn, id);
  const idLength = lengthOf(id);
  // (length - 1) >>> 0 is below the maximum exactly when 1 <= length <= maximum
  if ((idLength - 1) >>> 0 >= MAX_SESSION_ID_BYTES) validateSessionId(fn, id);
  return idLength;
}

/**
 * A checked partial key as used from here on: a string as it is, bytes as a view of exactly the
 * length checked now (read once more: another thread may have grown a view of a growable
 * SharedArrayBuffer since the first check). Run no caller code after it.
 */
export function fixedPartialKey(fn: string, pk: PartialKey): PartialKey {
  if (typeof pk === 'string') return pk;
  const n = lengthOf(pk);
  if (n > MAX_PARTIAL_KEY_BYTES) tooLongPartialKey(fn, n);
  return fixedView(pk, n);
}

function notAKey(fn: string, key: unknown): never {
  fail(ErrorCodes.INVALID_ARGUMENT, fn, `key must be an object { partialKey, sessionId }, got ${describe(key)}`);
}

/** Throw unless `session` is a non-empty Uint8Array (its size is checked by the caller). */
export function validateSession(fn: string, session: unknown): asserts session is Uint8Array {
  if (!isUint8Array(session)) {
    fail(ErrorCodes.INVALID_ARGUMENT, fn, `session must be a Uint8Array, got ${describe(session)}`);
  }
  if (lengthOf(session) === 0) fail(ErrorCodes.INVALID_ARGUMENT, fn, 'session must not be empty');
}

export function tooLongPartialKey(fn: string, bytes: number): never {
  fail(ErrorCodes.KEY_TOO_LONG, fn, `partialKey is ${bytes} bytes; at most ${MAX_PARTIAL_KEY_BYTES} are accepted`);
}

/** UTF-8 bytes of a partial key string that is not pure ASCII; throws if malformed or too long. */
export function utf8PartialKey(fn: string, pk: string): Uint8Array {
  // A lone surrogate would encode as U+FFFD, making two different strings one key.
  if (typeof pk.isWellFormed === 'function' && !pk.isWellFormed()) {
    fail(ErrorCodes.INVALID_ARGUMENT, fn, 'partialKey contains a lone surrogate (not valid Unicode)');
  }
  const bytes = encoder.encode(pk);
  if (bytes.length > MAX_PARTIAL_KEY_BYTES) tooLongPartialKey(fn, bytes.length);
  return bytes;
}

/** Whether every UTF-16 unit of `s` is ASCII (then its UTF-8 bytes are its char codes). */
export function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) >= 0x80) return false;
  return true;
}
