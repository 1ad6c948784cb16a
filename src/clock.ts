// The default clock: Date.now read at most once per millisecond of event-loop time. Reading it on
// every call costs ~40 ns here (a fifth of a lookup); lifetimes are in seconds, so a reading
// reused until the event loop next turns loses nothing (lru-cache's ttlResolution does the same).
let cached = 0;

function forget(): void {
  cached = 0;
}

/** Milliseconds since the epoch, refreshed when the event loop turns (and at most every 1 ms). */
export function coarseNow(): number {
  if (cached !== 0) return cached;
  const now = Date.now();
  try {
    const timer = setTimeout(forget, 1) as unknown as { unref?: () => void };
    if (typeof timer === 'object' && timer !== null && typeof timer.unref === 'function') timer.unref();
    cached = now;
  } catch {
    // no timers here (e.g. a worker's global scope): read the clock every time
  }
  return now;
}
