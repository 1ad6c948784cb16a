#!/usr/bin/env node
// Fleet benchmark (issue 24): the Redis session store's lookups next to a plain Redis GET, and two
// TLS 1.2 hosts behind one client that alternates between them, with and without the Redis tier.
//   node bench/fleet.mjs [--quick | --smoke] [--json]   (needs `npm run build` and redis-server; ≤ 90 s)
// Starts its own redis-server on a free loopback port, persistence off, and stops it. Exports
// runFleetBench() and fleetMarkdown() for bench/run.mjs. Each host runs in its own process
// (`node bench/fleet.mjs --host <json>`); the client runs in this one.
import { fork, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { fileURLToPath } from 'node:url';
import { makeCertificate } from './e2e-certs.mjs';
import { median } from './stats.mjs';
import { freePort, handshake } from './loopback.mjs';

const SELF = fileURLToPath(import.meta.url);
const nodeLibDefault = new URL('../dist/node.js', import.meta.url).href;
const indexLibDefault = new URL('../dist/index.js', import.meta.url).href;
/** Every phase stops early once the run has used this much time. */
const BUDGET_MS = 85_000;
const SESSION_BYTES = 158; // a TLS 1.2 server session (see /notes)

// ---------------------------------------------------------------- redis-server and clients

/** redis-server on a free loopback port, persistence off; resolves once it accepts connections. */
export async function startRedisServer() {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'fleet-bench-redis-'));
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir];
  const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'ignore'] });
  await new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (c) => {
      out += c;
      if (out.includes('Ready to accept connections')) resolve(undefined);
    });
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`redis-server exited (${code})`)));
  });
  child.stdout.resume();
  return {
    port,
    stop() {
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function connectClient(kind, port) {
  if (kind === 'ioredis') {
    const { Redis } = await import('ioredis');
    const client = new Redis({ host: '127.0.0.1', port });
    await new Promise((resolve, reject) => {
      client.once('ready', resolve);
      client.once('error', reject);
    });
    return { client, getBuffer: (k) => client.getBuffer(k), set: (k, v) => client.set(k, v), close: () => client.disconnect() };
  }
  const { createClient, RESP_TYPES } = await import('redis');
  const client = createClient({ socket: { host: '127.0.0.1', port } });
  client.on('error', () => {});
  await client.connect();
  const binary = client.withTypeMapping({ [RESP_TYPES.BLOB_STRING]: Buffer });
  return { client, getBuffer: (k) => binary.get(k), set: (k, v) => client.set(k, v), close: () => client.destroy() };
}

// ---------------------------------------------------------------- lookups

/** ops/s (from the mean), p50 and p99 of latency samples in µs. */
function summarize(samples) {
  const sorted = Float64Array.from(samples).sort();
  const mean = sorted.reduce((t, x) => t + x, 0) / sorted.length;
  return { opsPerSec: 1e6 / mean, p50: sorted[Math.floor(sorted.length * 0.5)], p99: sorted[Math.floor(sorted.length * 0.99)] };
}

/**
 * Time `count` rounds of the operations in `ops` (name -> fn(i)), one call of each per round
 * (awaited when it returns a promise), so every operation sees the same machine noise.
 */
async function timeInterleaved(count, ops) {
  const entries = Object.entries(ops);
  const samples = entries.map(() => new Float64Array(count));
  for (let i = 0; i < count; i++) {
    for (let j = 0; j < entries.length; j++) {
      const t = process.hrtime.bigint();
      const r = entries[j][1](i);
      if (r !== undefined && typeof r.then === 'function') await r;
      samples[j][i] = Number(process.hrtime.bigint() - t) / 1000;
    }
  }
  return Object.fromEntries(entries.map(([name], j) => [name, summarize(samples[j])]));
}

async function lookupBench(kind, redisPort, count, nodeLib) {
  const { createRedisSessionStore } = await import(nodeLib);
  const keyring = { current: { id: 'bench', secret: randomBytes(32) } };
  const writerConn = await connectClient(kind, redisPort);
  const readerConn = await connectClient(kind, redisPort);
  const prefix = `bench:${kind}:`;
  const writer = createRedisSessionStore({ client: writerConn.client, keyring, prefix, timeoutMs: 1000 });
  // maxSessions 1: every lookup of the cycled keys misses L1 and goes to Redis.
  const reader = createRedisSessionStore({
    client: readerConn.client,
    keyring,
    prefix,
    timeoutMs: 1000,
    local: { maxSessions: 1 },
  });
  const partialKey = randomBytes(32);
  const ids = Array.from({ length: 1000 }, () => randomBytes(32));
  for (const sessionId of ids) writer.update({ partialKey, sessionId }, randomBytes(SESSION_BYTES));
  await writer.flush();
  const unknown = Array.from({ length: 1000 }, () => randomBytes(32));
  // the writer has flushed, so a record is there
  const recordBytes = /** @type {Buffer} */ (await readerConn.getBuffer(await anyKey(readerConn.client, prefix))).length;
  await readerConn.set('bench:plain', randomBytes(recordBytes));

  const l1Key = { partialKey, sessionId: ids[0] };
  const ops = {
    'L1 hit': () => writer.lookup(l1Key),
    'L1 miss, Redis hit': (i) => reader.lookup({ partialKey, sessionId: ids[i % ids.length] }),
    'miss (L1 and Redis)': (i) => reader.lookup({ partialKey, sessionId: unknown[i % unknown.length] }),
    [`plain GET, ${recordBytes} B`]: () => readerConn.getBuffer('bench:plain'),
  };
  await timeInterleaved(Math.min(count, 500), ops); // warm-up, not reported
  const rows = await timeInterleaved(count, ops);
  const stats = reader.stats();
  writer.close();
  reader.close();
  writerConn.close();
  readerConn.close();
  return { kind, recordBytes, rows, readerStats: { l2Hits: stats.l2Hits, misses: stats.misses, timeouts: stats.timeouts } };
}

async function anyKey(client, prefix) {
  const keys = await client.keys(`${prefix}*`);
  return keys[0];
}

// ---------------------------------------------------------------- two hosts, one client

/** Host mode: a TLS 1.2 server (tickets off) resuming through the fleet store or a local cache. */
async function host({ tier, key, cert, redisPort, secret, nodeLib, indexLib }) {
  const { attachSessionCache, sessionCacheServerOptions, createRedisSessionStore } = await import(nodeLib);
  const { createSessionCache } = await import(indexLib);
  const server = tls.createServer({ key, cert, ...sessionCacheServerOptions({ sessionIdContext: 'fleet-bench' }) });
  let client;
  let cache;
  if (tier) {
    const { Redis } = await import('ioredis');
    client = new Redis({ host: '127.0.0.1', port: redisPort });
    client.on('error', () => {});
    await new Promise((resolve) => client.once('ready', resolve));
    cache = createRedisSessionStore({ client, keyring: { current: { id: 'b', secret: Buffer.from(secret, 'base64') } } });
  } else {
    cache = createSessionCache({ role: 'server' });
  }
  const attachment = attachSessionCache(server, cache);
  server.on('secureConnection', (socket) => socket.end('x'));
  // a host is always forked, with an IPC channel
  const send = (/** @type {unknown} */ m) => /** @type {NonNullable<typeof process.send>} */ (process.send)(m);
  server.listen(0, '127.0.0.1', () => send({ port: /** @type {import('node:net').AddressInfo} */ (server.address()).port }));
  let cpu = process.cpuUsage();
  process.on('message', (m) => {
    if (m === 'begin') {
      cpu = process.cpuUsage();
      send('ok');
    }
    if (m === 'end') {
      const d = process.cpuUsage(cpu);
      send({ cpuMicros: d.user + d.system });
    }
    if (m === 'stats') send({ server: attachment.stats(), store: tier ? cache.stats() : undefined });
    if (m === 'exit') {
      client?.disconnect();
      process.exit(0);
    }
  });
}

/** `count` handshakes over `lanes` lanes; each lane alternates between the ports, offering its last session. */
async function alternate(ports, count, lanes) {
  let next = 0;
  let resumed = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: lanes }, async () => {
      let session;
      let turn = 0;
      while (next < count) {
        next++;
        const r = await handshake(ports[turn++ % ports.length], session);
        if (r.reused) resumed++;
        session = r.session;
      }
    }),
  );
  return { seconds: (performance.now() - start) / 1000, resumed };
}

