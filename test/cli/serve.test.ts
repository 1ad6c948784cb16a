// `tls-resumption serve` end to end: the built command, a real upstream, real TLS clients
// (Node's, openssl s_client, curl) on loopback.
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import tls from 'node:tls';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type Running, startServe } from './run-cli.js';

const run = promisify(execFile);

/** An echo server that answers a half-close with its own once it has echoed everything. */
async function echoServer(): Promise<{ server: net.Server; port: number }> {
  const server = net.createServer({ allowHalfOpen: true }, (socket) => {
    socket.on('error', () => {});
    socket.pipe(socket);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, port: (server.address() as net.AddressInfo).port };
}

/** Send `payload` through the terminator, half-close, and collect what comes back. */
function roundTrip(
  port: number,
  payload: Buffer,
  slowReader = false,
  session?: Buffer,
): Promise<{ back: Buffer; reused: boolean; session?: Buffer }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let next: Buffer | undefined;
    let reused = false;
    const socket = tls.connect({ port, host: '127.0.0.1', rejectUnauthorized: false, maxVersion: 'TLSv1.2', session });
    socket.on('session', (s: Buffer) => {
      next = s;
    });
    socket.once('secureConnect', () => {
      reused = socket.isSessionReused();
      socket.end(payload);
    });
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      if (slowReader) {
        socket.pause();
        setTimeout(() => socket.resume(), 2);
      }
    });
    socket.once('error', reject);
    socket.once('close', () => resolve({ back: Buffer.concat(chunks), reused, session: next }));
  });
}

async function metrics(port: number): Promise<Record<string, number>> {
  const text = await new Promise<string>((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path: '/metrics' }, (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (d: string) => (body += d));
        res.once('end', () => resolve(body));
      })
      .once('error', reject);
  });
  const values: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const m = /^(tls_resumption_\w+) (\S+)$/.exec(line);
    if (m) values[m[1]!] = Number(m[2]);
  }
  return values;
}

describe('serve, one process, tickets off', () => {
  let upstream: { server: net.Server; port: number };
  let serve: Running;

  beforeAll(async () => {
    upstream = await echoServer();
    serve = await startServe([
      '--listen',
      '127.0.0.1:0',
      '--upstream',
      `127.0.0.1:${upstream.port}`,
      '--tickets',
      'off',
      '--metrics',
      '127.0.0.1:0',
    ]);
  });
  afterAll(async () => {
    serve.child.kill('SIGKILL');
    await new Promise((r) => upstream.server.close(r));
  });

  test('prints the fingerprint of the certificate it generated', () => {
    expect(serve.stdout()).toMatch(/SHA-256 fingerprint ([0-9A-F]{2}:){31}[0-9A-F]{2}/);
  });

  test('bytes round-trip both ways: 1 byte, 1 MB, and 4 MB to a slow reader', async () => {
    for (const [payload, slow] of [
      [Buffer.of(42), false],
      [randomBytes(1 << 20), false],
      [randomBytes(4 << 20), true],
    ] as const) {
      const { back } = await roundTrip(serve.port, payload, slow);
      expect(back.length).toBe(payload.length);
      expect(back.equals(payload)).toBe(true);
    }
  });

  test('a reconnect with the session resumes through the cache, and the metrics show it', async () => {
    const before = await metrics(serve.metricsPort!);
    const first = await roundTrip(serve.port, Buffer.from('hello'));
    expect(first.reused).toBe(false);
    let session = first.session;
    for (let i = 0; i < 5; i++) {
      const again = await roundTrip(serve.port, Buffer.from('again'), false, session);
      expect(again.reused).toBe(true);
      session = again.session ?? session;
    }
    const after = await metrics(serve.metricsPort!);
    expect(after.tls_resumption_resumed_handshakes_total! - before.tls_resumption_resumed_handshakes_total!).toBe(5);
    expect(after.tls_resumption_handshakes_total! - before.tls_resumption_handshakes_total!).toBe(6);
    expect(after.tls_resumption_cache_hits_total!).toBeGreaterThanOrEqual(5);
    expect(after.tls_resumption_bytes_in_total!).toBeGreaterThan(before.tls_resumption_bytes_in_total!);
  });

  test('openssl s_client -reconnect resumes every reconnect', async () => {
    // stdin closed: s_client makes its reconnects, then stops at the end of its input
    const stdout = await new Promise<string>((resolve, reject) => {
      const args = ['s_client', '-connect', `127.0.0.1:${serve.port}`, '-reconnect', '-tls1_2', '-no_ticket'];
      const child = spawn('openssl', args, { stdio: ['ignore', 'pipe', 'ignore'] });
      let out = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
      child.once('error', reject);
      child.once('close', () => resolve(out));
    });
    const lines = stdout.split('\n');
    expect(lines.filter((l) => l.startsWith('New, TLSv1.2')).length).toBe(1);
    expect(lines.filter((l) => l.startsWith('Reused, TLSv1.2')).length).toBe(5);
  });
});

