// attachTicketKeys: keep a tls.Server's session ticket key current. Node holds one 48-byte key
// per server (setTicketKeys), so each rotation replaces it outright: tickets issued under the
// old key fall back to a full handshake (never an error). Keys come from a shared secret (every
// process and host derives the same key per epoch), from the cluster primary
// (serveClusterTicketKeys), or are random per process.
import { randomBytes } from 'node:crypto';
import cluster from 'node:cluster';
import tls from 'node:tls';
import { decodeBytes, type IpcEndpoint, probe, sendSafely } from '../tls/ipc.js';
import { checkBoolean, checkOptionsObject, invalid } from '../tls/validate.js';
import { clockOf, rotateSecondsOf } from './check-options.js';
import { deriveTicketKey, epochAt, MIN_SECRET_BYTES, msUntilNextEpoch, TICKET_KEY_BYTES } from './epoch-key.js';
import { keyMessage, readMessage } from './protocol.js';

/** Options of {@link attachTicketKeys}. */
export interface AttachTicketKeysOptions {
  /**
   * At least 32 random bytes shared by every process (and host) that should accept each other's
   * tickets, e.g. read from a file or a secrets manager. Each epoch's key is HKDF-SHA256 of it.
   * Copied: the caller may wipe its own. Default: none (see `cluster`).
   */
  secret?: Uint8Array;
  /**
   * The key changes when the clock enters a new period of this many seconds (counted from the
   * Unix epoch, so every process switches at the same moment). Default 43200 (12 hours); 1 to
   * 604800. Each switch refuses the tickets issued before it: see the README on the cost.
   */
  rotateSeconds?: number;
  /**
   * Without a secret: take the keys the cluster primary sends (serveClusterTicketKeys) instead of
   * rotating random keys of this process. Default: true in a node:cluster worker.
   */
  cluster?: boolean;
  /** Milliseconds since the Unix epoch; inject one in tests. Default Date.now. */
  clock?: () => number;
}

/** The detach function attachTicketKeys returns. */
export interface TicketKeysAttachment {
  /** Stop rotating (the server keeps its last key) and wipe this process's copies. */
  (): void;
  /** Apply the current epoch's key now if it changed (after moving an injected clock, or after
   * `setSecureContext()` replaced the server's keys); true if the key changed. */
  refresh(): boolean;
  /** The epoch of the key in use (the primary's, for keys it sends); -1 before the first. */
  readonly epoch: number;
  /** False once detached. */
  readonly attached: boolean;
}

const FN = 'attachTicketKeys';
const attachedServers = new WeakSet<tls.Server>();

/**
 * Keep `server`'s TLS session ticket key current (TLS 1.3 resumption, and TLS 1.2 clients that
 * use tickets):
 * - with `secret`, each epoch's 48-byte key is HKDF-SHA256(secret, epoch number): every process
 *   and host holding the secret switches to the same key at the same moment, with no traffic;
 * - without it, in a node:cluster worker, the key the primary's `serveClusterTicketKeys` sends
 *   (until one arrives, the key node:cluster shared; the worker listens on its IPC channel, which
 *   keeps it alive, until detached);
 * - otherwise, a random key per epoch for this process alone.
 *
 * Node holds one key per server, so a rotation refuses tickets issued under the previous key
 * (clients make a full handshake): keep `rotateSeconds` long next to the session lifetime (the
 * share lost is about lifetime / (2 × rotateSeconds)). The timer is unref'd; keys this function
 * made are zeroed when replaced and on detach (Node's own copy inside OpenSSL is replaced).
 *
 * Throws ERR_INVALID_ARGUMENT for a bad argument, a server that already has one attached, or
 * `cluster: true` outside a worker.
 *
 * @example
 * const detach = attachTicketKeys(server, { secret: readFileSync('/run/secrets/ticket-secret') });
 */
