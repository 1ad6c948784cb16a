// Just enough DER to read the head of an OpenSSL SSL_SESSION (ssl/ssl_asn1.c):
//   SEQUENCE { INTEGER 1, INTEGER ssl_version, OCTET STRING cipher, OCTET STRING session_id, ... }
// The adapters need the protocol version (TLS 1.3 sessions are never looked up by Node's server)
// and the session id (a stored session is only handed back for the id it was made under).
// Nothing past the session id is read: the master secret that follows never leaves the buffer.

/** `ssl_version` of a TLS 1.2 session. */
export const TLS12_VERSION = 0x0303;
/** `ssl_version` of a TLS 1.3 session. */
export const TLS13_VERSION = 0x0304;

/** The protocol version and session id of a DER-encoded SSL_SESSION. */
export interface SessionHeader {
  /** `ssl_version`: 0x0303 for TLS 1.2, 0x0304 for TLS 1.3. */
  version: number;
  /** The session id: a view into the DER buffer, not a copy. May be empty. */
  sessionId: Uint8Array;
}

const SEQUENCE = 0x30;
const INTEGER = 0x02;
const OCTET_STRING = 0x04;

/** A TLV's tag position and content range; `end` is exclusive. */
interface Tlv {
  start: number;
  end: number;
}

/** Read one TLV with `tag` at `at`, within `limit`; undefined if malformed. */
function readTlv(der: Uint8Array, at: number, limit: number, tag: number): Tlv | undefined {
  if (at + 2 > limit || der[at] !== tag) return undefined;
  let length = der[at + 1]!;
  let start = at + 2;
  if (length & 0x80) {
    // Long form: an SSL_SESSION with a peer certificate chain needs at most 3 length bytes.
    const bytes = length & 0x7f;
    if (bytes === 0 || bytes > 3 || start + bytes > limit) return undefined;
    length = 0;
    for (let i = 0; i < bytes; i++) length = length * 256 + der[start + i]!;
    start += bytes;
  }
  const end = start + length;
  return end > limit ? undefined : { start, end };
}

/** The value of a small non-negative INTEGER's content, or -1. */
function smallInteger(der: Uint8Array, tlv: Tlv): number {
  const n = tlv.end - tlv.start;
  if (n < 1 || n > 4 || der[tlv.start]! & 0x80) return -1;
  let value = 0;
  for (let i = tlv.start; i < tlv.end; i++) value = value * 256 + der[i]!;
  return value;
}

/**
 * The protocol version and session id of a DER-encoded OpenSSL SSL_SESSION (what Node hands to
 * `newSession`, `'session'` and `resumeSession`), or undefined when `der` is not one.
 */
export function readSessionHeader(der: Uint8Array): SessionHeader | undefined {
  const seq = readTlv(der, 0, der.length, SEQUENCE);
  if (seq === undefined) return undefined;
  const limit = seq.end;
  const format = readTlv(der, seq.start, limit, INTEGER);
  if (format === undefined || smallInteger(der, format) !== 1) return undefined;
  const version = readTlv(der, format.end, limit, INTEGER);
  if (version === undefined) return undefined;
  const value = smallInteger(der, version);
  if (value < 0) return undefined;
  const cipher = readTlv(der, version.end, limit, OCTET_STRING);
  if (cipher === undefined) return undefined;
  const id = readTlv(der, cipher.end, limit, OCTET_STRING);
  if (id === undefined) return undefined;
  return { version: value, sessionId: der.subarray(id.start, id.end) };
}

/** Whether two byte strings are equal. */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
