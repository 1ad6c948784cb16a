// The rotation of bench/fetch.mjs, asserted: one HTTPS server answering 300 SNI names (one wildcard
// certificate), each fetched once per round for 3 rounds by undici's fetch in a client process
// started with --expose-gc, with a forced garbage collection between rounds. Every response
// closes its connection, so every fetch is a new TLS handshake (the server counts them). Runs the
// built package (dist/: `npm test` and `npm run test:unit` build first).
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { expect, test } from 'vitest';

const NAMES = 300;
const ROUNDS = 3;

interface Round {
  requests: number;
  resumed: number;
  connections: number;
  serverHandshakes: number;
  serverResumed: number;
}
interface Run {
  warmUp: number;
  rounds: Round[];
  stats?: { offered: number; resumed: number; stored: number; dropped: number; errors: number };
}
interface Result {
  connectors: Record<string, { runs: Run[] }>;
}

async function rotation(args: string[]): Promise<Result> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    // a budget far beyond the run: the counts, not the clock, bound it
    ['bench/fetch.mjs', '--json', '--repeats', '1', '--budget', '3600', ...args],
    { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 },
  );
  return JSON.parse(stdout) as Result;
}

/** Every request of every round made its own TLS connection. */
function expectNewConnections(run: Run, names: number, rounds: number): void {
  expect(run.rounds.length).toBe(rounds);
  for (const round of run.rounds) {
    expect(round).toMatchObject({ requests: names, connections: names, serverHandshakes: names });
    expect(round.serverResumed).toBe(round.resumed);
  }
}

test("300 SNI names x 3 rounds with forced GCs: undici's default connector loses its sessions, ours resumes every reconnect", {
  timeout: 600_000,
}, async () => {
  const result = await rotation([
    '--names',
    String(NAMES),
    '--rounds',
    String(ROUNDS),
    '--connectors',
    'undici default,tls-resumption',
  ]);
  const undici = result.connectors['undici default']!.runs[0]!;
  const ours = result.connectors['tls-resumption']!.runs[0]!;
  expectNewConnections(undici, NAMES, ROUNDS);
  expectNewConnections(ours, NAMES, ROUNDS);

  const lost = undici.rounds.slice(1).map((r) => NAMES - r.serverResumed);
  console.log(
    `undici's default connector: ${lost.map((n, i) => `round ${i + 2} lost ${n} of ${NAMES} sessions after a forced GC`).join('; ')}`,
  );
  // its sessions are held through WeakRefs only: a full collection takes every one
  expect(lost).toEqual([NAMES, NAMES]);

  expect(ours.rounds.map((r) => r.serverResumed)).toEqual([0, NAMES, NAMES]);
  // TLS 1.3: two tickets per full handshake (the warm-up's too), none after a resumed one
  expect(ours.stats).toEqual({
    offered: NAMES * (ROUNDS - 1),
    resumed: NAMES * (ROUNDS - 1),
    stored: 2 * (NAMES + ours.warmUp),
    dropped: 0,
    errors: 0,
  });
});

test("Node's bundled fetch with the connector through setGlobalDispatcher: every reconnect resumes", {
  timeout: 300_000,
}, async () => {
  const names = 30;
  const result = await rotation(['--names', String(names), '--rounds', '3', '--fetch', 'node', '--connectors', 'tls-resumption']);
  const ours = result.connectors['tls-resumption']!.runs[0]!;
  expectNewConnections(ours, names, 3);
  expect(ours.rounds.map((r) => r.serverResumed)).toEqual([0, names, names]);
});
