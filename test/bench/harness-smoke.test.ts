// The benchmark harness cannot rot: a seconds-long run at tiny sizes must run every contender and
// operation and write every figure. It asserts nothing about speed.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';

const out = mkdtempSync(join(tmpdir(), 'tsc-bench-smoke-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

test('npm run bench -- --smoke runs every contender and records every figure', () => {
  const stdout = execFileSync(process.execPath, ['bench/run.mjs', '--smoke', '--out', out], { encoding: 'utf8' });
  const results = JSON.parse(readFileSync(join(out, 'bench-smoke.json'), 'utf8'));
  const figures = JSON.parse(readFileSync(join(out, 'figures-smoke.json'), 'utf8'));
  const md = readFileSync(join(out, 'bench-smoke.md'), 'utf8');
  const svg = readFileSync(join(out, 'ratios-smoke.svg'), 'utf8');
  const contenders = ['wasm', 'js', 'map', 'lru-cache', 'mnemonist'];
  const operations = [
    'lookup-hit',
    'lookup-hit-view',
    'lookup-hit-into',
    'lookup-hit-many',
    'lookup-miss',
    'update-replace',
    'select-session',
    'update-new',
    'churn',
    'mixed',
  ];
  expect(results.machine).toMatchObject({ cores: expect.any(Number), node: process.version, cpu: expect.any(String) });
  expect(results.scenarios.length).toBeGreaterThan(0);
  for (const s of results.scenarios) {
    expect(Object.keys(s.contenders).sort()).toEqual([...contenders].sort());
    for (const c of contenders) {
      const r = s.contenders[c];
      for (const op of operations) expect(r.opsPerSecond[op], `${s.id} ${c} ${op}`).toBeGreaterThan(0);
      for (const f of ['rssAfterFill', 'heapAfterFill', 'externalAfterFill', 'rssAfterChurn', 'heapAfterChurn', 'churnGrowth']) {
        expect(Number.isFinite(r.memoryPerEntry[f]), `${s.id} ${c} ${f}`).toBe(true);
      }
      expect(r.gc).toMatchObject({ count: expect.any(Number), totalMs: expect.any(Number), maxMs: expect.any(Number) });
      // one set of GC figures per round of the mixed stream, for the targets' medians
      expect(r.gc.rounds).toHaveLength(results.rounds);
      expect(r.gc.rounds[0]).toMatchObject({ count: expect.any(Number), p99Ms: expect.any(Number) });
      expect(Number.isFinite(r.heapObjectsPerSession)).toBe(true);
      // every worker settled after each of its operations (at least one 20 ms window each)
      expect(r.idle.settledMs, `${s.id} ${c}`).toBeGreaterThan(10 * operations.length);
      expect(Number.isFinite(r.idle.cpuMs), `${s.id} ${c}`).toBe(true);
    }
    for (const op of operations) {
      for (const b of ['lru-cache', 'map']) expect(s.ratios[op][b], `${s.id} ${op} x ${b}`).toBeGreaterThan(0);
    }
    // the GC floor ran beside the scenario, paced to the wasm cache's mixed stream, in as much memory
    expect(s.floor.gc.rounds).toHaveLength(results.rounds);
    expect(s.floor.residentBytes).toBeGreaterThanOrEqual(s.floor.wasmRssBytes);
    expect(s.floor.opsPerSecond).toBeGreaterThan(0);
  }
  // the compact figures: what the READMEs quote, with every target's verdict and how it was judged
  expect(figures).toMatchObject({ mode: 'smoke', rounds: 1, commit: results.commit, gcPerRound: true });
  expect(Object.keys(figures.scenarios[0]).sort()).toEqual(
    [
      'churnMemory',
      'entries',
      'floor',
      'gc',
      'heapObjectsPerSession',
      'id',
      'idleCpuMs',
      'memoryPerEntry',
      'mixed',
      'opsPerSecond',
      'payloadBytes',
      'ratios',
      'sessionBytes',
    ].sort(),
  );
  expect(figures.scenarios[0].gc.wasm).toMatchObject({ totalMs: expect.any(Number), p99Ms: expect.any(Number) });
  expect(figures.scenarios[0].floor.gc).toMatchObject({ totalMs: expect.any(Number), p99Ms: expect.any(Number) });
  expect(figures.endToEnd.modes['wasm cache'].handshakesPerSecond).toBeGreaterThan(0);
  expect(figures.targets).toEqual(results.targets.map(() => expect.objectContaining({ name: expect.any(String) })));
  // medians only: no figures of single rounds
  expect(JSON.stringify(figures)).not.toMatch(/"rounds":\[/);
  // the extra phases ran at tiny sizes: the cluster store resumed across workers, our fetch
  // connector after the first round; their tables are in the report
  expect(figures.extras.cluster.endToEnd.clusterStore.resumptionRate).toBeGreaterThan(0);
  expect(figures.extras.fetch.connectors['tls-resumption'].resumedRatio).toBeGreaterThan(0);
  expect(md).toContain('| lookup, IPC serialization |');
  expect(md).toContain('fetch rotation: 20 SNI names');
  // the run times its phases and prints each beside its estimate
  for (const phase of ['160B-1k', 'end to end', 'cluster', 'fetch']) {
    expect(figures.phases[phase]).toMatchObject({ seconds: expect.any(Number), estimateSeconds: expect.any(Number) });
  }
  expect(figures.phases['160B-1k'].cpuEstimateSeconds).toBeGreaterThan(0);
  expect(stdout).toMatch(/\n {2}160B-1k +\d+ \| +\d+ \| +\d+\n/);
  expect(stdout).toMatch(/\d+ s in all \(estimate for an idle machine: \d+ s\)/);
  expect(md).toContain('smoke mode');
  for (const mode of ['wasm cache', 'Map resumeSession', 'full handshakes']) {
    const e = results.endToEnd.modes[mode];
    expect(e.handshakesPerSecond, mode).toBeGreaterThan(0);
    expect(e.serverCpuMicros, mode).toBeGreaterThan(0);
  }
  // the caches really resumed: the first handshake of each lane is full, the rest resume
  expect(results.endToEnd.modes['wasm cache'].resumedRatio).toBeGreaterThan(0);
  expect(results.endToEnd.modes['full handshakes'].resumedRatio).toBe(0);
  expect(results.targets.length).toBe(11);
  // the smoke run's sizes stand in for no target: none is judged
  expect(results.targets.every((t: { met: boolean | null }) => t.met === null)).toBe(true);
  expect(svg).toMatch(/^<svg[\s\S]*<\/svg>$/);
  expect(stdout).toContain('x lru-cache');
}, 180_000);

test('bench/micro.mjs times each operation, for the package and for a JS contender', () => {
  const run = (...args: string[]) => execFileSync(process.execPath, ['bench/micro.mjs', ...args], { encoding: 'utf8' }).trim();
  const cases = [
    ...['copy', 'into', 'view', 'many', 'miss', 'replace', 'churn', 'mixed', 'mixed-into'].map((op) => [op, 'wasm']),
    ['view', 'map'], // contenders without lookupView / lookupMany / lookupInto fall back to lookup
    ['many', 'lru-cache'],
    ['mixed-into', 'lru-cache'],
  ];
  for (const [op, contender] of cases) {
    const line = run('2000', '160', op!, contender!, '0.02');
    const m = /^(\S+) 2000x160 (\S+) (\d+) ns\/op$/.exec(line);
    expect(m, line).not.toBeNull();
    expect([m![1], m![2]]).toEqual([contender, op]);
    expect(Number(m![3]), line).toBeGreaterThan(0);
  }
  expect(() => run('2000', '160', 'nonsense')).toThrow(/usage: node bench\/micro\.mjs/);
}, 120_000);

test('bench/latency.mjs reports a read latency for each working-set size asked for', () => {
  const run = (...args: string[]) =>
    execFileSync(process.execPath, ['bench/latency.mjs', ...args], { encoding: 'utf8' })
      .trim()
      .split('\n');
  const lines = run('1', '4');
  expect(lines).toHaveLength(2);
  lines.forEach((line, i) => {
    const m = /^ *(\d+) MB: (\d+) ns per read in a wasm memory, (\d+) ns in an ArrayBuffer$/.exec(line);
    expect(m, line).not.toBeNull();
    expect(Number(m![1])).toBe([1, 4][i]);
    expect(Number(m![2]), line).toBeGreaterThan(0);
    expect(Number(m![3]), line).toBeGreaterThan(0);
  });
  expect(() => run('0')).toThrow(/usage: node bench\/latency\.mjs/);
}, 60_000);

test('the workload builds each key as a connection does: its own id Buffer and partial-key string', async () => {
  // @ts-expect-error: the benchmark is plain JavaScript without type declarations
  const { Workload } = await import('../../bench/workload.mjs');
  const w = new Workload(400, 160);
  const host = 7 % w.hosts;
  const [a, b] = [w.key(7), w.key(7)];
  expect(a.partialKey).toBe(w.partialKeys[host]);
  expect(Buffer.compare(a.sessionId, b.sessionId)).toBe(0);
  expect(a.sessionId).not.toBe(b.sessionId);
  // String identity cannot be observed in JS, so check that key() builds its partial key rather
  // than reading the pooled one (the fill's): a changed pool entry does not reach it.
  const pooled = w.partialKeys[host];
  w.partialKeys[host] = 'changed';
  expect(w.key(7).partialKey).toBe(pooled);
  expect(w.keyInto(7, { partialKey: '', sessionId: Buffer.alloc(32) }).partialKey).toBe('changed');
});
