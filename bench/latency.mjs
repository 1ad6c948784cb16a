// What one dependent random read costs on this machine, by working-set size: a pointer chase
// over cache lines in random order, in a wasm memory and in a plain ArrayBuffer. The README's
// figures for memory latency come from here: `node bench/latency.mjs` (a few seconds), or
// `node bench/latency.mjs <MB> ...` for other working-set sizes.
const SIZES_MB = process.argv.length > 2 ? process.argv.slice(2).map(Number) : [2, 8, 32, 300];
if (!SIZES_MB.every((mb) => Number.isInteger(mb) && mb > 0 && mb <= 2048)) {
  console.error('usage: node bench/latency.mjs [MB ...] (whole numbers of MB, at most 2048)');
  process.exit(2);
}
const READS = 2_000_000;

/** ns per read of a random cyclic chase through every 64-byte line of `words`. */
function chase(words) {
  const lines = words.length / 16;
  const order = new Int32Array(lines);
  for (let i = 0; i < lines; i++) order[i] = i;
  let s = 12345;
  for (let i = lines - 1; i > 0; i--) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    const j = s % (i + 1);
    [order[i], order[j]] = [order[j], order[i]];
  }
  for (let i = 0; i < lines; i++) words[order[i] * 16] = order[(i + 1) % lines] * 16;
  let p = 0;
  for (let i = 0; i < 100_000; i++) p = words[p];
  const start = performance.now();
  for (let i = 0; i < READS; i++) p = words[p];
  const ns = ((performance.now() - start) * 1e6) / READS;
  return p < 0 ? -1 : ns; // p feeds the result, so the chase is not optimised away
}

for (const mb of SIZES_MB) {
  const bytes = mb * 1024 * 1024;
  const wasm = chase(new Int32Array(new WebAssembly.Memory({ initial: bytes / 65536 }).buffer));
  const plain = chase(new Int32Array(bytes / 4));
  console.log(
    `${String(mb).padStart(4)} MB: ${wasm.toFixed(0)} ns per read in a wasm memory, ${plain.toFixed(0)} ns in an ArrayBuffer`,
  );
}
