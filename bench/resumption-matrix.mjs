// When does the server cache matter? Counts, with real TLS on loopback, how many of N sequential
// reconnects resume, per client/server setup, without and with this package's cache. Servers of the
// single-process rows run here; the fleet rows run 2 server processes (the client alternates
// between them, keeping one session as it would behind a TCP load balancer); the cluster rows run
// node:cluster with 2 workers. The last column shares one cache between the processes: the Redis
// tier (a redis-server this script starts on a free loopback port, persistence off) for the 2
// processes, the primary's cache for node:cluster. Prints a markdown table.
//
//   npm run build && node bench/resumption-matrix.mjs [--reconnects 50]
import cluster from 'node:cluster';
import { fork, spawn } from 'node:child_process';
import { constants, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { fileURLToPath } from 'node:url';
import { createSessionCache } from '../dist/index.js';
import {
  attachSessionCache,
  attachTicketKeys,
  clusterSessionStore,
  connect,
  createRedisSessionStore,
  serveClusterSessionCache,
  sessionCacheServerOptions,
} from '../dist/node.js';
import { makeCertificate } from './e2e-certs.mjs';
import { freePort } from './loopback.mjs';

/**
 * @typedef {object} Setup One server's configuration (JSON, so it can be handed to a child process).
 * @property {string} key
 * @property {string} cert
 * @property {boolean} tickets Node's default (on), or off through sessionCacheServerOptions()
 * @property {boolean} [tls12] cap at TLS 1.2
 * @property {boolean} [tls13] with tickets off, allow TLS 1.3 anyway
 * @property {string} [ticketKeys] base64, the same in every process of a fleet
 * @property {boolean} [cache] attach this package's cache (one per process)
 * @property {{ port: number, prefix: string }} [redis] attach the Redis tier instead
 * @property {boolean} [clusterStore] attach clusterSessionStore() instead (a node:cluster worker)
 * @property {string} [ticketSecret] base64: attachTicketKeys with this secret (in place of `ticketKeys`)
 * @property {number} [port]
 * @typedef {{ port: number, stop(): void }} Running
 * @typedef {{ noTickets?: boolean, keep?: boolean, clientCache?: boolean }} ClientSetup
 * @typedef {'none' | 'own' | 'shared'} CacheMode no cache, one per process, one shared by the processes
 * @typedef {{ key: string, cert: string, redisPort?: number }} Env the certificate, and the redis-server if one runs
 * @typedef {(n: number, env: Env, mode: CacheMode) => Promise<number | string>} Measure a count, or why there is none
 */

const SELF = fileURLToPath(import.meta.url);
const NO_TICKET = constants.SSL_OP_NO_TICKET;
/** Identical in every server process, so processes could resume each other's sessions id-wise. */
const SESSION_ID_CONTEXT = 'resumption-matrix';

/**
 * Server options for one setup. Tickets off uses sessionCacheServerOptions(), which also caps at
 * TLS 1.2 unless `tls13` (TLS 1.3 cannot resume without tickets).
 * @param {Setup} setup
 */
function serverOptions({ key, cert, tickets, tls12, tls13, ticketKeys }) {
  /** @type {tls.TlsOptions} */
  const options = { key, cert, sessionIdContext: SESSION_ID_CONTEXT };
  if (!tickets) Object.assign(options, sessionCacheServerOptions({ sessionIdContext: SESSION_ID_CONTEXT, tls13 }));
  if (tls12) options.maxVersion = 'TLSv1.2';
  if (ticketKeys) options.ticketKeys = Buffer.from(ticketKeys, 'base64');
  return options;
}

/**
 * A TLS server answering every connection; with `cache`, this package's cache is attached.
 * @param {Setup} setup
 * @returns {Promise<Running>}
 */
async function startServer(setup) {
  const server = tls.createServer(serverOptions(setup), (socket) => {
    socket.on('error', () => {});
    socket.end('ok\n'); // a write, so TLS 1.3 tickets are sent
  });
  if (setup.cache) attachSessionCache(server, createSessionCache({ role: 'server', maxSessions: 1000 }), { warn: false });
  else if (setup.clusterStore) attachSessionCache(server, clusterSessionStore(), { warn: false });
  else if (setup.redis) attachSessionCache(server, await redisStore(setup.redis), { warn: false });
  if (setup.ticketSecret) attachTicketKeys(server, { secret: Buffer.from(setup.ticketSecret, 'base64') });
  server.listen(setup.port ?? 0, '127.0.0.1');
  await once(server, 'listening');
  return { port: /** @type {import('node:net').AddressInfo} */ (server.address()).port, stop: () => server.close() };
}

/** One keyring for every process of a run: they must open each other's records. */
const KEYRING = { current: { id: 'k1', secret: Buffer.alloc(32, 'resumption-matrix') } };

/**
 * The Redis tier, once its client is ready (before that, every write would be dropped).
 * @param {{ port: number, prefix: string }} redis
 */
async function redisStore({ port, prefix }) {
  const { Redis } = await import('ioredis');
  const client = new Redis({ host: '127.0.0.1', port });
  await once(client, 'ready');
  return createRedisSessionStore({ client, keyring: KEYRING, prefix, local: { maxSessions: 1000 } });
}

/**
 * One client connection; resolves once it closed, with whether it resumed and the last session.
 * @param {tls.ConnectionOptions} options
 * @param {import('../dist/index.js').SessionCache | undefined} client
 * @returns {Promise<{ resumed: boolean, session: Buffer | undefined }>}
 */
function reconnect(options, client) {
  const socket = client ? connect(options, client) : tls.connect(options);
  /** @type {Buffer | undefined} */
  let session;
  socket.on('session', (s) => (session = s));
  socket.resume();
  return new Promise((resolve, reject) => {
    let resumed = false;
    socket.once('secureConnect', () => (resumed = socket.isSessionReused()));
    socket.once('error', reject);
    socket.once('close', () => resolve({ resumed, session }));
  });
}

/**
 * One first connection, then `n` reconnects round-robin over `ports`; how many resumed. The client
 * keeps the latest session it was sent (as https.Agent does), unless `keep` is false; with
 * `clientCache` it goes through this package's connect() instead. `noTickets`: a client without
 * ticket support (SSL_OP_NO_TICKET).
 * @param {number[]} ports
 * @param {number} n
 * @param {ClientSetup} [client]
 */
async function countResumed(ports, n, { noTickets = false, keep = true, clientCache = false } = {}) {
  const cache = clientCache ? createSessionCache({ role: 'client' }) : undefined;
  /** @type {Buffer | undefined} */
  let session;
  let resumed = 0;
  for (let i = 0; i <= n; i++) {
    const options = {
      host: '127.0.0.1',
      port: ports[i % ports.length],
      servername: 'localhost',
      rejectUnauthorized: false,
      ...(noTickets && { secureOptions: NO_TICKET }),
      ...(keep && !cache && session && { session }),
    };
    const r = await reconnect(options, cache);
    if (i > 0 && r.resumed) resumed++;
    session = r.session ?? session;
  }
  cache?.terminate();
  return resumed;
}

/**
 * Start `setup`'s server in a child process (fork-mode process managers, restarts, hosts), or with
 * `--cluster` a cluster primary with 2 workers.
 * @param {Setup} setup
 * @returns {Promise<Running>}
 */
async function forkServer(setup, mode = '--serve') {
  const child = fork(SELF, [mode, JSON.stringify(setup)]);
  children.add(child);
  child.once('exit', () => children.delete(child));
  return { port: await portFrom(child), stop: () => child.kill() };
}

/**
 * The port a server process reports (a cluster worker's store sends the primary messages of its own).
 * @param {import('node:events').EventEmitter} from
 * @returns {Promise<number>}
 */
function portFrom(from) {
  return new Promise((resolve) => {
    /** @param {any} msg */
    const onMessage = (msg) => {
      if (typeof msg?.port !== 'number') return;
      from.off('message', onMessage);
      resolve(msg.port);
    };
    from.on('message', onMessage);
  });
}

/** Every child process still running and redis-server's directory: cleaned up however this script ends. */
const children = new Set(/** @type {import('node:child_process').ChildProcess[]} */ ([]));
const dirs = new Set(/** @type {string[]} */ ([]));
process.once('exit', () => {
  for (const child of children) child.kill(); // SIGTERM: a cluster primary then stops its workers
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/**
 * A redis-server on a free loopback port, persistence off, in a temporary directory; undefined if
 * redis-server is not installed (or will not start).
 * @returns {Promise<{ port: number, stop(): void } | undefined>}
 */
async function startRedis() {
  const dir = mkdtempSync(join(tmpdir(), 'resumption-matrix-redis-'));
  dirs.add(dir);
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort(); // another process may take it first: then try again
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir];
    const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'ignore'] });
    children.add(child);
    child.once('exit', () => children.delete(child));
    const ready = await new Promise((resolve) => {
      let output = '';
      child.once('error', () => {
        children.delete(child);
        resolve(false); // not installed
      });
      child.once('exit', () => resolve(false));
      child.stdout?.on('data', (chunk) => {
        output = (output + chunk).slice(-1000); // read to the end, so it never blocks on a full pipe
        if (output.includes('Ready to accept connections')) resolve(true);
      });
    });
    if (ready) {
      return {
        port,
        stop() {
          child.kill('SIGKILL');
          rmSync(dir, { recursive: true, force: true });
        },
      };
    }
    child.kill('SIGKILL');
    if (child.pid === undefined) break; // spawn failed: not installed
  }
  rmSync(dir, { recursive: true, force: true });
  return undefined;
}

