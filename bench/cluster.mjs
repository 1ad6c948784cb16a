#!/usr/bin/env node
// Benchmark of scaling out (issue 23), one file in four roles:
//   node bench/cluster.mjs [--seconds S] [--rounds R] [--json]
// - (top) runClusterBench(): forks this file as a node:cluster primary, collects its figures, and
//   measures the cost of ticket-key rotation on a TLS 1.3 server in this process;
// - (primary) serves a cluster session cache; measures one lookup over IPC against a local one
//   (in a worker per serialization), then runs two 2-worker clusters side by side, TLS 1.2 with
//   tickets off (one with the cluster store, one with a cache per worker), and drives a client
//   process against each in alternating rounds;
// - (worker) a latency probe or a TLS server; (client) concurrent reconnecting clients.
// Bounded: about 10 + 2 × rounds × seconds seconds (default 22 s), well under 60 s.
import { fork } from 'node:child_process';
import cluster from 'node:cluster';
import { randomBytes } from 'node:crypto';
import tls from 'node:tls';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { makeCertificate } from './e2e-certs.mjs';
import { freePort } from './loopback.mjs';

const SELF = fileURLToPath(import.meta.url);
const lib = () => import(process.env.BENCH_LIB ?? new URL('../dist/index.js', import.meta.url).href);
const nodeLib = () => import(process.env.BENCH_NODE_LIB ?? new URL('../dist/node.js', import.meta.url).href);
const ROLE = cluster.isWorker ? 'worker' : (process.env.TLSR_CLUSTER_BENCH_ROLE ?? 'top');
const SESSION_ID_CONTEXT = 'cluster-bench';

/** Send to the parent process (every role here runs with an IPC channel). */
const send = (/** @type {unknown} */ m) => /** @type {NonNullable<typeof process.send>} */ (process.send)(m);
const quantile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
const micros = (ns) => Math.round(Number(ns) / 10) / 100;
function latency(samples) {
  const s = [...samples].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return { p50Us: micros(quantile(s, 0.5)), p99Us: micros(quantile(s, 0.99)), samples: s.length };
}
/**
 * The first message from `from` that passes `test`.
 * @param {NodeJS.EventEmitter} from
 * @param {(m: any) => boolean} test
 * @returns {Promise<any>}
 */
const message = (from, test) =>
  new Promise((resolve) =>
    from.on('message', function on(m) {
      if (test(m)) {
        from.removeListener('message', on);
        resolve(m);
      }
    }),
  );

// ---- worker: a latency probe, or a TLS 1.2 tickets-off server on the shared port
async function worker() {
  const { createSessionCache } = await lib();
  const { attachSessionCache, clusterSessionStore, sessionCacheServerOptions } = await nodeLib();
  const role = process.env.TLSR_CLUSTER_BENCH_WORKER;
  if (role === 'latency') {
    const lookups = Number(process.env.TLSR_CLUSTER_BENCH_LOOKUPS);
    const store = clusterSessionStore({ timeoutMs: 10_000 });
    for (let i = 0; i < 1000 && !store.stats().connected; i++) await new Promise((r) => setTimeout(r, 10));
    const local = createSessionCache({ role: 'server' });
    const partialKey = randomBytes(32);
    const keys = Array.from({ length: 1000 }, () => ({ partialKey, sessionId: randomBytes(32) }));
    await Promise.all(
      keys.map((key) => {
        const session = randomBytes(160);
        local.update(key, session);
        return store.update(key, session);
      }),
    );
    /** @type {bigint[]} */
    const ipc = [];
    for (let i = 0; i < lookups; i++) {
      const t = process.hrtime.bigint();
      const found = await store.lookup(keys[i % keys.length]);
      ipc.push(process.hrtime.bigint() - t);
      found.fill(0);
    }
    /** @type {bigint[]} */
    const here = [];
    for (let i = 0; i < lookups * 10; i++) {
      const t = process.hrtime.bigint();
      const found = local.lookup(keys[i % keys.length]);
      here.push(process.hrtime.bigint() - t);
      found.fill(0);
    }
    send({ bench: 'latency', channel: store.stats().channel, ipc: latency(ipc), local: latency(here) });
    store.close();
    local.terminate();
    return;
  }
  const store = role === 'cluster' ? clusterSessionStore({ timeoutMs: 1000 }) : createSessionCache({ role: 'server' });
  const server = tls.createServer(
    {
      key: process.env.TLSR_BENCH_KEY,
      cert: process.env.TLSR_BENCH_CERT,
      ...sessionCacheServerOptions({ sessionIdContext: SESSION_ID_CONTEXT }),
    },
    (socket) => {
      socket.on('error', () => {});
      socket.end('ok\n');
    },
  );
  const attachment = attachSessionCache(server, store, { timeoutMs: 1000 });
  store.reportStats?.(attachment);
  server.listen(Number(process.env.TLSR_CLUSTER_BENCH_PORT), '127.0.0.1');
}

