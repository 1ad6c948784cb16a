// `serve` across processes: --workers (one cache in the cluster primary), --redis (the fleet tier
// shared by separate terminators), --ticket-secret-file (ticket keys shared by separate
// terminators). Real processes, a real redis-server, real TLS clients on loopback.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { selfSignedCertificate } from '../../src/cli/self-signed.js';
import { type RedisServer, startRedis } from '../fleet/redis-server.js';
import { type Running, runCli, startServe } from './run-cli.js';

let dir: string;
let upstream: net.Server;
let upstreamPort: number;
const running: Running[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tls-resumption-cli-'));
  upstream = net.createServer((socket) => {
    socket.on('error', () => {});
    socket.end('ok\n');
  });
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
  upstreamPort = (upstream.address() as net.AddressInfo).port;
});
afterAll(async () => {
  for (const r of running) r.child.kill('SIGKILL');
  await new Promise((r) => upstream.close(r));
  rmSync(dir, { recursive: true, force: true });
});

async function serve(args: string[]): Promise<Running> {
  const r = await startServe(['--listen', '127.0.0.1:0', '--upstream', `127.0.0.1:${upstreamPort}`, ...args]);
  running.push(r);
  return r;
}

/** One connection offering `session`: whether it resumed, and the newest session. */
function connect(
  port: number,
  session: Buffer | undefined,
  maxVersion: tls.SecureVersion,
): Promise<[boolean, Buffer | undefined]> {
  return new Promise((resolve, reject) => {
    let next = session;
    let resumed = false;
    const socket = tls.connect({ port, host: '127.0.0.1', rejectUnauthorized: false, session, maxVersion });
    socket.on('session', (s: Buffer) => {
      next = s;
    });
    socket.once('secureConnect', () => {
      resumed = socket.isSessionReused();
    });
    socket.on('data', () => {});
    socket.once('error', reject);
    socket.once('close', () => resolve([resumed, next]));
  });
}

/** `count` reconnects, the i-th to ports[i % ports.length], each offering the newest session. */
async function reconnects(ports: number[], count: number, maxVersion: tls.SecureVersion): Promise<boolean[]> {
  let [, session] = await connect(ports[0]!, undefined, maxVersion);
  const resumed: boolean[] = [];
  for (let i = 0; i < count; i++) {
    const [r, next] = await connect(ports[(i + 1) % ports.length]!, session, maxVersion);
    resumed.push(r);
    session = next;
  }
  return resumed;
}

const all = (n: number) => new Array(n).fill(true);
const none = (n: number) => new Array(n).fill(false);

describe('--workers', () => {
  test('--workers 2, tickets off: every reconnect resumes across the workers; SIGTERM exits 0', async () => {
    const r = await serve(['--workers', '2', '--tickets', 'off']);
    expect(r.stdout()).toContain('(2 workers)');
    expect(await reconnects([r.port], 20, 'TLSv1.2')).toEqual(all(20));
    r.child.kill('SIGTERM');
    expect(await r.exited).toBe(0);
    expect(r.stdout()).toContain('stopped');
  });
});

describe('--ticket-secret-file', () => {
  test('two terminators with one secret resume each other’s TLS 1.3 tickets; with different secrets they do not', async () => {
    const same = join(dir, 'secret');
    const other = join(dir, 'other');
    writeFileSync(same, randomBytes(32));
    writeFileSync(other, randomBytes(32));
    const a = await serve(['--ticket-secret-file', same]);
    const b = await serve(['--ticket-secret-file', same]);
    const c = await serve(['--ticket-secret-file', other]);
    expect(await reconnects([a.port, b.port], 6, 'TLSv1.3')).toEqual(all(6));
    expect(await reconnects([a.port, c.port], 6, 'TLSv1.3')).toEqual(none(6));
  });

  test('a secret shorter than 32 bytes is refused', async () => {
    const short = join(dir, 'short');
    writeFileSync(short, randomBytes(16));
    const r = await runCli(['serve', '--listen', '127.0.0.1:0', '--upstream', '127.0.0.1:9', '--ticket-secret-file', short]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/holds 16 bytes; at least 32/);
  });
});

