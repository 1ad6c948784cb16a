// A process's memory figures, taken the same way in every benchmark worker. Needs --expose-gc.

/** @typedef {{ rss: number, heapUsed: number, heapTotal: number, external: number, arrayBuffers: number }} Memory */

/** @returns {Memory} */
export function memory() {
  // A last-resort collection also shrinks the young generation, which V8 otherwise sizes by the
  // recent allocation rate: without it, a quiet churn loop shrinks the young generation and the
  // figure after the churn drops by tens of MB that have nothing to do with the cache.
  const gc = /** @type {(options: object) => void} */ (globalThis.gc);
  gc({ type: 'major', execution: 'sync', flavor: 'last-resort' });
  gc({ type: 'major', execution: 'sync', flavor: 'last-resort' });
  const m = process.memoryUsage();
  return { rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external, arrayBuffers: m.arrayBuffers };
}
