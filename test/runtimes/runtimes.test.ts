// The package as users get it: packed once, installed into a fresh project, and run by the shared
// smoke script under Node ESM, Node CJS, Bun, Deno and a workerd Worker on loopback, each a real
// runtime from the npm registry. Every runtime must give the same answer.
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importsOf } from './list-imports.js';
import { REPO, disposePackage, packAndInstall, type PackedPackage } from './pack-install.js';
import { runDriver, type CliRuntime } from './cli-runtimes.js';
import { serveWorker } from './serve-worker.js';

const run = promisify(execFile);

/** Files a user needs, whatever the shared chunks are called. */
const EXPECTED_FILES = [
  'LICENSE',
  'README.md',
  'package.json',
  'build/core.wasm',
  'dist/index.js',
  'dist/index.cjs',
  'dist/index.d.ts',
  'dist/index.d.cts',
  'dist/node.js',
  'dist/node.cjs',
  'dist/node.d.ts',
  'dist/node.d.cts',
  'dist/cli.js',
  'dist/workerd.js',
  'dist/workerd.d.ts',
  'dist/embedded.js',
  'dist/embedded.d.ts',
];
/** Shared code (esbuild chunks) and shared declarations (rollup-plugin-dts chunks). */
// shared chunks, the command line's lazily loaded commands, and split declarations
const CHUNK = /^dist\/([a-z]+(?:-[a-z]+)*-[A-Z0-9]+\.c?js|[\w-]+-[\w-]+\.d\.c?ts)$/;

/**
 * What smoke.mjs must answer everywhere. sid(n) starts with byte n; sessionBytes(n, len) is
 * (7n + i) & 0xff; the clock is injected, so expiry does not depend on time passing.
 */
const EXPECTED_SMOKE = {
  wasm: {
    lookupHit: '0708090a0b',
    lookupBytesKey: '151617', // "b:1" as a string finds the session stored under its bytes
    lookupMiss: null,
    lookupInto: [5, '0708090a0b000000'],
    selectA: [
      [700, 14],
      [5, 7],
    ], // newest first
    selectNone: 0,
    selectAfterReplace: [
      [6, 28],
      [700, 14],
    ], // a replaced session becomes the newest
    foldl: [
      ['a.example:443', 2, 700],
      ['bytes:623a31', 3, 3],
      ['a.example:443', 1, 6],
    ], // oldest first
    foldlEmptyAcc: 'acc0',
    deleteHit: true,
    deleteMiss: false,
    take: '0e0f1011',
    sizeAfterDelete: 1,
    sizeAtCapacity: 4,
    evictedOldest: true,
    expiredLookup: null,
    swept: 3,
    errors: {
      emptySessionId: 'ERR_INVALID_ARGUMENT',
      longSessionId: 'ERR_KEY_TOO_LONG',
      tooLarge: 'ERR_SESSION_TOO_LARGE',
      badOption: 'ERR_INVALID_OPTION',
    },
    // lookups: 3 lookups + lookupInto + take + the evicted and the expired lookups
    stats: {
      lookups: 7,
      hits: 4,
      misses: 3,
      inserts: 8,
      replacements: 1,
      deletes: 2,
      evictions: 2,
      expired: 4,
      rejected: 0,
      sessions: 0,
    },
    afterTerminate: { size: 0, lookup: null, update: 'ERR_CACHE_TERMINATED' },
  },
  jsMatchesWasm: true,
  otp: { lookup: '0e0f1011', size: 2, foldl: 8, select: 2, sizeAfterDelete: 1 },
  isWasm: true,
};

