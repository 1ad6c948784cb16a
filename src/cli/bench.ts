// `tls-resumption bench`: runs the repository's benchmark (bench/run.mjs). The benchmark compares
// against lru-cache and other caches, which are development dependencies, so it runs from a
// checkout (`npm ci` first), not from an installed package.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse, UsageError } from './args.js';
import type { Log } from './proxy.js';

export const BENCH_HELP = `Usage: tls-resumption bench [--quick | --full]

Runs the benchmark from a checkout of the repository (after npm ci): this package's caches against
lru-cache and Map on a TLS terminator's workload, and real handshakes end to end.
  (default)  every target, judged by the median of its rounds; at most 10 minutes
  --quick    a short run, for a first look
  --full     the long run behind the published tables
`;

/** Run bench/run.mjs with the chosen mode; resolves with its exit status. */
export async function bench(args: string[], print: Log): Promise<number> {
  const { values: v } = parse('bench', args, {
    quick: { type: 'boolean' },
    full: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (v.help) {
    print(BENCH_HELP.trimEnd());
    return 0;
  }
  if (v.quick && v.full) throw new UsageError('bench: --quick and --full exclude each other');
  // dist/*.js and src/cli/*.ts: the package root is where package.json is, one or two levels up
  const root = [new URL('../', import.meta.url), new URL('../../', import.meta.url)]
    .map((u) => fileURLToPath(u))
    .find((dir) => existsSync(`${dir}bench/run.mjs`));
  if (root === undefined) {
    throw new UsageError(
      'bench: the benchmark runs from a checkout of the repository (npm ci && npm run bench); this install has no bench/',
    );
  }
  const mode = v.quick ? ['--quick'] : v.full ? ['--full'] : [];
  const child = spawn(process.execPath, [`${root}bench/run.mjs`, ...mode], { cwd: root, stdio: 'inherit' });
  return new Promise((resolve) => child.once('exit', (code) => resolve(code ?? 1)));
}
