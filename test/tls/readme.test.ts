// The README's "Quick start" examples, run as written: each TypeScript block of that section is
// compiled into a module (package imports pointed at src/) and run against real TLS servers. A block's first comment names the values it expects from its surroundings
// (`// key, cert, port: ...`); the harness supplies them and collects what the block logs.
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { SessionCacheAttachment } from '../../src/node-adapters.js';
import { makeCerts, type KeyPair, type TestCerts } from './certs.js';
import { serve } from './loopback.js';

const README = fileURLToPath(new URL('../../README.md', import.meta.url));
const TITLE = '## Quick start';
const PACKAGES: Record<string, string> = {
  'tls-resumption': fileURLToPath(new URL('../../src/index.ts', import.meta.url)),
  'tls-resumption/node': fileURLToPath(new URL('../../src/node-adapters.ts', import.meta.url)),
};
/** Top-level names a block may define that the harness reads back. */
const RESULTS = ['server', 'detach', 'cache', 'agent'];

/**
 * The section's text, from its heading to the next `## ` heading, or to its fetch subsection
 * (that example needs undici and its own server: test/fetch/readme-fetch.test.ts runs it).
 */
function section(markdown: string, title: string): string {
  const start = markdown.indexOf(`\n${title}\n`);
  if (start === -1) throw new Error(`README has no "${title}" section`);
  const rest = markdown.slice(start + 1);
  const end = rest.slice(title.length).search(/^## |^### Client: `fetch`/m);
  return end === -1 ? rest : rest.slice(0, title.length + end);
}

/** The ```ts blocks of `text`. */
function tsBlocks(text: string): string[] {
  return [...text.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((m) => m[1]!);
}

interface Example {
  /** The names the block's first comment says it expects. */
  needs: string[];
  run(context: Record<string, unknown>): Promise<{ logs: string[]; results: Record<string, unknown> }>;
}

let dir: string;
let certs: TestCerts;
let pair: KeyPair;
let examples: Example[];

/** Compile one README block into a module; its imports are hoisted and pointed at src/. */
async function load(block: string, index: number): Promise<Example> {
  const imports: string[] = [];
  const body: string[] = [];
  for (const line of block.split('\n')) {
    const m = /^import (.+) from '([^']+)';$/.exec(line);
    if (m === null) {
      body.push(line);
      continue;
    }
    const target = PACKAGES[m[2]!] ?? m[2]!;
    if (!target.startsWith('node:') && !(m[2]! in PACKAGES)) throw new Error(`example ${index} imports ${m[2]}`);
    imports.push(`import ${m[1]} from ${JSON.stringify(target)};`);
  }
  if (body.some((line) => line.startsWith('import '))) throw new Error(`example ${index}: one import per line, please`);
  const needs =
    /^\/\/ ([\w, ]+):/m
      .exec(block)?.[1]
      ?.split(',')
      .map((s) => s.trim()) ?? [];
  const results = RESULTS.map((name) => `${name}: typeof ${name} === 'undefined' ? undefined : ${name}`).join(', ');
  const source = [
    ...imports,
    `export async function run(__context: any, console: { log(...args: unknown[]): void }) {`,
    needs.length > 0 ? `  const { ${needs.join(', ')} } = __context;` : '',
    body.join('\n'),
    `  return { ${results} };`,
    '}',
  ].join('\n');
  const file = join(dir, `example-${index}.ts`);
  writeFileSync(file, source);
  const module = (await import(/* @vite-ignore */ pathToFileURL(file).href)) as {
    run(context: unknown, console: { log(...args: unknown[]): void }): Promise<Record<string, unknown>>;
  };
  return {
    needs,
    async run(context) {
      for (const name of needs) if (!(name in context)) throw new Error(`example ${index} needs ${name}`);
      const logs: string[] = [];
      const results = await module.run(context, { log: (...args) => void logs.push(args.map(String).join(' ')) });
      return { logs, results };
    },
  };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tls-resumption-readme-'));
  certs = makeCerts();
  pair = certs.leaf('ecdsa');
  const blocks = tsBlocks(section(readFileSync(README, 'utf8'), TITLE));
  examples = await Promise.all(blocks.map((block, i) => load(block, i)));
});
afterAll(() => {
  certs.remove();
  rmSync(dir, { recursive: true, force: true });
});

test('the section has its three examples: server, connect, https agent', () => {
  expect(examples.map((e) => e.needs)).toEqual([
    ['key', 'cert', 'port'],
    ['host', 'port', 'ca'],
    ['url', 'ca'],
  ]);
});

test('the https server and agent examples: the second request resumes via the server cache', { timeout: 15_000 }, async () => {
  const [serverExample, , agentExample] = examples;
  const { results } = await serverExample!.run({ key: pair.key, cert: pair.cert, port: 0 });
  const server = results.server as https.Server;
  const detach = results.detach as SessionCacheAttachment;
  try {
    if (!server.listening) await once(server, 'listening');
    const port = (server.address() as { port: number }).port;
    const { logs } = await agentExample!.run({ url: `https://localhost:${port}/`, ca: certs.ca });
    expect(logs).toEqual(['request 1: resumed false', 'request 2: resumed true']);
    expect(detach.stats()).toMatchObject({ hits: 1, stored: 1, errors: 0 });
  } finally {
    detach();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

test('the connect example: the second connection resumes (TLS 1.3 tickets, Node defaults)', { timeout: 15_000 }, async () => {
  const server = await serve(tls.createServer({ ...pair }, (socket) => socket.end('hi')));
  try {
    const { logs } = await examples[1]!.run({ host: 'localhost', port: server.port, ca: certs.ca });
    expect(logs).toEqual(['connection 1: resumed false', 'connection 2: resumed true']);
  } finally {
    await server.close();
  }
});
