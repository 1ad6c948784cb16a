// `serve --workers N`: node:cluster. The primary holds the one session cache (OTP's model) and the
// ticket keys, forks the workers, replaces any that die, sums their counters for the metrics, and
// on SIGINT/SIGTERM has every worker drain before it wipes the cache. Each worker runs a
// terminator whose store asks the primary's cache.
import cluster, { type Worker } from 'node:cluster';
import type net from 'node:net';
import { type HostPort, UsageError } from './args.js';
import { clusterSessionStore, serveClusterSessionCache, serveClusterTicketKeys } from './library.js';
import { serveMetrics, sumCounters, terminatorMetrics } from './metrics.js';
import { type Log, newCounters, type ProxyCounters } from './proxy.js';
import type { ServeConfig } from './serve.js';
import { stopSignal } from './serve-single.js';
import { openSessionStore } from './session-store.js';
import { startTerminator } from './terminator.js';

/** Marks this command's messages, apart from the library's and any other. */
const TAG = '$tlsResumptionCli';

type Message =
  | { [TAG]: 'hello' }
  | { [TAG]: 'config'; key: string | Uint8Array; cert: string | Uint8Array; ticketSecret: Uint8Array | undefined }
  | { [TAG]: 'listening'; address: HostPort }
  | { [TAG]: 'failed'; message: string }
  | { [TAG]: 'counters'; counters: ProxyCounters };

function isMessage(value: unknown): value is Message {
  return typeof value === 'object' && value !== null && typeof (value as Record<string, unknown>)[TAG] === 'string';
}

/** Run as the primary or as a worker, whichever this process is. */
export function serveCluster(config: ServeConfig, log: Log, print: Log): Promise<number> {
  return cluster.isWorker ? serveWorker(config, log) : servePrimary(config, log, print);
}

async function servePrimary(config: ServeConfig, log: Log, print: Log): Promise<number> {
  // The one cache of the cluster (with --redis: the L1 in front of the fleet's Redis)
  const sessions = await openSessionStore(config);
  const served = serveClusterSessionCache(sessions.store);
  // Without a secret, the primary makes each period's ticket key and hands it to every worker.
  const ticketKeys = config.tickets && config.ticketSecret === undefined ? serveClusterTicketKeys() : undefined;
  cluster.schedulingPolicy = cluster.SCHED_RR;
  cluster.setupPrimary({ serialization: 'advanced' }); // sessions cross IPC as bytes, not base64
  const counters = new Map<number, ProxyCounters>();
  let stopping = false;
  let listening = false;
  let onListening!: (address: HostPort) => void;
  let onFailed!: (error: Error) => void;
  const bound = new Promise<HostPort>((resolve, reject) => {
    onListening = resolve;
    onFailed = reject;
  });
  const config_: Message = { [TAG]: 'config', key: config.key, cert: config.cert, ticketSecret: config.ticketSecret };

  const fork = (): Worker => {
    const worker = cluster.fork();
    worker.on('message', (m: unknown) => {
      if (!isMessage(m)) return;
      // the worker asks once it listens for the answer (a message sent earlier would be lost)
      if (m[TAG] === 'hello') worker.send(config_);
      else if (m[TAG] === 'counters') counters.set(worker.id, m.counters);
      else if (m[TAG] === 'listening') {
        listening = true;
        onListening(m.address);
      } else if (m[TAG] === 'failed') onFailed(new UsageError(m.message));
    });
    worker.once('exit', (code, signal) => {
      const last = counters.get(worker.id);
      if (last !== undefined) last.connectionsActive = 0;
      if (stopping || !listening) return;
      log(`worker ${worker.process.pid} exited (${signal ?? `status ${code}`}); starting another`);
      fork();
    });
    return worker;
  };
  for (let i = 0; i < config.workers; i++) fork();

  const stopWorkers = async (graceMs: number): Promise<void> => {
    stopping = true;
    const workers = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined);
    const exited = workers.map((w) => new Promise<void>((r) => (w.isDead() ? r() : w.once('exit', () => r()))));
    for (const w of workers) w.process.kill('SIGTERM');
    const late = setTimeout(() => {
      for (const w of workers) if (!w.isDead()) w.process.kill('SIGKILL');
    }, graceMs);
    await Promise.all(exited);
    clearTimeout(late);
  };
  const closeAll = async (): Promise<void> => {
    ticketKeys?.close();
    served.close(); // terminates the cache (or closes the store): every session here wiped
    await sessions.close();
  };

  let address: HostPort;
  try {
    address = await bound;
  } catch (error) {
    await stopWorkers(1000);
    await closeAll();
    throw error;
  }
  const metrics =
    config.metrics === undefined
      ? undefined
      : await serveMetrics(config.metrics, () => [
          ...terminatorMetrics(sumCounters(counters.values(), newCounters()), sessions.cacheStats()),
          ...sessions.tierMetrics(),
        ]).catch(async (error: NodeJS.ErrnoException) => {
          await stopWorkers(1000);
          await closeAll();
          throw new UsageError(
            `cannot listen on ${config.metrics!.host}:${config.metrics!.port} for metrics: ${error.code ?? error.message}`,
          );
        });
  print(
    `listening on ${address.host}:${address.port}, forwarding to ${config.upstream.host}:${config.upstream.port} (${config.workers} workers)`,
  );
  if (config.fingerprint256 !== undefined) print(`self-signed certificate, SHA-256 fingerprint ${config.fingerprint256}`);
  if (metrics !== undefined)
    print(`metrics on http://${config.metrics!.host}:${(metrics.address() as net.AddressInfo).port}/metrics`);

  const signal = await stopSignal();
  print(`${signal}: no new connections; draining the workers`);
  metrics?.close();
  await stopWorkers(config.drainMs + 5000);
  await closeAll();
  print('stopped');
  return 0;
}

