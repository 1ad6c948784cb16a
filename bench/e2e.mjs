// End to end: handshakes per second and server CPU per handshake for a TLS 1.2 server resuming
// through this package's wasm cache, through a Map in resumeSession, and doing full handshakes.
// Server and client each run in their own process; the modes are interleaved round by round.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { makeCertificate } from './e2e-certs.mjs';
import { median } from './stats.mjs';

const here = (f) => fileURLToPath(new URL(f, import.meta.url));
const MODES = { 'wasm cache': 'wasm', 'Map resumeSession': 'map', 'full handshakes': 'none' };
const LANES = 8;

function reply(child) {
  return new Promise((resolve) => child.once('message', resolve));
}

/**
 * @param {{ handshakes: number, rounds: number }} size handshakes per round and rounds
 * @param {string} libPath
 * @param {string} nodeLibPath
 * @param {(line: string) => void} progress
 */
export async function runEndToEnd({ handshakes, rounds }, libPath, nodeLibPath, progress) {
  const { key, cert } = makeCertificate();
  const servers = {};
  for (const [name, mode] of Object.entries(MODES)) {
    const child = fork(here('./e2e-server.mjs'), [JSON.stringify({ mode, key, cert, libPath, nodeLibPath })]);
    servers[name] = { child, port: (await reply(child)).port };
  }
  const client = fork(here('./e2e-client.mjs'));
  /** @type {Record<string, { perSecond: number, cpuMicros: number, resumed: number }[]>} */
  const samples = Object.fromEntries(Object.keys(MODES).map((n) => [n, []]));
  const names = Object.keys(MODES);
  // round -1 warms up the JIT in every process and is not counted
  for (let round = -1; round < rounds; round++) {
    for (let i = 0; i < names.length; i++) {
      const name = names[(i + Math.max(round, 0)) % names.length];
      progress(`[end to end] round ${round < 0 ? 'warm-up' : `${round + 1}/${rounds}`} ${name}`);
      const s = servers[name];
      s.child.send('begin');
      await reply(s.child);
      client.send({ port: s.port, count: handshakes, lanes: LANES });
      const r = await reply(client);
      s.child.send('end');
      const { cpuMicros } = await reply(s.child);
      if (round >= 0)
        samples[name].push({
          perSecond: handshakes / r.seconds,
          cpuMicros: cpuMicros / handshakes,
          resumed: r.resumed / handshakes,
        });
    }
  }
  for (const s of Object.values(servers)) s.child.send('exit');
  client.kill();
  const modes = Object.fromEntries(
    Object.entries(samples).map(([name, xs]) => [
      name,
      {
        handshakesPerSecond: median(xs.map((x) => x.perSecond)),
        serverCpuMicros: median(xs.map((x) => x.cpuMicros)),
        resumedRatio: median(xs.map((x) => x.resumed)),
        rounds: xs,
      },
    ]),
  );
  return { handshakes, rounds, lanes: LANES, protocol: 'TLSv1.2, ECDSA P-256, tickets off', modes };
}
