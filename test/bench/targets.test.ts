// How bench/targets.mjs judges a run: figures measured in rounds by their medians over the rounds
// (one noisy round does not decide), the copying lookup's GC against its floor's.
import { expect, test } from 'vitest';
// @ts-expect-error: the benchmark is plain JavaScript without type declarations
import { evaluateTargets, FLOOR_MAX } from '../../bench/targets.mjs';

type RoundGc = { count: number; totalMs: number; maxMs: number; p99Ms: number };
type Judged = {
  name: string;
  met: boolean | null;
  checks: { scenario: string; met: boolean | null; value?: number; judged?: string }[];
};

/** GC figures of a contender's rounds, from each round's [total, p99, longest] ms. */
const gc = (rounds: [number, number, number][]) => {
  const rs: RoundGc[] = rounds.map(([totalMs, p99Ms, maxMs]) => ({ count: 10, totalMs, p99Ms, maxMs }));
  return { count: 10 * rs.length, totalMs: 0, maxMs: Math.max(...rs.map((r) => r.maxMs)), rounds: rs };
};

/** A results object with one 1M x 1200 B scenario: the wasm cache's, lru-cache's and the floor's GC rounds. */
function results(wasm: [number, number, number][], floor: [number, number, number][] | undefined) {
  const contender = (g: ReturnType<typeof gc>) => ({
    gc: g,
    rounds: { mixed: g.rounds.map(() => 1) },
    memoryPerEntry: { rssAfterFill: 1300, churnGrowth: 0 },
    heapObjectsPerSession: 0,
  });
  return {
    rounds: wasm.length,
    scenarios: [
      {
        id: '1200B-1M',
        payloadBytes: 1250,
        churnMemory: 1000,
        ratios: {},
        contenders: { wasm: contender(gc(wasm)), 'lru-cache': contender(gc([[200, 20, 30]])) },
        floor: floor === undefined ? undefined : { gc: gc(floor) },
      },
    ],
  };
}

const find = (judged: Judged[], prefix: string) => judged.find((t) => t.name.startsWith(prefix))!;

test("the longest-pause target takes the median over rounds of each round's longest pause", () => {
  // one round with a 9 ms pause: the median of 1, 2 and 9 ms meets the 3 ms target
  const calm = evaluateTargets(
    results(
      [
        [30, 1, 1],
        [30, 2, 2],
        [30, 9, 9],
      ],
      undefined,
    ),
    'default',
  ) as Judged[];
  const t = find(calm, 'longest GC pause');
  const check = t.checks.find((c) => c.scenario === '1200B-1M')!;
  expect(check.value).toBe(2);
  expect(check.met).toBe(true);
  expect(check.judged).toMatch(/median over 3 rounds/);
  // two rounds over 3 ms: the median misses
  const noisy = evaluateTargets(
    results(
      [
        [30, 1, 1],
        [30, 4, 4],
        [30, 9, 9],
      ],
      undefined,
    ),
    'default',
  ) as Judged[];
  expect(find(noisy, 'longest GC pause').checks.find((c) => c.scenario === '1200B-1M')!.met).toBe(false);
});

test('the copying lookup is judged against its floor by the medians of p99 pause and total GC', () => {
  expect(FLOOR_MAX).toBe(1.2);
  const floor: [number, number, number][] = [
    [40, 2, 2],
    [50, 2.5, 3],
    [60, 3, 3],
  ];
  // medians: lookup p99 2.9 / floor 2.5 = 1.16, total 55 / 50 = 1.1, despite one bad round
  const within = find(
    evaluateTargets(
      results(
        [
          [55, 2.9, 3],
          [50, 2.8, 3],
          [500, 40, 40],
        ],
        floor,
      ),
      'default',
    ),
    'GC of the copying lookup',
  );
  expect(within.checks.map((c) => c.value)).toEqual([2.9 / 2.5, 55 / 50]);
  expect(within.met).toBe(true);
  // p99 1.4x the floor's: missed, though total GC is within
  const over = find(
    evaluateTargets(
      results(
        [
          [55, 3.5, 4],
          [50, 3.5, 4],
          [45, 3.5, 4],
        ],
        floor,
      ),
      'default',
    ),
    'GC of the copying lookup',
  );
  expect(over.checks.map((c) => c.met)).toEqual([false, true]);
  expect(over.met).toBe(false);
  // no floor measured: not judged
  const unmeasured = find(evaluateTargets(results([[55, 2.9, 3]], undefined), 'default'), 'GC of the copying lookup');
  expect(unmeasured.met).toBe(null);
});

test('the smoke mode judges nothing; quick judges its stand-in sizes', () => {
  const judged = evaluateTargets(results([[30, 1, 1]], [[30, 1, 1]]), 'smoke') as Judged[];
  expect(judged.every((t) => t.met === null)).toBe(true);
  const quick = { ...results([[30, 1, 1]], [[30, 1, 1]]) };
  quick.scenarios[0]!.id = '1200B-100k';
  expect(find(evaluateTargets(quick, 'quick'), 'GC of the copying lookup').met).toBe(true);
});

test("a round's GC figures: count, total, longest and the nearest-rank 99th percentile of its pauses", async () => {
  // @ts-expect-error: the benchmark is plain JavaScript without type declarations
  const { gcFigures } = await import('../../bench/gc-watch.mjs');
  const pauses = Array.from({ length: 200 }, (_, i) => 200 - i); // 200 ... 1 ms
  expect(gcFigures(pauses, 3)).toEqual({ count: 200, totalMs: 20100, maxMs: 200, p99Ms: 198, major: 3 });
  expect(gcFigures([5])).toEqual({ count: 1, totalMs: 5, maxMs: 5, p99Ms: 5, major: 0 });
  expect(gcFigures([])).toEqual({ count: 0, totalMs: 0, maxMs: 0, p99Ms: 0, major: 0 });
});
