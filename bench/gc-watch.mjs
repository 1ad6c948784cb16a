// The garbage collections during a synchronous run, from V8's `gc` performance entries: what the
// mixed stream (bench/worker.mjs) and its floor (bench/floor-worker.mjs) report per round.
import { constants, PerformanceObserver } from 'node:perf_hooks';
import { percentile } from './stats.mjs';

/** @typedef {{ count: number, totalMs: number, maxMs: number, p99Ms: number, major?: number }} RoundGc */

/**
 * Pause figures of one run.
 * @param {readonly number[]} pauses durations in ms
 * @param {number} [major] how many of them were full (mark-compact) collections
 * @returns {RoundGc}
 */
export function gcFigures(pauses, major = 0) {
  return {
    major,
    count: pauses.length,
    totalMs: pauses.reduce((a, b) => a + b, 0),
    maxMs: pauses.reduce((a, b) => Math.max(a, b), 0),
    p99Ms: percentile(pauses, 0.99),
  };
}

/**
 * Run `run` after a full collection and return its result with the collections that started
 * during it (only those: what the caller does afterwards is not the run's garbage). Entries
 * arrive some time after the synchronous run, so this waits `waitMs` for them. Needs --expose-gc.
 * @template T
 * @param {() => T} run
 * @param {number} waitMs
 * @returns {Promise<{ result: T, gc: RoundGc }>}
 */
export async function watchGc(run, waitMs) {
  /** @type {number[]} */
  const pauses = [];
  let major = 0;
  let from = Number.POSITIVE_INFINITY;
  let to = Number.POSITIVE_INFINITY;
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      if (e.startTime < from || e.startTime >= to) continue;
      pauses.push(e.duration);
      if (/** @type {{ detail?: { kind?: number } }} */ (e).detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) major++;
    }
  });
  /** @type {() => void} */ (globalThis.gc)();
  observer.observe({ entryTypes: ['gc'] });
  from = performance.now();
  const result = run();
  to = performance.now();
  await new Promise((resolve) => setTimeout(resolve, waitMs));
  observer.disconnect();
  return { result, gc: gcFigures(pauses, major) };
}
