#!/usr/bin/env node
// fetch resumption: one HTTPS server answering many SNI names (one wildcard certificate), fetched
// in rotation by undici (a fresh TLS connection per request: the server closes each one), with a
// forced garbage collection between rounds. undici's default connector holds its sessions through
// WeakRefs; tls-resumption's connector keeps them in a SessionCache. Side by side in one run:
// resumption per round and requests/s.
//   node bench/fetch.mjs [--names 300] [--rounds 3] [--repeats 3] [--budget 50] [--concurrency 8]
//                        [--fetch undici|node] [--tls 1.2|1.3] [--connectors NAME,NAME] [--json]
// Bounded: at most names x rounds x repeats requests per connector, and no repeat starts that
// would end past --budget seconds (the first always runs); within the first, each connector gets
// an equal share of the budget and starts no request past it. FETCH_BENCH_PROFILE=DIR writes a
// CPU profile of each client process to DIR.
import { fork } from 'node:child_process';
import https from 'node:https';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { makeCertificate } from './e2e-certs.mjs';
import { median } from './stats.mjs';

const here = (f) => fileURLToPath(new URL(f, import.meta.url));

/**
 * The connectors compared: undici's own (with a forced GC between rounds, and without, as a
 * control), and tls-resumption's createFetchConnector.
 */
export const FETCH_CONNECTORS = {
  'undici default': { connector: 'undici', gc: true },
  'undici default, no forced GC': { connector: 'undici', gc: false },
  'tls-resumption': { connector: 'cache', gc: true },
};

/** A self-signed ECDSA P-256 certificate for `*.fetch.test` (the client trusts it as its CA). */
const makeWildcardCertificate = () =>
  makeCertificate({ commonName: 'fetch.test', altNames: ['DNS:*.fetch.test', 'DNS:fetch.test'] });

/**
 * The HTTPS server: answers every name, closes every connection after its response, and tells the
 * client which TLS connection served it and whether that connection resumed a session.
 */
async function startServer({ key, cert, tls }) {
  const counts = { handshakes: 0, resumed: 0 };
  const ids = new WeakMap();
  const server = https.createServer({ key, cert, maxVersion: tls === '1.2' ? 'TLSv1.2' : 'TLSv1.3' }, (req, res) => {
    res.setHeader('connection', 'close');
    res.setHeader('content-type', 'application/json');
    const socket = /** @type {import('node:tls').TLSSocket} */ (req.socket);
    res.end(JSON.stringify({ connection: ids.get(socket), reused: socket.isSessionReused() }));
  });
  server.on('secureConnection', (socket) => {
    ids.set(socket, ++counts.handshakes);
    if (socket.isSessionReused()) counts.resumed++;
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(undefined)));
  return { server, port: /** @type {import('node:net').AddressInfo} */ (server.address()).port, counts };
}

/**
 * @typedef {{ requests: number, resumed: number, connections: number, ms: number, clientCpuMicros: number,
 *   serverCpuMicros: number, serverHandshakes: number, serverResumed: number }} FetchRound
 * @typedef {{ warmUp: number, rounds: FetchRound[], stats: unknown }} FetchRun what fetch-client.mjs reports
 */

/**
 * One rotation in a fresh client process, which asks the server for its readings around each round.
 * @returns {Promise<FetchRun>}
 */
async function rotateOnce(config, server) {
  // FETCH_BENCH_PROFILE=DIR: a V8 CPU profile of each client process, written to DIR
  const profile = process.env.FETCH_BENCH_PROFILE;
  const execArgv = ['--expose-gc', ...(profile ? ['--cpu-prof', `--cpu-prof-dir=${profile}`] : [])];
  const child = fork(here('./fetch-client.mjs'), { execArgv });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  try {
    /** @type {Promise<any>} */
    const reply = new Promise((resolve, reject) => {
      child.on('message', (/** @type {any} */ message) => {
        if (message.type === 'reading') {
          const { user, system } = process.cpuUsage();
          child.send({ type: 'reading', micros: user + system, ...server.counts });
        } else resolve(message);
      });
      child.once('exit', (code) => reject(new Error(`fetch client exited with ${code}`)));
    });
    child.send({ ...config, port: server.port });
    const { type: _, ...result } = await reply;
    if (result.error) throw new Error(result.error);
    // the client exits on its own once it has replied; 10 s at most
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10_000).unref())]);
    return result;
  } finally {
    child.kill();
  }
}

/**
 * Run the rotation for each connector, interleaved, `repeats` times or until `budgetSeconds` would
 * be passed (at least once). Returns, per connector, every run (per round: connections resumed,
 * distinct TLS connections, milliseconds; the server's handshake and resumption counts; the
 * connector's counters) and medians over the runs.
 * @param {{ names?: number, rounds?: number, repeats?: number, budgetSeconds?: number, concurrency?: number,
 *   fetchWith?: string, tls?: string, connectors?: string[] }} [options]
 * @param {string} [libPath] the built dist/index.js (a URL or path import() takes)
 * @param {string} [nodeLibPath] the built dist/node.js
 * @param {(line: string) => void} [progress]
 */
