// Run the built command line (dist/cli.js, built by `npm test` before vitest) as a user would.
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));

export interface Finished {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Run the CLI to completion. */
export function runCli(args: string[], timeoutMs = 120_000): Promise<Finished> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', reject);
    child.once('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

/** A running `serve`, once it printed where it listens. */
export interface Running {
  child: ChildProcess;
  port: number;
  metricsPort: number | undefined;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit status. */
  exited: Promise<number | null>;
}

/** Start `tls-resumption serve ...args` and wait until it listens. */
export function startServe(args: string[]): Promise<Running> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, 'serve', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      const listening = /listening on [^\s]+:(\d+),/.exec(out);
      const wantsMetrics = args.includes('--metrics');
      const metrics = /metrics on http:\/\/[^\s]+:(\d+)\/metrics/.exec(out);
      if (listening && (!wantsMetrics || metrics)) {
        resolve({
          child,
          port: Number(listening[1]),
          metricsPort: metrics ? Number(metrics[1]) : undefined,
          stdout: () => out,
          stderr: () => err,
          exited,
        });
      }
    });
    void exited.then((code) => reject(new Error(`serve exited with ${code} before listening: ${err}`)));
  });
}
