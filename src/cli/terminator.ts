// One process's terminator: the TLS server with the session store and ticket keys attached, each
// secure connection proxied to the upstream, and a graceful drain. Used alone (`serve`) and by
// each worker of `serve --workers`.
import type net from 'node:net';
import tls from 'node:tls';
import { type HostPort, UsageError } from './args.js';
import {
  attachSessionCache,
  attachTicketKeys,
  type ServerSessionStore,
  type SessionCache,
  type SessionCacheAttachment,
  sessionCacheServerOptions,
} from './library.js';
import { type Log, newCounters, type ProxyCounters, proxy } from './proxy.js';

/** What a terminator needs (the parsed command line, with the certificate in hand). */
export interface TerminatorSettings {
  key: string | Buffer;
  cert: string | Buffer;
  upstream: HostPort;
  tickets: boolean;
  ticketSecret: Buffer | undefined;
  idleMs: number;
}

/** A running terminator. */
export interface Terminator {
  server: tls.Server;
  counters: ProxyCounters;
  attachment: SessionCacheAttachment;
  /** Listen on `where`, or fail with one line (port in use, no permission). */
  listen(where: HostPort): Promise<HostPort>;
  /** Stop accepting and wait for the connections in flight, at most `ms`; then close the rest.
   * Resolves true when every connection finished by itself. */
  drain(ms: number): Promise<boolean>;
  /** Connections in flight. */
  readonly inFlight: number;
}

/** The server options for `tickets` on or off, with one sessionIdContext for every process. */
function ticketOptions(tickets: boolean): tls.TlsOptions {
  return tickets
    ? { sessionIdContext: 'tls-resumption' }
    : sessionCacheServerOptions({ sessionIdContext: 'tls-resumption', tls13: true });
}

/** Start a terminator resuming through `store` (a cache, or a cluster worker's store). */
export function startTerminator(settings: TerminatorSettings, store: SessionCache | ServerSessionStore, log: Log): Terminator {
  const counters = newCounters();
  const server = tls.createServer({
    key: settings.key,
    cert: settings.cert,
    allowHalfOpen: true,
    ...ticketOptions(settings.tickets),
  });
  const attachment = attachSessionCache(server, store, { warn: false });
  // Rotating ticket keys: derived from the secret, or (in a cluster worker) the primary's, or
  // random ones of this process.
  const tickets = settings.tickets
    ? attachTicketKeys(server, settings.ticketSecret ? { secret: settings.ticketSecret } : {})
    : undefined;
  const inFlight = new Map<tls.TLSSocket, Promise<void>>();
  server.on('secureConnection', (socket: tls.TLSSocket) => {
    counters.handshakes++;
    if (socket.isSessionReused()) counters.resumedHandshakes++;
    const done = proxy(socket, settings.upstream, settings.idleMs, counters, log);
    inFlight.set(socket, done);
    void done.then(() => inFlight.delete(socket));
  });
  server.on('tlsClientError', (error: NodeJS.ErrnoException, socket: tls.TLSSocket) => {
    counters.handshakeErrors++;
    log(`handshake with ${socket.remoteAddress ?? 'client'}: ${error.code ?? error.message}`);
  });
  return {
    server,
    counters,
    attachment,
    get inFlight() {
      return inFlight.size;
    },
    listen: (where) =>
      new Promise((resolve, reject) => {
        const onError = (error: NodeJS.ErrnoException): void => {
          reject(new UsageError(`cannot listen on ${where.host}:${where.port} for TLS: ${error.code ?? error.message}`));
        };
        server.once('error', onError);
        server.listen(where.port, where.host, () => {
          server.off('error', onError);
          resolve({ host: where.host, port: (server.address() as net.AddressInfo).port });
        });
      }),
    drain: async (ms) => {
      server.close();
      tickets?.();
      const drained = Promise.all(inFlight.values()).then(() => true);
      const deadline = new Promise<boolean>((r) => setTimeout(() => r(false), ms).unref());
      const clean = await Promise.race([drained, deadline]);
      if (!clean) {
        log(`drain timeout: closing ${inFlight.size} connections`);
        for (const socket of inFlight.keys()) socket.destroy();
      }
      attachment();
      return clean;
    },
  };
}
