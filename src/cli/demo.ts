// `tls-resumption demo`: a TLS server with the cache attached (in a worker thread, so it has a core
// of its own) and clients that reconnect with their sessions, run twice: with the cache and
// without it. Shows live figures, then the two runs side by side.
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import tls from 'node:tls';
import { attachSessionCache, createSessionCache, type SessionCacheStats, sessionCacheServerOptions } from './library.js';
import { integer, parse } from './args.js';
import type { Log } from './proxy.js';
import { selfSignedCertificate } from './self-signed.js';

export const DEMO_HELP = `Usage: tls-resumption demo [--connections N] [--clients N]

Starts a TLS 1.2 server on 127.0.0.1 with session tickets off (the case a session cache serves:
clients without ticket support, servers that turn tickets off, fleets) and the cache attached, and
drives connections from clients that reconnect with their sessions; then the same run without the
cache. Needs no arguments and no files (a throwaway certificate is generated).

Options:
  --connections N   connections per run (default 3000)
  --clients N       clients connecting at once (default 16)
  -h, --help        this text
`;

const WORKER_TAG = 'tls-resumption-demo-server';

interface ServerReport {
  port: number;
}
interface StatsReport {
  cache: SessionCacheStats | undefined;
}

// ---- the server, in a worker thread ----
if (!isMainThread && (workerData as { tag?: string } | null)?.tag === WORKER_TAG) {
  const { key, cert, withCache } = workerData as { key: string; cert: string; withCache: boolean };
  const server = tls.createServer({ key, cert, ...sessionCacheServerOptions({ sessionIdContext: 'demo' }) }, (socket) => {
    socket.on('error', () => {});
    socket.end('ok\n');
  });
  const cache = withCache ? createSessionCache({ role: 'server', maxSessions: 4096 }) : undefined;
  if (cache !== undefined) attachSessionCache(server, cache);
  server.listen(0, '127.0.0.1', () => {
    parentPort!.postMessage({ port: (server.address() as { port: number }).port } satisfies ServerReport);
  });
  parentPort!.on('message', (m: string) => {
    if (m === 'stats') parentPort!.postMessage({ cache: cache?.stats() } satisfies StatsReport);
    if (m === 'stop') {
      server.close(() => {
        cache?.terminate(); // wipes every session
        parentPort!.close();
      });
    }
  });
}

/** The figures of one run. */
export interface DemoRun {
  withCache: boolean;
  connections: number;
  resumed: number;
  seconds: number;
  cache: SessionCacheStats | undefined;
}

function ask<T>(worker: Worker, message: string): Promise<T> {
  return new Promise((resolve) => {
    worker.once('message', resolve);
    worker.postMessage(message);
  });
}

/** One client: connect, read the server's line, remember the session for the next connection. */
function connectOnce(
  port: number,
  ca: string,
  session: Buffer | undefined,
): Promise<{ reused: boolean; session: Buffer | undefined }> {
  return new Promise((resolve, reject) => {
    let next = session;
    let reused = false;
    const socket = tls.connect({ port, host: '127.0.0.1', servername: 'localhost', ca, session });
    socket.on('session', (s: Buffer) => {
      next = s;
    });
    socket.once('secureConnect', () => {
      reused = socket.isSessionReused();
    });
    socket.on('data', () => {});
    socket.once('error', reject);
    socket.once('close', () => resolve({ reused, session: next }));
  });
}

const pct = (n: number, of: number): string => (of === 0 ? '–' : `${((100 * n) / of).toFixed(1)} %`);
const kib = (bytes: number | undefined): string => (bytes === undefined ? '–' : `${(bytes / 1024).toFixed(1)} KiB`);

function bar(done: number, total: number, width = 24): string {
  const filled = Math.round((width * done) / total);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
}