// ---- client: `concurrency` clients reconnecting with their own session for `seconds`
async function client() {
  const { port, seconds, concurrency, ca } = await message(process, (m) => m?.port !== undefined);
  const deadline = performance.now() + seconds * 1000;
  const counts = { handshakes: 0, resumed: 0, errors: 0 };
  const once = (session) =>
    new Promise((resolve) => {
      let latest = session;
      const socket = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', ca, session, maxVersion: 'TLSv1.2' });
      socket.on('session', (s) => (latest = s));
      socket.once('secureConnect', () => {
        counts.handshakes++;
        if (socket.isSessionReused()) counts.resumed++;
      });
      socket.on('data', () => {});
      socket.once('error', () => {
        counts.errors++;
        resolve(latest);
      });
      socket.once('close', () => resolve(latest));
    });
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      let session;
      while (performance.now() < deadline) session = await once(session);
    }),
  );
  send({ ...counts, seconds: (performance.now() - started) / 1000 });
}

// ---- primary
async function primary() {
  const { seconds, rounds, lookups, concurrency } = await message(process, (m) => m?.seconds !== undefined);
  const { createSessionCache } = await lib();
  const { serveClusterSessionCache } = await nodeLib();
  const { key, cert } = makeCertificate();
  cluster.schedulingPolicy = cluster.SCHED_RR;
  const served = serveClusterSessionCache(createSessionCache({ role: 'server', maxSessions: 100_000 }));
  const forkWith = (serialization, env) => {
    cluster.setupPrimary({ exec: SELF, serialization });
    return cluster.fork({ TLSR_BENCH_KEY: key, TLSR_BENCH_CERT: cert, ...env });
  };

  // 1. one lookup over IPC vs a local one, per serialization (one worker at a time)
  const lookup = {};
  for (const serialization of ['advanced', 'json']) {
    const w = forkWith(serialization, { TLSR_CLUSTER_BENCH_WORKER: 'latency', TLSR_CLUSTER_BENCH_LOOKUPS: String(lookups) });
    const { channel, ipc, local } = await message(w, (m) => m?.bench === 'latency');
    lookup[serialization] = { channel, ipc, local };
    w.kill();
  }

  // 2. two 2-worker clusters side by side, alternating rounds
  const modes = { clusterStore: 'cluster', perWorker: 'per-worker' };
  const ports = {};
  for (const [name, role] of Object.entries(modes)) {
    ports[name] = await freePort();
    const listening = [];
    for (let i = 0; i < 2; i++) {
      const w = forkWith('advanced', { TLSR_CLUSTER_BENCH_WORKER: role, TLSR_CLUSTER_BENCH_PORT: String(ports[name]) });
      listening.push(new Promise((resolve) => w.once('listening', resolve)));
    }
    await Promise.all(listening);
  }
  /** @typedef {{ handshakes: number, resumed: number, errors: number, seconds: number }} ClientRun */
  /** @type {Record<string, ClientRun[]>} */
  const totals = { clusterStore: [], perWorker: [] };
  for (let round = 0; round < rounds; round++) {
    for (const name of Object.keys(modes)) {
      const c = fork(SELF, [], { env: { ...process.env, TLSR_CLUSTER_BENCH_ROLE: 'client' }, execArgv: [] });
      c.send({ port: ports[name], seconds, concurrency, ca: cert });
      totals[name].push(await message(c, (m) => m?.handshakes !== undefined));
      c.kill();
    }
  }
  const endToEnd = {};
  for (const [name, runs] of Object.entries(totals)) {
    const sum = (/** @type {keyof ClientRun} */ k) => runs.reduce((a, r) => a + r[k], 0);
    endToEnd[name] = {
      handshakesPerSecond: Math.round(sum('handshakes') / sum('seconds')),
      resumptionRate: Math.round((sum('resumed') / Math.max(1, sum('handshakes'))) * 1000) / 1000,
      handshakes: sum('handshakes'),
      resumed: sum('resumed'),
      errors: sum('errors'),
      perRound: runs.map((r) => Math.round(r.handshakes / r.seconds)),
    };
  }
  const stats = await served.stats();
  served.close();
  for (const w of Object.values(cluster.workers ?? {})) w?.kill();
  send({
    lookup,
    endToEnd,
    cacheHits: stats.cache?.hits,
    adapterTimeouts: stats.adapters.timeouts ?? 0,
    setup: { workersPerCluster: 2, concurrency, seconds, rounds, tls: 'TLS 1.2, tickets off, ECDSA P-256' },
  });
}

