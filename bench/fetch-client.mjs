// The client side of bench/fetch.mjs, in its own process (started with --expose-gc): fetches every
// name of the rotation once per round through one undici Agent, with a forced garbage collection
// between rounds, and reports per round what the server said about each connection, the time and
// the CPU time of both processes, and the server's handshake counts (asked over IPC). It starts no request past its deadline.
import { setImmediate as nextTask } from 'node:timers/promises';

process.once('message', async (config) => {
  let result;
  try {
    result = { type: 'result', ...(await rotate(config)) };
  } catch (error) {
    result = { type: 'result', error: String(/** @type {{ stack?: string } | undefined} */ (error)?.stack ?? error) };
  }
  // then exit on its own (so a --cpu-prof profile gets written)
  // process.send is there: this process is always forked with an IPC channel
  /** @type {NonNullable<typeof process.send>} */ (process.send)(result, () => process.disconnect());
});

const cpuMicros = ({ user, system }) => user + system;

/** The server process's CPU time, handshakes and resumed handshakes so far (it answers over IPC). */
function serverReading() {
  return new Promise((resolve) => {
    const onMessage = (message) => {
      if (message?.type !== 'reading') return;
      process.off('message', onMessage);
      resolve(message);
    };
    process.on('message', onMessage);
    /** @type {NonNullable<typeof process.send>} */ (process.send)({ type: 'reading' });
  });
}

/** Warm-up requests (their own names, not counted), so round 1 does not pay for the JIT. */
const WARM_UP = 32;

/** Every name resolves to the loopback server. net.connect asks for `all` addresses when it may race families. */
function lookup(_hostname, options, callback) {
  if (options?.all) callback(null, [{ address: '127.0.0.1', family: 4 }]);
  else callback(null, '127.0.0.1', 4);
}

async function makeAgent({ connector, ca, libPath, nodeLibPath }) {
  const { Agent } = await import('undici');
  if (connector === 'undici') return { agent: new Agent({ connect: { ca, lookup } }), stats: () => undefined };
  const { createSessionCache } = await import(libPath);
  const { createFetchConnector } = await import(nodeLibPath);
  const connect = createFetchConnector({ sessionCache: createSessionCache({ role: 'client' }), ca, lookup });
  return { agent: new Agent({ connect }), stats: () => connect.stats() };
}

async function rotate(config) {
  const { port, names, rounds, concurrency, fetchWith, gc, deadline } = config;
  const undici = await import('undici');
  const { agent, stats } = await makeAgent(config);
  let request;
  if (fetchWith === 'node') {
    // Node's bundled fetch, through the global dispatcher the undici package sets
    undici.setGlobalDispatcher(agent);
    request = (url) => globalThis.fetch(url);
  } else {
    request = (url) => undici.fetch(url, { dispatcher: agent });
  }
  const urls = Array.from({ length: names }, (_, i) => `https://h${i}.fetch.test:${port}/`);
  for (let i = 0; i < WARM_UP; i++) await (await request(`https://warm-up${i}.fetch.test:${port}/`)).arrayBuffer();
  const results = [];
  for (let round = 0; round < rounds; round++) {
    if (round > 0 && gc) {
      // in a task of its own: a WeakRef target touched in the current task is kept until it ends
      await nextTask();
      /** @type {() => void} */ (globalThis.gc)();
      await nextTask();
    }
    const connections = new Set();
    let resumed = 0;
    let next = 0;
    const lane = async () => {
      // past the deadline no request starts: the round (and the run) is cut short
      while (next < urls.length && Date.now() < deadline) {
        const response = await request(urls[next++]);
        const body = await response.json();
        if (response.status !== 200) throw new Error(`status ${response.status}`);
        connections.add(body.connection);
        if (body.reused) resumed++;
      }
    };
    const serverStart = await serverReading();
    const clientStart = process.cpuUsage();
    const start = performance.now();
    await Promise.all(Array.from({ length: concurrency }, lane));
    const ms = performance.now() - start;
    const clientCpuMicros = cpuMicros(process.cpuUsage(clientStart));
    const serverEnd = await serverReading();
    results.push({
      requests: next,
      resumed,
      connections: connections.size,
      ms,
      clientCpuMicros,
      serverCpuMicros: serverEnd.micros - serverStart.micros,
      // what the server saw: a TLS handshake per request, and which of them resumed
      serverHandshakes: serverEnd.handshakes - serverStart.handshakes,
      serverResumed: serverEnd.resumed - serverStart.resumed,
    });
    if (next < urls.length) break;
  }
  await agent.close();
  return { warmUp: WARM_UP, rounds: results, stats: stats() };
}