async function run(
  withCache: boolean,
  total: number,
  clients: number,
  certs: { key: string; cert: string },
  show: Log,
): Promise<DemoRun> {
  const worker = new Worker(new URL(import.meta.url), { workerData: { tag: WORKER_TAG, withCache, ...certs } });
  const { port } = await new Promise<ServerReport>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  let started = 0;
  let finished = 0;
  let resumed = 0;
  const t0 = performance.now();
  let latest: StatsReport = { cache: undefined };
  const label = withCache ? 'with the cache   ' : 'without the cache';
  const line = (): string => {
    const s = (performance.now() - t0) / 1000;
    const c = latest.cache;
    return (
      `${label} ${bar(finished, total)} ${finished}/${total}  ${(finished / s).toFixed(0)} handshakes/s  ` +
      `resumed ${pct(resumed, finished)}  hit ratio ${c ? pct(c.hits, c.lookups) : '–'}  sessions ${c?.sessions ?? '–'}  ` +
      `bytes ${kib(c?.bytesUsed)}  evictions ${c?.evictions ?? '–'}`
    );
  };
  const ticker = setInterval(() => {
    void ask<StatsReport>(worker, 'stats').then((r) => {
      latest = r;
      show(line());
    });
  }, 500);
  const client = async (): Promise<void> => {
    let session: Buffer | undefined;
    while (started < total) {
      started++;
      const r = await connectOnce(port, certs.cert, session);
      session = r.session;
      finished++;
      if (r.reused) resumed++;
    }
  };
  await Promise.all(Array.from({ length: clients }, client));
  const seconds = (performance.now() - t0) / 1000;
  clearInterval(ticker);
  latest = await ask<StatsReport>(worker, 'stats');
  show(line());
  worker.postMessage('stop');
  await new Promise((resolve) => worker.once('exit', resolve));
  return { withCache, connections: finished, resumed, seconds, cache: latest.cache };
}

/** The side-by-side summary of the two runs. */
export function summary(runs: readonly DemoRun[]): string {
  const rows: [string, (r: DemoRun) => string][] = [
    ['connections', (r) => String(r.connections)],
    ['seconds', (r) => r.seconds.toFixed(1)],
    ['handshakes/s', (r) => (r.connections / r.seconds).toFixed(0)],
    ['resumption rate', (r) => pct(r.resumed, r.connections)],
    ['cache hit ratio', (r) => (r.cache ? pct(r.cache.hits, r.cache.lookups) : '–')],
    ['sessions stored', (r) => (r.cache ? String(r.cache.sessions) : '–')],
    ['bytes used', (r) => kib(r.cache?.bytesUsed)],
    ['evictions', (r) => (r.cache ? String(r.cache.evictions) : '–')],
  ];
  const head = ['', ...runs.map((r) => (r.withCache ? 'with cache' : 'without cache'))];
  const table = [head, ...rows.map(([name, f]) => [name, ...runs.map(f)])];
  const widths = head.map((_, i) => Math.max(...table.map((row) => row[i]!.length)));
  return table
    .map((row) => row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('   '))
    .join('\n');
}

/** Run the demo; resolves with the exit status. */
export async function demo(args: string[], print: Log): Promise<number> {
  const { values: v } = parse('demo', args, {
    connections: { type: 'string' },
    clients: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (v.help) {
    print(DEMO_HELP.trimEnd());
    return 0;
  }
  const total = integer('--connections', v.connections, 3000, 1, 1_000_000);
  const clients = integer('--clients', v.clients, 16, 1, 1000);
  const tty = process.stdout.isTTY === true;
  let last = 0;
  const show: Log = (text) => {
    if (tty) process.stdout.write(`\r${text.slice(0, (process.stdout.columns || 160) - 1)}\u001b[K`);
    else if (performance.now() - last > 2000) {
      last = performance.now();
      print(text);
    }
  };
  const certs = selfSignedCertificate(['localhost']);
  print(`TLS 1.2, session tickets off, ${clients} clients reconnecting with their sessions, ${total} connections per run`);
  const withCache = await run(true, total, clients, certs, show);
  if (tty) process.stdout.write('\n');
  const without = await run(false, total, clients, certs, show);
  if (tty) process.stdout.write('\n');
  print('');
  print(summary([withCache, without]));
  const speedup = withCache.connections / withCache.seconds / (without.connections / without.seconds);
  print('');
  print(`resumption rate ${pct(withCache.resumed, withCache.connections)} with the cache; handshakes/s ${speedup.toFixed(2)}x`);
  return 0;
}
