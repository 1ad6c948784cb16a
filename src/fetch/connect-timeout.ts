// The connect timeout of undici's own connector (lib/core/connect.js), for ours: a Client given a
// `connect` function applies no timeout of its own. The error is recognised as undici's
// ConnectTimeoutError without loading undici: undici's error classes answer `instanceof` through
// these registered symbols.
import type net from 'node:net';

const UNDICI_ERROR = Symbol.for('undici.error.UND_ERR');
const CONNECT_TIMEOUT_ERROR = Symbol.for('undici.error.UND_ERR_CONNECT_TIMEOUT');

/** A connection that did not finish its handshake in time: `instanceof` undici's ConnectTimeoutError. */
export class ConnectTimeoutError extends Error {
  readonly code = 'UND_ERR_CONNECT_TIMEOUT';

  constructor(message: string) {
    super(message);
    this.name = 'ConnectTimeoutError';
  }

  get [UNDICI_ERROR](): boolean {
    return true;
  }

  get [CONNECT_TIMEOUT_ERROR](): boolean {
    return true;
  }
}

/**
 * Destroy `socket` with a {@link ConnectTimeoutError} unless it connects, fails or closes within
 * `timeout` ms (0: never). Returns the function that disarms it.
 */
export function armConnectTimeout(socket: net.Socket, timeout: number, hostname: string, port: string | number): () => void {
  if (!timeout) return () => {};
  let immediate: NodeJS.Immediate | undefined;
  const timer = setTimeout(() => {
    // one more turn, as undici does, so a socket error already queued wins over the timeout
    immediate = setImmediate(() => {
      const attempted = (socket as { autoSelectFamilyAttemptedAddresses?: unknown }).autoSelectFamilyAttemptedAddresses;
      const where = Array.isArray(attempted)
        ? `attempted addresses: ${attempted.join(', ')}`
        : `attempted address: ${hostname}:${port}`;
      socket.destroy(new ConnectTimeoutError(`Connect Timeout Error (${where}, timeout: ${timeout}ms)`));
    });
  }, timeout);
  // the pending socket keeps the process alive, not this timer
  timer.unref();
  const disarm = () => {
    clearTimeout(timer);
    if (immediate !== undefined) clearImmediate(immediate);
  };
  socket.once('close', disarm);
  return disarm;
}
