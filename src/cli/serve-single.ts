// `serve` in one process: the cache, the terminator, metrics, and the shutdown on a signal.
import type net from 'node:net';
import { UsageError } from './args.js';
import { serveMetrics, terminatorMetrics } from './metrics.js';
import type { Log } from './proxy.js';
import type { ServeConfig } from './serve.js';
import { openSessionStore } from './session-store.js';
import { startTerminator } from './terminator.js';

/**
 * Resolves with the signal's name at the first SIGINT or SIGTERM. Later ones are ignored, so a
 * drain under way finishes (a terminal's Ctrl-C reaches the primary and its workers at once).
 */
export function stopSignal(): Promise<string> {
  return new Promise((resolve) => {
    let first = true;
    const on = (signal: string) => () => {
      if (first) resolve(signal);
      first = false;
    };
    process.on('SIGINT', on('SIGINT'));
    process.on('SIGTERM', on('SIGTERM'));
  });
}

/** Run the terminator in this process until a signal; resolves with the exit status. */
export async function serveSingle(config: ServeConfig, log: Log, print: Log): Promise<number> {
  const sessions = await openSessionStore(config);
  const terminator = startTerminator(config, sessions.store, log);
  const bound = await terminator.listen(config.listen);
  const metrics =
    config.metrics === undefined
      ? undefined
      : await serveMetrics(config.metrics, () => [
          ...terminatorMetrics(terminator.counters, sessions.cacheStats()),
          ...sessions.tierMetrics(),
        ]).catch((error: NodeJS.ErrnoException) => {
          terminator.server.close();
          throw new UsageError(
            `cannot listen on ${config.metrics!.host}:${config.metrics!.port} for metrics: ${error.code ?? error.message}`,
          );
        });
  print(`listening on ${bound.host}:${bound.port}, forwarding to ${config.upstream.host}:${config.upstream.port}`);
  if (config.fingerprint256 !== undefined) print(`self-signed certificate, SHA-256 fingerprint ${config.fingerprint256}`);
  if (metrics !== undefined)
    print(`metrics on http://${config.metrics!.host}:${(metrics.address() as net.AddressInfo).port}/metrics`);

  const signal = await stopSignal();
  print(`${signal}: no new connections; draining ${terminator.inFlight}`);
  metrics?.close();
  await terminator.drain(config.drainMs);
  await sessions.close(); // wipes every session held here
  print('stopped');
  return 0;
}