describe('--redis', () => {
  let redis: RedisServer;
  let keyring: string;
  beforeAll(async () => {
    redis = await startRedis();
    keyring = join(dir, 'keyring.json');
    writeFileSync(keyring, JSON.stringify({ current: { id: 'k1', secret: randomBytes(32).toString('base64') } }));
  });
  afterAll(async () => {
    await redis.stop();
  });

  test('two terminators (one of them a 2-worker cluster) share sessions through Redis, tickets off', async () => {
    const url = `redis://127.0.0.1:${redis.port}`;
    // one service: the same certificate on every host (sessions are keyed by it)
    const pair = selfSignedCertificate(['localhost']);
    writeFileSync(join(dir, 'cert.pem'), pair.cert);
    writeFileSync(join(dir, 'key.pem'), pair.key);
    const tlsFiles = ['--cert', join(dir, 'cert.pem'), '--key', join(dir, 'key.pem'), '--tickets', 'off'];
    const a = await serve([...tlsFiles, '--redis', url, '--keyring-file', keyring]);
    const b = await serve([...tlsFiles, '--workers', '2', '--redis', url, '--keyring-file', keyring, '--metrics', '127.0.0.1:0']);
    expect(await reconnects([a.port, b.port], 10, 'TLSv1.2')).toEqual(all(10));
    // the session was made on a: b's primary found it in Redis
    const metrics = await fetch(`http://127.0.0.1:${b.metricsPort}/metrics`).then((res) => res.text());
    expect(Number(/^tls_resumption_redis_hits_total (\d+)$/m.exec(metrics)?.[1])).toBeGreaterThan(0);
  });

  test('without the tier, the same two terminators resume nothing', async () => {
    const tlsFiles = ['--cert', join(dir, 'cert.pem'), '--key', join(dir, 'key.pem'), '--tickets', 'off'];
    const a = await serve(tlsFiles);
    const b = await serve(tlsFiles);
    expect(await reconnects([a.port, b.port], 6, 'TLSv1.2')).toEqual(none(6));
  });

  test('bad Redis arguments are refused with one line', async () => {
    const base = ['serve', '--listen', '127.0.0.1:0', '--upstream', '127.0.0.1:9'];
    const cases: [string[], RegExp][] = [
      [['--redis', 'redis://127.0.0.1:1'], /--redis and --keyring-file go together/],
      [['--redis', 'http://x', '--keyring-file', keyring], /--redis must be a redis:\/\/ or rediss:\/\/ URL/],
      [['--redis', 'redis://127.0.0.1:1', '--keyring-file', join(dir, 'missing.json')], /cannot read --keyring-file .*ENOENT/],
    ];
    writeFileSync(join(dir, 'weak.json'), JSON.stringify({ current: { id: 'k1', secret: 'c2hvcnQ=' } }));
    cases.push([['--redis', 'redis://127.0.0.1:1', '--keyring-file', join(dir, 'weak.json')], /secret/]);
    for (const [args, message] of cases) {
      const r = await runCli([...base, ...args]);
      expect(r.status).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(message);
    }
  });
});

describe('--redis without a Redis client package', () => {
  test('names the package to install, in one line', async () => {
    // the built command line alone, where no node_modules can be found: it has no dependency of its own
    const lone = mkdtempSync(join(tmpdir(), 'tls-resumption-lone-'));
    try {
      cpSync(fileURLToPath(new URL('../../dist', import.meta.url)), join(lone, 'dist'), { recursive: true });
      cpSync(fileURLToPath(new URL('../../build/core.wasm', import.meta.url)), join(lone, 'build', 'core.wasm'));
      writeFileSync(
        join(lone, 'keyring.json'),
        JSON.stringify({ current: { id: 'k1', secret: randomBytes(32).toString('base64') } }),
      );
      const r = await new Promise<{ status: number | null; stderr: string }>((resolve) => {
        const args = ['serve', '--listen', '127.0.0.1:0', '--upstream', '127.0.0.1:9', '--redis', 'redis://127.0.0.1:1'];
        const child = spawn(
          process.execPath,
          [join(lone, 'dist', 'cli.js'), ...args, '--keyring-file', join(lone, 'keyring.json')],
          {
            cwd: lone,
            stdio: ['ignore', 'ignore', 'pipe'],
          },
        );
        let stderr = '';
        child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
        child.once('close', (status) => resolve({ status, stderr }));
      });
      expect(r.status).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(/--redis needs a Redis client package: npm install ioredis \(or redis\)/);
    } finally {
      rmSync(lone, { recursive: true, force: true });
    }
  });
});
