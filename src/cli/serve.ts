// `tls-resumption serve`: a TLS-terminating TCP proxy with the session cache attached.
import { readFileSync } from 'node:fs';
import type net from 'node:net';
import tls from 'node:tls';
import {
  attachSessionCache,
  createSessionCache,
  MAX_SESSIONS_LIMIT,
  type SessionCache,
  SessionCacheError,
  sessionCacheServerOptions,
} from './library.js';
import { type HostPort, hostPort, integer, onOff, parse, size, UsageError } from './args.js';
import { type Metric, serveMetrics } from './metrics.js';
import { type Log, newCounters, type ProxyCounters, proxy } from './proxy.js';
import { selfSignedCertificate } from './self-signed.js';

export const SERVE_HELP = `Usage: tls-resumption serve --listen HOST:PORT --upstream HOST:PORT [options]

Terminates TLS on --listen and forwards the plaintext bytes to --upstream, resuming TLS sessions
through the session cache (TLS 1.2 session ids) and session tickets (TLS 1.2 and 1.3).

Options:
  --listen HOST:PORT        where clients connect (port 0: any free port)
  --upstream HOST:PORT      the plaintext service behind it
  --cert FILE --key FILE    PEM certificate chain and key (default: a self-signed
                            certificate for localhost, its fingerprint printed)
  --max-sessions N          sessions the cache holds (default 20480)
  --memory SIZE             byte budget for sessions, e.g. 64MB (default 512 B per session)
  --lifetime SECONDS        session lifetime (default 300)
  --tickets on|off          session tickets (default on; off: TLS 1.3 never resumes)
  --idle-timeout SECONDS    close a connection idle this long (default 300)
  --drain-timeout SECONDS   on SIGINT/SIGTERM, wait this long for connections (default 30)
  --metrics HOST:PORT       serve Prometheus metrics at http://HOST:PORT/metrics
  -h, --help                this text
`;

