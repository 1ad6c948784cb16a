// `tls-resumption serve`: a TLS-terminating TCP proxy with the session cache attached.
import { readFileSync } from 'node:fs';
import tls from 'node:tls';
import { type HostPort, hostPort, integer, onOff, parse, size, UsageError } from './args.js';
import { MAX_SESSIONS_LIMIT } from './library.js';
import type { Log } from './proxy.js';
import { selfSignedCertificate } from './self-signed.js';

export const SERVE_HELP = `Usage: tls-resumption serve --listen HOST:PORT --upstream HOST:PORT [options]

Terminates TLS on --listen and forwards the plaintext bytes to --upstream, resuming TLS sessions
through the session cache (TLS 1.2 session ids) and session tickets (TLS 1.2 and 1.3).

Options:
  --listen HOST:PORT        where clients connect (port 0: any free port)
  --upstream HOST:PORT      the plaintext service behind it
  --cert FILE --key FILE    PEM certificate chain and key (default: a self-signed
                            certificate for localhost, its fingerprint printed)
  --max-sessions N          sessions the cache holds (default 20480)
  --memory SIZE             byte budget for sessions, e.g. 64MB (default 512 B per session)
  --lifetime SECONDS        session lifetime (default 300)
  --workers N               worker processes (node:cluster) sharing one session cache held
                            by the primary, and ticket keys it rotates (default 1: one process)
  --tickets on|off          session tickets (default on; off: TLS 1.3 never resumes)
  --ticket-secret-file FILE derive rotating ticket keys from this secret (at least 32 bytes),
                            so every process and host holding it resumes the others' tickets
  --idle-timeout SECONDS    close a connection idle this long (default 300)
  --drain-timeout SECONDS   on SIGINT/SIGTERM, wait this long for connections (default 30)
  --redis URL               share sessions with every host on this Redis (e.g.
                            redis://127.0.0.1:6379), sealed with --keyring-file's keys; needs
                            the ioredis (or redis) package installed
  --keyring-file FILE       {"current": {"id": "k1", "secret": "<base64 of 32+ bytes>"},
                            "previous": [...]}: the same file on every host
  --metrics HOST:PORT       serve Prometheus metrics at http://HOST:PORT/metrics
  -h, --help                this text
`;

const OPTIONS = {
  listen: { type: 'string' },
  upstream: { type: 'string' },
  cert: { type: 'string' },
  key: { type: 'string' },
  'max-sessions': { type: 'string' },
  memory: { type: 'string' },
  lifetime: { type: 'string' },
  tickets: { type: 'string' },
  workers: { type: 'string' },
  'ticket-secret-file': { type: 'string' },
  'idle-timeout': { type: 'string' },
  'drain-timeout': { type: 'string' },
  metrics: { type: 'string' },
  redis: { type: 'string' },
  'keyring-file': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** What `serve` runs with, every value checked. */
export interface ServeConfig {
  listen: HostPort;
  upstream: HostPort;
  key: string | Buffer;
  cert: string | Buffer;
  /** Set when the certificate was generated. */
  fingerprint256: string | undefined;
  maxSessions: number;
  memoryBytes: number | undefined;
  lifetimeSeconds: number;
  tickets: boolean;
  /** Worker processes; 1 runs the terminator in this process. */
  workers: number;
  /** Ticket keys derive from it when set (--ticket-secret-file). */
  ticketSecret: Buffer | undefined;
  idleMs: number;
  drainMs: number;
  metrics: HostPort | undefined;
  /** The Redis tier (--redis, --keyring-file). */
  redis: { url: string; keyringFile: string } | undefined;
}

function readPem(flag: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new UsageError(`cannot read ${flag} ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

const MIN_TICKET_SECRET_BYTES = 32;

function ticketSecret(path: string | undefined, tickets: string | undefined): Buffer | undefined {
  if (path === undefined) return undefined;
  if (tickets === 'off') throw new UsageError('--ticket-secret-file needs tickets on');
  const secret = readPem('--ticket-secret-file', path);
  if (secret.length < MIN_TICKET_SECRET_BYTES) {
    throw new UsageError(
      `--ticket-secret-file ${path} holds ${secret.length} bytes; at least ${MIN_TICKET_SECRET_BYTES} random bytes are needed`,
    );
  }
  return secret;
}

function redisConfig(url: string | undefined, keyringFile: string | undefined): ServeConfig['redis'] {
  if (url === undefined && keyringFile === undefined) return undefined;
  if (url === undefined || keyringFile === undefined) throw new UsageError('--redis and --keyring-file go together');
  if (!/^rediss?:\/\//.test(url)) throw new UsageError(`--redis must be a redis:// or rediss:// URL, got '${url}'`);
  return { url, keyringFile };
}

/** Parse and check `serve`'s arguments (files are read, the key and certificate must match). */
export function serveConfig(args: string[]): ServeConfig | 'help' {
  const { values: v } = parse('serve', args, OPTIONS);
  if (v.help) return 'help';
  const listen = hostPort('--listen', v.listen, true);
  const upstream = hostPort('--upstream', v.upstream, false);
  if ((v.cert === undefined) !== (v.key === undefined)) throw new UsageError('--cert and --key go together');
  let key: string | Buffer;
  let cert: string | Buffer;
  let fingerprint256: string | undefined;
  if (v.cert !== undefined && v.key !== undefined) {
    cert = readPem('--cert', v.cert);
    key = readPem('--key', v.key);
    try {
      tls.createSecureContext({ key, cert });
    } catch (error) {
      throw new UsageError(`--cert ${v.cert} / --key ${v.key}: ${(error as Error).message}`);
    }
  } else {
    const generated = selfSignedCertificate();
    ({ key, cert, fingerprint256 } = generated);
  }
  const lifetimeSeconds = integer('--lifetime', v.lifetime, 300, 1, 86_400 * 7);
  return {
    listen,
    upstream,
    key,
    cert,
    fingerprint256,
    maxSessions: integer('--max-sessions', v['max-sessions'], 20480, 1, MAX_SESSIONS_LIMIT),
    memoryBytes: size('--memory', v.memory, 2 ** 32 - 1),
    lifetimeSeconds,
    tickets: onOff('--tickets', v.tickets, true),
    workers: integer('--workers', v.workers, 1, 1, 256),
    ticketSecret: ticketSecret(v['ticket-secret-file'], v.tickets),
    idleMs: integer('--idle-timeout', v['idle-timeout'], 300, 1, 86_400) * 1000,
    drainMs: integer('--drain-timeout', v['drain-timeout'], 30, 0, 3600) * 1000,
    metrics: v.metrics === undefined ? undefined : hostPort('--metrics', v.metrics, true),
    redis: redisConfig(v.redis, v['keyring-file']),
  };
}

/**
 * Run `serve` until SIGINT or SIGTERM; resolves with the exit status. With `--workers` above 1
 * this process becomes the cluster's primary (and each worker runs this again as a worker).
 */
export async function serve(config: ServeConfig, log: Log, print: Log): Promise<number> {
  if (config.workers > 1) return (await import('./serve-cluster.js')).serveCluster(config, log, print);
  return (await import('./serve-single.js')).serveSingle(config, log, print);
}
