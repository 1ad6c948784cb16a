// Messages over a node:cluster / child_process IPC channel, shared by the cluster session store
// and the cluster ticket keys. Each message carries a namespace property so it never clashes with
// the user's own messages, and bytes travel as Uint8Arrays when the channel uses
// `serialization: 'advanced'` (structured clone) or as base64 strings over the default JSON.
// Node removes NODE_CHANNEL_SERIALIZATION_MODE from the child's environment, so each side learns
// the other's mode from a probe: a Uint8Array arrives as one only over an 'advanced' channel.

/** The property that marks this package's messages; its value names the protocol. */
export const NAMESPACE = '$tlsResumption';

/** Bytes as they travel: a Uint8Array ('advanced') or a base64 string ('json'). */
export type WireBytes = Uint8Array | string;

/** A namespaced message. */
export interface IpcMessage {
  [NAMESPACE]: string;
  op: string;
  [field: string]: unknown;
}

/** Anything with Node's `send(message, handle, options, callback)` (a cluster Worker, `process`). */
export interface IpcEndpoint {
  // `never` parameters: accepts Node's overloads (a cluster Worker's, `process`'s); see sendSafely
  send?: (message: never, ...rest: never[]) => boolean;
  isConnected?: () => boolean;
  connected?: boolean;
}

/** The probe sent in every greeting: arrives as a Uint8Array only over an 'advanced' channel. */
export function probe(): Uint8Array {
  return Uint8Array.of(1);
}

/** Whether a received probe shows the channel carries typed arrays. */
export function carriesBytes(received: unknown): boolean {
  return received instanceof Uint8Array;
}

/** `bytes` as they should travel: as they are over an 'advanced' channel, else base64. */
export function encodeBytes(bytes: Uint8Array, raw: boolean): WireBytes {
  if (raw) return bytes;
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

/**
 * Received bytes as a Uint8Array the receiver owns (a view into the received message, or a fresh
 * decoding of base64), or undefined when `value` is neither form or longer than `maxBytes`.
 */
export function decodeBytes(value: unknown, maxBytes: number): Uint8Array | undefined {
  if (value instanceof Uint8Array) return value.byteLength <= maxBytes ? value : undefined;
  if (typeof value !== 'string' || value.length > Math.ceil(maxBytes / 3) * 4) return undefined;
  const bytes = Buffer.from(value, 'base64');
  if (bytes.toString('base64') !== value) {
    bytes.fill(0);
    return undefined; // not canonical base64: a malformed message
  }
  return bytes;
}

/** Whether `value` is a message of protocol `protocol`. */
export function isMessage(value: unknown, protocol: string): value is IpcMessage {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as Record<string, unknown>)[NAMESPACE] === protocol &&
    typeof (value as Record<string, unknown>).op === 'string'
  );
}

/** A message of `protocol`. */
export function message(protocol: string, op: string, fields: Record<string, unknown>): IpcMessage {
  return { [NAMESPACE]: protocol, op, ...fields };
}

/**
 * Send `msg` to `to` without ever throwing or emitting 'error' (a closed channel, a killed
 * worker): `sent` is called once the message is serialized (or failed), which is when the bytes
 * it carries may be wiped. Node queues messages while a handle is in flight (round-robin
 * scheduling sends connections to the workers), so wiping right after send() would be too early.
 * Returns false if the message could not be handed to the channel.
 */
export function sendSafely(to: IpcEndpoint, msg: IpcMessage, sent?: (ok: boolean) => void): boolean {
  const connected = typeof to.isConnected === 'function' ? to.isConnected() : to.connected !== false;
  if (!connected || typeof to.send !== 'function') {
    sent?.(false);
    return false;
  }
  try {
    // With a callback Node reports a closed channel to it instead of emitting 'error'.
    const send = to.send as (
      message: unknown,
      handle: undefined,
      options: object,
      callback: (e: Error | null) => void,
    ) => boolean;
    send.call(to, msg, undefined, {}, (error) => sent?.(error === null || error === undefined));
    return true;
  } catch {
    sent?.(false);
    return false;
  }
}
