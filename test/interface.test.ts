// The JS <-> wasm interface has one source, assembly/layout.ts: src/core-interface.ts is generated
// from it and must be what the generator writes now, every value in it must be the one compiled
// into the core, and the record-size formula written in both languages must agree. The shipped
// core exports what src/ calls and nothing else; the hooks are in the test build only.
import { readFileSync } from 'node:fs';
import { expect, test } from 'vitest';
import { generate, LAYOUT, OUTPUT } from '../.ci/core-interface.mjs';
import { CORE_EXPORTS } from '../src/core-exports.js';
import * as generated from '../src/core-interface.js';
import { MAX_PARTIAL_KEY_BYTES, MAX_SESSION_BYTES_LIMIT, MAX_SESSION_ID_BYTES, recordBytes } from '../src/index.js';
import { releaseCore, TEST_HOOKS, testCore, testCoreInstance } from './core-hooks.js';

const exportNames = (module: WebAssembly.Module) => WebAssembly.Module.exports(module).map((e) => e.name);

test('src/core-interface.ts is what .ci/core-interface.mjs generates from assembly/layout.ts (npm run build:interface)', () => {
  expect(readFileSync(OUTPUT, 'utf8')).toBe(generate(readFileSync(LAYOUT, 'utf8')));
});

test('every value in src/core-interface.ts is the one compiled into the core', () => {
  const core = testCoreInstance();
  const constants = Object.entries(generated);
  expect(constants.length).toBeGreaterThan(30);
  for (const [name, value] of constants) {
    const global = core[name];
    expect(global, name).toBeInstanceOf(WebAssembly.Global);
    const compiled = (global as WebAssembly.Global).value as number;
    // i32 globals read back signed: a u32 constant above 2^31 comes back negative
    expect(compiled < 0 && value >= 0 ? compiled >>> 0 : compiled, name).toBe(value);
  }
});

test('the generator refuses what it cannot evaluate or what does not fit its type', () => {
  const section = (body: string) => `// ---- begin JS interface ----\n${body}\n// ---- end JS interface ----\n`;
  expect(generate(section('/** A. */\nexport const A: u32 = 1 << 4;\nexport const B: i32 = A - 17;'))).toContain(
    '/** A. */\nexport const A = 1 << 4;\nexport const B = A - 17;\n',
  );
  expect(() => generate(section('export const A: u32 = -1;'))).toThrow(/not a u32/);
  expect(() => generate(section('export const A: u32 = B;'))).toThrow(/not an earlier interface constant/);
  expect(() => generate(section('export const A: u32 = u32(1);'))).toThrow(/not an earlier interface constant/);
  expect(() => generate(section('@inline export function f(): u32 { return 1; }'))).toThrow(/only constants/);
  expect(() => generate('export const A: u32 = 1;')).toThrow(/section/);
});

test('the limits and the byte formula in src/limits.ts are the ones compiled into the core', () => {
  const core = testCoreInstance();
  expect([MAX_SESSION_ID_BYTES, MAX_PARTIAL_KEY_BYTES, MAX_SESSION_BYTES_LIMIT]).toEqual([
    (core.MAX_SID_BYTES as WebAssembly.Global).value,
    (core.MAX_PK_BYTES as WebAssembly.Global).value,
    (core.MAX_SESSION_BYTES as WebAssembly.Global).value,
  ]);
  // every session size, under the shortest, a typical and the longest key
  let compared = 0;
  for (const [pk, sid] of [
    [0, 1],
    [21, 32],
    [512, 255],
  ] as const) {
    for (let session = 1; session <= MAX_SESSION_BYTES_LIMIT; session++) {
      if (core.recordBytesFor(pk, sid, session) !== recordBytes(pk, sid, session)) {
        expect([pk, sid, session, recordBytes(pk, sid, session)]).toEqual([
          pk,
          sid,
          session,
          core.recordBytesFor(pk, sid, session),
        ]);
      }
      compared++;
    }
  }
  expect(compared).toBe(3 * MAX_SESSION_BYTES_LIMIT);
});

test('build/core.wasm exports exactly what src/ calls: no test hook ships', () => {
  expect(exportNames(releaseCore).sort()).toEqual([...CORE_EXPORTS].sort());
});

test('build/core.test.wasm exports the release set, the hooks and the layout constants', () => {
  const names = exportNames(testCore);
  expect(names).toEqual(expect.arrayContaining([...CORE_EXPORTS, ...TEST_HOOKS, ...Object.keys(generated)]));
  for (const hook of TEST_HOOKS) expect(exportNames(releaseCore)).not.toContain(hook);
});
