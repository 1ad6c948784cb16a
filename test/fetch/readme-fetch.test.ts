// The README's fetch example, run as written against a real HTTPS server: the block is compiled
// into a module (package imports pointed at src/ and at the installed undici) and what it logs is
// checked. It is read from the README's "### Client: `fetch` (undici)" section.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type Dispatcher, getGlobalDispatcher, setGlobalDispatcher } from 'undici';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { makeCerts, type KeyPair, type TestCerts } from '../tls/certs.js';
import { startHttpsServer } from './fetch-server.js';

const root = (path: string) => fileURLToPath(new URL(`../../${path}`, import.meta.url));
const TITLE = '### Client: `fetch` (undici)';
const PACKAGES: Record<string, string> = {
  'tls-resumption': root('src/index.ts'),
  'tls-resumption/node': root('src/node-adapters.ts'),
  undici: createRequire(import.meta.url).resolve('undici'),
};

/** The section's text, from its heading to the next heading of its level or above. */
function section(markdown: string): string | undefined {
  const start = markdown.indexOf(`${TITLE}\n`);
  if (start === -1) return undefined;
  const rest = markdown.slice(start + TITLE.length);
  const end = rest.search(/^#{1,3} /m);
  return end === -1 ? rest : rest.slice(0, end);
}

/** The one ```ts block of the README's section. */
function exampleBlock(): string {
  const text = section(readFileSync(root('README.md'), 'utf8'));
  if (text === undefined) throw new Error(`README.md has no "${TITLE}"`);
  const blocks = [...text.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((m) => m[1]!);
  expect(blocks.length).toBe(1);
  return blocks[0]!;
}

let dir: string;
let certs: TestCerts;
let pair: KeyPair;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tls-resumption-readme-fetch-'));
  certs = makeCerts();
  pair = certs.leaf('ecdsa');
});
afterAll(() => {
  certs.remove();
  rmSync(dir, { recursive: true, force: true });
});

/** Compile the block into a module exporting `run(context, console)`; imports hoisted and resolved. */
async function load(block: string) {
  const imports: string[] = [];
  const body: string[] = [];
  for (const line of block.split('\n')) {
    const m = /^import (.+) from '([^']+)';$/.exec(line);
    if (m === null) {
      body.push(line);
      continue;
    }
    const target = PACKAGES[m[2]!];
    if (target === undefined && !m[2]!.startsWith('node:')) throw new Error(`the example imports ${m[2]}`);
    imports.push(`import ${m[1]} from ${JSON.stringify(target ?? m[2])};`);
  }
  const needs =
    /^\/\/ ([\w, ]+):/m
      .exec(block)?.[1]
      ?.split(',')
      .map((s) => s.trim()) ?? [];
  const source = [
    ...imports,
    'export async function run(__context: any, console: { log(...args: unknown[]): void }) {',
    `  const { ${needs.join(', ')} } = __context;`,
    body.join('\n'),
    "  return { dispatcher: typeof dispatcher === 'undefined' ? undefined : dispatcher };",
    '}',
  ].join('\n');
  const file = join(dir, 'example.ts');
  writeFileSync(file, source);
  const module = (await import(/* @vite-ignore */ pathToFileURL(file).href)) as {
    run(context: unknown, console: { log(...args: unknown[]): void }): Promise<{ dispatcher?: Dispatcher }>;
  };
  return { needs, run: module.run };
}

test('the fetch example: the second request resumes', { timeout: 30_000 }, async () => {
  const example = await load(exampleBlock());
  expect(example.needs).toEqual(['url', 'ca']);
  const server = await startHttpsServer({ ...pair });
  const previous = getGlobalDispatcher();
  const logs: string[] = [];
  try {
    const { dispatcher } = await example.run(
      { url: `https://localhost:${server.port}/`, ca: certs.ca },
      { log: (...args) => void logs.push(args.map(String).join(' ')) },
    );
    await dispatcher?.close();
    expect(logs).toEqual(['request 1: 200, resumed 0', 'request 2: 200, resumed 1']);
    expect(server.reused).toEqual([false, true]);
  } finally {
    setGlobalDispatcher(previous);
    await server.close();
  }
});
