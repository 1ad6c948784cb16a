// Two hosts (separate processes, each its own L1 and TLS server, no shared memory) behind one
// client: TLS 1.2 sessions made on one resume on the other through Redis; what Redis holds; Redis
// killed mid-run and restarted. Real TLS on loopback, tickets off.
import { type ChildProcess, fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { readSessionHeader } from '../../src/node-adapters.js';
import { makeCerts, type KeyPair, type TestCerts } from '../tls/certs.js';
import { type ClientResult, plainConnect } from '../tls/loopback.js';
import { CLIENT_KINDS, type ClientKind, waitFor } from './clients.js';
import { type RedisServer, startRedis } from './redis-server.js';

const HOST = fileURLToPath(new URL('./host.mjs', import.meta.url));
const keyring = { current: { id: 'k1', secret: randomBytes(32).toString('base64') } };

interface Host {
  port: number;
  call<T = unknown>(op: string, args?: unknown): Promise<T>;
  stop(): Promise<void>;
}

/** Fork a host process and start its server. */
async function startHost(kind: ClientKind, redisPort: number, pair: KeyPair, prefix: string): Promise<Host> {
  const child: ChildProcess = fork(HOST, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let next = 0;
  child.on('message', (m: { id: number; value?: unknown; error?: string }) => {
    const w = waiting.get(m.id);
    waiting.delete(m.id);
    if (m.error !== undefined) w?.reject(new Error(m.error));
    else w?.resolve(m.value);
  });
  child.once('exit', () => {
    for (const w of waiting.values()) w.reject(new Error('host exited'));
  });
  const call = <T>(op: string, args?: unknown) =>
    new Promise<T>((resolve, reject) => {
      const id = next++;
      waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
      child.send({ id, op, args });
    });
  const { port } = await call<{ port: number }>('start', { kind, redisPort, ...pair, prefix, keyring });
  return {
    port,
    call,
    async stop() {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      await call('stop').catch(() => {});
      if (child.exitCode === null) child.kill();
      await exited;
    },
  };
}

let certs: TestCerts;
let pair: KeyPair;
let redis: RedisServer;
let inspect: Redis;

beforeAll(async () => {
  certs = makeCerts();
  pair = certs.leaf('ecdsa');
  redis = await startRedis();
  inspect = new Redis({ host: '127.0.0.1', port: redis.port, retryStrategy: () => 50, maxRetriesPerRequest: 1 });
  inspect.on('error', () => {});
});
afterAll(async () => {
  inspect.disconnect();
  await redis.stop();
  certs.remove();
});

const connect = (port: number, session?: Buffer): Promise<ClientResult> =>
  plainConnect({ host: '127.0.0.1', port, servername: 'localhost', ca: certs.ca, session, maxVersion: 'TLSv1.2' });

/** The last session a connection delivered (TLS 1.2: one per full handshake). */
const lastSession = (r: ClientResult, before?: Buffer) => r.sessions.at(-1) ?? before;

describe.each(CLIENT_KINDS)('%s', { timeout: 60_000 }, (kind) => {
  let a: Host;
  let b: Host;
  const prefix = `h${randomBytes(4).toString('hex')}:`;

  beforeAll(async () => {
    [a, b] = await Promise.all([startHost(kind, redis.port, pair, prefix), startHost(kind, redis.port, pair, prefix)]);
  });
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
  });

  test('a session made on one host resumes on the other; Redis holds no session bytes, id or host name', async () => {
    const first = await connect(a.port);
    expect(first.data).toBe('full\n');
    let session = lastSession(first)!;
    await a.call('flush');
    const seen: Buffer[] = [session];
    const reused: boolean[] = [];
    // One client alternating between the hosts, reusing its session each time.
    for (let i = 0; i < 10; i++) {
      const r = await connect(i % 2 === 0 ? b.port : a.port, session);
      reused.push(r.reused && r.data === 'resumed\n');
      session = lastSession(r, session)!;
      seen.push(session);
    }
    expect(reused).toEqual(Array(10).fill(true));
    const [sa, sb] = await Promise.all([a.call<Stats>('stats'), b.call<Stats>('stats')]);
    expect(sb.store.l2Hits).toBe(1); // then b's L1 had it
    expect(sa.store.l2Hits + sa.store.l1Hits + sb.store.l1Hits).toBe(9);
    expect(sa.store.authFailures + sb.store.authFailures).toBe(0);

    const ids = seen.map((s) => Buffer.from(readSessionHeader(s)!.sessionId));
    const names = await inspect.keys('*');
    const mine = names.filter((n) => n.startsWith(prefix));
    expect(mine.length).toBeGreaterThan(0);
    for (const name of names) {
      const value = (await inspect.getBuffer(name)) ?? Buffer.alloc(0);
      const all = Buffer.concat([Buffer.from(name, 'latin1'), value]);
      const text = all.toString('latin1');
      for (const host of ['localhost', '127.0.0.1', 'a.test']) expect(text.includes(host)).toBe(false);
      for (const id of ids) {
        expect(all.includes(id)).toBe(false);
        expect(text.toLowerCase().includes(id.toString('hex'))).toBe(false);
        expect(text.includes(id.toString('base64url'))).toBe(false);
      }
      // The client's session holds the master secret: no 16-byte run of it may be in Redis.
      for (const s of seen)
        for (let at = 0; at + 16 <= s.length; at += 4) expect(all.includes(s.subarray(at, at + 16))).toBe(false);
    }
  });

  test('Redis killed mid-run: every handshake completes; restarted: sessions are shared again', async () => {
    await redis.kill();
    try {
      await waitFor(async () => !(await a.call<boolean>('ready')) && !(await b.call<boolean>('ready')), 'the hosts to notice');
      let session: Buffer | undefined;
      const data: string[] = [];
      for (let i = 0; i < 10; i++) {
        const r = await connect(i % 2 === 0 ? a.port : b.port, session);
        data.push(r.data);
        session = lastSession(r, session);
      }
      // All completed; none could resume on the other host (no Redis), each was a full handshake.
      expect(data).toEqual(Array(10).fill('full\n'));
      const [sa, sb] = await Promise.all([a.call<Stats>('stats'), b.call<Stats>('stats')]);
      expect(sa.store.droppedWrites + sb.store.droppedWrites).toBeGreaterThanOrEqual(10);
      expect(sa.server.errors + sb.server.errors).toBe(0);
    } finally {
      await redis.start();
    }
    await waitFor(async () => (await a.call<boolean>('ready')) && (await b.call<boolean>('ready')), 'the hosts to reconnect');
    const first = await connect(a.port);
    await a.call('flush');
    const second = await connect(b.port, lastSession(first));
    expect(second.reused).toBe(true);
    expect(second.data).toBe('resumed\n');
  });
});

interface Stats {
  store: { l1Hits: number; l2Hits: number; authFailures: number; droppedWrites: number };
  server: { errors: number };
}
