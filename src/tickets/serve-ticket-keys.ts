// serveClusterTicketKeys: random ticket keys made by the cluster primary and sent to every worker
// (whose servers use attachTicketKeys without a secret), so all workers switch together. The
// primary keeps only the current key, zeroed when replaced and on close().
import { randomBytes } from 'node:crypto';
import cluster, { type Worker } from 'node:cluster';
import { carriesBytes, encodeBytes, probe, sendSafely } from '../tls/ipc.js';
import { checkOptionsObject, invalid } from '../tls/validate.js';
import { clockOf, rotateSecondsOf } from './check-options.js';
import { epochAt, msUntilNextEpoch, TICKET_KEY_BYTES } from './epoch-key.js';
import { keyMessage, readMessage } from './protocol.js';

/** Options of {@link serveClusterTicketKeys}. */
export interface ServeClusterTicketKeysOptions {
  /** A new random key when the clock enters a new period of this many seconds. Default 43200
   * (12 hours); 1 to 604800. */
  rotateSeconds?: number;
  /** Milliseconds since the Unix epoch; inject one in tests. Default Date.now. */
  clock?: () => number;
}

/** The handle serveClusterTicketKeys returns. */
export interface ClusterTicketKeys {
  /** Make and send a new key now (e.g. after a suspected leak), without waiting for the epoch. */
  rotate(): void;
  /** Stop rotating and answering; the current key is zeroed. Idempotent. */
  close(): void;
  /** The epoch of the current key. */
  readonly epoch: number;
  readonly closed: boolean;
}

const FN = 'serveClusterTicketKeys';
let serving: ClusterTicketKeys | undefined;

/**
 * In the cluster primary: make a random 48-byte ticket key per period and send it to every
 * worker, forked before or after the call; workers apply it with `attachTicketKeys(server)` (no
 * secret). Without it, node:cluster copies the first worker's key to all workers and never
 * rotates it. Keys cross the IPC channel (as bytes with `serialization: 'advanced'`, which lets
 * each copy be wiped once sent; as base64 otherwise). The timer is unref'd.
 *
 * For several hosts or independent processes, give each `attachTicketKeys` the same `secret`
 * instead: no primary is needed.
 *
 * Throws ERR_INVALID_ARGUMENT outside the primary, for bad options, or while already serving.
 */
export function serveClusterTicketKeys(options?: ServeClusterTicketKeysOptions): ClusterTicketKeys {
  if (!cluster.isPrimary) invalid(FN, 'call it in the cluster primary (workers use attachTicketKeys)');
  checkOptionsObject(FN, options);
  const rotateSeconds = rotateSecondsOf(FN, options?.rotateSeconds);
  const clock = clockOf(FN, options?.clock);
  if (serving !== undefined) invalid(FN, 'ticket keys are already served in this process; close() them first');

  let key = randomBytes(TICKET_KEY_BYTES);
  let epoch = epochAt(clock(), rotateSeconds);
  let closed = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const raw = new Map<number, boolean>(); // worker id -> its channel carries bytes

  const sendTo = (worker: Worker): void => {
    const copy = Buffer.from(key);
    const isRaw = raw.get(worker.id) === true;
    const wire = encodeBytes(copy, isRaw);
    if (!isRaw) copy.fill(0);
    sendSafely(worker, keyMessage('key', { key: wire, epoch, probe: probe() }), () => copy.fill(0));
  };
  const sendAll = (): void => {
    for (const worker of Object.values(cluster.workers ?? {})) if (worker !== undefined) sendTo(worker);
  };
  const replace = (): void => {
    key.fill(0);
    key = randomBytes(TICKET_KEY_BYTES);
    sendAll();
  };
  const schedule = (): void => {
    timer = setTimeout(
      () => {
        const now = epochAt(clock(), rotateSeconds);
        if (now !== epoch) {
          epoch = now;
          replace();
        }
        if (!closed) schedule();
      },
      msUntilNextEpoch(clock(), rotateSeconds),
    );
    timer.unref?.();
  };
  const onMessage = (worker: Worker, value: unknown): void => {
    const msg = readMessage(value);
    if (msg === undefined || msg.op !== 'want') return;
    raw.set(worker.id, carriesBytes(msg.probe));
    sendTo(worker);
  };
  const onExit = (worker: Worker): void => void raw.delete(worker.id);

  cluster.on('message', onMessage);
  cluster.on('exit', onExit);
  sendAll(); // workers forked before the call, whose 'want' nobody heard
  schedule();

  const handle: ClusterTicketKeys = {
    rotate() {
      if (closed) return;
      epoch = epochAt(clock(), rotateSeconds);
      replace();
    },
    close() {
      if (closed) return;
      closed = true;
      if (serving === handle) serving = undefined;
      clearTimeout(timer);
      cluster.removeListener('message', onMessage);
      cluster.removeListener('exit', onExit);
      key.fill(0);
    },
    get epoch() {
      return epoch;
    },
    get closed() {
      return closed;
    },
  };
  serving = handle;
  return handle;
}