export function attachTicketKeys(server: tls.Server, options?: AttachTicketKeysOptions): TicketKeysAttachment {
  if (!(server instanceof tls.Server)) invalid(FN, 'server must be a tls.Server (or https.Server)');
  checkOptionsObject(FN, options);
  const given = options?.secret;
  if (given !== undefined && !(given instanceof Uint8Array)) invalid(FN, 'options.secret must be a Uint8Array');
  if (given !== undefined && given.byteLength < MIN_SECRET_BYTES) {
    invalid(FN, `options.secret is ${given.byteLength} bytes; at least ${MIN_SECRET_BYTES} random bytes are needed`);
  }
  const rotateSeconds = rotateSecondsOf(FN, options?.rotateSeconds);
  const clock = clockOf(FN, options?.clock);
  checkBoolean(FN, options?.cluster, 'options.cluster');
  if (options?.cluster === true && given !== undefined) invalid(FN, 'options.cluster and options.secret exclude each other');
  if (options?.cluster === true && !cluster.isWorker) invalid(FN, 'options.cluster: this process is not a cluster worker');
  if (attachedServers.has(server)) invalid(FN, 'ticket keys are already attached to this server');

  const secret = given === undefined ? undefined : Buffer.from(given); // our copy, wiped on detach
  const fromPrimary = secret === undefined && (options?.cluster ?? cluster.isWorker);
  let current: Buffer | undefined; // the key in use: re-applied after listen, zeroed when replaced
  let epoch = -1;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let attached = true;
  attachedServers.add(server);

  const apply = (key: Buffer): void => {
    try {
      server.setTicketKeys(key);
    } finally {
      current?.fill(0);
      current = key;
    }
  };
  const refresh = (): boolean => {
    if (!attached) return false;
    if (!fromPrimary) {
      const now = epochAt(clock(), rotateSeconds);
      if (now !== epoch) {
        apply(secret === undefined ? randomBytes(TICKET_KEY_BYTES) : deriveTicketKey(secret, rotateSeconds, now));
        epoch = now;
        return true;
      }
    }
    if (current !== undefined) server.setTicketKeys(current); // in case setSecureContext() replaced it
    return false;
  };
  const schedule = (): void => {
    timer = setTimeout(
      () => {
        try {
          refresh();
        } catch {
          // a throw from a timer would take the process down; the next epoch tries again
        }
        if (attached) schedule();
      },
      msUntilNextEpoch(clock(), rotateSeconds),
    );
    timer.unref?.();
  };
  // node:cluster copies the first worker's ticket keys to every worker's server when it listens
  // (_setServerData): put ours back.
  const onListening = (): void => {
    if (current !== undefined) server.setTicketKeys(current);
  };
  const channel = process as unknown as IpcEndpoint & NodeJS.EventEmitter;
  const onMessage = (value: unknown): void => {
    const msg = readMessage(value);
    if (msg === undefined || msg.op !== 'key') return;
    const received = decodeBytes(msg.key, TICKET_KEY_BYTES);
    if (received === undefined || received.byteLength !== TICKET_KEY_BYTES) return;
    const key = Buffer.from(received); // a copy we own; the received bytes are wiped
    received.fill(0);
    try {
      apply(key);
      epoch = Number.isSafeInteger(msg.epoch) ? (msg.epoch as number) : epoch;
    } catch {
      // a server that refuses the key keeps its previous one
    }
  };

  server.on('listening', onListening);
  if (fromPrimary) {
    channel.on('message', onMessage);
    sendSafely(channel, keyMessage('want', { probe: probe() }));
  } else {
    refresh();
    schedule();
  }

  const detach = (): void => {
    if (!attached) return;
    attached = false;
    attachedServers.delete(server);
    clearTimeout(timer);
    server.removeListener('listening', onListening);
    channel.removeListener('message', onMessage);
    current?.fill(0);
    current = undefined;
    secret?.fill(0);
  };
  return Object.defineProperties(detach, {
    refresh: { value: refresh },
    epoch: { get: () => epoch },
    attached: { get: () => attached },
  }) as TicketKeysAttachment;
}
