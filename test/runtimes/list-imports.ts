// Lists what a built file imports, as esbuild parses it (static, dynamic and require), without
// resolving anything: the edge entries must import nothing but their own wasm module.
import { build, type Plugin } from 'esbuild';

/** Keep every import of the entry external, so the metafile lists it as written. */
const everyImportExternal: Plugin = {
  name: 'every-import-external',
  setup(b) {
    b.onResolve({ filter: /.*/ }, (args) => (args.kind === 'entry-point' ? undefined : { path: args.path, external: true }));
  },
};

/** The import specifiers of `file`, in source order (duplicates kept). */
export async function importsOf(file: string): Promise<string[]> {
  const result = await build({
    entryPoints: [file],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'neutral',
    plugins: [everyImportExternal],
    metafile: true,
    logLevel: 'silent',
  });
  return Object.values(result.metafile.inputs).flatMap((input) => input.imports.map((i) => i.path));
}