/**
 * Run `client` against the servers `starts` start, then stop them.
 * @template T
 * @param {Promise<Running>[]} starts
 * @param {(ports: number[]) => Promise<T>} client
 */
async function withServers(starts, client) {
  const servers = await Promise.all(starts);
  try {
    return await client(servers.map((s) => s.port));
  } finally {
    for (const s of servers) s.stop();
  }
}

/** @typedef {Omit<Setup, 'key' | 'cert'> & { sharedTicketKeys?: boolean }} RowSetup */

/** @type {(setup: RowSetup, client?: ClientSetup) => Measure} */
const single = (setup, clientOptions) => (n, env, mode) =>
  withServers([startServer({ key: env.key, cert: env.cert, ...setup, cache: mode === 'own' })], (ports) =>
    countResumed(ports, n, clientOptions),
  );

/**
 * 2 server processes. Shared: both attach the Redis tier (the only cache separate processes can
 * share) and, with tickets on, attachTicketKeys with one secret in place of their own or static keys
 * (separate processes share tickets only through their keys), unless `attachKeys` is false.
 * @type {(setup: RowSetup, options?: { attachKeys?: boolean }) => Measure}
 */
const fleet =
  (setup, { attachKeys = true } = {}) =>
  async (n, env, mode) => {
    if (mode === 'shared' && env.redisPort === undefined) return 'needs redis-server';
    /** @type {Setup} */
    const each = { key: env.key, cert: env.cert, ...setup, cache: mode === 'own' };
    if (setup.sharedTicketKeys) each.ticketKeys = randomBytes(48).toString('base64');
    if (mode === 'shared' && env.redisPort !== undefined) {
      each.redis = { port: env.redisPort, prefix: `rm-${randomBytes(4).toString('hex')}:` }; // no record of an earlier run
      if (setup.tickets && attachKeys) each.ticketSecret = randomBytes(32).toString('base64');
    }
    return withServers([forkServer(each), forkServer(each)], (ports) => countResumed(ports, n));
  };