/** The primary's config message (the certificate the primary loaded or made, the ticket secret). */
function fromPrimary(): Promise<Extract<Message, { [TAG]: 'config' }>> {
  return new Promise((resolve) => {
    const on = (m: unknown): void => {
      if (isMessage(m) && m[TAG] === 'config') {
        process.off('message', on);
        resolve(m);
      }
    };
    process.on('message', on);
    process.send?.({ [TAG]: 'hello' } satisfies Message);
  });
}

async function serveWorker(config: ServeConfig, log: Log): Promise<number> {
  const send = (m: Message): void => {
    if (process.connected) process.send?.(m);
  };
  const given = await fromPrimary();
  const store = clusterSessionStore({
    // a worker's own sessions resume without a round trip to the primary
    local: { maxSessions: Math.min(config.maxSessions, 10_000), lifetimeSeconds: config.lifetimeSeconds },
  });
  const terminator = startTerminator(
    {
      ...config,
      key: typeof given.key === 'string' ? given.key : Buffer.from(given.key),
      cert: typeof given.cert === 'string' ? given.cert : Buffer.from(given.cert),
      ticketSecret: given.ticketSecret === undefined ? undefined : Buffer.from(given.ticketSecret),
    },
    store,
    log,
  );
  store.reportStats(terminator.attachment);
  try {
    send({ [TAG]: 'listening', address: await terminator.listen(config.listen) });
  } catch (error) {
    send({ [TAG]: 'failed', message: (error as Error).message });
    store.close();
    process.disconnect();
    return 2;
  }
  const report = (): void => send({ [TAG]: 'counters', counters: terminator.counters });
  const timer = setInterval(report, 500);
  timer.unref();
  await stopSignal();
  await terminator.drain(config.drainMs);
  clearInterval(timer);
  report();
  store.close(); // wipes the local cache
  process.disconnect(); // the channel was the last thing keeping this worker alive
  return 0;
}