export async function runFetchRotation(options = {}, libPath, nodeLibPath, progress = () => {}) {
  const {
    names = 300,
    rounds = 3,
    repeats = 3,
    budgetSeconds = 50,
    concurrency = 8,
    fetchWith = 'undici',
    tls = '1.3',
    connectors = Object.keys(FETCH_CONNECTORS),
  } = options;
  const lib = libPath ?? new URL('../dist/index.js', import.meta.url).href;
  const nodeLib = nodeLibPath ?? new URL('../dist/node.js', import.meta.url).href;
  const { key, cert } = makeWildcardCertificate();
  const server = await startServer({ key, cert, tls });
  /** @type {Record<string, FetchRun[]>} */
  const runs = Object.fromEntries(connectors.map((n) => [n, []]));
  const end = Date.now() + budgetSeconds * 1000;
  try {
    for (let r = 0; r < repeats; r++) {
      const repeatStart = Date.now();
      // each repeat starts with the next connector, so none always runs first or last
      const order = connectors.map((_, i) => connectors[(i + r) % connectors.length]);
      for (const [i, name] of order.entries()) {
        progress(`[fetch] run ${r + 1}/${repeats} ${name}`);
        const config = {
          ...FETCH_CONNECTORS[name],
          ca: cert,
          names,
          rounds,
          concurrency,
          fetchWith,
          // each connector of a repeat gets an equal share of the time left
          deadline: Date.now() + (end - Date.now()) / (connectors.length - i),
          libPath: lib,
          nodeLibPath: nodeLib,
        };
        runs[name].push(await rotateOnce(config, server));
      }
      // another repeat only if it would end within the budget, as long as this one took
      if (Date.now() + (Date.now() - repeatStart) > end) break;
    }
  } finally {
    await new Promise((resolve) => server.server.close(resolve));
  }
  const sum = (xs, f) => xs.reduce((s, x) => s + f(x), 0);
  const perSecond = (rs) => sum(rs, (y) => y.requests) / (sum(rs, (y) => y.ms) / 1000);
  const summary = Object.fromEntries(
    Object.entries(runs).map(([name, xs]) => {
      const later = (x) => x.rounds.slice(1);
      const ran = (i) => xs.filter((x) => x.rounds.length > i);
      return [
        name,
        {
          complete: xs.every((x) => x.rounds.length === rounds && x.rounds.every((y) => y.requests === names)),
          resumedByRound: Array.from({ length: rounds }, (_, i) => median(ran(i).map((x) => x.rounds[i].resumed))),
          // rounds after the first: what survived the collections
          resumedRatio: median(ran(1).map((x) => sum(later(x), (y) => y.resumed) / sum(later(x), (y) => y.requests))),
          firstRoundPerSecond: median(xs.map((x) => perSecond(x.rounds.slice(0, 1)))),
          laterRoundsPerSecond: median(ran(1).map((x) => perSecond(later(x)))),
          // CPU time per request, microseconds: the first round, then the later ones
          serverCpuMicros: [
            median(xs.map((x) => x.rounds[0].serverCpuMicros / x.rounds[0].requests)),
            median(ran(1).map((x) => sum(later(x), (y) => y.serverCpuMicros) / sum(later(x), (y) => y.requests))),
          ],
          clientCpuMicros: [
            median(xs.map((x) => x.rounds[0].clientCpuMicros / x.rounds[0].requests)),
            median(ran(1).map((x) => sum(later(x), (y) => y.clientCpuMicros) / sum(later(x), (y) => y.requests))),
          ],
          runs: xs,
        },
      ];
    }),
  );
  return {
    names,
    rounds,
    repeats: Math.min(...Object.values(runs).map((xs) => xs.length)),
    concurrency,
    fetchWith,
    tls: `TLSv${tls}, ECDSA P-256`,
    connectors: summary,
  };
}

/** Markdown lines for a {@link runFetchRotation} result. */
export function formatFetchRotation(result) {
  const lines = [
    `fetch rotation: ${result.names} SNI names x ${result.rounds} rounds, a new TLS connection per request, ${result.tls}, ${result.fetchWith === 'node' ? "Node's fetch" : "undici's fetch"}, concurrency ${result.concurrency}, median of ${result.repeats} run(s)`,
    '',
    '| connector | resumed per round | resumed after round 1 | requests/s round 1 / later | server CPU µs per request, round 1 / later | client CPU µs per request, round 1 / later |',
    '|---|---|---:|---:|---:|---:|',
  ];
  for (const [name, c] of Object.entries(result.connectors)) {
    lines.push(
      `| ${name}${c.complete ? '' : ' (cut short by the time budget)'} | ${c.resumedByRound.join(' / ')} of ${result.names} | ${(c.resumedRatio * 100).toFixed(1)} % | ${c.firstRoundPerSecond.toFixed(0)} / ${c.laterRoundsPerSecond.toFixed(0)} | ${c.serverCpuMicros.map((x) => x.toFixed(0)).join(' / ')} | ${c.clientCpuMicros.map((x) => x.toFixed(0)).join(' / ')} |`,
    );
  }
  return lines;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const args = process.argv.slice(2);
  const option = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
  const result = await runFetchRotation(
    {
      names: Number(option('--names', 300)),
      rounds: Number(option('--rounds', 3)),
      repeats: Number(option('--repeats', 3)),
      concurrency: Number(option('--concurrency', 8)),
      fetchWith: option('--fetch', 'undici'),
      tls: option('--tls', '1.3'),
      budgetSeconds: Number(option('--budget', 50)),
      connectors: option('--connectors', undefined)?.split(','),
    },
    process.env.BENCH_LIB,
    process.env.BENCH_NODE_LIB,
    (line) => process.stderr.write(`${line}\n`),
  );
  if (args.includes('--json')) process.stdout.write(`${JSON.stringify(result)}\n`);
  else process.stdout.write(`${formatFetchRotation(result).join('\n')}\n`);
}
