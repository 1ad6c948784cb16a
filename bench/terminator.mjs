#!/usr/bin/env node
// The terminator against what operators use today: `tls-resumption serve` beside HAProxy (its own
// session cache) and nginx (`ssl_session_cache shared`), each one process / one thread, TLS 1.2
// with tickets off, in front of the same upstream. Full and resumed handshakes per second come from
// `openssl s_time -new` / `-reuse` (a C client that is not the bottleneck); p99 handshake latency
// from sequential Node clients. The terminators take turns round by round; figures are medians.
//   node bench/terminator.mjs [--seconds N] [--rounds N]
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { fileURLToPath } from 'node:url';
import { makeCertificate } from './e2e-certs.mjs';
import { median } from './stats.mjs';
import { freePort } from './loopback.mjs';

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const NGINX_STREAM = '/usr/lib/nginx/modules/ngx_stream_module.so';

/** An upstream that answers each request with a short HTTP response and closes. */
async function startUpstream() {
  const server = net.createServer((socket) => {
    socket.on('error', () => {});
    socket.once('data', () => socket.end('HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok'));
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', () => r(undefined)));
  return { server, port: /** @type {net.AddressInfo} */ (server.address()).port };
}

/** Resolves once `port` accepts connections. */
async function waitForPort(port, child, name) {
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}`);
    const ok = await new Promise((resolve) => {
      const c = net.connect(port, '127.0.0.1');
      c.once('connect', () => {
        c.destroy();
        resolve(true);
      });
      c.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${name} did not listen on ${port}`);
}

/**
 * The three terminators: how to start each on `port` in front of `upstream`; `serveArgs` are
 * added to `tls-resumption serve`'s.
 */
function terminators(dir, cert, upstream, serveArgs = []) {
  writeFileSync(join(dir, 'combined.pem'), `${cert.cert}${cert.key}`);
  writeFileSync(join(dir, 'cert.pem'), cert.cert);
  writeFileSync(join(dir, 'key.pem'), cert.key);
  return [
    {
      name: 'tls-resumption serve',
      start: (port) =>
        spawn(
          process.execPath,
          [
            CLI,
            'serve',
            '--listen',
            `127.0.0.1:${port}`,
            '--upstream',
            `127.0.0.1:${upstream}`,
            '--cert',
            join(dir, 'cert.pem'),
            '--key',
            join(dir, 'key.pem'),
            '--tickets',
            'off',
            ...serveArgs,
          ],
          { stdio: 'ignore' },
        ),
    },
    {
      name: 'HAProxy',
      start: (port) => {
        const cfg = join(dir, `haproxy-${port}.cfg`);
        writeFileSync(
          cfg,
          [
            'global',
            '  nbthread 1',
            '  tune.ssl.cachesize 20000',
            '  tune.ssl.lifetime 300',
            'defaults',
            '  mode tcp',
            '  timeout connect 5s',
            '  timeout client 30s',
            '  timeout server 30s',
            'frontend tls',
            `  bind 127.0.0.1:${port} ssl crt ${join(dir, 'combined.pem')} no-tls-tickets ssl-max-ver TLSv1.2`,
            '  default_backend up',
            'backend up',
            `  server u 127.0.0.1:${upstream}`,
            '',
          ].join('\n'),
        );
        return spawn('haproxy', ['-f', cfg, '-db'], { stdio: 'ignore' });
      },
    },
    {
      name: 'nginx',
      start: (port) => {
        const prefix = join(dir, `nginx-${port}`);
        execFileSync('mkdir', ['-p', join(prefix, 'logs')]);
        const cfg = join(prefix, 'nginx.conf');
        writeFileSync(
          cfg,
          [
            `load_module ${NGINX_STREAM};`,
            'worker_processes 1;',
            'daemon off;',
            'master_process off;',
            `pid ${join(prefix, 'nginx.pid')};`,
            `error_log ${join(prefix, 'logs', 'error.log')};`,
            'events {}',
            'stream {',
            '  server {',
            `    listen 127.0.0.1:${port} ssl;`,
            `    ssl_certificate ${join(dir, 'cert.pem')};`,
            `    ssl_certificate_key ${join(dir, 'key.pem')};`,
            '    ssl_protocols TLSv1.2;',
            '    ssl_session_cache shared:SSL:10m;',
            '    ssl_session_timeout 5m;',
            '    ssl_session_tickets off;',
            `    proxy_pass 127.0.0.1:${upstream};`,
            '  }',
            '}',
            '',
          ].join('\n'),
        );
        return spawn('nginx', ['-p', prefix, '-c', cfg], { stdio: 'ignore' });
      },
    },
  ];
}

/** Whether `command` runs here (HAProxy and nginx are Debian packages the benchmark does not install). */
const runs = (command, args) => spawnSync(command, args, { stdio: 'ignore' }).status === 0;

