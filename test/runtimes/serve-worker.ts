// Serves the Worker driver from workerd (through Miniflare) on loopback. The Worker is bundled
// the way wrangler bundles one: esbuild with the `workerd` / `worker` / `browser` conditions, and
// every `.wasm` import kept as a module of its own that workerd loads as a compiled module.
import { copyFileSync, mkdirSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { build, type Plugin } from 'esbuild';
import { Miniflare } from 'miniflare';

export interface ServedWorker {
  /** The loopback URL the Worker answers on. */
  url: URL;
  /** Package files the bundle took in, relative to the project (shows which entry was resolved). */
  packageInputs: string[];
  /** Imports the bundle leaves to workerd (the wasm modules). */
  externalImports: string[];
  dispose(): Promise<void>;
}

/** Copy each imported .wasm beside the bundle and keep the import, as wrangler does. */
function wasmModules(outdir: string): Plugin {
  return {
    name: 'wasm-modules',
    setup(b) {
      b.onResolve({ filter: /\.wasm$/ }, (args) => {
        const file = resolve(args.resolveDir, args.path);
        copyFileSync(file, join(outdir, basename(file)));
        return { path: `./${basename(file)}`, external: true };
      });
    },
  };
}

/** Bundle `project`/driver-worker.mjs and serve it from workerd on 127.0.0.1 (a free port). */
export async function serveWorker(project: string): Promise<ServedWorker> {
  const outdir = join(project, 'worker-bundle');
  mkdirSync(outdir, { recursive: true });
  const bundled = await build({
    entryPoints: [join(project, 'driver-worker.mjs')],
    outfile: join(outdir, 'worker.mjs'),
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    conditions: ['workerd', 'worker', 'browser'],
    plugins: [wasmModules(outdir)],
    absWorkingDir: project,
    metafile: true,
    logLevel: 'silent',
  });
  const meta = bundled.metafile;
  const output = Object.values(meta.outputs)[0];
  const mf = new Miniflare({
    scriptPath: join(outdir, 'worker.mjs'),
    // module names are paths relative to this root; the default (cwd) would put them at ../..
    modulesRoot: outdir,
    modules: true,
    modulesRules: [{ type: 'CompiledWasm', include: ['**/*.wasm'] }],
    compatibilityDate: '2026-04-01',
    host: '127.0.0.1',
    port: 0,
  });
  const url = await mf.ready;
  return {
    url,
    // metafile paths are relative to absWorkingDir, the project
    packageInputs: Object.keys(meta.inputs)
      .filter((input) => input.startsWith('node_modules/tls-resumption/'))
      .sort(),
    externalImports: (output?.imports ?? []).filter((i) => i.external).map((i) => i.path),
    dispose: () => mf.dispose(),
  };
}
