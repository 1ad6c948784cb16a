// Which run `npm run bench` makes: the mode its flags pick, and that the default mode still
// measures every target at the size the target names, within its time estimate.
import { expect, test } from 'vitest';
// @ts-expect-error: the benchmark is plain JavaScript without type declarations
import { MODES, modeFromArgs } from '../../bench/scenarios.mjs';
// @ts-expect-error: the benchmark is plain JavaScript without type declarations
import { TARGETS } from '../../bench/targets.mjs';

type Scenario = { id: string; estimateSeconds: number; floor: boolean; contenders?: string[]; ops?: string[] };
type Mode = {
  rounds: number;
  scenarios: Scenario[];
  e2e: { estimateSeconds: number };
  extra: Record<string, { estimateSeconds: number }>;
};
const modes = MODES as Record<string, Mode>;
const targets = TARGETS as { name: string; checks: { scenario: string; kind: string; op?: string; baseline?: string }[] }[];

test('no flag runs the default mode; --full, --quick and --smoke pick theirs; two are refused', () => {
  expect(modeFromArgs([])).toBe('default');
  expect(modeFromArgs(['--out', '/tmp/x', '--no-e2e'])).toBe('default');
  expect(modeFromArgs(['--full'])).toBe('full');
  expect(modeFromArgs(['--quick', '--only', '160B-10k'])).toBe('quick');
  expect(modeFromArgs(['--smoke'])).toBe('smoke');
  expect(() => modeFromArgs(['--full', '--quick'])).toThrow(/choose one of --full, --quick/);
});

test('the default and full modes run every scenario a target names, the floor beside 1200B-1M', () => {
  const named = new Set(targets.flatMap((t) => t.checks.map((c) => c.scenario)));
  for (const name of ['default', 'full']) {
    const mode = modes[name]!;
    const ids = mode.scenarios.map((s) => s.id);
    for (const id of named) expect(ids, `${name} runs ${id}`).toContain(id);
    // every contender a target compares with runs in the target's scenario, and every operation
    // it judges (GC: the mixed stream)
    for (const c of targets.flatMap((t) => t.checks)) {
      const scenario = mode.scenarios.find((s) => s.id === c.scenario)!;
      const op = c.op ?? (c.kind === 'gc' || c.kind === 'floor' ? 'mixed' : undefined);
      if (op !== undefined && scenario.ops !== undefined) expect(scenario.ops, `${name} ${c.scenario}`).toContain(op);
      const runs = scenario.contenders;
      for (const needed of ['wasm', 'lru-cache', ...(c.baseline ? [c.baseline] : [])]) {
        if (runs !== undefined) expect(runs, `${name} ${c.scenario}`).toContain(needed);
      }
    }
    expect(mode.scenarios.find((s) => s.id === '1200B-1M')!.floor, name).toBe(true);
    // a median needs an odd number of rounds, at least three of them
    expect(mode.rounds % 2, name).toBe(1);
    expect(mode.rounds, name).toBeGreaterThanOrEqual(3);
  }
});

test('the default mode is estimated under 10 minutes, extra phases included, and shorter than the full run', () => {
  const estimate = (m: Mode) =>
    m.scenarios.reduce((n, s) => n + s.estimateSeconds, 0) +
    m.e2e.estimateSeconds +
    Object.values(m.extra).reduce((n, e) => n + e.estimateSeconds, 0);
  expect(estimate(modes.default!)).toBeLessThanOrEqual(600);
  expect(estimate(modes.full!)).toBeGreaterThan(estimate(modes.default!));
});
