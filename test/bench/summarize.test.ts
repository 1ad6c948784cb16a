// bench/summarize.mjs reads targets over several runs: each run's figure, the median, the counts.
// Its inputs are the kept run's compact figures (bench/results/figures-default.json) with chosen
// ratios written into copies, so every median and count below is known in advance.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'tsc-summarize-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const kept = readFileSync(new URL('../../bench/results/figures-default.json', import.meta.url), 'utf8');

type Check = { scenario: string; op?: string; kind: string; value?: number; met: boolean | null };
type Figures = { mode: string; commit: string; targets: { name: string; checks: Check[] }[] };

/**
 * The kept run's figures with its mixed and churn ratios at 1M x 1200 B and its lookup-hit at 1M x 160 B
 * set, and its GC floor unmeasured.
 */
function variant(name: string, mixed: number, churn: number, extra: Record<string, unknown> = {}): string {
  const figures: Figures = { ...JSON.parse(kept), commit: `c0ffee${name.length}`, ...extra };
  const checks = figures.targets.flatMap((t) => t.checks);
  const set = (scenario: string, op: string, value: number) => {
    for (const c of checks) if (c.kind === 'ratio' && c.scenario === scenario && c.op === op) c.value = value;
  };
  set('1200B-1M', 'mixed', mixed);
  set('1200B-1M', 'churn', churn);
  set('160B-1M', 'lookup-hit', 3.11);
  // as a run that did not measure the GC floor (its checks carry no figure)
  for (const c of checks) {
    if (c.kind !== 'floor') continue;
    delete c.value;
    c.met = null;
  }
  for (const t of figures.targets) if (t.checks.every((c) => c.kind === 'floor')) (t as { met?: boolean | null }).met = null;
  const path = join(dir, `${name}.json`);
  writeFileSync(path, JSON.stringify(figures));
  return path;
}

const summarize = (...args: string[]) =>
  execFileSync(process.execPath, ['bench/summarize.mjs', ...args], { encoding: 'utf8', stdio: 'pipe' });

test('each run figure, the median and the counts of runs that met each target', () => {
  const out = summarize(`A=${variant('a', 2.9, 7.0)}`, `B=${variant('b', 3.1, 9.0)}`, `C=${variant('c', 3.2, 7.5)}`);
  const row = (check: string) => out.split('\n').find((l) => l.startsWith(`| ${check} |`));
  expect(out.split('\n')[0]).toBe('| check | A | B | C | median | median meets it |');
  // a miss is bold; the median of three is the middle one, judged by the target's own rule
  expect(row('1200B-1M mixed × lru-cache ≥ 3')).toBe(
    '| 1200B-1M mixed × lru-cache ≥ 3 | **2.90×** | 3.10× | 3.20× | 3.10× | yes |',
  );
  expect(row('1200B-1M churn × lru-cache ≥ 8')).toBe(
    '| 1200B-1M churn × lru-cache ≥ 8 | **7.00×** | 9.00× | **7.50×** | 7.50× | **no** |',
  );
  expect(row('160B-1M lookup-hit × lru-cache ≥ 3')).toBe(
    '| 160B-1M lookup-hit × lru-cache ≥ 3 | 3.11× | 3.11× | 3.11× | 3.11× | yes |',
  );
  // a target a run did not measure counts for no run and has no median
  expect(row('1200B-1M p99 GC pause ≤ 1.2 × floor')).toBe(
    '| 1200B-1M p99 GC pause ≤ 1.2 × floor | n/a | n/a | n/a | n/a | n/a |',
  );
  expect(out).toContain('- mixed stream at 1M, 1200 B: met in 2 of 3 runs');
  expect(out).toContain('- update and churn at 1M, 1200 B: met in 1 of 3 runs');
  const all = JSON.parse(kept).targets.length;
  const metB = out.match(/- run B \(c0ffee1\): (\d+) of (\d+) targets met/);
  const metA = out.match(/- run A \(c0ffee1\): (\d+) of (\d+) targets met/);
  expect(Number(metB![2])).toBe(all);
  // run A misses mixed and churn, which B meets
  expect(Number(metA![1])).toBe(Number(metB![1]) - 2);
});

test('an even number of runs takes the mean of the middle two; bad input is refused', () => {
  const out = summarize(variant('one', 2.8, 9), variant('two', 3.3, 9));
  expect(out).toContain('| 1200B-1M mixed × lru-cache ≥ 3 | **2.80×** | 3.30× | 3.05× | yes |');
  expect(out.split('\n')[0]).toBe('| check | one | two | median | median meets it |');
  expect(() => summarize()).toThrow(/usage: node bench\/summarize\.mjs/);
  expect(() => summarize(variant('full', 3, 9), variant('quick', 3, 9, { mode: 'quick' }))).toThrow(/different modes/);
  const notResults = join(dir, 'not.json');
  writeFileSync(notResults, '{"hello": 1}');
  expect(() => summarize(notResults)).toThrow(/not a results file/);
  expect(() => summarize(join(dir, 'missing.json'))).toThrow(/bench\/summarize\.mjs: ENOENT/);
});
