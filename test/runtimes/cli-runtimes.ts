// Runs the shared smoke script under each command-line runtime, in the consumer project, and
// parses the one JSON line the driver prints.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO } from './pack-install.js';

const run = promisify(execFile);

/** What a driver prints: the runtime that ran it, the file `tls-resumption` resolved to, the results. */
export interface DriverOutput {
  runtime: { name: string; version: string };
  entry: string;
  result: unknown;
}

/** The command-line runtimes, each a binary from the repo's devDependencies (npm registry). */
export const RUNTIMES = {
  'node-esm': { command: process.execPath, args: ['driver-esm.mjs'] },
  'node-cjs': { command: process.execPath, args: ['driver-cjs.cjs'] },
  bun: { command: join(REPO, 'node_modules/.bin/bun'), args: ['driver-esm.mjs'] },
  // no permission flags: importing the package must need none
  deno: { command: join(REPO, 'node_modules/.bin/deno'), args: ['run', '--no-prompt', '--no-lock', 'driver-esm.mjs'] },
} as const;

export type CliRuntime = keyof typeof RUNTIMES;

/** Run the driver of `runtime` in `project`; throws with its stderr if it fails. */
export async function runDriver(runtime: CliRuntime, project: string): Promise<DriverOutput> {
  const { command, args } = RUNTIMES[runtime];
  const env = { ...process.env, NO_COLOR: '1', DENO_NO_UPDATE_CHECK: '1' };
  let stdout: string;
  try {
    ({ stdout } = await run(command, [...args], { cwd: project, env, maxBuffer: 4 * 1024 * 1024 }));
  } catch (error) {
    const e = error as { stderr?: string; message: string };
    throw new Error(`${runtime} failed: ${e.message}\n${e.stderr ?? ''}`);
  }
  const line = stdout.trim().split('\n').at(-1) ?? '';
  return JSON.parse(line) as DriverOutput;
}
