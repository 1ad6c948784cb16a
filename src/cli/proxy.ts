// One terminated connection: TLS from the client, plain TCP to the upstream, bytes both ways with
// backpressure (pipe pauses the faster side), half-close passed on, an idle timeout, and one log
// line per fault. Counters feed the metrics endpoint.
import net from 'node:net';
import type tls from 'node:tls';
import type { HostPort } from './args.js';

/** Counters of the terminator, exposed by --metrics. */
export interface ProxyCounters {
  handshakes: number;
  resumedHandshakes: number;
  handshakeErrors: number;
  connectionsActive: number;
  upstreamErrors: number;
  idleTimeouts: number;
  /** Plaintext bytes from clients to the upstream. */
  bytesIn: number;
  /** Plaintext bytes from the upstream to clients. */
  bytesOut: number;
}

export function newCounters(): ProxyCounters {
  return {
    handshakes: 0,
    resumedHandshakes: 0,
    handshakeErrors: 0,
    connectionsActive: 0,
    upstreamErrors: 0,
    idleTimeouts: 0,
    bytesIn: 0,
    bytesOut: 0,
  };
}

/** Where fault lines go (stderr in the CLI). */
export type Log = (line: string) => void;

function peer(socket: net.Socket): string {
  const a = socket.remoteAddress;
  return a === undefined ? 'client' : `${a.includes(':') ? `[${a}]` : a}:${socket.remotePort}`;
}

/**
 * Connect a client's TLS socket to the upstream. Resolves when both sides have closed, so a
 * graceful shutdown can wait for every connection in flight.
 */
export function proxy(
  client: tls.TLSSocket,
  upstream: HostPort,
  idleMs: number,
  counters: ProxyCounters,
  log: Log,
): Promise<void> {
  counters.connectionsActive++;
  const who = peer(client);
  const target = net.connect({ host: upstream.host, port: upstream.port, allowHalfOpen: true });
  let failed = false;
  const fault = (line: string): void => {
    if (failed) return;
    failed = true;
    log(line);
    client.destroy();
    target.destroy();
  };
  target.on('error', (error: NodeJS.ErrnoException) => {
    counters.upstreamErrors++;
    fault(`upstream ${upstream.host}:${upstream.port}: ${error.code ?? error.message} (client ${who})`);
  });
  client.on('error', (error: NodeJS.ErrnoException) => fault(`client ${who}: ${error.code ?? error.message}`));
  const idle = (): void => {
    counters.idleTimeouts++;
    fault(`client ${who}: idle for ${idleMs / 1000} s, closed`);
  };
  client.setTimeout(idleMs, idle);
  target.setTimeout(idleMs, idle);
  // pipe() ends the other side when one side ends (half-close) and pauses on backpressure.
  client.pipe(target);
  target.pipe(client);
  const closed = (socket: net.Socket): Promise<void> => new Promise((resolve) => socket.once('close', () => resolve()));
  return Promise.all([closed(client), closed(target)]).then(() => {
    counters.connectionsActive--;
    counters.bytesIn += target.bytesWritten;
    counters.bytesOut += target.bytesRead;
  });
}