/** The terminators that can run on this machine, and a note for each one that cannot. */
export function availableTerminators() {
  const missing = [];
  if (!runs('haproxy', ['-v'])) missing.push('HAProxy (apt-get install haproxy)');
  if (!runs('nginx', ['-v']) || !existsSync(NGINX_STREAM))
    missing.push('nginx (apt-get install nginx-light libnginx-mod-stream)');
  return { missing, skip: new Set(missing.map((m) => m.split(' ')[0])) };
}

/** `openssl s_time` for `seconds`: connections per wall-clock second. */
function sTime(port, mode, seconds) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(
      'openssl',
      ['s_time', '-connect', `127.0.0.1:${port}`, mode, '-tls1_2', '-time', String(seconds), '-www', '/'],
      {
        stdio: ['ignore', 'pipe', 'ignore'],
      },
    );
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d) => {
      out += d;
    });
    child.once('error', reject);
    child.once('close', () => {
      const elapsed = (performance.now() - t0) / 1000;
      const m = /(\d+) connections in [\d.]+s;/.exec(out);
      if (!m) return reject(new Error(`s_time printed no figure: ${out.slice(0, 200)}`));
      resolve(Number(m[1]) / elapsed);
    });
  });
}

/**
 * One TLS 1.2 connection offering `session`, which sends a request and reads to the end: its
 * handshake time (connect to secureConnect), whether it resumed, and the newest session.
 * @param {number} port
 * @param {Buffer | undefined} session
 * @returns {Promise<{ ms: number, resumed: boolean, session: Buffer | undefined }>}
 */
function handshake(port, session) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    let ms = 0;
    let resumed = false;
    let latest = session;
    const s = tls.connect({ port, host: '127.0.0.1', rejectUnauthorized: false, maxVersion: 'TLSv1.2', session });
    s.once('secureConnect', () => {
      ms = performance.now() - t0;
      resumed = s.isSessionReused();
      s.end('GET / HTTP/1.0\r\n\r\n');
    });
    s.on('session', (b) => {
      latest = b;
    });
    s.on('data', () => {});
    s.once('error', reject);
    s.once('close', () => resolve({ ms, resumed, session: latest }));
  });
}

/** p99 of `n` sequential handshakes (connect to secureConnect), full or offering one session. */
async function handshakeLatency(port, n, resume) {
  const times = [];
  /** @type {Buffer | undefined} */
  let session;
  let resumed = 0;
  for (let i = 0; i < n; i++) {
    const r = await handshake(port, resume ? session : undefined);
    times.push(r.ms);
    if (r.resumed) resumed++;
    session = r.session;
  }
  times.sort((a, b) => a - b);
  return { p99: times[Math.min(times.length - 1, Math.floor(times.length * 0.99))], resumedShare: resumed / n };
}

/**
 * Run the comparison. Returns one row per terminator: full and resumed handshakes/s (medians over
 * rounds), p99 handshake latency full and resumed (ms), the share of offered sessions resumed.
 * @param {{ seconds?: number, rounds?: number, latencyConnections?: number, log?: (line: string) => void }} [options]
 */
export async function runTerminatorBench({ seconds = 5, rounds = 3, latencyConnections = 300, log = () => {} } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'tls-resumption-terminators-'));
  const upstream = await startUpstream();
  const cert = makeCertificate();
  const { skip, missing } = availableTerminators();
  for (const m of missing) log(`[terminators] skipped, not installed: ${m}`);
  const all = terminators(dir, cert, upstream.port).filter((t) => !skip.has(t.name));
  /** @type {{ name: string, full: number[], resumed: number[], p99Full: number[], p99Resumed: number[], resumedShare: number[] }[]} */
  const results = all.map((t) => ({ name: t.name, full: [], resumed: [], p99Full: [], p99Resumed: [], resumedShare: [] }));
  try {
    for (let round = 0; round < rounds; round++) {
      for (let k = 0; k < all.length; k++) {
        const i = (k + round) % all.length; // rotate who goes first
        const t = all[i];
        const port = await freePort();
        const child = t.start(port);
        try {
          await waitForPort(port, child, t.name);
          log(`[terminators] round ${round + 1}/${rounds} ${t.name}`);
          results[i].full.push(await sTime(port, '-new', seconds));
          results[i].resumed.push(await sTime(port, '-reuse', seconds));
          const full = await handshakeLatency(port, latencyConnections, false);
          const resumed = await handshakeLatency(port, latencyConnections, true);
          results[i].p99Full.push(full.p99);
          results[i].p99Resumed.push(resumed.p99);
          results[i].resumedShare.push(resumed.resumedShare);
        } finally {
          child.kill('SIGKILL');
          await new Promise((r) => (child.exitCode === null ? child.once('exit', r) : r(undefined)));
        }
      }
    }
  } finally {
    upstream.server.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return results.map((r) => ({
    name: r.name,
    fullPerSecond: median(r.full),
    resumedPerSecond: median(r.resumed),
    p99FullMs: median(r.p99Full),
    p99ResumedMs: median(r.p99Resumed),
    resumedShare: median(r.resumedShare),
    rounds: { full: r.full, resumed: r.resumed },
  }));
}