const reply = (child) => new Promise((resolve) => child.once('message', resolve));
/** Send `message` to `child` and wait for its answer. */
const ask = (child, message) => {
  const answer = reply(child);
  child.send(message);
  return answer;
};

async function endToEnd(redisPort, { handshakes, rounds, lanes }, nodeLib, indexLib, deadline) {
  const { key, cert } = makeCertificate();
  const secret = randomBytes(32).toString('base64');
  const modes = { 'with the Redis tier': true, 'local caches only': false };
  const hosts = {};
  for (const [name, tier] of Object.entries(modes)) {
    hosts[name] = [];
    for (let i = 0; i < 2; i++) {
      const child = fork(SELF, ['--host', JSON.stringify({ tier, key, cert, redisPort, secret, nodeLib, indexLib })]);
      hosts[name].push({ child, port: (await reply(child)).port });
    }
  }
  /** @type {Record<string, { perSec: number, resumedRate: number, cpuPerHandshake: number }[]>} */
  const samples = Object.fromEntries(Object.keys(modes).map((n) => [n, []]));
  const names = Object.keys(modes);
  for (let round = -1; round < rounds && performance.now() < deadline; round++) {
    for (let i = 0; i < names.length; i++) {
      const name = names[(i + Math.max(round, 0)) % names.length];
      const count = round < 0 ? Math.min(200, handshakes) : handshakes;
      await Promise.all(hosts[name].map((h) => ask(h.child, 'begin')));
      const r = await alternate(
        hosts[name].map((h) => h.port),
        count,
        lanes,
      );
      const cpu = await Promise.all(hosts[name].map((h) => ask(h.child, 'end')));
      const cpuMicros = cpu.reduce((t, c) => t + c.cpuMicros, 0);
      if (round >= 0) {
        samples[name].push({ perSec: count / r.seconds, resumedRate: r.resumed / count, cpuPerHandshake: cpuMicros / count });
      }
    }
  }
  const result = {};
  for (const name of names) {
    const stats = [];
    for (const h of hosts[name]) {
      h.child.send('stats');
      stats.push(await reply(h.child));
      h.child.send('exit');
    }
    const s = samples[name];
    result[name] = {
      handshakesPerSec: median(s.map((x) => x.perSec)),
      resumptionRate: median(s.map((x) => x.resumedRate)),
      serverCpuMicrosPerHandshake: median(s.map((x) => x.cpuPerHandshake)),
      rounds: s.length,
      storeTimeouts: stats.reduce((t, x) => t + (x.store?.timeouts ?? 0), 0),
      serverTimeouts: stats.reduce((t, x) => t + x.server.timeouts, 0),
    };
  }
  return result;
}