describe('serve in front of an HTTP service', () => {
  test('curl through it: the second connection resumes', async () => {
    const web = http.createServer((_req, res) => res.end('hello from upstream\n'));
    await new Promise<void>((r) => web.listen(0, '127.0.0.1', r));
    const webPort = (web.address() as net.AddressInfo).port;
    const serve = await startServe([
      '--listen',
      '127.0.0.1:0',
      '--upstream',
      `127.0.0.1:${webPort}`,
      '--tickets',
      'off',
      '--metrics',
      '127.0.0.1:0',
    ]);
    try {
      const url = `https://localhost:${serve.port}/`;
      // Connection: close makes curl open a second connection, offering the session of the first
      const { stdout } = await run('curl', ['-sk', '--tls-max', '1.2', '-H', 'Connection: close', url, url], { timeout: 60_000 });
      expect(stdout).toBe('hello from upstream\nhello from upstream\n');
      const m = await metrics(serve.metricsPort!);
      expect(m.tls_resumption_handshakes_total).toBe(2);
      expect(m.tls_resumption_resumed_handshakes_total).toBe(1);
    } finally {
      serve.child.kill('SIGKILL');
      await new Promise((r) => web.close(r));
    }
  });
});

describe('graceful shutdown', () => {
  test('SIGTERM stops accepting, lets the connection in flight finish, wipes the cache and exits 0', async () => {
    const upstream = await echoServer();
    const serve = await startServe(['--listen', '127.0.0.1:0', '--upstream', `127.0.0.1:${upstream.port}`]);
    try {
      const socket = tls.connect({ port: serve.port, host: '127.0.0.1', rejectUnauthorized: false });
      const chunks: Buffer[] = [];
      socket.on('data', (c: Buffer) => chunks.push(c));
      await new Promise((r) => socket.once('secureConnect', r));
      socket.write('first half ');
      await new Promise((r) => setTimeout(r, 100));
      serve.child.kill('SIGTERM');
      await new Promise<void>((resolve) => {
        const check = (): void => void (serve.stdout().includes('draining 1') ? resolve() : setTimeout(check, 20));
        check();
      });
      // no new connections
      const refused = await new Promise<string>((resolve) => {
        const c = net.connect(serve.port, '127.0.0.1');
        c.once('connect', () => resolve('connected'));
        c.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
      });
      expect(refused).toBe('ECONNREFUSED');
      socket.end('second half');
      await new Promise((r) => socket.once('close', r));
      expect(Buffer.concat(chunks).toString()).toBe('first half second half');
      expect(await serve.exited).toBe(0);
      expect(serve.stdout()).toContain('stopped');
    } finally {
      serve.child.kill('SIGKILL');
      await new Promise((r) => upstream.server.close(r));
    }
  });
});
