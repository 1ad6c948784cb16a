// The --metrics endpoint: Prometheus text exposition (version 0.0.4) of the terminator's and the
// cache's counters. The format is a few lines of text per metric, so it is written here rather
// than pulled in with a client library.
import http from 'node:http';
import type { HostPort } from './args.js';

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
