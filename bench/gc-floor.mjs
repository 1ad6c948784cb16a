// What the scavenges a copying lookup causes cost with no cache at all, by the size of the old
// generation around them. V8 scavenges whenever about 32 MB of young ArrayBuffer memory has piled
// up ("external memory pressure"), and the copies `lookup` hands out are such memory. Each
// scavenge also walks every old-generation page, so its pause grows with the process's heap,
// whoever fills it. Here the loop makes the mixed stream's garbage (a 1200 B copy per hit, carved
// from 16 KiB slabs as src/copy.ts does) while the old generation holds a number of key objects
// like those the benchmark's mixed stream keeps in its plan (1M of them at 1M entries).
//
//   node --expose-gc bench/gc-floor.mjs [sessionBytes] [copies]    (default 1200 B, 800000)
import { PerformanceObserver } from 'node:perf_hooks';
import { Workload } from './workload.mjs';

const sessionBytes = Number(process.argv[2] ?? 1200);
const copies = Number(process.argv[3] ?? 800_000);
if (typeof globalThis.gc !== 'function' || !(sessionBytes > 0 && sessionBytes <= 4096) || !(copies > 0)) {
  console.error('usage: node --expose-gc bench/gc-floor.mjs [sessionBytes (1-4096)] [copies]');
  process.exit(2);
}
const SLAB_BYTES = 16 * 1024;
const source = new Uint8Array(sessionBytes).fill(7);
let slab = new ArrayBuffer(SLAB_BYTES);
let used = 0;
let sink = 0;

/** One copy as the cache's lookup makes it. */
function copyOut() {
  if (used + sessionBytes > SLAB_BYTES) {
    slab = new ArrayBuffer(SLAB_BYTES);
    used = 0;
  }
  const out = new Uint8Array(slab, used, sessionBytes);
  used = (used + sessionBytes + 7) & ~7;
  out.set(source);
  return out;
}

const w = new Workload(1000, sessionBytes);
const kept = [];
for (const keys of [0, 250_000, 500_000, 1_000_000]) {
  while (kept.length < keys) kept.push(w.key(kept.length));
  globalThis.gc();
  const heapMB = process.memoryUsage().heapUsed / 2 ** 20;
  for (let round = 0; round < 3; round++) {
    const pauses = [];
    let [from, to] = [Infinity, Infinity];
    const observer = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) if (e.startTime >= from && e.startTime < to) pauses.push(e.duration);
    });
    observer.observe({ entryTypes: ['gc'] });
    from = performance.now();
    for (let i = 0; i < copies; i++) sink += copyOut().length;
    to = performance.now();
    // gc entries arrive some time after the loop
    await new Promise((resolve) => setTimeout(resolve, 200));
    observer.disconnect();
    pauses.sort((a, b) => a - b);
    const median = pauses[pauses.length >> 1] ?? 0;
    console.log(
      `${String(keys).padStart(7)} keys kept, heap ${heapMB.toFixed(0).padStart(4)} MB: ` +
        `${pauses.length} collections, median ${median.toFixed(2)} ms, longest ${(pauses.at(-1) ?? 0).toFixed(2)} ms`,
    );
  }
}
if (sink < 0) console.log(sink);
