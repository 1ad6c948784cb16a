// The targets of the benchmark issue, checked against a run's figures. Quick runs check the same
// targets on their smaller stand-in scenarios (indicative only: the targets are set at 1M).
const QUICK_STANDIN = { '160B-1M': '160B-100k', '1200B-1M': '1200B-100k', '4000B-100k': '4000B-20k', '160B-10k': '160B-10k' };

const ratio = (scenario, op, baseline, min) => ({ kind: 'ratio', scenario, op, baseline, min });

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
    name: 'memory per entry at 1M: <= 1.15 x (key + session) + 48 B, flat (+-5 %) after 5M churn ops',
    checks: [
      { kind: 'memory', scenario: '160B-1M' },
      { kind: 'memory', scenario: '1200B-1M' },
    ],
  },
  {
    name: 'longest GC pause in the mixed stream at 1M <= 3 ms',
    checks: [
      { kind: 'gc', scenario: '160B-1M' },
      { kind: 'gc', scenario: '1200B-1M' },
    ],
  },
  { name: 'JS heap objects per stored session: 0', checks: [{ kind: 'objects', scenario: '160B-10k' }] },
];

/** Largest change of resident memory per entry from the fill to the end of the churn (± 5 %). */
export const FLAT = 0.05;
/** Longest GC pause allowed in the mixed stream, ms. */
export const GC_MAX_MS = 3;

/**
 * Whether a check's figures meet it: `value` (a ratio, bytes per entry, ms or objects per
 * session) and, for memory, `growth` (the change after the churn, a fraction) and `limit`.
 * One rule for one run's figures and for medians over several runs (bench/summarize.mjs).
 */
export function meets(c, value, growth) {
  if (c.kind === 'ratio') return value >= c.min;
  if (c.kind === 'memory') return value <= c.limit && Math.abs(growth) <= FLAT;
  if (c.kind === 'gc') return value <= GC_MAX_MS;
  return Math.abs(value) < 0.01;
}

/** Evaluate every target against `results` (see run.mjs); `mode` picks the scenarios. */
export function evaluateTargets(results, mode) {
  const id = (s) => (mode === 'full' ? s : QUICK_STANDIN[s]);
  return TARGETS.map((t) => {
    const checks = t.checks.map((c) => {
      const s = results.scenarios.find((x) => x.id === id(c.scenario));
      if (s === undefined) return { ...c, met: null, detail: 'not run in this mode' };
      const wasm = s.contenders.wasm;
      if (c.kind === 'ratio') {
        const r = s.ratios[c.op]?.[c.baseline];
        return {
          ...c,
          scenario: s.id,
          value: r,
          met: meets(c, r),
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
          detail: `${m.rssAfterFill.toFixed(0)} B/entry (limit ${limit.toFixed(0)}), after churn ${(growth * 100).toFixed(1)} %`,
        };
      }
      if (c.kind === 'gc') {
        const g = wasm.gc;
        return {
          ...c,
          scenario: s.id,
          value: g.maxMs,
          met: meets(c, g.maxMs),
          detail: `${g.maxMs.toFixed(2)} ms longest pause (lru-cache: ${s.contenders['lru-cache'].gc.maxMs.toFixed(1)} ms)`,
        };
      }
      const o = wasm.heapObjectsPerSession;
      return {
        ...c,
        scenario: s.id,
        value: o,
        met: meets(c, o),
        detail: `${o.toFixed(3)} objects/session (lru-cache: ${s.contenders['lru-cache'].heapObjectsPerSession.toFixed(2)})`,
      };
    });
    const known = checks.filter((c) => c.met !== null);
    return { name: t.name, met: known.length === 0 ? null : known.every((c) => c.met), checks };
  });
}
