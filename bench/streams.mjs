// The operation streams that the benchmark worker and bench/micro.mjs both replay against a
// contender, so the two always time the same work. Plans come from workload.mjs.

/** `keys` cut into batches of 64, as lookupMany is timed. */
export const batchesOf = (keys) => Array.from({ length: Math.ceil(keys.length / 64) }, (_, b) => keys.slice(b * 64, b * 64 + 64));

/** Apply a churn plan (Workload.churnPlan): delete each stored key, store its replacement. */
export function playChurn(cache, w, plan) {
  for (let i = 0; i < plan.length; i++) {
    cache.delete(plan[i][0]);
    cache.update(plan[i][1], w.session(i));
  }
}

/**
 * Apply a mixed plan (Workload.mixedPlan): 0 hit, 1 miss, 2 replace, 3 churn step. Returns a
 * number made from the results, for the caller's sink, so no lookup is optimised away.
 */
export function playMixed(cache, w, { ops: kinds, keys }) {
  let sink = 0;
  for (let i = 0; i < kinds.length; i++) {
    const k = keys[i];
    switch (kinds[i]) {
      case 0:
        sink += cache.lookup(k).length;
        break;
      case 1:
        sink += cache.lookup(k) === undefined ? 1 : 0;
        break;
      case 2:
        cache.update(k, w.session(i));
        break;
      default:
        cache.delete(k[0]);
        cache.update(k[1], w.session(i));
    }
  }
  return sink;
}

/**
 * playMixed with every lookup answered as the server adapter answers resumeSession: lookupInto
 * one reused buffer, no fresh copy (contenders without lookupInto: lookup). For comparison with
 * the mixed stream, which times lookup; not a figure the targets judge.
 */
export function playMixedInto(cache, w, plan, target) {
  if (cache.lookupInto === undefined) return playMixed(cache, w, plan);
  const viaInto = { ...cache, lookup: (k) => (cache.lookupInto(k, target) < 0 ? undefined : target) };
  return playMixed(viaInto, w, plan);
}

/**
 * The mixed plan replayed against the GC floor (bench/floor.mjs): each hit makes the copy a
 * copying lookup makes, each replacement and churn step stores a session, misses do nothing.
 * Paced to `opsPerSecond` (the cache's rate in the same round), so the copies come as fast as
 * the cache's did and no faster; the pacing itself allocates nothing.
 * @param {{ copy: (key: any) => Uint8Array, store: (session: Uint8Array) => void }} floor
 * @param {{ session: (i: number) => Uint8Array }} w
 * @param {{ ops: Uint8Array, keys: any[] }} plan
 * @param {number} opsPerSecond
 */
export function playFloor(floor, w, { ops: kinds, keys }, opsPerSecond) {
  const msPerOp = 1000 / opsPerSecond;
  const start = performance.now();
  let sink = 0;
  for (let i = 0; i < kinds.length; i++) {
    if ((i & 63) === 0) while (performance.now() - start < i * msPerOp);
    const kind = kinds[i];
    if (kind === 0) sink += floor.copy(keys[i]).length;
    else if (kind !== 1) floor.store(w.session(i));
  }
  return sink;
}