const OPTIONS = {
  listen: { type: 'string' },
  upstream: { type: 'string' },
  cert: { type: 'string' },
  key: { type: 'string' },
  'max-sessions': { type: 'string' },
  memory: { type: 'string' },
  lifetime: { type: 'string' },
  tickets: { type: 'string' },
  'idle-timeout': { type: 'string' },
  'drain-timeout': { type: 'string' },
  metrics: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** What `serve` runs with, every value checked. */
export interface ServeConfig {
  listen: HostPort;
  upstream: HostPort;
  key: string | Buffer;
  cert: string | Buffer;
  /** Set when the certificate was generated. */
  fingerprint256: string | undefined;
  maxSessions: number;
  memoryBytes: number | undefined;
  lifetimeSeconds: number;
  tickets: boolean;
  idleMs: number;
  drainMs: number;
  metrics: HostPort | undefined;
}

function readPem(flag: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new UsageError(`cannot read ${flag} ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

/** Parse and check `serve`'s arguments (files are read, the key and certificate must match). */
export function serveConfig(args: string[]): ServeConfig | 'help' {
  const { values: v } = parse('serve', args, OPTIONS);
  if (v.help) return 'help';
  const listen = hostPort('--listen', v.listen, true);
  const upstream = hostPort('--upstream', v.upstream, false);
  if ((v.cert === undefined) !== (v.key === undefined)) throw new UsageError('--cert and --key go together');
  let key: string | Buffer;
  let cert: string | Buffer;
  let fingerprint256: string | undefined;
  if (v.cert !== undefined && v.key !== undefined) {
    cert = readPem('--cert', v.cert);
    key = readPem('--key', v.key);
    try {
      tls.createSecureContext({ key, cert });
    } catch (error) {
      throw new UsageError(`--cert ${v.cert} / --key ${v.key}: ${(error as Error).message}`);
    }
  } else {
    const generated = selfSignedCertificate();
    ({ key, cert, fingerprint256 } = generated);
  }
  const lifetimeSeconds = integer('--lifetime', v.lifetime, 300, 1, 86_400 * 7);
  return {
    listen,
    upstream,
    key,
    cert,
    fingerprint256,
    maxSessions: integer('--max-sessions', v['max-sessions'], 20480, 1, MAX_SESSIONS_LIMIT),
    memoryBytes: size('--memory', v.memory, 2 ** 32 - 1),
    lifetimeSeconds,
    tickets: onOff('--tickets', v.tickets, true),
    idleMs: integer('--idle-timeout', v['idle-timeout'], 300, 1, 86_400) * 1000,
    drainMs: integer('--drain-timeout', v['drain-timeout'], 30, 0, 3600) * 1000,
    metrics: v.metrics === undefined ? undefined : hostPort('--metrics', v.metrics, true),
  };
}

/** Listen, or fail with one line (port in use, no permission). */
function listenOn(server: net.Server, where: HostPort, what: string): Promise<HostPort> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      reject(new UsageError(`cannot listen on ${where.host}:${where.port} for ${what}: ${error.code ?? error.message}`));
    };
    server.once('error', onError);
    server.listen(where.port, where.host, () => {
      server.off('error', onError);
      const address = server.address() as net.AddressInfo;
      resolve({ host: where.host, port: address.port });
    });
  });
}

function metricsOf(counters: ProxyCounters, cache: SessionCache): Metric[] {
  const c = cache.stats();
  return [
    { name: 'handshakes_total', type: 'counter', help: 'TLS handshakes completed.', value: counters.handshakes },
    {
      name: 'resumed_handshakes_total',
      type: 'counter',
      help: 'TLS handshakes that resumed a session.',
      value: counters.resumedHandshakes,
    },
    { name: 'handshake_errors_total', type: 'counter', help: 'TLS handshakes that failed.', value: counters.handshakeErrors },
    { name: 'connections_active', type: 'gauge', help: 'Connections being proxied.', value: counters.connectionsActive },
    { name: 'upstream_errors_total', type: 'counter', help: 'Upstream connections that failed.', value: counters.upstreamErrors },
    { name: 'idle_timeouts_total', type: 'counter', help: 'Connections closed for idleness.', value: counters.idleTimeouts },
    { name: 'bytes_in_total', type: 'counter', help: 'Plaintext bytes from clients to the upstream.', value: counters.bytesIn },
    { name: 'bytes_out_total', type: 'counter', help: 'Plaintext bytes from the upstream to clients.', value: counters.bytesOut },
    { name: 'cache_lookups_total', type: 'counter', help: 'Session cache lookups.', value: c.lookups },
    { name: 'cache_hits_total', type: 'counter', help: 'Session cache hits.', value: c.hits },
    { name: 'cache_misses_total', type: 'counter', help: 'Session cache misses.', value: c.misses },
    { name: 'cache_inserts_total', type: 'counter', help: 'Sessions stored.', value: c.inserts },
    { name: 'cache_evictions_total', type: 'counter', help: 'Sessions evicted to make room.', value: c.evictions },
    { name: 'cache_expired_total', type: 'counter', help: 'Sessions removed at the end of their lifetime.', value: c.expired },
    { name: 'cache_sessions', type: 'gauge', help: 'Sessions in the cache.', value: c.sessions },
    { name: 'cache_bytes_used', type: 'gauge', help: 'Bytes of the budget in use.', value: c.bytesUsed },
    { name: 'cache_bytes_capacity', type: 'gauge', help: 'The byte budget.', value: c.bytesCapacity },
  ];
}

/** Run `serve` until SIGINT or SIGTERM; resolves with the exit status. */
export async function serve(config: ServeConfig, log: Log, print: Log): Promise<number> {
  let cache: SessionCache;
  try {
    cache = createSessionCache({
      role: 'server',
      maxSessions: config.maxSessions,
      lifetimeSeconds: config.lifetimeSeconds,
      ...(config.memoryBytes === undefined ? {} : { memoryBytes: config.memoryBytes }),
    });
  } catch (error) {
    if (error instanceof SessionCacheError) throw new UsageError(error.message.replace(/^createSessionCache: /, ''));
    throw error;
  }
  const counters = newCounters();
  const tickets = config.tickets
    ? { sessionIdContext: 'tls-resumption' }
    : sessionCacheServerOptions({ sessionIdContext: 'tls-resumption', tls13: true });
  const server = tls.createServer({ key: config.key, cert: config.cert, allowHalfOpen: true, ...tickets });
  attachSessionCache(server, cache, { warn: false });
  const inFlight = new Map<tls.TLSSocket, Promise<void>>();
  server.on('secureConnection', (socket: tls.TLSSocket) => {
    counters.handshakes++;
    if (socket.isSessionReused()) counters.resumedHandshakes++;
    const done = proxy(socket, config.upstream, config.idleMs, counters, log);
    inFlight.set(socket, done);
    void done.then(() => inFlight.delete(socket));
  });
  server.on('tlsClientError', (error: NodeJS.ErrnoException, socket: tls.TLSSocket) => {
    counters.handshakeErrors++;
    log(`handshake with ${socket.remoteAddress ?? 'client'}: ${error.code ?? error.message}`);
  });
  const bound = await listenOn(server, config.listen, 'TLS');
  const metricsServer =
    config.metrics === undefined
      ? undefined
      : await serveMetrics(config.metrics, () => metricsOf(counters, cache)).catch((error: NodeJS.ErrnoException) => {
          server.close();
          const m = config.metrics!;
          throw new UsageError(`cannot listen on ${m.host}:${m.port} for metrics: ${error.code ?? error.message}`);
        });
  print(`listening on ${bound.host}:${bound.port}, forwarding to ${config.upstream.host}:${config.upstream.port}`);
  if (config.fingerprint256 !== undefined) print(`self-signed certificate, SHA-256 fingerprint ${config.fingerprint256}`);
  if (metricsServer !== undefined) {
    const a = metricsServer.address() as net.AddressInfo;
    print(`metrics on http://${config.metrics!.host}:${a.port}/metrics`);
  }

  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: string): void => {
      if (stopping) return;
      stopping = true;
      print(`${signal}: no new connections; draining ${inFlight.size}`);
      server.close();
      metricsServer?.close();
      const drained = Promise.all(inFlight.values()).then(() => true);
      const deadline = new Promise<boolean>((r) => setTimeout(() => r(false), config.drainMs).unref());
      void Promise.race([drained, deadline]).then((clean) => {
        if (!clean) {
          log(`drain timeout: closing ${inFlight.size} connections`);
          for (const socket of inFlight.keys()) socket.destroy();
        }
        cache.terminate(); // wipes every session
        print('stopped');
        resolve(0);
      });
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
}
