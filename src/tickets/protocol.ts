// The messages that carry random ticket keys from the cluster primary to its workers (used only
// without a shared secret):
//   worker -> primary   want  { probe }            a server wants the current key
//   primary -> worker   key   { key, epoch, probe } the key to use from now on
import { isMessage, type IpcMessage, message } from '../tls/ipc.js';

/** The protocol name carried by every ticket-key message. */
export const PROTOCOL = 'ticket-keys/1';

/** A received ticket-key message, or undefined. */
export function readMessage(value: unknown): IpcMessage | undefined {
  return isMessage(value, PROTOCOL) ? value : undefined;
}

/** A ticket-key message. */
export function keyMessage(op: string, fields: Record<string, unknown>): IpcMessage {
  return message(PROTOCOL, op, fields);
}
