// Whether the GC floor of the copying lookup (bench/floor.mjs) can be lowered by copying
// differently. Each strategy makes the same copies (a session of `sessionBytes` out of a touched
// WebAssembly.Memory of `residentMB`, as `lookup` does) while the old generation holds `keys` key
// objects, as the mixed stream's plan does; strategies are interleaved over `reps` repetitions and
// each one's GC figures are the medians over them.
//
//   node --expose-gc bench/gc-floor.mjs [sessionBytes] [copies] [residentMB] [keys] [reps]
//   (default 1200 B, 400000 copies, 1400 MB, 500000 keys, 3 repetitions: the default mode's
//   mixed stream at 1M x 1200 B)
import { loadCopy } from './floor.mjs';
import { watchGc } from './gc-watch.mjs';
import { median } from './stats.mjs';
import { Workload } from './workload.mjs';

const [sessionBytes, copies, residentMB, keys, reps] = [1200, 400_000, 1400, 500_000, 3].map((d, i) =>
  process.argv[2 + i] === undefined ? d : Number(process.argv[2 + i]),
);
if (
  typeof globalThis.gc !== 'function' ||
  ![sessionBytes, copies, residentMB, keys, reps].every((x) => Number.isInteger(x) && x >= 0) ||
  !(sessionBytes > 0 && sessionBytes <= 65536 && copies > 0 && reps > 0)
) {
  console.error('usage: node --expose-gc bench/gc-floor.mjs [sessionBytes] [copies] [residentMB] [keys] [reps]');
  process.exit(2);
}

/**
 * Copies carved from slabs of `bytes` (src/copy.ts's strategy, at other slab sizes).
 * @param {number} bytes
 * @returns {(source: Uint8Array) => Uint8Array}
 */
function slabCopy(bytes) {
  let slab = new ArrayBuffer(bytes);
  let used = 0;
  return (source) => {
    if (used + source.length > bytes) {
      slab = new ArrayBuffer(bytes);
      used = 0;
    }
    const out = new Uint8Array(slab, used, source.length);
    used = (used + source.length + 7) & ~7;
    out.set(source);
    return out;
  };
}

const { copyOut } = await loadCopy();
/** @type {Record<string, (source: Uint8Array) => Uint8Array>} */
const strategies = {
  'src/copy.ts (16 KiB slabs)': copyOut,
  'own buffer per copy': (source) => new Uint8Array(source),
  'Buffer.from (8 KiB pool)': (source) => Buffer.from(source),
  '64 KiB slabs': slabCopy(64 * 1024),
  '1 MiB slabs': slabCopy(1024 * 1024),
};

const memory = new WebAssembly.Memory({ initial: Math.max(1, Math.ceil((residentMB * 2 ** 20) / 65536)) });
const bytes = new Uint8Array(memory.buffer);
for (let at = 0; at < bytes.length; at += 4096) bytes[at] = 1; // resident, as a filled cache's memory
const slots = Math.max(1, Math.floor(bytes.length / 4096) - 1);
const w = new Workload(1000, sessionBytes);
const kept = Array.from({ length: keys }, (_, i) => w.key(i));

/** @type {Record<string, import('./gc-watch.mjs').RoundGc[]>} */
const figures = Object.fromEntries(Object.keys(strategies).map((s) => [s, []]));
let sink = 0;
const names = Object.keys(strategies);
// rep -1 warms up (the kept keys reach the old generation) and is not counted; the order rotates
for (let rep = -1; rep < reps; rep++) {
  for (let k = 0; k < names.length; k++) {
    const name = names[(k + Math.max(rep, 0)) % names.length];
    const copy = strategies[name];
    const { gc } = await watchGc(() => {
      let x = 0x2545f491 + rep;
      for (let i = 0; i < copies; i++) {
        x ^= x << 13;
        x ^= x >>> 17;
        x ^= x << 5;
        sink += /** @type {(source: Uint8Array) => Uint8Array} */ (copy)(
          new Uint8Array(memory.buffer, ((x >>> 0) % slots) * 4096, sessionBytes),
        ).length;
      }
    }, 200);
    if (rep >= 0) figures[name]?.push(gc);
  }
}
console.log(
  `${copies} copies of ${sessionBytes} B beside ${residentMB} MB of touched memory and ${keys} kept keys; medians of ${reps} repetitions:`,
);
for (const [name, rounds] of Object.entries(figures)) {
  const m = (/** @type {'count' | 'totalMs' | 'p99Ms' | 'maxMs' | 'major'} */ f) => median(rounds.map((r) => r[f] ?? 0));
  console.log(
    `${name.padEnd(28)} ${String(m('count')).padStart(4)} collections (${m('major')} full), total ${m('totalMs').toFixed(1).padStart(6)} ms, p99 ${m('p99Ms').toFixed(2).padStart(5)} ms, longest ${m('maxMs').toFixed(2).padStart(5)} ms`,
  );
}
if (sink < 0 || kept.length < 0) console.log(sink);
