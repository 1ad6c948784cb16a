// The targets of the benchmark issue, checked against a run's figures. Every figure measured in
// rounds is judged by its median over the rounds (a ratio by the ratio of the two medians), so one
// round that misses by noise does not decide. The default and full runs measure the targets at
// the sizes they name; quick runs check them on smaller stand-in scenarios (indicative only).
import { median } from './stats.mjs';

/** @type {Record<string, string>} */
const QUICK_STANDIN = { '160B-1M': '160B-100k', '1200B-1M': '1200B-100k', '4000B-100k': '4000B-20k', '160B-10k': '160B-10k' };

/** How far the copying lookup's GC may exceed its floor's (p99 pause, total time), as a factor. */
export const FLOOR_MAX = 1.2;

/**
 * @param {string} scenario
 * @param {string} op
 * @param {string} baseline
 * @param {number} min
 * @returns {Check}
 */
const ratio = (scenario, op, baseline, min) => ({ kind: 'ratio', scenario, op, baseline, min });

/** @type {{ name: string, checks: Check[] }[]} */
export const TARGETS = [
  {
    name: 'lookup-hit at 1M, 160 B, copy',
    checks: [ratio('160B-1M', 'lookup-hit', 'lru-cache', 3), ratio('160B-1M', 'lookup-hit', 'map', 2.5)],
  },
  {
    name: 'lookup-hit at 100k, 4000 B, zero-copy (lookupView)',
    checks: [ratio('4000B-100k', 'lookup-hit-view', 'lru-cache', 3)],
  },
  {
    name: 'lookup-hit at 100k, 4000 B, into caller buffer (lookupInto)',
    checks: [ratio('4000B-100k', 'lookup-hit-into', 'lru-cache', 1.5)],
  },
  {
    name: 'lookup-miss at 1M',
    checks: [ratio('160B-1M', 'lookup-miss', 'lru-cache', 5), ratio('1200B-1M', 'lookup-miss', 'lru-cache', 5)],
  },
  {
    name: 'update and churn at 1M, 1200 B',
    checks: [
      ratio('1200B-1M', 'update-new', 'lru-cache', 8),
      ratio('1200B-1M', 'update-replace', 'lru-cache', 8),
      ratio('1200B-1M', 'churn', 'lru-cache', 8),
    ],
  },
  { name: 'lookup-hit at 10k, 160 B, copy', checks: [ratio('160B-10k', 'lookup-hit', 'lru-cache', 2)] },
  { name: 'mixed stream at 1M, 1200 B', checks: [ratio('1200B-1M', 'mixed', 'lru-cache', 3)] },
  {
    name: 'memory per entry at 1M: <= 1.15 x (key + session) + 48 B, flat (+-5 %) after the untimed churn',
    checks: [
      { kind: 'memory', scenario: '160B-1M' },
      { kind: 'memory', scenario: '1200B-1M' },
    ],
  },
  {
    name: "longest GC pause in the mixed stream at 1M <= 3 ms (median over rounds of each round's longest)",
    checks: [
      { kind: 'gc', scenario: '160B-1M' },
      { kind: 'gc', scenario: '1200B-1M' },
    ],
  },
  { name: 'JS heap objects per stored session: 0', checks: [{ kind: 'objects', scenario: '160B-10k' }] },
  {
    name: `GC of the copying lookup at 1M, 1200 B within ${FLOOR_MAX}x of its floor (the same copies with no cache): p99 pause and total`,
    checks: [
      { kind: 'floor', scenario: '1200B-1M', metric: 'p99Ms' },
      { kind: 'floor', scenario: '1200B-1M', metric: 'totalMs' },
    ],
  },
];

/** Largest change of resident memory per entry from the fill to the end of the churn (± 5 %). */
export const FLAT = 0.05;
/** Longest GC pause allowed in the mixed stream, ms. */
export const GC_MAX_MS = 3;

/**
 * @typedef {object} Check
 * @property {'ratio' | 'memory' | 'gc' | 'objects' | 'floor'} kind
 * @property {string} scenario
 * @property {string} [op] ratio: the operation
 * @property {string} [baseline] ratio: the contender divided by
 * @property {number} [min] ratio: the least ratio that meets it
 * @property {'p99Ms' | 'totalMs'} [metric] floor: the GC figure compared
 * @property {number} [limit] memory: bytes per entry allowed (set when evaluated)
 */

/**
 * Whether a check's figures meet it: `value` (a ratio, bytes per entry, ms, objects per session,
 * or a factor over the floor) and, for memory, `growth` (the change after the churn, a fraction)
 * and `limit`. One rule for one run's figures and for medians over several runs (bench/summarize.mjs).
 * @param {Check} c
 * @param {number} value
 * @param {number} [growth]
 */
export function meets(c, value, growth) {
  if (c.kind === 'ratio') return value >= /** @type {number} */ (c.min);
  if (c.kind === 'memory') return value <= /** @type {number} */ (c.limit) && Math.abs(growth ?? Number.NaN) <= FLAT;
  if (c.kind === 'gc') return value <= GC_MAX_MS;
  if (c.kind === 'floor') return value <= FLOOR_MAX;
  return Math.abs(value) < 0.01;
}