// ---------------------------------------------------------------- entry points

/**
 * Run the fleet benchmark; resolves with { lookups: [...per client], endToEnd: {...} }. Bounded by
 * BUDGET_MS. Options: `quick`, `smoke` (sizes), `redisPort` (use a running redis-server instead of
 * starting one), `nodeLib`/`indexLib` (the built entries), `progress(line)`.
 */
export async function runFleetBench(options = {}) {
  // sizes: full, quick, or smoke (seconds; checks that every figure is produced, not speed)
  const size = options.smoke ? 'smoke' : options.quick ? 'quick' : 'full';
  const SIZES = {
    full: { lookups: 10_000, handshakes: 1000, rounds: 3 },
    quick: { lookups: 2000, handshakes: 300, rounds: 2 },
    smoke: { lookups: 100, handshakes: 40, rounds: 1 },
  };
  const sizes = SIZES[size];
  const nodeLib = options.nodeLib ?? process.env.BENCH_NODE_LIB ?? nodeLibDefault;
  const indexLib = options.indexLib ?? process.env.BENCH_LIB ?? indexLibDefault;
  const progress = options.progress ?? (() => {});
  const deadline = performance.now() + BUDGET_MS;
  const redis = options.redisPort === undefined ? await startRedisServer() : undefined;
  const redisPort = options.redisPort ?? /** @type {{ port: number }} */ (redis).port;
  try {
    const lookups = [];
    for (const kind of ['ioredis', 'node-redis']) {
      if (performance.now() > deadline) break;
      progress(`[fleet] lookups through ${kind}`);
      lookups.push(await lookupBench(kind, redisPort, sizes.lookups, nodeLib));
    }
    progress('[fleet] two hosts, one alternating client');
    const e2e = await endToEnd(
      redisPort,
      { handshakes: sizes.handshakes, rounds: sizes.rounds, lanes: 4 },
      nodeLib,
      indexLib,
      deadline,
    );
    return { lookups, endToEnd: e2e };
  } finally {
    redis?.stop();
  }
}

const f1 = (x) => x.toFixed(1);
const f0 = (x) => Math.round(x).toLocaleString('en-US');

/** The result as Markdown tables. */
export function fleetMarkdown(result) {
  const lines = ['| client | operation | lookups/s (1 / mean, sequential) | p50 µs | p99 µs |', '|---|---|--:|--:|--:|'];
  for (const l of result.lookups) {
    for (const [op, r] of Object.entries(l.rows))
      lines.push(`| ${l.kind} | ${op} | ${f0(r.opsPerSec)} | ${f1(r.p50)} | ${f1(r.p99)} |`);
  }
  lines.push(
    '',
    '| two hosts, one alternating client | handshakes/s | resumed | server CPU µs per handshake | store timeouts |',
    '|---|--:|--:|--:|--:|',
  );
  for (const [name, r] of Object.entries(result.endToEnd)) {
    const cpu = f0(r.serverCpuMicrosPerHandshake);
    lines.push(
      `| ${name} | ${f0(r.handshakesPerSec)} | ${(r.resumptionRate * 100).toFixed(1)} % | ${cpu} | ${r.storeTimeouts} |`,
    );
  }
  return lines.join('\n');
}

if (process.argv[2] === '--host') {
  await host(JSON.parse(process.argv[3]));
} else if (process.argv[1] === SELF) {
  const quick = process.argv.includes('--quick');
  const smoke = process.argv.includes('--smoke');
  const result = await runFleetBench({ quick, smoke, progress: (line) => process.stderr.write(`${line}\n`) });
  console.log(process.argv.includes('--json') ? JSON.stringify(result, null, 2) : fleetMarkdown(result));
}
