// The test build of the core, build/core.test.wasm (the release exports plus hooks: verify, the
// session table, every layout constant), is registered on import, so every WebAssembly cache the
// tests create runs it; the hooks are reached through src/core-internals.ts, which the package
// does not export. build/core.wasm, the shipped core, has none of them.
import { readFileSync } from 'node:fs';
import { useCoreModule } from '../src/api.js';
import type { Core } from '../src/core-exports.js';
import { coreOf } from '../src/core-internals.js';

/** What build/core.test.wasm adds to the release exports (besides the layout constants). */
export interface TestCore extends Core {
  /** 0 if every structure of the core is consistent, else the broken rule (assembly/verify.ts). */
  verify(): number;
  sessionMetaAddress(): number;
  sessionSlots(): number;
  recordBytesFor(pkLen: number, sidLen: number, sessLen: number): number;
}

export const TEST_HOOKS = ['verify', 'sessionMetaAddress', 'sessionSlots', 'recordBytesFor'] as const;

const load = (file: string) => new WebAssembly.Module(readFileSync(new URL(`../build/${file}`, import.meta.url)));

/** build/core.wasm: what the package ships. */
export const releaseCore = load('core.wasm');
/** build/core.test.wasm. */
export const testCore = load('core.test.wasm');

useCoreModule(testCore);

/** The test core of a live WebAssembly cache created by the tests. */
export function testCoreOf(cache: object): TestCore {
  const core = coreOf(cache);
  if (core === undefined) throw new Error('not a live WebAssembly cache');
  if (typeof (core as Partial<TestCore>).verify !== 'function') throw new Error('the cache runs the release core, without hooks');
  return core as TestCore;
}

/** A fresh instance of the test core, not attached to any cache (for its constants and formulas). */
export function testCoreInstance(): TestCore & Record<string, unknown> {
  return new WebAssembly.Instance(testCore, {}).exports as unknown as TestCore & Record<string, unknown>;
}
