// One SessionCacheError across the package's two Node builds: an application that loads the ESM
// build (dist/index.js) and a dependency that loads the CJS one (dist/index.cjs) get two copies
// of the class, and `instanceof` must hold across them. Runs against the built files: `npm run
// build` first (test:unit and test do).
import { createRequire } from 'node:module';
import { expect, test } from 'vitest';

type Package = typeof import('../src/index.js');

const esm = (await import(new URL('../dist/index.js', import.meta.url).href)) as Package;
const cjs = createRequire(import.meta.url)('../dist/index.cjs') as Package;

/** The error `pkg` throws for bad options. */
function thrownBy(pkg: Package): unknown {
  try {
    pkg.createSessionCache({ role: 'nobody' } as never);
  } catch (error) {
    return error;
  }
  throw new Error('expected createSessionCache to throw');
}

test('the ESM and CJS builds are two copies of the class', () => {
  expect(esm.SessionCacheError).not.toBe(cjs.SessionCacheError);
});

test('instanceof SessionCacheError holds across the ESM and CJS builds, both ways', () => {
  const fromEsm = thrownBy(esm);
  const fromCjs = thrownBy(cjs);
  for (const error of [fromEsm, fromCjs]) {
    expect(error instanceof esm.SessionCacheError).toBe(true);
    expect(error instanceof cjs.SessionCacheError).toBe(true);
    expect(error instanceof Error).toBe(true);
    expect(error).toMatchObject({ code: 'ERR_INVALID_OPTION', name: 'SessionCacheError' });
  }
  // and nothing else passes for one
  for (const other of [new Error('x'), { code: 'ERR_INVALID_OPTION', name: 'SessionCacheError' }, null, 'error']) {
    expect(other instanceof esm.SessionCacheError).toBe(false);
    expect(other instanceof cjs.SessionCacheError).toBe(false);
  }
});

test('a subclass keeps the ordinary prototype check', () => {
  class Special extends esm.SessionCacheError {}
  const special = new Special('ERR_INVALID_ARGUMENT', 'special');
  expect(special instanceof Special).toBe(true);
  expect(special instanceof cjs.SessionCacheError).toBe(true);
  expect(thrownBy(esm) instanceof Special).toBe(false);
});