/** A redis-server on a free loopback port, persistence off; resolves once it accepts connections. */
async function startRedisServer(dir) {
  const port = await freePort();
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
    {
      stdio: 'ignore',
    },
  );
  await waitForPort(port, child, 'redis-server');
  return { port, child };
}

/** `count` sequential TLS 1.2 connections alternating between `ports`, each offering the newest session. */
async function alternate(ports, count) {
  /** @type {Buffer | undefined} */
  let session;
  let resumed = 0;
  const t0 = performance.now();
  for (let i = 0; i < count; i++) {
    const r = await handshake(ports[i % ports.length], session);
    if (r.resumed) resumed++;
    session = r.session;
  }
  const seconds = (performance.now() - t0) / 1000;
  return { resumedShare: resumed / (count - 1), handshakesPerSecond: count / seconds };
}

/**
 * The case a fleet lives in: two terminator processes standing for two hosts, tickets off, and
 * a client that alternates between them (as a load balancer spreads reconnects). Two
 * `tls-resumption serve --redis` processes sharing one Redis, against two HAProxy processes (each
 * with its own cache: HAProxy cannot share one across hosts). Rows: resumed share, handshakes/s.
 */
export async function runFleetTerminatorBench({ connections = 400, log = (/** @type {string} */ _line) => {} } = {}) {
  const rows = [];
  if (!runs('redis-server', ['--version'])) {
    log('[terminators] fleet case skipped: redis-server is not installed (apt-get install redis-server)');
    return rows;
  }
  const dir = mkdtempSync(join(tmpdir(), 'tls-resumption-fleet-terminators-'));
  const upstream = await startUpstream();
  const cert = makeCertificate();
  const redis = await startRedisServer(dir);
  writeFileSync(join(dir, 'keyring.json'), JSON.stringify({ current: { id: 'k1', secret: randomBytes(32).toString('base64') } }));
  const tier = ['--redis', `redis://127.0.0.1:${redis.port}`, '--keyring-file', join(dir, 'keyring.json')];
  const all = terminators(dir, cert, upstream.port, tier);
  /** @type {import('node:child_process').ChildProcess[]} */
  const children = [];
  try {
    const haproxy = all.find((t) => t.name === 'HAProxy');
    const serve = /** @type {(typeof all)[number]} */ (all.find((t) => t.name === 'tls-resumption serve'));
    const pairs = [{ name: 'two `tls-resumption serve --redis`', start: serve.start }];
    if (haproxy !== undefined && runs('haproxy', ['-v'])) pairs.push({ name: 'two HAProxy', start: haproxy.start });
    for (const pair of pairs) {
      const ports = [await freePort(), await freePort()];
      const started = ports.map((port) => pair.start(port));
      children.push(...started);
      for (let i = 0; i < 2; i++) await waitForPort(ports[i], started[i], pair.name);
      log(`[terminators] fleet case: ${pair.name}`);
      rows.push({ name: pair.name, ...(await alternate(ports, connections)) });
      for (const c of started) c.kill('SIGKILL');
    }
  } finally {
    for (const c of children) c.kill('SIGKILL');
    redis.child.kill('SIGKILL');
    upstream.server.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}

/** The fleet case as a markdown table. */
export function fleetTerminatorTable(rows) {
  const lines = [
    '| two terminators, a client alternating between them (TLS 1.2, tickets off) | resumed | handshakes/s |',
    '|---|---:|---:|',
  ];
  for (const r of rows)
    lines.push(`| ${r.name} | ${(100 * r.resumedShare).toFixed(1)} % | ${r.handshakesPerSecond.toFixed(0)} |`);
  return lines.join('\n');
}

/** The rows as a markdown table. */
export function terminatorTable(rows) {
  const lines = [
    '| terminator | full handshakes/s | resumed handshakes/s | p99 full (ms) | p99 resumed (ms) | offered sessions resumed |',
    '|---|---|---|---|---|---|',
  ];
  for (const r of rows) {
    lines.push(
      `| ${r.name} | ${r.fullPerSecond.toFixed(0)} | ${r.resumedPerSecond.toFixed(0)} | ${r.p99FullMs.toFixed(2)} | ${r.p99ResumedMs.toFixed(2)} | ${(100 * r.resumedShare).toFixed(0)} % |`,
    );
  }
  return lines.join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const arg = (name, fallback) => {
    const i = process.argv.indexOf(name);
    return i === -1 ? fallback : Number(process.argv[i + 1]);
  };
  const rows = await runTerminatorBench({
    seconds: arg('--seconds', 5),
    rounds: arg('--rounds', 3),
    log: (line) => process.stderr.write(`${line}\n`),
  });
  process.stdout.write(`${terminatorTable(rows)}\n\n`);
  const fleet = await runFleetTerminatorBench({ log: (line) => process.stderr.write(`${line}\n`) });
  process.stdout.write(`${fleetTerminatorTable(fleet)}\n`);
}
