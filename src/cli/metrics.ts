// The --metrics endpoint: Prometheus text exposition (version 0.0.4) of the terminator's and the
// cache's counters. The format is a few lines of text per metric, so it is written here rather
// than pulled in with a client library.
import http from 'node:http';
import type { HostPort } from './args.js';
import type { SessionCacheStats } from './library.js';
import type { ProxyCounters } from './proxy.js';

/** One metric: name (without the prefix), type, help, value. */
export interface Metric {
  name: string;
  type: 'counter' | 'gauge';
  help: string;
  value: number;
}

const PREFIX = 'tls_resumption_';

/** The exposition text for `metrics`. */
export function exposition(metrics: readonly Metric[]): string {
  let text = '';
  for (const m of metrics) {
    const name = PREFIX + m.name;
    text += `# HELP ${name} ${m.help}\n# TYPE ${name} ${m.type}\n${name} ${Number.isFinite(m.value) ? m.value : 0}\n`;
  }
  return text;
}

/** Serve `read()` at /metrics on `where`; resolves with the server once it listens. */
export function serveMetrics(where: HostPort, read: () => Promise<Metric[]> | Metric[]): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    if (req.method !== 'GET' || (req.url !== '/metrics' && req.url !== '/')) {
      res.writeHead(404).end('not found: try /metrics\n');
      return;
    }
    Promise.resolve()
      .then(read)
      .then(
        (metrics) => {
          res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }).end(exposition(metrics));
        },
        () => res.writeHead(500).end('metrics unavailable\n'),
      );
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(where.port, where.host, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}

/** The terminator's counters and its session cache's, as metrics. */
export function terminatorMetrics(counters: ProxyCounters, cache: SessionCacheStats): Metric[] {
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
    { name: 'cache_lookups_total', type: 'counter', help: 'Session cache lookups.', value: cache.lookups },
    { name: 'cache_hits_total', type: 'counter', help: 'Session cache hits.', value: cache.hits },
    { name: 'cache_misses_total', type: 'counter', help: 'Session cache misses.', value: cache.misses },
    { name: 'cache_inserts_total', type: 'counter', help: 'Sessions stored.', value: cache.inserts },
    { name: 'cache_evictions_total', type: 'counter', help: 'Sessions evicted to make room.', value: cache.evictions },
    {
      name: 'cache_expired_total',
      type: 'counter',
      help: 'Sessions removed at the end of their lifetime.',
      value: cache.expired,
    },
    { name: 'cache_sessions', type: 'gauge', help: 'Sessions in the cache.', value: cache.sessions },
    { name: 'cache_bytes_used', type: 'gauge', help: 'Bytes of the budget in use.', value: cache.bytesUsed },
    { name: 'cache_bytes_capacity', type: 'gauge', help: 'The byte budget.', value: cache.bytesCapacity },
  ];
}

/** Sum counters of several processes (the workers of `serve --workers`). */
export function sumCounters(all: Iterable<ProxyCounters>, into: ProxyCounters): ProxyCounters {
  for (const c of all) for (const k of Object.keys(into) as (keyof ProxyCounters)[]) into[k] += c[k];
  return into;
}
