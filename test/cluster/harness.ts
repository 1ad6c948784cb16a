// Drives a real node:cluster for the tests: fixtures/primary.mjs forked with an IPC channel (it
// imports the built package, so `npm run build` runs first: `npm test` and `npm run test:unit`
// do), and a TLS client that reconnects with the session it was last given.
import { type ChildProcess, fork } from 'node:child_process';
import tls from 'node:tls';
import { fileURLToPath } from 'node:url';
import type { KeyPair } from '../tls/certs.js';

export interface ClusterConfig {
  workers: number;
  /** 'cluster': clusterSessionStore in every worker; 'per-worker': a cache per worker. */
  mode: 'cluster' | 'per-worker';
  /** When the primary calls serveClusterSessionCache: before forking, after, or only on command. */
  serve?: 'before' | 'after' | 'never';
  serialization?: 'advanced' | 'json';
  local?: { maxSessions: number };
  /** Worker script in fixtures/ (default worker.mjs). */
  worker?: string;
  [field: string]: unknown;
}

export interface ClusterFixture {
  port: number;
  /** The workers' ids, as forked. */
  workers: number[];
  /** Messages the workers sent with a `fixture` field, in order of arrival. */
  fromWorkers: Array<Record<string, unknown>>;
  /** Run a command in the primary (see fixtures/primary.mjs) and return its answer. */
  command(cmd: string, args?: Record<string, unknown>): Promise<Record<string, unknown>>;
  /** Wait until a worker message matching `test` has arrived. */
  waitFor(test: (msg: Record<string, unknown>) => boolean): Promise<Record<string, unknown>>;
  stop(): Promise<void>;
}

const PRIMARY = fileURLToPath(new URL('./fixtures/primary.mjs', import.meta.url));

/** Fork the primary (which forks the workers) and wait until every worker listens. */
export async function startCluster(config: ClusterConfig, pair: KeyPair): Promise<ClusterFixture> {
  const child: ChildProcess = fork(PRIMARY, [JSON.stringify({ serve: 'before', ...config })], {
    execArgv: [],
    env: { ...process.env, FIXTURE_KEY: pair.key, FIXTURE_CERT: pair.cert },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const fromWorkers: Array<Record<string, unknown>> = [];
  const replies = new Map<number, (msg: Record<string, unknown>) => void>();
  const watchers: Array<() => void> = [];
  let seq = 0;
  const ready = new Promise<Record<string, unknown>>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the primary exited (${code}) before its workers listened`)));
    child.on('message', (msg: Record<string, unknown>) => {
      if (msg.ready === true) resolve(msg);
      else if (typeof msg.reply === 'number') replies.get(msg.reply)?.(msg);
      else if (msg.fixture !== undefined) {
        fromWorkers.push(msg);
        for (const watch of [...watchers]) watch();
      }
    });
  });
  const { port, workers } = await ready;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    port: port as number,
    workers: workers as number[],
    fromWorkers,
    command(cmd, args = {}) {
      const n = ++seq;
      return new Promise((resolve, reject) => {
        replies.set(n, (msg) => {
          replies.delete(n);
          if (typeof msg.error === 'string') reject(new Error(msg.error));
          else resolve(msg);
        });
        child.send({ cmd, seq: n, ...args });
      });
    },
    waitFor(test) {
      return new Promise((resolve) => {
        const check = (): void => {
          const found = fromWorkers.find(test);
          if (found === undefined) return;
          watchers.splice(watchers.indexOf(check), 1);
          resolve(found);
        };
        watchers.push(check);
        check();
      });
    },
    async stop() {
      if (child.exitCode === null && child.connected) child.send({ cmd: 'stop', seq: 0 });
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

export interface Reconnect {
  /** Client-side isSessionReused(). */
  resumed: boolean;
  /** The worker that served it (its `worker.id`), or -1 if the connection failed. */
  worker: number;
  /** What the server wrote. */
  data: string;
  error?: string;
}

/** One connection (TLS 1.2 unless `version`) offering `session`; resolves with what happened and the newest session. */
export function connectOnce(
  port: number,
  ca: string,
  session: Buffer | undefined,
  version: tls.SecureVersion = 'TLSv1.2',
): Promise<[Reconnect, Buffer | undefined]> {
  return new Promise((resolve) => {
    let latest = session;
    let data = '';
    let resumed = false;
    const socket = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', ca, session, maxVersion: version });
    socket.on('session', (s: Buffer) => (latest = s));
    socket.once('secureConnect', () => (resumed = socket.isSessionReused()));
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (data += chunk));
    socket.once('error', (error) => resolve([{ resumed: false, worker: -1, data, error: String(error) }, latest]));
    socket.once('close', () => {
      const worker = Number.parseInt(data, 10);
      resolve([{ resumed, worker: Number.isNaN(worker) ? -1 : worker, data }, latest]);
    });
  });
}

/** `count` sequential connections, each offering the session the previous ones left. */
export async function reconnects(
  port: number,
  ca: string,
  count: number,
  start?: Buffer,
  version?: tls.SecureVersion,
): Promise<{ results: Reconnect[]; session: Buffer | undefined }> {
  const results: Reconnect[] = [];
  let session = start;
  for (let i = 0; i < count; i++) {
    const [result, next] = await connectOnce(port, ca, session, version);
    results.push(result);
    session = next;
  }
  return { results, session };
}

/** How many of `results` resumed. */
export const resumedCount = (results: Reconnect[]): number => results.filter((r) => r.resumed).length;
