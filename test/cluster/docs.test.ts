// The "Scaling out: cluster" examples, run as written: each TypeScript block of the section (in
// README.md, then docs/cluster.md) becomes a script (package imports
// pointed at the built dist/) and runs as its own process, a real cluster for the cluster blocks.
// A block's first comment names the values it expects (`// key, cert, port: ...`); the harness
// defines them from the environment.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { fileURLToPath } from 'node:url';
import { transformSync } from 'esbuild';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { ClusterSessionCacheStats } from '../../src/node-adapters.js';
import { makeCerts, type KeyPair, type TestCerts } from '../tls/certs.js';
import { reconnects, resumedCount } from './harness.js';

const ROOT = new URL('../../', import.meta.url);
const TITLE = '## Scaling out: cluster';
const PACKAGES: Record<string, string> = {
  'tls-resumption': new URL('dist/index.js', ROOT).href,
  'tls-resumption/node': new URL('dist/node.js', ROOT).href,
};

/**
 * The cluster examples: the README's "Scaling out: cluster" section (the cluster cache) and then
 * docs/cluster.md (the ticket keys), as one text.
 */
function sectionText(): string {
  const readme = readFileSync(fileURLToPath(new URL('README.md', ROOT)), 'utf8');
  const start = readme.indexOf(`${TITLE}\n`);
  if (start === -1) throw new Error(`no "${TITLE}" section in README.md`);
  const rest = readme.slice(start + TITLE.length);
  const end = rest.search(/^## /m);
  return (end === -1 ? rest : rest.slice(0, end)) + readFileSync(fileURLToPath(new URL('docs/cluster.md', ROOT)), 'utf8');
}

interface Example {
  needs: string[];
  file: string;
}

let dir: string;
let certs: TestCerts;
let pair: KeyPair;
let examples: Example[];
const running: ChildProcess[] = [];

/** One block as a runnable .mjs file. */
function compile(block: string, index: number): Example {
  const needs =
    /^\/\/ ([\w, ]+):/m
      .exec(block)?.[1]
      ?.split(',')
      .map((s) => s.trim()) ?? [];
  const source = block.replace(
    /from '(tls-resumption(?:\/node)?)';/g,
    (_m, name: string) => `from ${JSON.stringify(PACKAGES[name])};`,
  );
  const prelude = `const { ${needs.join(', ')} } = JSON.parse(process.env.DOC_EXAMPLE_CONTEXT);\n`;
  const { code } = transformSync(prelude + source, { loader: 'ts', format: 'esm', target: 'node20' });
  const file = join(dir, `example-${index}.mjs`);
  writeFileSync(file, code);
  return { needs, file };
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tls-resumption-cluster-docs-'));
  certs = makeCerts();
  pair = certs.leaf('ecdsa');
  const blocks = [...sectionText().matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((m) => m[1]!);
  examples = blocks.map(compile);
});
afterAll(() => {
  for (const child of running) child.kill('SIGTERM');
  certs.remove();
  rmSync(dir, { recursive: true, force: true });
});

/** A free loopback port. */
function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** Start example `example` with `context`; resolves once its port accepts connections. */
async function start(example: Example, context: Record<string, unknown>): Promise<{ child: ChildProcess; output: string[] }> {
  const child = spawn(process.execPath, [example.file], {
    env: { ...process.env, DOC_EXAMPLE_CONTEXT: JSON.stringify(context) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  running.push(child);
  const output: string[] = [];
  child.stdout!.setEncoding('utf8');
  child.stdout!.on('data', (chunk: string) => output.push(...chunk.split('\n').filter((l) => l !== '')));
  // bounded wait for the port (a slow machine): the assertions come after
  for (let i = 0; i < 400; i++) {
    const open = await new Promise<boolean>((resolve) => {
      const s = net.connect(context.port as number, '127.0.0.1', () => {
        s.destroy();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
    if (open) break;
    if (child.exitCode !== null) throw new Error(`example exited with ${child.exitCode}`);
    await new Promise((r) => setTimeout(r, 25));
  }
  return { child, output };
}

/** An HTTPS GET over TLS 1.3 offering `session`: whether it resumed, and the newest ticket. */
function httpsGet(port: number, session?: Buffer): Promise<{ resumed: boolean; ticket?: Buffer; body: string }> {
  return new Promise((resolve, reject) => {
    let ticket: Buffer | undefined;
    let body = '';
    let resumed = false;
    const socket = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', ca: certs.ca, session }, () => {
      resumed = socket.isSessionReused();
      socket.write('GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n');
    });
    socket.on('session', (t: Buffer) => (ticket = t));
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (body += chunk));
    socket.once('error', reject);
    socket.once('close', () => resolve({ resumed, ticket, body }));
  });
}

test('the section has its three examples: cluster cache, shared secret, cluster ticket keys', () => {
  expect(examples.map((e) => e.needs)).toEqual([
    ['key', 'cert', 'port'],
    ['key', 'cert', 'port', 'secretFile'],
    ['key', 'cert', 'port'],
  ]);
});

test('the cluster cache example: reconnects resume across its 2 workers; its stats gather the adapters', async () => {
  const port = await freePort();
  const { child, output } = await start(examples[0]!, { key: pair.key, cert: pair.cert, port });
  const { results } = await reconnects(port, certs.ca, 51);
  const after = results.slice(1);
  expect(after.filter((r) => r.error !== undefined)).toEqual([]);
  expect(resumedCount(after)).toBeGreaterThanOrEqual(49);
  child.kill('SIGUSR2');
  for (let i = 0; i < 400 && output.length === 0; i++) await new Promise((r) => setTimeout(r, 25));
  const stats = JSON.parse(output[0]!) as ClusterSessionCacheStats;
  expect(stats.workers).toHaveLength(2);
  expect(stats.adapters.hits).toBe(resumedCount(after));
  // the worker that made a session resumes it from its local cache; the other asks the primary
  const localHits = stats.workers.reduce((n, w) => n + (w.stores[0]?.localHits ?? 0), 0);
  expect(localHits).toBeGreaterThan(0);
  expect((stats.cache?.hits ?? 0) + localHits).toBe(resumedCount(after));
  child.kill('SIGTERM');
});

test('the shared-secret example: two processes resume each other’s TLS 1.3 tickets; another secret does not', async () => {
  const same = join(dir, 'secret');
  const other = join(dir, 'other-secret');
  writeFileSync(same, randomBytes(32));
  writeFileSync(other, randomBytes(32));
  const ports = await Promise.all([freePort(), freePort(), freePort()]);
  const [a, b, c] = await Promise.all(
    [same, same, other].map((secretFile, i) =>
      start(examples[1]!, { key: pair.key, cert: pair.cert, port: ports[i], secretFile }),
    ),
  );
  const first = await httpsGet(ports[0]!);
  expect(first.body).toContain('hello');
  expect((await httpsGet(ports[1]!, first.ticket)).resumed).toBe(true);
  const refused = await httpsGet(ports[2]!, first.ticket);
  expect([refused.resumed, refused.body.includes('hello')]).toEqual([false, true]);
  for (const p of [a, b, c]) p?.child.kill('SIGTERM');
});

test('the cluster ticket-key example: tickets resume across workers; rotate() refuses the old ones', async () => {
  const port = await freePort();
  const { child } = await start(examples[2]!, { key: pair.key, cert: pair.cert, port });
  let { ticket } = await httpsGet(port);
  const resumed: boolean[] = [];
  for (let i = 0; i < 10; i++) {
    const r = await httpsGet(port, ticket);
    resumed.push(r.resumed);
    ticket = r.ticket ?? ticket;
  }
  expect(resumed.every(Boolean)).toBe(true);
  const old = ticket;
  child.kill('SIGUSR2'); // the example rotates on SIGUSR2; the signal lands asynchronously
  let refused = false;
  for (let i = 0; i < 200 && !refused; i++) {
    const r = await httpsGet(port, old);
    expect(r.body).toContain('hello');
    refused = !r.resumed;
    if (!refused) await new Promise((resolve) => setTimeout(resolve, 10));
  }
  expect(refused).toBe(true);
  child.kill('SIGTERM');
});