/**
 * node:cluster with 2 workers. Shared: the primary's cache, through clusterSessionStore().
 * @type {(setup: RowSetup) => Measure}
 */
const clustered = (setup) => (n, env, mode) => {
  /** @type {Setup} */
  const each = { key: env.key, cert: env.cert, ...setup, cache: mode === 'own', clusterStore: mode === 'shared' };
  return withServers([forkServer(each, '--cluster')], (ports) => countResumed(ports, n));
};

/**
 * The rows: a label, how to measure it (without, then with the cache, then with one cache shared
 * by the processes), and whether the row has processes to share a cache.
 * @type {Array<[string, Measure, boolean]>}
 */
const ROWS = [
  ['TLS 1.3, server defaults', single({ tickets: true }), false],
  ['TLS 1.2, server defaults (tickets on)', single({ tickets: true, tls12: true }), false],
  ['TLS 1.2 client without ticket support', single({ tickets: true, tls12: true }, { noTickets: true }), false],
  ['TLS 1.2, server with tickets off', single({ tickets: false }), false],
  ['TLS 1.3, server with tickets off', single({ tickets: false, tls13: true }), false],
  ['2 processes, tickets on, own ticket keys', fleet({ tickets: true }), true],
  ['2 processes, tickets on, same `ticketKeys`', fleet({ tickets: true, sharedTicketKeys: true }), true],
  ['2 processes, tickets off', fleet({ tickets: false }), true],
  ['node:cluster, 2 workers, tickets on', clustered({ tickets: true }), true],
  ['node:cluster, 2 workers, tickets off', clustered({ tickets: false }), true],
];

