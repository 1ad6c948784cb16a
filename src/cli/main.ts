#!/usr/bin/env node
// The `tls-resumption` command: demo, serve, bench. Each command's module is loaded only when it
// runs, so `--help` and the library entries stay light. A usage mistake prints one line and exits
// 2; a fault while running prints one line and exits 1; neither prints a stack trace.
import { UsageError } from './args.js';

const HELP = `Usage: tls-resumption <command> [options]

Commands:
  demo     a TLS server with the session cache, clients that reconnect, with and without the cache
  serve    a TLS-terminating TCP proxy with the session cache attached
  bench    the benchmark (from a checkout of the repository)

Run 'tls-resumption <command> --help' for a command's options.
`;

const print = (line: string): void => {
  process.stdout.write(`${line}\n`);
};
const log = (line: string): void => {
  process.stderr.write(`tls-resumption: ${line}\n`);
};

async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  switch (command) {
    case 'demo':
      return (await import('./demo.js')).demo(args, print);
    case 'serve': {
      const { SERVE_HELP, serve, serveConfig } = await import('./serve.js');
      const config = serveConfig(args);
      if (config === 'help') {
        print(SERVE_HELP.trimEnd());
        return 0;
      }
      return serve(config, log, print);
    }
    case 'bench':
      return (await import('./bench.js')).bench(args, print);
    case undefined:
    case '-h':
    case '--help':
    case 'help':
      print(HELP.trimEnd());
      return command === undefined ? 2 : 0;
    default:
      throw new UsageError(`unknown command '${command}' (commands: demo, serve, bench; see tls-resumption --help)`);
  }
}

main(process.argv.slice(2)).then(
  (status) => {
    process.exitCode = status;
  },
  (error: unknown) => {
    log(error instanceof Error ? error.message : String(error));
    // exit now: a half-started command (a Redis client reconnecting, a worker) must not linger
    process.exit(error instanceof UsageError ? 2 : 1);
  },
);