/** The runtime binaries' versions: the npm packages they came from. */
function packageVersion(name: string): string {
  return (JSON.parse(readFileSync(join(REPO, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
}

/** Each command-line runtime: its name in smoke.mjs's runtimeInfo, its version, the entry it must resolve. */
const CLI_CASES: { runtime: CliRuntime; name: string; version: string; entry: string }[] = [
  { runtime: 'node-esm', name: 'node', version: process.versions.node, entry: 'dist/index.js' },
  { runtime: 'node-cjs', name: 'node', version: process.versions.node, entry: 'dist/index.cjs' },
  { runtime: 'bun', name: 'bun', version: packageVersion('bun'), entry: 'dist/index.js' },
  { runtime: 'deno', name: 'deno', version: packageVersion('deno'), entry: 'dist/embedded.js' },
];

describe('the packed package', () => {
  let pkg: PackedPackage;

  beforeAll(async () => {
    pkg = await packAndInstall();
  });

  afterAll(() => disposePackage(pkg));

  it('npm pack ships exactly what a user needs', () => {
    expect(pkg.packedFiles).toEqual(pkg.dryRunFiles);
    const chunks = pkg.dryRunFiles.filter((f) => CHUNK.test(f));
    expect(pkg.dryRunFiles.filter((f) => !CHUNK.test(f))).toEqual([...EXPECTED_FILES].sort());
    // a chunk nothing imports would be a leftover of an earlier build
    const others = pkg.dryRunFiles.filter((f) => f.startsWith('dist/'));
    for (const chunk of chunks) {
      const ref = `./${basename(chunk)
        .replace(/\.d\.ts$/, '.js')
        .replace(/\.d\.cts$/, '.cjs')}`;
      const importers = others.filter((f) => f !== chunk && readFileSync(join(pkg.installed, f), 'utf8').includes(ref));
      expect(importers, `${chunk} is imported by some file`).not.toEqual([]);
    }
  });

  it('edge entries import nothing from Node: workerd only its wasm module, embedded nothing', async () => {
    expect(await importsOf(join(pkg.installed, 'dist/workerd.js'))).toEqual(['../build/core.wasm']);
    expect(await importsOf(join(pkg.installed, 'dist/embedded.js'))).toEqual([]);
    for (const file of ['dist/workerd.js', 'dist/embedded.js']) {
      const text = readFileSync(join(pkg.installed, file), 'utf8');
      // import.meta.url is undefined in workerd; require and Node built-ins do not exist there
      expect(text, file).not.toMatch(/import\.meta|\brequire\s*\(|["']node:|\bfrom\s*["'](fs|path|url|module)["']/);
    }
    // the checks can tell: the Node side (its shared chunk) does import node:fs
    const chunks = pkg.dryRunFiles.filter((f) => /^dist\/chunk-.*\.js$/.test(f));
    const nodeChunks = [];
    for (const chunk of chunks) if ((await importsOf(join(pkg.installed, chunk))).includes('node:fs')) nodeChunks.push(chunk);
    expect(nodeChunks).not.toEqual([]);
    expect(readFileSync(join(pkg.installed, nodeChunks[0]!), 'utf8')).toMatch(/import\.meta|["']node:/);
  });

  it('the ./core.wasm export is the compiled core, a module with no imports', () => {
    const require = createRequire(join(pkg.project, 'package.json'));
    const file = require.resolve('tls-resumption/core.wasm');
    expect(relative(pkg.installed, file)).toBe(join('build', 'core.wasm'));
    const module = new WebAssembly.Module(readFileSync(file));
    // every loader instantiates it with `{}`
    expect(WebAssembly.Module.imports(module)).toEqual([]);
    expect(WebAssembly.Module.exports(module).map((e) => e.name)).toContain('lookup');
  });

  it('./node loads from ESM and CJS and shares its classes with the main entry', async () => {
    const require = createRequire(join(pkg.project, 'package.json'));
    expect(relative(pkg.installed, require.resolve('tls-resumption/node'))).toBe(join('dist', 'node.cjs'));
    // an adapter's error must be the main entry's SessionCacheError: one copy of the code, not two
    const report = `let shared;
      try { node.clientPartialKey({}); shared = 'no error'; } catch (e) { shared = e instanceof main.SessionCacheError && e.code; }
      console.log(JSON.stringify({ keys: Object.keys(node).sort(), shared }));`;
    const esm = `import * as node from 'tls-resumption/node'; import * as main from 'tls-resumption'; ${report}`;
    const cjs = `const node = require('tls-resumption/node'); const main = require('tls-resumption'); ${report}`;
    const [fromEsm, fromCjs] = await Promise.all([
      run(process.execPath, ['--input-type=module', '-e', esm], { cwd: pkg.project }),
      run(process.execPath, ['-e', cjs], { cwd: pkg.project }),
    ]);
    // the same names as the adapters' source module exports
    const keys = Object.keys(await import('../../src/node-adapters.js')).sort();
    expect(keys).toContain('clientPartialKey');
    expect(JSON.parse(fromEsm.stdout)).toEqual({ keys, shared: 'ERR_INVALID_ARGUMENT' });
    expect(JSON.parse(fromCjs.stdout)).toEqual({ keys, shared: 'ERR_INVALID_ARGUMENT' });
  });

  it('declarations resolve for ESM and CJS consumers (node16) and under the workerd condition', async () => {
    const esm = [
      "import { createSessionCache, ready, useCoreModule, type SessionCache } from 'tls-resumption';",
      "import * as adapters from 'tls-resumption/node';",
      'await ready();',
      "const cache: SessionCache = createSessionCache({ role: 'server' });",
      '// @ts-expect-error the role is required (fails if the types resolved to any)',
      'createSessionCache({});',
      'export { cache, adapters, useCoreModule };',
    ].join('\n');
    const cjs = [
      "import pkg = require('tls-resumption');",
      "import adapters = require('tls-resumption/node');",
      "const cache: pkg.SessionCache = pkg.createSessionCache({ role: 'client' });",
      '// @ts-expect-error the role is required',
      'pkg.createSessionCache({});',
      'export { cache, adapters };',
    ].join('\n');
    const edge = [
      "import { createSessionCache, ready, type SessionCache } from 'tls-resumption';",
      'await ready();',
      "const cache: SessionCache = createSessionCache({ role: 'server' });",
      '// @ts-expect-error the role is required',
      'createSessionCache({});',
      'export { cache };',
    ].join('\n');
    writeFileSync(join(pkg.project, 'types-esm.mts'), esm);
    writeFileSync(join(pkg.project, 'types-cjs.cts'), cjs);
    writeFileSync(join(pkg.project, 'types-edge.ts'), edge);
    // no DOM lib: a Node project's setup, and the edge one has no Node types at all
    const base = { target: 'es2022', lib: ['es2022'], strict: true, noEmit: true, skipLibCheck: false };
    writeFileSync(
      join(pkg.project, 'tsconfig.node.json'),
      JSON.stringify({
        compilerOptions: {
          ...base,
          module: 'node16',
          moduleResolution: 'node16',
          types: ['node'],
          typeRoots: [join(REPO, 'node_modules/@types')],
        },
        files: ['types-esm.mts', 'types-cjs.cts'],
      }),
    );
    writeFileSync(
      join(pkg.project, 'tsconfig.edge.json'),
      JSON.stringify({
        compilerOptions: {
          ...base,
          module: 'es2022',
          moduleResolution: 'bundler',
          customConditions: ['workerd'],
          types: [],
          traceResolution: true,
        },
        files: ['types-edge.ts'],
      }),
    );
    const tsc = join(REPO, 'node_modules/typescript/bin/tsc');
    const check = (config: string) =>
      run(process.execPath, [tsc, '-p', config], { cwd: pkg.project, maxBuffer: 64 * 1024 * 1024 }).catch(
        (e: { stdout: string }) => {
          throw new Error(
            `tsc -p ${config} failed:\n${e.stdout
              .split('\n')
              .filter((l) => l.includes('error'))
              .join('\n')}`,
          );
        },
      );
    const [, edgeRun] = await Promise.all([check('tsconfig.node.json'), check('tsconfig.edge.json')]);
    expect(edgeRun.stdout).toContain(
      `Module name 'tls-resumption' was successfully resolved to '${join(pkg.installed, 'dist/workerd.d.ts')}'`,
    );
  });

  describe.each(CLI_CASES)('$runtime', ({ runtime, name, version, entry }) => {
    it(`runs the smoke script on ${entry}`, async () => {
      const out = await runDriver(runtime, pkg.project);
      expect(out.runtime).toEqual({ name, version });
      const resolved = out.entry.startsWith('file:') ? fileURLToPath(out.entry) : out.entry;
      expect(relative(pkg.installed, resolved)).toBe(entry);
      expect(out.result).toEqual(EXPECTED_SMOKE);
    });
  });

  it('workerd: a Worker on loopback runs the smoke script per request and keeps a cache across requests', async () => {
    const worker = await serveWorker(pkg.project);
    try {
      // the bundle took the workerd entry, which leaves the wasm to workerd's module loader
      expect(worker.packageInputs).toEqual(['node_modules/tls-resumption/dist/workerd.js']);
      expect(worker.externalImports).toEqual(['./core.wasm']);
      expect(worker.url.hostname).toBe('127.0.0.1');
      const answers = [];
      for (let i = 0; i < 2; i++) {
        // let the Worker's clock move on between requests (a 1 ms session must expire)
        if (i > 0) await new Promise((resolve) => setTimeout(resolve, 20));
        const response = await fetch(worker.url);
        expect(response.status).toBe(200);
        answers.push(
          (await response.json()) as {
            runtime: { name: string };
            result: unknown;
            kept: number[][];
            expiry: { stillThere: boolean; expired: number };
          },
        );
      }
      for (const answer of answers) {
        expect(answer.runtime.name).toBe('workerd');
        expect(answer.result).toEqual(EXPECTED_SMOKE);
      }
      expect(answers.map((a) => a.kept)).toEqual([
        [[1, 1, 1]],
        [
          [2, 2, 2],
          [1, 1, 1],
        ],
      ]);
      // the default clock moves on in workerd: the session the first request stored has expired
      expect(answers.map((a) => a.expiry)).toEqual([
        { stillThere: false, expired: 0 },
        { stillThere: false, expired: 1 },
      ]);
    } finally {
      await worker.dispose();
    }
  });
});
