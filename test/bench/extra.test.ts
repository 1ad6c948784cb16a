// The extra phases' figures (bench/extra.mjs) as the compact figures keep them and the report prints
// them, from results shaped as the scripts return them: the full-run-only phases (fleet,
// terminators) need redis-server, HAProxy and nginx, so no test runs them through bench/run.mjs.
import { expect, test } from 'vitest';
// @ts-expect-error: the benchmark is plain JavaScript without type declarations
import { compactExtras, EXTRA_PHASES, extrasMarkdown } from '../../bench/extra.mjs';
// @ts-expect-error: the benchmark is plain JavaScript without type declarations
import { MODES } from '../../bench/scenarios.mjs';

const fleet = {
  lookups: ['ioredis', 'node-redis'].map((kind) => ({
    kind,
    recordBytes: 201,
    rows: {
      'L1 hit': { opsPerSec: 94311.23, p50: 9.0634, p99: 61.671 },
      'plain GET, 201 B': { opsPerSec: 3004, p50: 163.4, p99: 4788 },
    },
    readerStats: { l2Hits: 100, misses: 100, timeouts: 0 },
  })),
  endToEnd: {
    'with the Redis tier': {
      handshakesPerSec: 633.71,
      resumptionRate: 0.9,
      serverCpuMicrosPerHandshake: 798.7,
      rounds: 3,
      storeTimeouts: 0,
      serverTimeouts: 0,
    },
    'local caches only': {
      handshakesPerSec: 543.3,
      resumptionRate: 0,
      serverCpuMicrosPerHandshake: 1062,
      rounds: 3,
      storeTimeouts: 0,
      serverTimeouts: 0,
    },
  },
};
const terminatorRows = ['tls-resumption serve', 'HAProxy'].map((name) => ({
  name,
  fullPerSecond: 309.2,
  resumedPerSecond: 739.3,
  p99FullMs: 6.966,
  p99ResumedMs: 2.299,
  resumedShare: 0.95,
  rounds: { full: [309.2, 300, 310], resumed: [739.3, 700, 740] },
}));

test('fleet and terminators: compact medians without single rounds, tables from the scripts', () => {
  const figures = compactExtras({
    fleet: { options: {}, result: fleet },
    terminators: {
      options: {},
      result: { rows: terminatorRows, missing: ['nginx (apt-get install nginx-light libnginx-mod-stream)'] },
    },
    cluster: { notRun: 'failed: the primary exited (1)' },
  });
  expect(figures.fleet.endToEnd['with the Redis tier']).toEqual({
    handshakesPerSec: 633.7,
    resumptionRate: 0.9,
    serverCpuMicrosPerHandshake: 798.7,
    storeTimeouts: 0,
  });
  expect(figures.fleet.lookups[1].rows['L1 hit']).toEqual({ opsPerSec: 94311, p50: 9.063, p99: 61.67 });
  expect(figures.terminators.rows[0]).not.toHaveProperty('rounds');
  expect(JSON.stringify(figures)).not.toMatch(/"rounds":\[/);
  const md = extrasMarkdown(figures).join('\n');
  expect(md).toContain('| two hosts, one alternating client | handshakes/s |');
  expect(md).toContain('| with the Redis tier | 634 | 90.0 % | 799 | 0 |');
  expect(md).toContain('| HAProxy | 309 | 739 | 6.97 | 2.30 | 95 % |');
  expect(md).toContain('Not installed here, so not run: nginx');
  // a phase that did not run says why, in one line
  expect(md).toMatch(/\*\*Cluster session cache[^\n]*\*\*: failed: the primary exited \(1\)\./);
  // runs made before the extra phases have none
  expect(extrasMarkdown(null)).toEqual([]);
  expect(compactExtras(undefined)).toBeNull();
});

test('each mode names only known extra phases: cluster and fetch by default, all four in the full run', () => {
  const modes = MODES as Record<string, { extra: Record<string, { options: object; estimateSeconds: number }> }>;
  for (const mode of Object.values(modes)) {
    for (const [id, e] of Object.entries(mode.extra)) {
      expect(Object.keys(EXTRA_PHASES), id).toContain(id);
      expect(e.estimateSeconds).toBeGreaterThan(0);
    }
  }
  expect(Object.keys(modes.default!.extra)).toEqual(['cluster', 'fetch']);
  expect(Object.keys(modes.full!.extra)).toEqual(['cluster', 'fetch', 'fleet', 'terminators']);
});