/**
 * The cost of rotating the ticket key, on a real TLS 1.3 server with an injected clock: clients
 * get a ticket at random times over two periods and come back after a delay uniform in (0, L];
 * a reconnect resumes unless the key rotated in between. Returns the measured lost share next to
 * the model's lifetime / (2 × period), and the share lost among reconnects in the first L seconds
 * after a rotation (model: 1/2; right at the rotation: all).
 */
export async function rotationCost({ lifetimeSeconds = 300, rotateSeconds = 1800, clients = 150 } = {}) {
  const { attachTicketKeys } = await nodeLib();
  const { key, cert } = makeCertificate();
  const now = { ms: Date.UTC(2026, 0, 1) };
  const server = tls.createServer({ key, cert, minVersion: 'TLSv1.3' }, (s) => {
    s.on('error', () => {});
    s.end('ok\n');
  });
  const detach = attachTicketKeys(server, { secret: randomBytes(32), rotateSeconds, clock: () => now.ms });
  await new Promise((r) => server.listen(0, '127.0.0.1', () => r(undefined)));
  const { port } = /** @type {import('node:net').AddressInfo} */ (server.address());
  const connect = (session) =>
    new Promise((resolve) => {
      let ticket;
      let resumed = false;
      const socket = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', ca: cert, session });
      socket.on('session', (t) => (ticket = t));
      socket.once('secureConnect', () => (resumed = socket.isSessionReused()));
      socket.on('data', () => {});
      socket.once('error', () => resolve({ resumed: false, ticket, error: true }));
      socket.once('close', () => resolve({ resumed, ticket }));
    });
  const P = rotateSeconds * 1000;
  const L = lifetimeSeconds * 1000;
  const start = now.ms;
  const events = [];
  for (let i = 0; i < clients; i++) {
    const issued = start + Math.random() * 2 * P;
    events.push({ at: issued, client: i, kind: 'issue' }, { at: issued + 1 + Math.random() * (L - 1), client: i, kind: 'back' });
  }
  events.sort((a, b) => a.at - b.at);
  const tickets = new Map();
  let back = 0;
  let lost = 0;
  let errors = 0;
  let afterRotation = 0;
  let lostAfterRotation = 0;
  for (const e of events) {
    now.ms = e.at;
    detach.refresh();
    const r = await connect(e.kind === 'back' ? tickets.get(e.client) : undefined);
    if (r.error) errors++;
    if (e.kind === 'issue') {
      tickets.set(e.client, r.ticket);
      continue;
    }
    back++;
    if (!r.resumed) lost++;
    const sinceRotation = e.at % P;
    if (sinceRotation < L) {
      afterRotation++;
      if (!r.resumed) lostAfterRotation++;
    }
  }
  detach();
  server.close();
  const share = (a, b) => Math.round((a / Math.max(1, b)) * 1000) / 1000;
  return {
    lifetimeSeconds,
    rotateSeconds,
    reconnects: back,
    lostShare: share(lost, back),
    modelLostShare: share(lifetimeSeconds, 2 * rotateSeconds),
    reconnectsInFirstLifetimeAfterRotation: afterRotation,
    lostShareInFirstLifetimeAfterRotation: share(lostAfterRotation, afterRotation),
    errors,
  };
}

