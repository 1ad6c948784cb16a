// The GC floor's process (bench/floor.mjs), run beside the contenders of a scenario. It holds the
// workload's keys as a contender's worker does and the cache's resident memory, then replays a
// mixed stream for each request, paced to the rate the parent gives, and reports its GC pauses.
import { createFloor, loadCopy } from './floor.mjs';
import { watchGc } from './gc-watch.mjs';
import { memory } from './memory.mjs';
import { cpuMsSince, settle } from './settle.mjs';
import { batchesOf, playFloor } from './streams.mjs';
import { Workload } from './workload.mjs';

const { scenario, memoryBytes, settle: settles } = JSON.parse(process.argv[2]);
const copies = await loadCopy();
const w = new Workload(scenario.entries, scenario.sessionBytes);
const before = memory();
const floor = createFloor(copies, { memoryBytes, entries: scenario.entries, sessionBytes: scenario.sessionBytes });
const afterFill = memory();
// The key sets a contender's worker keeps for its timed passes: part of the heap every scavenge meets.
const hitKeys = scenario.hitKeys ?? 1 << 16;
const kept = { hits: batchesOf(w.hitKeys(hitKeys)), misses: w.missKeys(hitKeys) };
let sink = 0;

process.on('message', async (/** @type {any} */ msg) => {
  if (msg.op === 'mixed') {
    const requestCpu = process.cpuUsage();
    const plan = w.mixedPlan(scenario.mixed);
    const { result: rate, gc } = await watchGc(() => {
      const start = performance.now();
      sink += playFloor(floor, w, plan, msg.opsPerSecond);
      return (plan.ops.length * 1000) / (performance.now() - start);
    }, scenario.gcWaitMs ?? 200);
    if (settles) await settle();
    process.send?.({ op: msg.op, rate, gc, cpuMs: cpuMsSince(requestCpu) });
  } else if (msg.exit) {
    process.exit(0);
  }
});
if (settles) await settle();
process.send?.({
  ready: true,
  cpuMs: cpuMsSince({ user: 0, system: 0 }),
  residentBytes: floor.residentBytes,
  memory: { before, afterFill },
  kept: kept.hits.length + kept.misses.length,
  sink: sink & 1,
});
