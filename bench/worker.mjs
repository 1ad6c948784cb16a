// One contender on one scenario, in its own process (run with --expose-gc). It fills the cache,
// then runs the operations the parent asks for over IPC, one at a time, and reports ops/s,
// memory and GC figures. The parent interleaves contenders so only one process runs at a time.
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import v8 from 'node:v8';
import { createContender } from './contenders.mjs';
import { watchGc } from './gc-watch.mjs';
import { memory } from './memory.mjs';
import { cpuMsSince, settle } from './settle.mjs';
import { batchesOf, playChurn, playMixed } from './streams.mjs';
import { Workload } from './workload.mjs';

const { contender: name, scenario, libPath, settle: settles } = JSON.parse(process.argv[2]);
const lib = await import(libPath);
const w = new Workload(scenario.entries, scenario.sessionBytes);
const capacity = scenario.entries + scenario.newKeys; // headroom for update-new: no eviction in timed runs
const cache = createContender(name, lib, { capacity, sessionBytes: scenario.sessionBytes, lifetimeSeconds: 86400 });
let sink = 0; // results feed this so no loop is optimised away

/** Objects on the JS heap, from a heap snapshot (only at small scale: snapshots are slow). */
function heapObjects() {
  // Through a file: a snapshot read as a stream leaves chunk strings alive into the next one.
  const file = join(tmpdir(), `tsc-bench-${process.pid}.heapsnapshot`);
  /** @type {() => void} */ (globalThis.gc)();
  v8.writeHeapSnapshot(file);
  const count = JSON.parse(readFileSync(file, 'utf8')).snapshot.node_count;
  rmSync(file);
  return count;
}

const reusedKey = { partialKey: '', sessionId: Buffer.alloc(32) };
const reusedOldKey = { partialKey: '', sessionId: Buffer.alloc(32) };

function fill() {
  for (let i = 0; i < w.entries; i++) cache.update(w.keyInto(i, reusedKey), w.session(i));
}

/** Operations timed before in this process; the first time, one batch runs untimed (see timed). */
const warmed = new Set();
let firstTime = false;

/**
 * Run `batch` until `budgetMs` has passed; ops per second. The first time an operation is timed,
 * one untimed batch runs first, so no round times the compiler (round 1 of each operation ran at
 * about half speed without it).
 */
function timed(budgetMs, batch) {
  if (firstTime) batch();
  let ops = 0;
  const start = performance.now();
  let now = start;
  do {
    ops += batch();
    now = performance.now();
  } while (now - start < budgetMs);
  return (ops * 1000) / (now - start);
}

/** Time one pass over a prepared plan; ops per second. */
function once(run, count) {
  const start = performance.now();
  run();
  return (count * 1000) / (performance.now() - start);
}

/**
 * Move what survives in the young generation to the old one, untimed: two scavenges (the second
 * promotes what the first kept), a few ms however large the heap. Keys made just before a timed
 * operation were otherwise copied and promoted by its first scavenges: after the mixed stream's
 * prepareKeys, 25-60 ms of the next round's 100 ms lookup-hit pass, so every contender's rounds
 * 2-5 ran at a fifth to a half of round 1's rate.
 */
function promoteYoung() {
  const gc = /** @type {(options: object) => void} */ (globalThis.gc);
  gc({ type: 'minor' });
  gc({ type: 'minor' });
}

const HIT_KEYS = scenario.hitKeys ?? 1 << 16;
// Made after the memory figures and heap snapshots (they would slow the snapshots), and again
// whenever churn has replaced stored keys; promoted before the next timed operation.
let hits, hitBatches, misses;
function prepareKeys() {
  hits = w.hitKeys(HIT_KEYS);
  hitBatches = batchesOf(hits);
  promoteYoung();
}
const target = new Uint8Array(scenario.sessionBytes);

