// Rotating ticket keys on real TLS 1.3 servers: in this process with an injected clock, in two
// separate server processes sharing a secret, and in a real cluster whose primary sends the keys.
import { type ChildProcess, fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import type tls from 'node:tls';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ErrorCodes } from '../../src/index.js';
import { attachTicketKeys, DEFAULT_ROTATE_SECONDS, serveClusterTicketKeys } from '../../src/node-adapters.js';
import { connectOnce, reconnects, resumedCount, startCluster } from '../cluster/harness.js';
import { manualClock } from '../helpers.js';
import { makeCerts, type KeyPair, type TestCerts } from '../tls/certs.js';
import { startTlsServer, type TestServer } from '../tls/loopback.js';

let certs: TestCerts;
let pair: KeyPair;
const cleanup: Array<() => unknown> = [];

beforeAll(() => {
  certs = makeCerts();
  pair = certs.leaf('ecdsa');
});
afterAll(async () => {
  for (const fn of cleanup.reverse()) await fn();
  certs.remove();
});

const TLS13: tls.TlsOptions = { minVersion: 'TLSv1.3' };
const HOUR = 3600;

/** One TLS 1.3 connection offering `session`: [resumed, newest ticket, whether data arrived]. */
async function connect13(port: number, session?: Buffer): Promise<{ resumed: boolean; ticket: Buffer | undefined; ok: boolean }> {
  const [result, ticket] = await connectOnce(port, certs.ca, session, 'TLSv1.3');
  return { resumed: result.resumed, ticket, ok: result.error === undefined && result.data.length > 0 };
}

async function server13(setup: (s: tls.Server) => void): Promise<TestServer> {
  const s = await startTlsServer({ ...pair, ...TLS13 }, setup);
  cleanup.push(() => s.close());
  return s;
}

const code = (fn: () => unknown): string | null => {
  try {
    fn();
    return null;
  } catch (error) {
    return (error as { code?: string }).code ?? 'no code';
  }
};

test('bad arguments throw ERR_INVALID_ARGUMENT and attach nothing', async () => {
  const s = await server13(() => {});
  const server = s.server;
  const before = server.getTicketKeys().toString('hex');
  const bad: unknown[] = [
    { secret: 'a string secret' },
    { secret: new Uint8Array(31) },
    { rotateSeconds: 0 },
    { rotateSeconds: 1.5 },
    { rotateSeconds: 8 * 86_400 },
    { clock: 42 },
    { cluster: 'yes' },
    { cluster: true }, // this process is no worker
    { cluster: true, secret: randomBytes(32) },
    7,
  ];
  for (const options of bad)
    expect([options, code(() => attachTicketKeys(server, options as never))]).toEqual([options, ErrorCodes.INVALID_ARGUMENT]);
  expect(code(() => attachTicketKeys({} as never))).toBe(ErrorCodes.INVALID_ARGUMENT);
  expect(server.getTicketKeys().toString('hex')).toBe(before);
  const detach = attachTicketKeys(server, { secret: randomBytes(32) });
  expect(code(() => attachTicketKeys(server))).toBe(ErrorCodes.INVALID_ARGUMENT); // one per server
  detach();
  expect(code(() => serveClusterTicketKeys({ rotateSeconds: -1 }))).toBe(ErrorCodes.INVALID_ARGUMENT);
  expect(code(() => serveClusterTicketKeys(3 as never))).toBe(ErrorCodes.INVALID_ARGUMENT);
  expect(DEFAULT_ROTATE_SECONDS).toBe(12 * HOUR);
});

describe('with a secret and an injected clock (one process)', () => {
  test('servers holding the same secret use the same key each epoch; it changes at the boundary', async () => {
    const secret = randomBytes(32);
    const clock = manualClock(Date.UTC(2026, 0, 1, 10, 0, 0));
    const a = await server13(() => {});
    const b = await server13(() => {});
    const c = await server13(() => {});
    const detachA = attachTicketKeys(a.server, { secret, rotateSeconds: HOUR, clock: clock.read });
    const detachB = attachTicketKeys(b.server, { secret, rotateSeconds: HOUR, clock: clock.read });
    const detachC = attachTicketKeys(c.server, { secret: randomBytes(32), rotateSeconds: HOUR, clock: clock.read });
    cleanup.push(detachA, detachB, detachC);
    const keyOf = (s: TestServer) => s.server.getTicketKeys().toString('hex');
    expect(keyOf(a)).toBe(keyOf(b));
    expect(keyOf(a)).not.toBe(keyOf(c));
    expect(detachA.epoch).toBe(Math.floor(clock.now / (HOUR * 1000)));

    const first = await connect13(a.port);
    expect(first.ticket).toBeDefined();
    expect((await connect13(b.port, first.ticket)).resumed).toBe(true); // another server, same secret
    expect((await connect13(c.port, first.ticket)).resumed).toBe(false); // another secret

    // still inside the epoch: nothing changes
    clock.advance(HOUR * 1000 - 1 - (clock.now % (HOUR * 1000)));
    expect(detachA.refresh()).toBe(false);
    const old = keyOf(a);
    clock.advance(1); // the boundary
    expect([detachA.refresh(), detachB.refresh()]).toEqual([true, true]);
    expect(keyOf(a)).not.toBe(old);
    expect(keyOf(a)).toBe(keyOf(b));

    // the old ticket is refused with a full handshake, not an error; the new one resumes
    const refused = await connect13(a.port, first.ticket);
    expect(refused).toMatchObject({ resumed: false, ok: true });
    expect((await connect13(b.port, refused.ticket)).resumed).toBe(true);
  });

  test('detached: the key no longer rotates', async () => {
    const clock = manualClock(Date.UTC(2026, 0, 1));
    const s = await server13(() => {});
    const detach = attachTicketKeys(s.server, { secret: randomBytes(48), rotateSeconds: 60, clock: clock.read });
    const key = s.server.getTicketKeys().toString('hex');
    detach();
    expect(detach.attached).toBe(false);
    clock.advance(3_600_000);
    expect(detach.refresh()).toBe(false);
    expect(s.server.getTicketKeys().toString('hex')).toBe(key);
  });

  test('without a secret (no cluster): a random key per epoch, rotating', async () => {
    const clock = manualClock(Date.UTC(2026, 0, 1));
    const s = await server13(() => {});
    const initial = s.server.getTicketKeys().toString('hex');
    const detach = attachTicketKeys(s.server, { rotateSeconds: 60, clock: clock.read });
    cleanup.push(detach);
    const k1 = s.server.getTicketKeys().toString('hex');
    expect(k1).not.toBe(initial);
    const first = await connect13(s.port);
    expect((await connect13(s.port, first.ticket)).resumed).toBe(true);
    clock.advance(60_000);
    expect(detach.refresh()).toBe(true);
    expect(s.server.getTicketKeys().toString('hex')).not.toBe(k1);
    expect(await connect13(s.port, first.ticket)).toMatchObject({ resumed: false, ok: true });
  });
});

