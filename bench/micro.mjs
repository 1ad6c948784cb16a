// One contender, one operation, one process: for comparing two builds of the core (A/B) while
// changing it, where the full benchmark takes about 40 minutes and its ratios move by up to 25 % from run to run.
//
//   node bench/micro.mjs <entries> <sessionBytes> <op> [contender] [seconds] [keys]
//   BENCH_LIB=/path/to/other/dist/index.js node bench/micro.mjs ...   (another build)
//
// op: copy (lookup), into (lookupInto), view (lookupView), many (lookupMany, batches of 64), miss
// (lookup of keys never stored), replace (update of stored keys), churn (delete a stored session
// and insert a new one: one pass of 400k pairs, ns per pair), mixed (the benchmark's mixed
// stream, one pass of 2M ops) or mixed-into (the same stream with its hits and misses answered by
// lookupInto one reused buffer, as the server adapter answers resumeSession).
// keys: how many keys a pass looks up (default: the entries, at most 65536; the full benchmark's
// passes have 65536 at every size).
// Prints one line: `<contender> <entries>x<bytes> <op> <ns> ns/op`. Run the two builds
// alternately, several times each: single runs on this VM differ by 5-10 %.
import { createContender } from './contenders.mjs';
import { batchesOf, playChurn, playMixed, playMixedInto } from './streams.mjs';
import { Workload } from './workload.mjs';

const OPS = ['copy', 'into', 'view', 'many', 'miss', 'replace', 'churn', 'mixed', 'mixed-into'];
const [entries, sessionBytes] = [Number(process.argv[2]), Number(process.argv[3])];
const [op, name = 'wasm', seconds = '4', keysArg] = process.argv.slice(4);
if (
  !(entries > 0) ||
  !(sessionBytes > 0) ||
  !OPS.includes(op) ||
  !(keysArg === undefined || (Number.isInteger(Number(keysArg)) && Number(keysArg) >= 1))
) {
  console.error(`usage: node bench/micro.mjs <entries> <sessionBytes> <${OPS.join('|')}> [contender] [seconds] [keys]`);
  process.exit(2);
}
const lib = await import(process.env.BENCH_LIB ?? new URL('../dist/index.js', import.meta.url).href);
const w = new Workload(entries, sessionBytes);
const cache = createContender(name, lib, {
  capacity: entries + Math.max(100, entries / 10),
  sessionBytes,
  lifetimeSeconds: 86400,
});
const reused = { partialKey: '', sessionId: Buffer.alloc(32) };
for (let i = 0; i < entries; i++) cache.update(w.keyInto(i, reused), w.session(i));

const KEYS = keysArg === undefined ? Math.min(1 << 16, entries) : Number(keysArg);
const hits = w.hitKeys(KEYS);
const batches = batchesOf(hits);
const misses = w.missKeys(KEYS);
const target = new Uint8Array(sessionBytes);
let sink = 0;

// Each operation is its own loop, so each has its own type feedback.
const passes = {
  copy: () => {
    for (let i = 0; i < KEYS; i++) sink += cache.lookup(hits[i]).length;
  },
  into: () => {
    if (cache.lookupInto === undefined) return passes.copy();
    for (let i = 0; i < KEYS; i++) sink += cache.lookupInto(hits[i], target);
  },
  view: () => {
    const lookup = cache.lookupView ?? cache.lookup;
    for (let i = 0; i < KEYS; i++) sink += lookup(hits[i]).length;
  },
  many: () => {
    if (cache.lookupMany === undefined) return passes.copy();
    for (const b of batches) {
      const found = cache.lookupMany(b);
      for (let j = 0; j < found.length; j++) sink += found[j].length;
    }
  },
  miss: () => {
    for (let i = 0; i < KEYS; i++) sink += cache.lookup(misses[i]) === undefined ? 1 : 0;
  },
  replace: () => {
    for (let i = 0; i < KEYS; i++) cache.update(hits[i], w.session(i));
  },
};

/** ns per operation of one timed pass over a plan (a plan changes what is stored: no replays). */
function timeOnce(run, count) {
  const start = performance.now();
  run();
  return ((performance.now() - start) * 1e6) / count;
}

let ns;
if (op === 'churn') {
  const plan = w.churnPlan(400_000);
  ns = timeOnce(() => playChurn(cache, w, plan), plan.length);
} else if (op === 'mixed' || op === 'mixed-into') {
  const plan = w.mixedPlan(2_000_000);
  const play = op === 'mixed' ? () => playMixed(cache, w, plan) : () => playMixedInto(cache, w, plan, target);
  ns = timeOnce(() => {
    sink += play();
  }, plan.ops.length);
} else {
  passes[op](); // warm up
  let ops = 0;
  const start = performance.now();
  do {
    passes[op]();
    ops += KEYS;
  } while (performance.now() - start < Number(seconds) * 1000);
  ns = ((performance.now() - start) * 1e6) / ops;
}
// The sink is read (it never is -1), so no lookup above can be optimised away.
console.log(`${name} ${entries}x${sessionBytes} ${op} ${ns.toFixed(0)} ns/op${sink === -1 ? ' ' : ''}`);