// Each operation's loop is its own function, so each has its own type feedback.
const ops = {
  'lookup-hit': (budget) =>
    timed(budget, () => {
      for (let i = 0; i < HIT_KEYS; i++) sink += cache.lookup(hits[i]).length;
      return HIT_KEYS;
    }),
  'lookup-hit-view': (budget) =>
    timed(budget, () => {
      const lookup = cache.lookupView ?? cache.lookup;
      for (let i = 0; i < HIT_KEYS; i++) sink += lookup(hits[i]).length;
      return HIT_KEYS;
    }),
  'lookup-hit-into': (budget) =>
    timed(budget, () => {
      if (cache.lookupInto !== undefined) {
        for (let i = 0; i < HIT_KEYS; i++) sink += cache.lookupInto(hits[i], target);
      } else {
        for (let i = 0; i < HIT_KEYS; i++) sink += cache.lookup(hits[i]).length;
      }
      return HIT_KEYS;
    }),
  // Batches of 64 through lookupMany where a contender has it; the others look up one by one.
  'lookup-hit-many': (budget) =>
    timed(budget, () => {
      if (cache.lookupMany !== undefined) {
        for (let i = 0; i < HIT_KEYS; i += 64) {
          const found = cache.lookupMany(hitBatches[i >> 6]);
          for (let j = 0; j < found.length; j++) sink += found[j].length;
        }
      } else {
        for (let i = 0; i < HIT_KEYS; i++) sink += cache.lookup(hits[i]).length;
      }
      return HIT_KEYS;
    }),
  'lookup-miss': (budget) =>
    timed(budget, () => {
      for (let i = 0; i < HIT_KEYS; i++) sink += cache.lookup(misses[i]) === undefined ? 1 : 0;
      return HIT_KEYS;
    }),
  'update-replace': (budget) =>
    timed(budget, () => {
      for (let i = 0; i < HIT_KEYS; i++) cache.update(hits[i], w.session(i));
      return HIT_KEYS;
    }),
  'update-new': () => {
    const keys = w.freshKeys(scenario.newKeys);
    promoteYoung(); // as the mixed stream's full collection does for its plan
    const rate = once(() => {
      for (let i = 0; i < keys.length; i++) cache.update(keys[i], w.session(i));
    }, keys.length);
    for (const k of keys) cache.delete(k); // back to the stored set the other operations expect
    return rate;
  },
  churn: () => {
    const plan = w.churnPlan(scenario.churn);
    promoteYoung();
    const rate = once(() => playChurn(cache, w, plan), plan.length);
    prepareKeys();
    return rate;
  },
  'select-session': (budget) =>
    timed(budget, () => {
      for (let i = 0; i < 4096; i++) sink += cache.select(w.partialKeys[w.random(w.hosts)]).length;
      return 4096;
    }),
  // Its GC pauses are reported per round (bench/gc-watch.mjs): the targets take their medians.
  mixed: async () => {
    const plan = w.mixedPlan(scenario.mixed);
    const { result: rate, gc } = await watchGc(
      () =>
        once(() => {
          sink += playMixed(cache, w, plan);
        }, plan.ops.length),
      scenario.gcWaitMs ?? 200,
    );
    prepareKeys();
    return { rate, gc };
  },
};

/** Untimed churn (fresh keys each), to see whether memory stays flat. */
function churnMemory(count) {
  for (let i = 0; i < count; i++) {
    const j = w.random(w.entries);
    cache.delete(w.keyInto(w.live[j], reusedOldKey));
    w.live[j] = w.next++;
    cache.update(w.keyInto(w.live[j], reusedKey), w.session(i));
  }
  return memory();
}

/**
 * JS heap objects per stored session: heap snapshots of a second, fresh cache half filled and
 * filled (so the cache's fixed objects cancel out), taken after the memory figures, which a
 * snapshot would disturb.
 */
function objectsPerSession() {
  const other = createContender(name, lib, { capacity, sessionBytes: scenario.sessionBytes, lifetimeSeconds: 86400 });
  const half = w.entries >> 1;
  // Each key its own object and Buffer, but the shared partial-key strings (as the fill's), so
  // the count is of what a cache keeps per session, not of the strings the workload makes.
  const key = (i) => w.keyInto(i, { partialKey: '', sessionId: Buffer.allocUnsafe(32) });
  for (let i = 0; i < half; i++) other.update(key(i), w.session(i));
  heapObjects(); // settle what the first snapshot creates once
  const before = heapObjects();
  for (let i = half; i < w.entries; i++) other.update(key(i), w.session(i));
  const after = heapObjects();
  if (other.size() !== w.entries) throw new Error(`${name}: second cache holds ${other.size()}`);
  return (after - before) / (w.entries - half);
}

const before = memory();
const fillStart = performance.now();
fill();
const fillMs = performance.now() - fillStart;
const afterFill = memory();
if (cache.size() !== w.entries) throw new Error(`${name}: ${cache.size()} sessions after fill, expected ${w.entries}`);

// Memory flatness: churn right after the fill, before the timed operations (update-new holds
// 10 % more sessions for a while, which would blur the comparison).
const afterChurn = churnMemory(scenario.churnOps);
const heapObjectsPerSession = scenario.heapObjects ? objectsPerSession() : null;
misses = w.missKeys(HIT_KEYS);
prepareKeys();

// CPU this process used while it waited for its next request, that is while another contender
// was being timed: what settling is meant to keep near zero.
let repliedAt = process.cpuUsage();

process.on('message', async (/** @type {any} */ msg) => {
  if (msg.op !== undefined) {
    const idleCpuMs = cpuMsSince(repliedAt);
    const requestCpu = process.cpuUsage();
    firstTime = !warmed.has(msg.op);
    warmed.add(msg.op);
    const result = await ops[msg.op](msg.budgetMs);
    const settleStart = performance.now();
    if (settles) await settle();
    const settledMs = performance.now() - settleStart;
    const reply = typeof result === 'number' ? { rate: result } : result;
    repliedAt = process.cpuUsage();
    // cpuMs: CPU the request took (all threads), for the run's estimate of an idle machine's duration
    process.send?.({ op: msg.op, ...reply, idleCpuMs, settledMs, cpuMs: cpuMsSince(requestCpu) });
  } else if (msg.exit) {
    process.exit(0);
  }
});
// The fill leaves collection work behind too; the parent starts timing once every worker is ready.
if (settles) await settle();
repliedAt = process.cpuUsage();
process.send?.({
  ready: true,
  cpuMs: cpuMsSince({ user: 0, system: 0 }),
  fillMs,
  memory: { before, afterFill, afterChurn },
  heapObjectsPerSession,
  sink: sink & 1,
});
