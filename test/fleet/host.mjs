// One "host" of the fleet tests, in its own process: a TLS 1.2 server (tickets off) with its own
// L1, sharing sessions through Redis. Driven by its parent over IPC: start, stats, flush, ready, stop.
// Uses the built package (dist/), as a deployed host would.
import tls from 'node:tls';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { createClient as createClient4 } from 'redis4';
import { attachSessionCache, createRedisSessionStore, sessionCacheServerOptions } from '../../dist/node.js';

let client;
let ready;
let store;
let attachment;
let server;

const keyring = (k) => ({
  current: { id: k.current.id, secret: Buffer.from(k.current.secret, 'base64') },
  previous: (k.previous ?? []).map((p) => ({ id: p.id, secret: Buffer.from(p.secret, 'base64') })),
});

async function connect(kind, port) {
  const reconnect = (n) => Math.min(n * 20, 200);
  if (kind === 'ioredis') {
    const c = new Redis({ host: '127.0.0.1', port, retryStrategy: reconnect, maxRetriesPerRequest: 2 });
    c.on('error', () => {});
    ready = () => c.status === 'ready';
    return c;
  }
  const create = kind === 'node-redis-4' ? createClient4 : createClient;
  const c = create({ socket: { host: '127.0.0.1', port, reconnectStrategy: reconnect } });
  c.on('error', () => {});
  ready = () => c.isReady;
  await c.connect();
  return c;
}

const ops = {
  async start({ kind, redisPort, key, cert, prefix, keyring: k }) {
    client = await connect(kind, redisPort);
    store = createRedisSessionStore({ client, keyring: keyring(k), prefix, timeoutMs: 5000 });
    server = tls.createServer({ key, cert, ...sessionCacheServerOptions({ sessionIdContext: 'fleet-tests' }) }, (socket) => {
      socket.on('error', () => {});
      socket.end(`${socket.isSessionReused() ? 'resumed' : 'full'}\n`);
    });
    attachment = attachSessionCache(server, store, { timeoutMs: 10_000 });
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    return { port: server.address().port };
  },
  stats: () => ({ store: store.stats(), server: attachment.stats() }),
  flush: () => store.flush(),
  ready: () => ready(),
  setKeyring: ({ keyring: k }) => store.setKeyring(keyring(k)),
  async stop() {
    server.close();
    store.close();
    if (client.disconnect) await client.disconnect();
    return true;
  },
};

process.on('message', async ({ id, op, args }) => {
  try {
    process.send({ id, value: await ops[op](args ?? {}) });
  } catch (error) {
    process.send({ id, error: String(error?.stack ?? error) });
  }
  if (op === 'stop') process.disconnect();
});
