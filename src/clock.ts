// The default clock: Date.now read at most once per microtask turn. Reading it on every call costs
// ~40 ns here (a fifth of a lookup); lifetimes are in seconds, so a reading reused until the
// current task or microtask ends loses nothing (lru-cache's ttlResolution trades the same way).
// A microtask, not a timer: workerd cancels a request's pending timers when the request ends,
// which froze a timer-reset clock for good (found by the runtime tests).
import { show } from './describe.js';
import { ErrorCodes, fail } from './errors.js';

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

/**
 * Throw for a clock reading that is not a finite number. A reading is never coerced: its
 * `valueOf` would run the caller's code in the middle of a call (it once changed the cache's
 * scratch between a lookup's key and its answer).
 */
export function badClock(fn: string, now: unknown): never {
  fail(ErrorCodes.INVALID_OPTION, fn, `the clock option must return a finite number of milliseconds, got ${show(now)}`);
}
