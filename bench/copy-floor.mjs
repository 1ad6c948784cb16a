// What copying one session out of memory costs with nothing else around it: the floor under
// lookupInto (and lookup) for large sessions. Records sit one per 4 KiB page, as the cache's arena
// keeps ~4000-byte sessions, in a wasm memory; each copy reads one record, picked at random, into
// one caller buffer. A pure-JS cache that hands back its stored buffer pays none of this.
//
//   node bench/copy-floor.mjs [sessionBytes] [records]     (default 4000 B, 100000 records)
const sessionBytes = Number(process.argv[2] ?? 4000);
const records = Number(process.argv[3] ?? 100_000);
if (!(sessionBytes > 0 && sessionBytes <= 4000) || !(records > 0 && records <= 500_000)) {
  console.error('usage: node bench/copy-floor.mjs [sessionBytes (1-4000)] [records (1-500000)]');
  process.exit(2);
}
const PAGE = 4096;
const OFFSET = 96; // where a record's session starts after its header and key
const buffer = new WebAssembly.Memory({ initial: Math.ceil((records * PAGE) / 65536) }).buffer;
const mem = new Uint8Array(buffer);
for (let i = 0; i < records; i++) mem.fill(i & 0xff, i * PAGE + OFFSET, i * PAGE + OFFSET + sessionBytes);
const target = new Uint8Array(sessionBytes);
const order = new Int32Array(1 << 16);
let x = 0x2545f491;
for (let i = 0; i < order.length; i++) {
  x ^= x << 13;
  x ^= x >>> 17;
  x ^= x << 5;
  order[i] = ((x >>> 0) % records) * PAGE + OFFSET;
}
let sink = 0;

const passes = {
  // the copy alone
  copy() {
    for (let i = 0; i < order.length; i++) target.set(new Uint8Array(buffer, order[i], sessionBytes));
    sink += target[0];
  },
  // one read of the record first, as a lookup checks the key before it copies
  'read, then copy': () => {
    for (let i = 0; i < order.length; i++) {
      const at = order[i];
      if (mem[at - OFFSET + 4] === 0x100) break; // never true: the read only has to happen first
      target.set(new Uint8Array(buffer, at, sessionBytes));
    }
    sink += target[0];
  },
};

for (let round = 0; round < 3; round++) {
  for (const [name, pass] of Object.entries(passes)) {
    pass();
    let n = 0;
    const start = performance.now();
    do {
      pass();
      n += order.length;
    } while (performance.now() - start < 1000);
    const ns = ((performance.now() - start) * 1e6) / n;
    console.log(`${sessionBytes} B from ${records} records: ${name}: ${ns.toFixed(0)} ns`);
  }
}
if (sink < 0) console.log(sink);