/**
 * The client side: outbound connections, with no session kept vs this package's connect().
 * @param {number} n
 * @param {Env} env
 */
const clientRow = (n, env) =>
  withServers([startServer({ key: env.key, cert: env.cert, tickets: true })], async (ports) => ({
    plain: await countResumed(ports, n, { keep: false }),
    cached: await countResumed(ports, n, { clientCache: true }),
  }));

async function main() {
  const at = process.argv.indexOf('--reconnects');
  const n = at === -1 ? 50 : Number(process.argv[at + 1]);
  // Interrupted: exit, so the 'exit' handler stops the servers and redis-server.
  process.once('SIGINT', () => process.exit(130));
  process.once('SIGTERM', () => process.exit(143));
  const redis = await startRedis();
  try {
    /** @type {Env} */
    const env = { ...makeCertificate(), redisPort: redis?.port };
    const cell = (/** @type {number | string} */ k) => (typeof k === 'string' ? k : `${k} / ${n}`);
    const lines = [
      `Resumed of ${n} sequential reconnects (loopback, Node ${process.version}; the client keeps the latest session it was sent, as \`https.Agent\` does):`,
      '',
      '| clients and servers | no cache | this cache (one per process) | one cache shared by the processes |',
      '|---|---:|---:|---:|',
    ];
    for (const [label, measure, shares] of ROWS) {
      const without = await measure(n, env, 'none');
      const withCache = await measure(n, env, 'own');
      const shared = shares ? cell(await measure(n, env, 'shared')) : '—';
      lines.push(`| ${label} | ${cell(without)} | ${cell(withCache)} | ${shared} |`);
    }
    const { plain, cached } = await clientRow(n, env);
    lines.push(`| outbound: \`tls.connect\` vs \`connect()\` with a client cache | ${cell(plain)} | ${cell(cached)} | — |`);
    // What the ticket secret adds: the Redis tier alone, each process keeping its own ticket keys.
    const alone =
      env.redisPort === undefined ? undefined : cell(await fleet({ tickets: true }, { attachKeys: false })(n, env, 'shared'));
    const ownKeys =
      alone === undefined ? '' : `; with their own keys the Redis tier alone resumes ${alone}: TLS 1.3 resumes from tickets`;
    lines.push(
      '',
      `Shared: for 2 processes, the Redis tier (\`createRedisSessionStore\`, one redis-server) for session ids, plus, tickets on, \`attachTicketKeys\` with one secret in both (in place of their own or static keys${ownKeys}); for node:cluster, \`serveClusterSessionCache\` in the primary and \`clusterSessionStore()\` in each worker (node:cluster already gives every worker the first one's ticket keys).`,
    );
    console.log(lines.join('\n'));
  } finally {
    redis?.stop();
  }
}

/**
 * A server process: report the port to the parent, then serve until killed.
 * @param {Setup} setup
 */
async function serve(setup) {
  const { port } = await startServer(setup);
  process.send?.({ port });
  if (!cluster.isWorker) process.on('disconnect', () => process.exit(0)); // the parent is gone
}

/**
 * A cluster primary with 2 workers sharing one listening port (round-robin, the Linux default).
 * @param {Setup} setup
 */
async function primary(setup) {
  cluster.schedulingPolicy = cluster.SCHED_RR;
  // 'advanced': session bytes cross the IPC channel as bytes, not base64
  cluster.setupPrimary({ exec: SELF, args: ['--serve', JSON.stringify({ ...setup, port: 0 })], serialization: 'advanced' });
  if (setup.clusterStore) serveClusterSessionCache(createSessionCache({ role: 'server', maxSessions: 1000 }));
  const workers = [cluster.fork(), cluster.fork()];
  const ports = await Promise.all(workers.map(portFrom));
  const stop = () => {
    for (const w of workers) w.process.kill();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('disconnect', stop); // the parent is gone
  process.send?.({ port: ports[0] });
}

const [mode, arg] = process.argv.slice(2);
if (mode === '--serve') await serve(JSON.parse(arg ?? ''));
else if (mode === '--cluster') await primary(JSON.parse(arg ?? ''));
else await main();
