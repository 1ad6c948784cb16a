import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { index: 'src/index.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
  // the Node entry finds build/core.wasm next to dist/ through import.meta.url (shimmed in CJS)
  shims: true,
});
