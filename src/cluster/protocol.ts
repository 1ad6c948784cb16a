// The messages between clusterSessionStore (in the workers) and serveClusterSessionCache (in the
// primary). Workers are trusted code, but the primary reads every message defensively: a
// malformed one is counted and dropped, never thrown.
//
//   worker -> primary   join      { s, probe }                  a store announces itself
//                       leave     { s }                          a store closed
//                       lookup    { s, id, key }                 -> reply { s, id, session? }
//                       update    { s, id, key, session }        -> reply { s, id, ok, code? }
//                       delete    { s, id, key }                 -> reply { s, id, ok }
//                       select    { s, id, partialKey }          -> reply { s, id, sessions }
//                       stats     { s, id, store, adapters }     answer to stats?
//   primary -> worker   welcome   { s, probe }                  answer to join
//                       serving   { probe }                      the primary started serving: join
//                       closed    {}                             the primary stopped: every call is a miss
//                       stats?    { id }                         every store answers with stats
//
// `s` names a store (several may live in one worker); `id` numbers its requests. Keys travel as
// `{ p, i }`: the partial key as bytes (a string partial key stands for its UTF-8 bytes, as in the
// cache) and the session id; bytes are Uint8Arrays or base64 (see ../tls/ipc.ts).
import { MAX_PARTIAL_KEY_BYTES, MAX_SESSION_ID_BYTES } from '../api.js';
import type { PartialKey, SessionKey } from '../api.js';
import { decodeBytes, encodeBytes, type IpcMessage, isMessage, message } from '../tls/ipc.js';

/** The protocol name carried by every session-store message. */
export const PROTOCOL = 'session-store/1';

/** A received session-store message, or undefined. */
export function readMessage(value: unknown): IpcMessage | undefined {
  return isMessage(value, PROTOCOL) ? value : undefined;
}

/** A session-store message. */
export function storeMessage(op: string, fields: Record<string, unknown>): IpcMessage {
  return message(PROTOCOL, op, fields);
}

const encoder = new TextEncoder();

/** A partial key as bytes: a string stands for its UTF-8 bytes, as in the cache. */
export function partialKeyBytes(partialKey: PartialKey): Uint8Array {
  return typeof partialKey === 'string' ? encoder.encode(partialKey) : partialKey;
}

/** A key as it travels. */
export function encodeKey(key: SessionKey, raw: boolean): { p: unknown; i: unknown } {
  return { p: encodeBytes(partialKeyBytes(key.partialKey), raw), i: encodeBytes(key.sessionId, raw) };
}

/** A received key, or undefined when malformed. */
export function decodeKey(value: unknown): SessionKey | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { p, i } = value as { p?: unknown; i?: unknown };
  const partialKey = decodeBytes(p, MAX_PARTIAL_KEY_BYTES);
  const sessionId = decodeBytes(i, MAX_SESSION_ID_BYTES);
  if (partialKey === undefined || sessionId === undefined || sessionId.byteLength === 0) return undefined;
  return { partialKey, sessionId };
}

/** Whether `value` is a store name or request number: a positive safe integer. */
export function isCounter(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0;
}
