// When does the server cache matter? Counts, with real TLS on loopback, how many of N sequential
// reconnects resume, per client/server setup, without and with this package's cache. Servers of the
// single-process rows run here; the fleet rows run 2 server processes (the client alternates
// between them, keeping one session as it would behind a TCP load balancer); the cluster rows run
// node:cluster with 2 workers. Prints a markdown table.
//
//   npm run build && node bench/resumption-matrix.mjs [--reconnects 50]
import cluster from 'node:cluster';
import { fork } from 'node:child_process';
import { constants, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import tls from 'node:tls';
import { fileURLToPath } from 'node:url';
import { createSessionCache } from '../dist/index.js';
import { attachSessionCache, connect, sessionCacheServerOptions } from '../dist/node.js';
import { makeCertificate } from './e2e-certs.mjs';

/**
 * @typedef {object} Setup One server's configuration (JSON, so it can be handed to a child process).
 * @property {string} key
 * @property {string} cert
 * @property {boolean} tickets Node's default (on), or off through sessionCacheServerOptions()
 * @property {boolean} [tls12] cap at TLS 1.2
 * @property {boolean} [tls13] with tickets off, allow TLS 1.3 anyway
 * @property {string} [ticketKeys] base64, the same in every process of a fleet
 * @property {boolean} [cache] attach this package's cache
 * @property {number} [port]
 * @typedef {{ port: number, stop(): void }} Running
 * @typedef {{ noTickets?: boolean, keep?: boolean, clientCache?: boolean }} ClientSetup
 * @typedef {(n: number, pem: { key: string, cert: string }, cache: boolean) => Promise<number>} Measure
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
  server.listen(setup.port ?? 0, '127.0.0.1');
  await once(server, 'listening');
  return { port: /** @type {import('node:net').AddressInfo} */ (server.address()).port, stop: () => server.close() };
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
  const [{ port }] = await once(child, 'message');
  return { port, stop: () => child.kill() };
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
const single = (setup, clientOptions) => (n, pem, cache) =>
  withServers([startServer({ ...pem, ...setup, cache })], (ports) => countResumed(ports, n, clientOptions));

/** @type {(setup: RowSetup) => Measure} */
const fleet = (setup) => (n, pem, cache) => {
  const ticketKeys = setup.sharedTicketKeys ? randomBytes(48).toString('base64') : undefined;
  const each = { ...pem, ...setup, cache, ticketKeys };
  return withServers([forkServer(each), forkServer(each)], (ports) => countResumed(ports, n));
};

/** @type {(setup: RowSetup) => Measure} */
const clustered = (setup) => (n, pem, cache) =>
  withServers([forkServer({ ...pem, ...setup, cache }, '--cluster')], (ports) => countResumed(ports, n));

/** Placeholder for setups this package cannot serve yet. */
const LATER = 'see [Scaling out](#scaling-out)';

/**
 * The rows: a label, how to measure it (without, then with the cache), and the shared-cache cell.
 * @type {Array<[string, Measure, string]>}
 */
const ROWS = [
  ['TLS 1.3, server defaults', single({ tickets: true }), '—'],
  ['TLS 1.2, server defaults (tickets on)', single({ tickets: true, tls12: true }), '—'],
  ['TLS 1.2 client without ticket support', single({ tickets: true, tls12: true }, { noTickets: true }), '—'],
  ['TLS 1.2, server with tickets off', single({ tickets: false }), '—'],
  ['TLS 1.3, server with tickets off', single({ tickets: false, tls13: true }), '—'],
  ['2 processes, tickets on, own ticket keys', fleet({ tickets: true }), LATER],
  ['2 processes, tickets on, same `ticketKeys`', fleet({ tickets: true, sharedTicketKeys: true }), LATER],
  ['2 processes, tickets off', fleet({ tickets: false }), LATER],
  ['node:cluster, 2 workers, tickets on', clustered({ tickets: true }), LATER],
  ['node:cluster, 2 workers, tickets off', clustered({ tickets: false }), LATER],
];

/**
 * The client side: outbound connections, with no session kept vs this package's connect().
 * @param {number} n
 * @param {{ key: string, cert: string }} pem
 */
const clientRow = (n, pem) =>
  withServers([startServer({ ...pem, tickets: true })], async (ports) => ({
    plain: await countResumed(ports, n, { keep: false }),
    cached: await countResumed(ports, n, { clientCache: true }),
  }));

async function main() {
  const at = process.argv.indexOf('--reconnects');
  const n = at === -1 ? 50 : Number(process.argv[at + 1]);
  const pem = makeCertificate();
  const cell = (/** @type {number} */ k) => `${k} / ${n}`;
  const lines = [
    `Resumed of ${n} sequential reconnects (loopback, Node ${process.version}; the client keeps the latest session it was sent, as \`https.Agent\` does):`,
    '',
    '| clients and servers | no cache | this cache (one per process) | one cache shared by the processes |',
    '|---|---:|---:|---:|',
  ];
  for (const [label, measure, shared] of ROWS) {
    const without = await measure(n, pem, false);
    const withCache = await measure(n, pem, true);
    lines.push(`| ${label} | ${cell(without)} | ${cell(withCache)} | ${shared} |`);
  }
  const { plain, cached } = await clientRow(n, pem);
  lines.push(`| outbound: \`tls.connect\` vs \`connect()\` with a client cache | ${cell(plain)} | ${cell(cached)} | — |`);
  console.log(lines.join('\n'));
}

/**
 * A server process: report the port to the parent, then serve until killed.
 * @param {Setup} setup
 */
async function serve(setup) {
  const { port } = await startServer(setup);
  process.send?.({ port });
}

/**
 * A cluster primary with 2 workers sharing one listening port (round-robin, the Linux default).
 * @param {Setup} setup
 */
async function primary(setup) {
  cluster.setupPrimary({ exec: SELF, args: ['--serve', JSON.stringify({ ...setup, port: 0 })] });
  const workers = [cluster.fork(), cluster.fork()];
  const ports = await Promise.all(workers.map(async (w) => (await once(w, 'message'))[0].port));
  process.on('SIGTERM', () => {
    for (const w of workers) w.process.kill();
    process.exit(0);
  });
  process.send?.({ port: ports[0] });
}

const [mode, arg] = process.argv.slice(2);
if (mode === '--serve') await serve(JSON.parse(arg ?? ''));
else if (mode === '--cluster') await primary(JSON.parse(arg ?? ''));
else await main();
