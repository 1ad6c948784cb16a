// A real redis-server for the fleet tests: on 127.0.0.1, a free port, persistence off, in its own
// temporary directory; it can be killed (SIGKILL), paused (SIGSTOP) and restarted on the same port.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface RedisServer {
  readonly port: number;
  /** Start it again on the same port (after kill()). */
  start(): Promise<void>;
  /** SIGKILL, as a crash; resolves once the process is gone. */
  kill(): Promise<void>;
  /** SIGSTOP / SIGCONT: a server that hangs, with its connections still open. */
  pause(): void;
  resume(): void;
  /** Kill it and remove its directory. */
  stop(): Promise<void>;
}

const READY = 'Ready to accept connections';

function redisServerPath(): string {
  try {
    return execFileSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error('redis-server is not installed: run .ci/run, or apt-get install -y redis-server');
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/** Spawn redis-server on `port`; resolves once it accepts connections, rejects if it exits first. */
function launch(binary: string, port: number, dir: string, extra: string[]): Promise<ChildProcess> {
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, ...extra];
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes(READY)) {
        child.stdout!.off('data', onData);
        child.stdout!.resume(); // keep draining, so the server never blocks on a full pipe
        resolve(child);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.resume();
    child.once('exit', (code) => reject(new Error(`redis-server exited (${code}) on port ${port}: ${output.slice(-500)}`)));
  });
}

/** A redis-server on a free loopback port (a few attempts if another process takes the port first). */
export async function startRedis(extra: string[] = []): Promise<RedisServer> {
  const binary = redisServerPath();
  const dir = mkdtempSync(join(tmpdir(), 'tls-resumption-redis-'));
  let port = 0;
  let child: ChildProcess | undefined;
  for (let attempt = 0; attempt < 5 && child === undefined; attempt++) {
    port = await freePort();
    child = await launch(binary, port, dir, extra).catch(() => undefined);
  }
  if (child === undefined) throw new Error('could not start redis-server on a free port');
  const kill = async () => {
    const c = child;
    child = undefined;
    if (c === undefined || c.exitCode !== null || c.signalCode !== null) return;
    const gone = new Promise((resolve) => c.once('exit', resolve));
    c.kill('SIGCONT');
    c.kill('SIGKILL');
    await gone;
  };
  return {
    port,
    async start() {
      if (child !== undefined) return;
      child = await launch(binary, port, dir, extra);
    },
    kill,
    pause: () => void child?.kill('SIGSTOP'),
    resume: () => void child?.kill('SIGCONT'),
    async stop() {
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface RedisCluster {
  /** The masters' ports. */
  readonly ports: number[];
  stop(): Promise<void>;
}

/** A free port whose cluster bus port (port + 10000) is free too. */
async function freeClusterPort(): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 30_000);
    const free = (p: number) =>
      new Promise<boolean>((resolve) => {
        const probe = net.createServer();
        probe.once('error', () => resolve(false));
        probe.listen(p, '127.0.0.1', () => probe.close(() => resolve(true)));
      });
    if ((await free(port)) && (await free(port + 10_000))) return port;
  }
  throw new Error('no free port pair for a cluster node');
}

/** `masters` cluster-enabled redis-servers on loopback, joined by `redis-cli --cluster create`. */
export async function startRedisCluster(masters = 3): Promise<RedisCluster> {
  const binary = redisServerPath();
  const dir = mkdtempSync(join(tmpdir(), 'tls-resumption-redis-cluster-'));
  const children: ChildProcess[] = [];
  const ports: number[] = [];
  const stop = async () => {
    await Promise.all(
      children.map((c) => {
        if (c.exitCode !== null || c.signalCode !== null) return undefined;
        const gone = new Promise((resolve) => c.once('exit', resolve));
        c.kill('SIGKILL');
        return gone;
      }),
    );
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < masters; i++) {
      const port = await freeClusterPort();
      const nodeDir = join(dir, String(port));
      mkdirSync(nodeDir);
      const extra = ['--cluster-enabled', 'yes', '--cluster-config-file', join(nodeDir, 'nodes.conf')];
      children.push(await launch(binary, port, nodeDir, extra));
      ports.push(port);
    }
    const cli = execFileSync('sh', ['-c', 'command -v redis-cli'], { encoding: 'utf8' }).trim();
    execFileSync(
      cli,
      ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '0', '--cluster-yes'],
      {
        stdio: 'ignore',
        timeout: 30_000,
      },
    );
    // Bounded wait for every node to agree the cluster is up.
    for (let i = 0; i < 200; i++) {
      const ok = ports.every((p) =>
        execFileSync(cli, ['-p', String(p), 'cluster', 'info'], { encoding: 'utf8' }).includes('cluster_state:ok'),
      );
      if (ok) return { ports, stop };
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error('the test cluster never reached cluster_state:ok');
  } catch (error) {
    await stop();
    throw error;
  }
}