describe('two separate server processes (not a cluster)', () => {
  const FIXTURE = fileURLToPath(new URL('./fixtures/ticket-server.mjs', import.meta.url));

  async function serverProcess(secret: Buffer | null): Promise<number> {
    const child: ChildProcess = fork(FIXTURE, [], {
      execArgv: [],
      env: { ...process.env, FIXTURE_KEY: pair.key, FIXTURE_CERT: pair.cert },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    cleanup.push(() => child.kill('SIGKILL'));
    // a day-long epoch: the test cannot straddle a boundary unless run at midnight UTC
    child.send({ secret: secret === null ? null : secret.toString('hex'), rotateSeconds: 86_400 });
    const [msg] = (await once(child, 'message')) as [{ port: number }];
    return msg.port;
  }

  test('the same secret: each resumes the other’s TLS 1.3 tickets; different secrets: a full handshake', async () => {
    const secret = randomBytes(32);
    const [a, b, other, none] = await Promise.all([
      serverProcess(secret),
      serverProcess(secret),
      serverProcess(randomBytes(32)),
      serverProcess(null),
    ]);
    const fromA = await connect13(a);
    const fromB = await connect13(b);
    expect((await connect13(b, fromA.ticket)).resumed).toBe(true);
    expect((await connect13(a, fromB.ticket)).resumed).toBe(true);
    expect(await connect13(other, fromA.ticket)).toMatchObject({ resumed: false, ok: true });
    expect(await connect13(none, fromA.ticket)).toMatchObject({ resumed: false, ok: true });
    expect(await connect13(a, (await connect13(none)).ticket)).toMatchObject({ resumed: false, ok: true });
  });
});

describe('a cluster whose primary sends random keys', () => {
  test('every worker gets the key (forked before serving), rotate() switches them all', async () => {
    const c = await startCluster(
      { workers: 2, mode: 'cluster', serve: 'never', worker: './ticket-worker.mjs', ticketKeys: true },
      pair,
    );
    cleanup.push(() => c.stop());
    const first = await reconnects(c.port, certs.ca, 21, undefined, 'TLSv1.3');
    const after = first.results.slice(1);
    expect(resumedCount(after)).toBe(20);
    expect(new Set(after.map((r) => r.worker)).size).toBe(2);
    await c.command('rotateTickets');
    // the old ticket is refused by both workers (a full handshake each), the new ones resume everywhere
    const refused = await connect13(c.port, first.session);
    const refusedToo = await connect13(c.port, first.session);
    expect([refused, refusedToo].map((r) => [r.resumed, r.ok])).toEqual([
      [false, true],
      [false, true],
    ]);
    const second = await reconnects(c.port, certs.ca, 20, refusedToo.ticket, 'TLSv1.3');
    expect(resumedCount(second.results)).toBe(20);
    expect(new Set(second.results.map((r) => r.worker)).size).toBe(2);
    // A worker forked after the rotation: node:cluster copies the first worker's original key
    // into its server when it listens; attachTicketKeys puts the primary's current key back.
    const { replacement } = (await c.command('kill', { index: 0 })) as { replacement: number };
    const third = await reconnects(c.port, certs.ca, 20, second.session, 'TLSv1.3');
    expect(resumedCount(third.results)).toBe(20);
    expect(third.results.some((r) => r.worker === replacement)).toBe(true);
  });
});

test('the derivation is a fixed contract: HKDF-SHA256(secret, salt, "epoch" || period || epoch), 48 bytes', async () => {
  // Hosts running different versions must derive the same key: computed here independently.
  const { hkdfSync } = await import('node:crypto');
  const secret = Buffer.alloc(32, 7);
  const rotateSeconds = 3600;
  const clock = manualClock(Date.UTC(2026, 5, 1, 12, 30));
  const epoch = Math.floor(clock.now / 3_600_000);
  const s = await server13(() => {});
  const detach = attachTicketKeys(s.server, { secret, rotateSeconds, clock: clock.read });
  cleanup.push(detach);
  const info = Buffer.alloc(17);
  info.write('epoch', 0, 'latin1');
  info.writeUInt32BE(rotateSeconds, 5);
  info.writeBigUInt64BE(BigInt(epoch), 9);
  const expected = Buffer.from(hkdfSync('sha256', secret, 'tls-resumption/ticket-keys/v1', info, 48));
  expect(s.server.getTicketKeys().toString('hex')).toBe(expected.toString('hex'));
  expect(detach.epoch).toBe(epoch);
});
