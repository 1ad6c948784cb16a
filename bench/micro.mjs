// One contender, one operation, one process: for comparing two builds of the core (A/B) while
// changing it, where the full benchmark takes half an hour and moves ±15 % from run to run.
//
//   node bench/micro.mjs <entries> <sessionBytes> <op> [contender] [seconds]
//   BENCH_LIB=/path/to/other/dist/index.js node bench/micro.mjs ...   (another build)
//
// op: copy (lookup), into (lookupInto), view (lookupView), many (lookupMany, batches of 64),
// replace (update of stored keys), churn (delete a stored session and insert a new one: one pass
// of 400k pairs, ns per pair) or mixed (the benchmark's mixed stream, one pass of 2M ops).
// Prints one line: `<contender> <entries>x<bytes> <op> <ns> ns/op`. Run the two builds
// alternately, several times each: single runs on this VM differ by 5-10 %.
import { createContender } from './contenders.mjs';
import { Workload } from './workload.mjs';

const OPS = ['copy', 'into', 'view', 'many', 'replace', 'churn', 'mixed'];
const [entries, sessionBytes] = [Number(process.argv[2]), Number(process.argv[3])];
const [op, name = 'wasm', seconds = '4'] = process.argv.slice(4);
if (!(entries > 0) || !(sessionBytes > 0) || !OPS.includes(op)) {
  console.error(`usage: node bench/micro.mjs <entries> <sessionBytes> <${OPS.join('|')}> [contender] [seconds]`);
  process.exit(2);
}
const lib = await import(process.env.BENCH_LIB ?? new URL('../dist/index.js', import.meta.url).href);
const w = new Workload(entries, sessionBytes);
const cache = createContender(name, lib, {
  capacity: entries + Math.max(100, entries / 10), sessionBytes, lifetimeSeconds: 86400,
});
const reused = { partialKey: '', sessionId: Buffer.alloc(32) };
for (let i = 0; i < entries; i++) cache.update(w.keyInto(i, reused), w.session(i));

const KEYS = Math.min(1 << 16, entries);
const hits = w.hitKeys(KEYS);
const batches = Array.from({ length: Math.ceil(KEYS / 64) }, (_, b) => hits.slice(b * 64, b * 64 + 64));
const target = new Uint8Array(sessionBytes);
let sink = 0;

// Each operation is its own loop, so each has its own type feedback.
const passes = {
  copy: () => { for (let i = 0; i < KEYS; i++) sink += cache.lookup(hits[i]).length; },
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
  replace: () => { for (let i = 0; i < KEYS; i++) cache.update(hits[i], w.session(i)); },
};

let ns;
if (op === 'churn') {
  const plan = w.churnPlan(400_000);
  const start = performance.now();
  for (let i = 0; i < plan.length; i++) {
    cache.delete(plan[i][0]);
    cache.update(plan[i][1], w.session(i));
  }
  ns = ((performance.now() - start) * 1e6) / plan.length;
} else if (op === 'mixed') {
  const { ops: kinds, keys } = w.mixedPlan(2_000_000);
  const start = performance.now();
  for (let i = 0; i < kinds.length; i++) {
    const k = keys[i];
    switch (kinds[i]) {
      case 0: sink += cache.lookup(k).length; break;
      case 1: sink += cache.lookup(k) === undefined ? 1 : 0; break;
      case 2: cache.update(k, w.session(i)); break;
      default: cache.delete(k[0]); cache.update(k[1], w.session(i));
    }
  }
  ns = ((performance.now() - start) * 1e6) / kinds.length;
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
console.log(`${name} ${entries}x${sessionBytes} ${op} ${ns.toFixed(0)} ns/op${sink === -1 ? ' ' : ''}`);
