// bench/fleet.mjs cannot rot: a seconds-long run produces every figure. It asserts nothing about
// speed, only what the fleet changes for a client alternating between two hosts: without the Redis
// tier it never resumes, with it nearly always.
import { execFileSync } from 'node:child_process';
import { expect, test } from 'vitest';

test('node bench/fleet.mjs --smoke --json: every lookup kind for both clients, both end-to-end modes', {
  timeout: 90_000,
}, () => {
  const stdout = execFileSync(process.execPath, ['bench/fleet.mjs', '--smoke', '--json'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const result = JSON.parse(stdout);
  expect(result.lookups.map((l: { kind: string }) => l.kind)).toEqual(['ioredis', 'node-redis']);
  for (const l of result.lookups) {
    expect(Object.keys(l.rows)).toEqual(['L1 hit', 'L1 miss, Redis hit', 'miss (L1 and Redis)', `plain GET, ${l.recordBytes} B`]);
    for (const r of Object.values(l.rows) as Array<{ opsPerSec: number; p50: number; p99: number }>) {
      expect(r.opsPerSec).toBeGreaterThan(0);
      expect(r.p99).toBeGreaterThanOrEqual(r.p50);
    }
    // the reader's lookups went where the labels say: Redis hits and misses, no timeouts
    expect(l.readerStats.timeouts).toBe(0);
    expect(l.readerStats.l2Hits).toBeGreaterThan(0);
  }
  const e2e = result.endToEnd;
  expect(e2e['local caches only'].resumptionRate).toBe(0);
  // each lane's first handshake is full, and on a loaded machine a lookup may pass the store's 50 ms
  expect(e2e['with the Redis tier'].resumptionRate).toBeGreaterThan(0.5);
  for (const mode of Object.values(e2e) as Array<{ handshakesPerSec: number; serverCpuMicrosPerHandshake: number }>) {
    expect(mode.handshakesPerSec).toBeGreaterThan(0);
    expect(mode.serverCpuMicrosPerHandshake).toBeGreaterThan(0);
  }
});
