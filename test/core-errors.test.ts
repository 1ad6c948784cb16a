// What a runtime that cannot run a cache gets: a SessionCacheError with a code, never a bare
// Error or RangeError. No core registered (ERR_CORE_NOT_LOADED), a module that is not the core or
// a faulty build of it (ERR_CORE_INVALID), no memory for the cache (ERR_OUT_OF_MEMORY).
import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';
import asc from 'assemblyscript/asc';
import { describe, expect, test, vi } from 'vitest';
import { createSessionCache, useCoreModule } from '../src/index.js';
import { testCore } from './core-hooks.js';
import { bytes, key } from './helpers.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const code = (c: string) => expect.objectContaining({ name: 'SessionCacheError', code: c });

/** A cache can be created and used: whatever was refused before changed nothing. */
function stillWorks(): void {
  const cache = createSessionCache({ role: 'server', maxSessions: 10 });
  cache.update(key('h:1', 1), bytes(100, 1));
  expect(cache.lookup(key('h:1', 1))).toEqual(bytes(100, 1));
  cache.terminate();
}

describe('ERR_CORE_NOT_LOADED', () => {
  test('ready() rejects and createSessionCache throws while no core is registered', async () => {
    vi.resetModules();
    const api = await import('../src/api.js'); // a fresh registry: no entry has registered a core
    await expect(api.ready()).rejects.toEqual(code('ERR_CORE_NOT_LOADED'));
    expect(() => api.createSessionCache({ role: 'server' })).toThrow(code('ERR_CORE_NOT_LOADED'));
    expect(() => api.wasmSessionCache.init({ role: 'client' })).toThrow(code('ERR_CORE_NOT_LOADED'));
    api.useCoreModule(testCore);
    await expect(api.ready()).resolves.toBeUndefined();
  });
});

/** Compile assembly/index.ts with `extra` appended to its entry (-O0: only its behaviour matters). */
async function buildCore(extra: string): Promise<WebAssembly.Module> {
  const entry = 'assembly/variant.ts';
  let binary: Uint8Array<ArrayBuffer> | undefined;
  const stderr = asc.createMemoryStream();
  const { error } = await asc.main([entry, '--runtime', 'stub', '--use', 'abort=', '-O0', '--outFile', 'variant.wasm'], {
    readFile: async (name: string, base: string) => {
      if (`${base}/${name}`.endsWith(entry)) return `export * from "./index";\n${extra}\n`;
      return readFile(`${ROOT}/${base}/${name}`, 'utf8').catch(() => null);
    },
    writeFile: async (name: string, contents: string | Uint8Array) => {
      if (name.endsWith('.wasm') && typeof contents !== 'string') binary = new Uint8Array(contents);
    },
    listFiles: async () => [],
    stdout: asc.createMemoryStream(),
    stderr,
  });
  if (error || binary === undefined) throw new Error(`asc: ${error?.message ?? 'no output'}\n${stderr.toString()}`);
  return new WebAssembly.Module(binary);
}

describe('ERR_CORE_INVALID', () => {
  test('useCoreModule refuses a module that is not the core, and keeps the one registered', () => {
    const empty = new WebAssembly.Module(Uint8Array.of(0, 0x61, 0x73, 0x6d, 1, 0, 0, 0));
    expect(() => useCoreModule(empty)).toThrow(code('ERR_CORE_INVALID'));
    expect(() => useCoreModule(empty)).toThrow(/lacks memory, layoutBytes, init/);
    stillWorks();
  });

  test('a core built with static data where its fixed areas are refuses to start', async () => {
    // 2 KiB of static data: the compiler places it from address 0 up, over BASE (1024)
    const faulty = await buildCore('export const padding = memory.data(2048);');
    const healthy = await buildCore('');
    try {
      useCoreModule(faulty); // it has every export: only init can tell
      expect(() => createSessionCache({ role: 'server' })).toThrow(code('ERR_CORE_INVALID'));
      expect(() => createSessionCache({ role: 'server' })).toThrow(/build fault/);
      useCoreModule(healthy); // the same build without the static data starts: the check can pass
      stillWorks();
    } finally {
      useCoreModule(testCore);
    }
  });
});

describe('ERR_OUT_OF_MEMORY', () => {
  test('the engine refuses to grow the memory: createSessionCache throws, other caches are untouched', () => {
    const before = createSessionCache({ role: 'server', maxSessions: 10 });
    before.update(key('h:1', 1), bytes(100, 1));
    // what a host short of memory does: memory.grow fails beyond 64 pages (4 MiB)
    v8.setFlagsFromString('--wasm-max-mem-pages=64');
    try {
      expect(() => createSessionCache({ role: 'server', maxSessions: 100_000 })).toThrow(code('ERR_OUT_OF_MEMORY'));
      expect(before.lookup(key('h:1', 1))).toEqual(bytes(100, 1));
    } finally {
      v8.setFlagsFromString('--wasm-max-mem-pages=65536');
    }
    before.terminate();
    const after = createSessionCache({ role: 'server', maxSessions: 100_000 });
    expect(after.stats().reservedBytes).toBeGreaterThan(64 * 65536);
    after.terminate();
  });

  test.skipIf(process.platform === 'win32')('the engine cannot even create the instance (no address space left)', () => {
    // A process limited to 4 GB of address space: V8 cannot reserve a WebAssembly memory. The
    // built package (dist/, made by `npm test` and `npm run test:unit` before the tests run).
    const script = `import('./dist/index.js').then((lib) => {
      try { lib.createSessionCache({ role: 'server' }); console.log('created'); }
      catch (e) { console.log(JSON.stringify({ name: e.name, code: e.code })); }
    });`;
    const out = execFileSync(
      'sh',
      ['-c', 'ulimit -v 4000000 && exec "$0" --input-type=module -e "$1"', process.execPath, script],
      {
        cwd: ROOT,
        encoding: 'utf8',
      },
    );
    expect(JSON.parse(out.trim())).toEqual({ name: 'SessionCacheError', code: 'ERR_OUT_OF_MEMORY' });
  });
});
