import { readFileSync, rmSync } from 'node:fs';
import { defineConfig, type Options } from 'tsup';

/** build/core.wasm as base64, for the embedded entry (`npm run build` compiles it first). */
function coreWasmBase64(): string {
  try {
    return readFileSync('build/core.wasm').toString('base64');
  } catch (error) {
    throw new Error('tsup: build/core.wasm is missing; run `npm run build` (it compiles the core first)', { cause: error });
  }
}

export default defineConfig((): Options[] => {
  // Both builds write dist/ at once, so neither may use tsup's `clean` (its declaration pass
  // deletes every .d.ts in dist/, the other build's too): empty it once, before either starts, so
  // no leftover of an earlier build (an old chunk) reaches the package.
  rmSync('dist', { recursive: true, force: true });
  return [
    // Node, ESM + CJS: `.` (index) and `./node` (the node:tls adapters). Splitting puts the modules
    // both import (registry, cache classes, loader) in shared chunks, so the adapters see the same
    // classes and core as `.` and the core compiles once (tsup's CJS splitting does the same for
    // require()).
    {
      entry: { index: 'src/index.ts', node: 'src/entry-node-adapters.ts' },
      format: ['esm', 'cjs'],
      platform: 'node',
      target: 'node20',
      splitting: true,
      dts: true,
      // the loader finds build/core.wasm through import.meta.url (shimmed in CJS)
      shims: true,
      // keep `node:fs`: unambiguous for Node, Bun and Deno alike
      removeNodeProtocol: false,
      clean: false,
    },
    // The command line (package `bin`): a program, not an API, so ESM only and no declarations.
    // Each command is a chunk of its own, loaded when it runs.
    {
      entry: { cli: 'src/cli/main.ts' },
      format: ['esm'],
      platform: 'node',
      target: 'node20',
      splitting: true,
      dts: false,
      shims: true,
      removeNodeProtocol: false,
      clean: false,
    },
    // Edge, ESM only: workerd (imports the .wasm as a module) and embedded (bytes inlined). One
    // self-contained file per entry (no shared chunks), so test/runtimes can check that neither
    // imports anything but its wasm module (tsup would let a Node built-in through).
    {
      entry: { workerd: 'src/entry-workerd.ts', embedded: 'src/entry-embedded.ts' },
      format: ['esm'],
      platform: 'neutral',
      target: 'es2022',
      splitting: false,
      dts: true,
      external: [/\.wasm$/],
      define: { __CORE_WASM_BASE64__: JSON.stringify(coreWasmBase64()) },
      clean: false,
    },
  ];
});
