// Ticket keys per epoch. Time is cut into epochs of `rotateSeconds` counted from the Unix epoch,
// so every process and host that reads the same clock agrees on the epoch number and on the
// moment it changes; with a shared secret they also agree on its key, with no traffic at all.
import { hkdfSync } from 'node:crypto';

/** Node's ticket key: 16 bytes name, 16 bytes HMAC key, 16 bytes AES key. */
export const TICKET_KEY_BYTES = 48;
/** Shortest secret accepted. */
export const MIN_SECRET_BYTES = 32;
const SALT = 'tls-resumption/ticket-keys/v1';

/** The epoch `nowMs` falls in. */
export function epochAt(nowMs: number, rotateSeconds: number): number {
  return Math.floor(nowMs / (rotateSeconds * 1000));
}

/** Milliseconds from `nowMs` until the next epoch begins (at least 1). */
export function msUntilNextEpoch(nowMs: number, rotateSeconds: number): number {
  const period = rotateSeconds * 1000;
  return Math.max(1, (epochAt(nowMs, rotateSeconds) + 1) * period - nowMs);
}

/**
 * The 48-byte key of `epoch`: HKDF-SHA256 of `secret`, with the period and the epoch number in
 * `info` (a different period never yields another period's keys). The caller wipes it.
 */
export function deriveTicketKey(secret: Uint8Array, rotateSeconds: number, epoch: number): Buffer {
  const info = Buffer.alloc(12);
  info.writeUInt32BE(rotateSeconds, 0);
  info.writeBigUInt64BE(BigInt(epoch), 4);
  return Buffer.from(hkdfSync('sha256', secret, SALT, Buffer.concat([Buffer.from('epoch'), info]), TICKET_KEY_BYTES));
}
