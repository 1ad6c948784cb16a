// The README's fleet example (its "Scaling out: a fleet" section), run as written:
// its ```ts block becomes a module (package imports pointed at src/), started twice as two hosts
// on one real redis-server; a session made on one resumes on the other.
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type tls from 'node:tls';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { RedisSessionStore, SessionCacheAttachment } from '../../src/node-adapters.js';
import { makeCerts, type KeyPair, type TestCerts } from '../tls/certs.js';
import { plainConnect } from '../tls/loopback.js';
import { waitFor } from './clients.js';
import { type RedisServer, startRedis } from './redis-server.js';

const DOC = fileURLToPath(new URL('../../README.md', import.meta.url));
const TITLE = '## Scaling out: a fleet';
const NODE_ENTRY = fileURLToPath(new URL('../../src/entry-node-adapters.ts', import.meta.url));
// Inside node_modules/, so the example's own `import ... from 'ioredis'` resolves as in an app.
const SCRATCH = fileURLToPath(new URL('../../node_modules/.cache/', import.meta.url));

interface Host {
  redis: { disconnect(): void };
  server: tls.Server;
  store: RedisSessionStore;
  detach: SessionCacheAttachment;
}

let dir: string;
let certs: TestCerts;
let pair: KeyPair;
let redis: RedisServer;
let run: (context: Record<string, unknown>) => Promise<Host>;

/** The first ```ts block of the README's fleet section as a module exporting run(context). */
async function loadExample(): Promise<typeof run> {
  const readme = readFileSync(DOC, 'utf8');
  const start = readme.indexOf(`${TITLE}\n`);
  if (start === -1) throw new Error(`README.md has no "${TITLE}" section`);
  const block = /^```ts\n([\s\S]*?)^```$/m.exec(readme.slice(start))?.[1];
  if (block === undefined) throw new Error('the fleet section has no ts example');
  const needs = /^\/\/ ([\w, ]+):/m
    .exec(block)![1]!
    .split(',')
    .map((s) => s.trim());
  expect(needs).toEqual(['key', 'cert', 'port', 'redisPort']);
  const imports: string[] = [];
  const body: string[] = [];
  for (const line of block.split('\n')) {
    const m = /^import (.+) from '([^']+)';$/.exec(line);
    if (m === null) body.push(line);
    else imports.push(`import ${m[1]} from ${JSON.stringify(m[2] === 'tls-resumption/node' ? NODE_ENTRY : m[2])};`);
  }
  const source = [
    ...imports,
    'export async function run(__context: any) {',
    `  const { ${needs.join(', ')} } = __context;`,
    ...body,
    '  return { server, store, detach, redis };',
    '}',
  ].join('\n');
  const file = join(dir, 'example.ts');
  writeFileSync(file, source);
  return ((await import(/* @vite-ignore */ pathToFileURL(file).href)) as { run: typeof run }).run;
}

beforeAll(async () => {
  mkdirSync(SCRATCH, { recursive: true });
  dir = mkdtempSync(join(SCRATCH, 'fleet-example-'));
  certs = makeCerts();
  pair = certs.leaf('ecdsa');
  redis = await startRedis();
  run = await loadExample();
});
afterAll(async () => {
  await redis?.stop();
  certs.remove();
  rmSync(dir, { recursive: true, force: true });
});

test('the example, started as two hosts: a session made on one resumes on the other', { timeout: 30_000 }, async () => {
  process.env.SESSION_KEY_1 = randomBytes(32).toString('base64');
  const hosts: Host[] = [];
  try {
    for (let i = 0; i < 2; i++) hosts.push(await run({ ...pair, port: 0, redisPort: redis.port }));
    const ports: number[] = [];
    for (const h of hosts) {
      if (!h.server.listening) await once(h.server, 'listening');
      ports.push((h.server.address() as { port: number }).port);
    }
    const to = (port: number, session?: Buffer) => ({ host: '127.0.0.1', port, servername: 'localhost', ca: certs.ca, session });
    // The example's clients connect on their own.
    await waitFor(() => hosts.every((h) => h.store.available()), 'the clients to connect');
    const first = await plainConnect(to(ports[0]!));
    expect(first.data).toBe('hello\n');
    await hosts[0]!.store.flush();
    const second = await plainConnect(to(ports[1]!, first.sessions.at(-1)));
    expect(second.reused).toBe(true);
    expect(hosts[1]!.store.stats()).toMatchObject({ l2Hits: 1, authFailures: 0 });
    expect(hosts[1]!.detach.stats()).toMatchObject({ hits: 1, errors: 0 });
  } finally {
    for (const h of hosts) {
      h.detach();
      h.store.close();
      h.redis.disconnect();
      await new Promise((resolve) => h.server.close(resolve));
    }
    delete process.env.SESSION_KEY_1;
  }
});
