// The default clock: Date.now read at most once per microtask turn. Reading it on every call costs
// ~40 ns here (a fifth of a lookup); lifetimes are in seconds, so a reading reused until the
// current task or microtask ends loses nothing (lru-cache's ttlResolution trades the same way).
// A microtask, not a timer: workerd cancels a request's pending timers when the request ends,
// which froze a timer-reset clock for good (found by the runtime tests).
let cached = 0;

function forget(): void {
  cached = 0;
}

/** Milliseconds since the epoch, read once per turn of the event loop's microtask queue. */
export function coarseNow(): number {
  if (cached !== 0) return cached;
  const now = Date.now();
  if (typeof queueMicrotask === 'function') {
    cached = now;
    queueMicrotask(forget);
  }
  return now;
}
