// Builds, packs and installs the package the way a user gets it: a staged copy of the repo is
// built and packed (so the build never rewrites the repo's build/ and dist/ under the other test
// files, which read build/core.wasm), and the tarball is installed into a fresh project in the OS
// temp dir.
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** This folder (the drivers live here). */
const HERE = dirname(fileURLToPath(import.meta.url));

/** The repository root. */
export const REPO = resolve(HERE, '../..');

/** What the package build reads: everything `npm run build` needs, nothing it makes. */
const STAGED = ['package.json', 'README.md', 'LICENSE', 'tsconfig.json', 'tsup.config.ts', 'asconfig.json', 'src', 'assembly'];

/** The test-side files copied into the consumer project (one shared smoke script, thin drivers). */
const DRIVERS = ['smoke.mjs', 'driver-esm.mjs', 'driver-cjs.cjs', 'driver-worker.mjs'];

export interface PackedPackage {
  /** The temp dir holding everything below; removed by {@link disposePackage}. */
  root: string;
  /** The staged copy of the repo that was built and packed. */
  stage: string;
  /** Paths in the tarball, as `npm pack --json` reported them, sorted. */
  packedFiles: string[];
  /** Paths `npm pack --dry-run --json` lists for the same build, sorted. */
  dryRunFiles: string[];
  /** A project with the tarball installed, and the drivers beside its package.json. */
  project: string;
  /** The installed package, in the project's node_modules. */
  installed: string;
}

interface PackJson {
  files: { path: string }[];
  filename: string;
}

/** `npm ...` in `cwd`, returning stdout. */
async function npm(cwd: string, args: string[]): Promise<string> {
  const { stdout } = await run('npm', args, { cwd, maxBuffer: 16 * 1024 * 1024, env: { ...process.env, NO_COLOR: '1' } });
  return stdout;
}

function filesOf(json: string): { files: string[]; filename: string } {
  const [report] = JSON.parse(json) as PackJson[];
  if (report === undefined) throw new Error(`npm pack printed no report: ${json}`);
  return { files: report.files.map((f) => f.path).sort(), filename: report.filename };
}

/**
 * Stage the repo in a temp dir, `npm run build` there (the `prepack` script), pack it, list it
 * with `npm pack --dry-run --json`, and install the tarball into a fresh project.
 */
export async function packAndInstall(): Promise<PackedPackage> {
  const root = mkdtempSync(join(tmpdir(), 'tls-resumption-runtimes-'));
  try {
    return await packAndInstallIn(root);
  } catch (error) {
    rmSync(root, { recursive: true, force: true });
    throw error;
  }
}

async function packAndInstallIn(root: string): Promise<PackedPackage> {
  const stage = join(root, 'stage');
  mkdirSync(stage);
  for (const entry of STAGED) cpSync(join(REPO, entry), join(stage, entry), { recursive: true });
  // the build tools (asc, tsup) come from the repo's own install
  symlinkSync(join(REPO, 'node_modules'), join(stage, 'node_modules'), 'dir');

  await npm(stage, ['run', 'build']);
  // scripts ran just above (prepack is `npm run build`); skipping them keeps the JSON clean
  const packed = filesOf(await npm(stage, ['pack', '--json', '--ignore-scripts', '--pack-destination', root]));
  const dryRun = filesOf(await npm(stage, ['pack', '--dry-run', '--json', '--ignore-scripts']));

  const project = join(root, 'project');
  mkdirSync(project);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'runtime-smoke', private: true, version: '1.0.0' }));
  // the package has no dependencies, so the install needs only the tarball
  await npm(project, ['install', join(root, packed.filename), '--offline', '--no-audit', '--no-fund', '--no-package-lock']);
  for (const file of DRIVERS) cpSync(join(HERE, file), join(project, file));

  return {
    root,
    stage,
    packedFiles: packed.files,
    dryRunFiles: dryRun.files,
    project,
    installed: join(project, 'node_modules', 'tls-resumption'),
  };
}

/** Remove everything {@link packAndInstall} made. */
export function disposePackage(packed: PackedPackage | undefined): void {
  if (packed !== undefined) rmSync(packed.root, { recursive: true, force: true });
}