/**
 * Run the cluster benchmark in its own processes and return its figures: IPC vs local lookup
 * latency (p50/p99 µs, per serialization), handshakes/s and resumption rate of a 2-worker
 * cluster with the cluster store vs caches per worker, and the ticket-rotation cost.
 * Needs `npm run build` (imports dist/).
 */
export async function runClusterBench({ seconds = 3, rounds = 2, lookups = 2000, concurrency = 8, rotationClients = 150 } = {}) {
  const child = fork(SELF, [], { env: { ...process.env, TLSR_CLUSTER_BENCH_ROLE: 'primary' }, execArgv: [] });
  const done = message(child, (m) => m?.endToEnd !== undefined);
  const failed = new Promise((_, reject) =>
    child.once('exit', (code) => reject(new Error(`bench/cluster.mjs: the primary exited (${code})`))),
  );
  child.send({ seconds, rounds, lookups, concurrency });
  const figures = await Promise.race([done, failed]);
  child.kill();
  return { ...figures, rotation: await rotationCost({ clients: rotationClients }) };
}

/**
 * The figures as Markdown: lookup latency per serialization, the two clusters side by side, and
 * the ticket-rotation cost (what bench/run.mjs reports, and what this script prints).
 * @param {Record<string, any>} figures a {@link runClusterBench} result
 * @returns {string}
 */
export function clusterMarkdown({ lookup, endToEnd, rotation, setup }) {
  const percent = (/** @type {number} */ x, digits = 1) => `${(x * 100).toFixed(digits)} %`;
  const lines = [
    '| lookup, IPC serialization | over IPC p50 / p99 µs | local p50 / p99 µs |',
    '|---|--:|--:|',
    ...Object.entries(lookup).map(
      ([mode, l]) => `| ${mode} | ${l.ipc.p50Us} / ${l.ipc.p99Us} | ${l.local.p50Us} / ${l.local.p99Us} |`,
    ),
    '',
    `| ${setup.workersPerCluster}-worker cluster (${setup.tls}), ${setup.concurrency} clients, ${setup.rounds} × ${setup.seconds} s | handshakes/s | resumed | errors |`,
    '|---|--:|--:|--:|',
    ...Object.entries(endToEnd).map(
      ([mode, e]) =>
        `| ${mode === 'clusterStore' ? 'cluster store' : mode === 'perWorker' ? 'a cache per worker' : mode} | ${e.handshakesPerSecond} | ${percent(e.resumptionRate)} | ${e.errors} |`,
    ),
    '',
    `Ticket rotation (lifetime ${rotation.lifetimeSeconds} s, period ${rotation.rotateSeconds} s): ${percent(rotation.lostShare)} of ${rotation.reconnects} resumptions lost (model ${percent(rotation.modelLostShare)}); in the first lifetime after a rotation ${percent(rotation.lostShareInFirstLifetimeAfterRotation, 0)} of ${rotation.reconnectsInFirstLifetimeAfterRotation}.`,
  ];
  return lines.join('\n');
}

if (ROLE === 'worker') await worker();
else if (ROLE === 'client') await client();
else if (ROLE === 'primary') await primary();
else if (process.argv[1] !== undefined && pathToFileURL(process.argv[1]).href === import.meta.url) {
  const args = process.argv.slice(2);
  const option = (name, fallback) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : fallback);
  const figures = await runClusterBench({ seconds: option('--seconds', 3), rounds: option('--rounds', 2) });
  console.log(args.includes('--json') ? JSON.stringify(figures, null, 2) : clusterMarkdown(figures));
}