/**
 * @typedef {{ count: number, totalMs: number, maxMs: number, p99Ms: number }} RoundGc
 * @typedef {{ count: number, totalMs: number, maxMs: number, rounds?: RoundGc[] }} Gc
 */

/**
 * The median over rounds of one GC figure (per round: total, longest or p99 pause). Results of
 * runs made before GC was kept per round have only the whole run's figure: that is used then.
 * @param {Gc} gc
 * @param {'totalMs' | 'maxMs' | 'p99Ms'} field
 */
export function gcMedian(gc, field) {
  if (gc.rounds === undefined || gc.rounds.length === 0) return field === 'p99Ms' ? gc.maxMs : gc[field];
  return median(gc.rounds.map((r) => r[field]));
}

/** How each kind of check is judged, for the report. */
const JUDGED = {
  ratio: (/** @type {number} */ n) => `ratio of the medians of ${n} rounds`,
  gc: (/** @type {number} */ n) => `median over ${n} rounds of each round's longest pause`,
  floor: (/** @type {number} */ n) => `medians over ${n} rounds, copying lookup over floor`,
  memory: () => 'one measurement after the fill and one after the untimed churn',
  objects: () => 'one count from heap snapshots',
};

/**
 * Evaluate every target against `results` (see run.mjs); `mode` picks the scenarios.
 * @param {Record<string, any>} results
 * @param {string} mode
 */
export function evaluateTargets(results, mode) {
  /** @param {string} s */
  const id = (s) => (mode === 'full' || mode === 'default' ? s : mode === 'quick' ? QUICK_STANDIN[s] : undefined);
  return TARGETS.map((t) => {
    const checks = t.checks.map((/** @type {Check} */ c) => {
      const s = results.scenarios.find((x) => x.id === id(c.scenario));
      if (s === undefined) return { ...c, met: null, detail: 'not run in this mode' };
      const rounds = results.rounds ?? s.contenders.wasm.rounds?.mixed?.length ?? 0;
      // Runs made before GC was kept per round: their longest pause over all rounds (stricter).
      const judged =
        (c.kind === 'gc' || c.kind === 'floor') && s.contenders.wasm.gc.rounds === undefined
          ? `longest pause over all ${rounds} rounds (no per-round GC figures in this run)`
          : JUDGED[c.kind](rounds);
      const wasm = s.contenders.wasm;
      const lru = s.contenders['lru-cache'];
      if (c.kind === 'ratio') {
        const r = s.ratios[/** @type {string} */ (c.op)]?.[/** @type {string} */ (c.baseline)];
        return {
          ...c,
          scenario: s.id,
          value: r,
          met: meets(c, r),
          judged,
          detail: `${r?.toFixed(2)}x ${c.baseline} (target >= ${c.min}x)`,
        };
      }
      if (c.kind === 'memory') {
        const m = wasm.memoryPerEntry;
        const limit = 1.15 * s.payloadBytes + 48;
        const growth = m.churnGrowth;
        return {
          ...c,
          scenario: s.id,
          value: m.rssAfterFill,
          limit,
          growth,
          met: meets({ ...c, limit }, m.rssAfterFill, growth),
          judged,
          detail: `${m.rssAfterFill.toFixed(0)} B/entry (limit ${limit.toFixed(0)}), after ${s.churnMemory} churn ops ${(growth * 100).toFixed(1)} %`,
        };
      }
      if (c.kind === 'gc') {
        const longest = gcMedian(wasm.gc, 'maxMs');
        return {
          ...c,
          scenario: s.id,
          value: longest,
          met: meets(c, longest),
          judged,
          detail: `${longest.toFixed(2)} ms longest pause (lru-cache: ${lru === undefined ? 'n/a' : gcMedian(lru.gc, 'maxMs').toFixed(1)} ms)`,
        };
      }
      if (c.kind === 'floor') {
        const metric = /** @type {'p99Ms' | 'totalMs'} */ (c.metric);
        if (s.floor === undefined) return { ...c, scenario: s.id, met: null, judged, detail: 'floor not measured in this run' };
        const lookup = gcMedian(wasm.gc, metric);
        const floor = gcMedian(s.floor.gc, metric);
        // Both zero (no collection at all): as calm as the floor.
        const factor = floor > 0 ? lookup / floor : lookup > 0 ? Number.POSITIVE_INFINITY : 1;
        const what = metric === 'p99Ms' ? 'p99 pause' : 'total GC';
        return {
          ...c,
          scenario: s.id,
          value: factor,
          lookupMs: lookup,
          floorMs: floor,
          met: meets(c, factor),
          judged,
          detail: `${what} ${lookup.toFixed(2)} ms vs floor ${floor.toFixed(2)} ms: ${factor.toFixed(2)}x (target <= ${FLOOR_MAX}x)`,
        };
      }
      const o = wasm.heapObjectsPerSession;
      return {
        ...c,
        scenario: s.id,
        value: o,
        met: meets(c, o),
        judged,
        detail: `${o.toFixed(3)} objects/session (lru-cache: ${lru?.heapObjectsPerSession?.toFixed(2) ?? 'n/a'})`,
      };
    });
    const known = checks.filter((c) => c.met !== null);
    return { name: t.name, met: known.length === 0 ? null : known.every((c) => c.met), checks };
  });
}
