#!/usr/bin/env node
// Benchmark: this package's caches against pure-JS caches on a TLS terminator's workload.
//   node bench/run.mjs [--quick | --smoke] [--out DIR] [--only SCENARIO] [--ops OP,OP] [--no-churn] [--no-e2e] [--no-settle]
// (--ops and --no-churn are for tuning: they leave figures out of the report; --no-settle shows
// what the workers' settling does)
// Each contender runs in its own process; the parent interleaves them round by round (one runs at
// a time), takes medians, and reports ratios to lru-cache and Map, memory, GC and handshakes.
import { fork } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CONTENDERS } from './contenders.mjs';
import { runEndToEnd } from './e2e.mjs';
import { commit, machine, writeReport } from './report.mjs';
import { MODES, OPERATIONS } from './scenarios.mjs';
import { median } from './stats.mjs';
import { evaluateTargets } from './targets.mjs';
import { Workload } from './workload.mjs';

const args = process.argv.slice(2);
const flag = (name) => args.includes(name);
const option = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const modeName = flag('--smoke') ? 'smoke' : flag('--quick') ? 'quick' : 'full';
const mode = MODES[modeName];
const outDir = option('--out', fileURLToPath(new URL('./results/', import.meta.url)));
const only = option('--only', undefined);
const onlyOps = option('--ops', undefined)?.split(',');
// Each worker waits, untimed, for its own background GC work to end before it replies (see settle
// in worker.mjs) and runs without V8's memory reducer, so it does not run beside the next
// contender's timed operation. --no-settle turns both off; the quick run does not settle.
const settle = mode.settle && !flag('--no-settle');
const memoryReducer = flag('--no-settle');
const libPath = process.env.BENCH_LIB ?? new URL('../dist/index.js', import.meta.url).href;
const nodeLibPath = process.env.BENCH_NODE_LIB ?? new URL('../dist/node.js', import.meta.url).href;
const workerPath = fileURLToPath(new URL('./worker.mjs', import.meta.url));

// A progress line on a terminal; elsewhere (CI logs) one line per phase.
let lastPhase = '';
const progress = (line) => {
  if (process.stderr.isTTY) return void process.stderr.write(`\r${line.slice(0, 110).padEnd(110)}`);
  const phase = line.replace(/ round .*/, '');
  if (line !== '' && phase !== lastPhase) process.stderr.write(`${phase}\n`);
  lastPhase = phase;
};

const children = new Set();
// A failed worker fails the run: take the others down with it rather than leave them running.
process.on('exit', () => {
  for (const c of children) c.kill();
});

/** Start a contender's worker; resolves once its cache is filled. */
function start(contender, scenario) {
  const child = fork(workerPath, [JSON.stringify({ contender, scenario, libPath, settle })], {
    // No memory reducer: it collects in processes that look idle, and a worker looks idle while
    // the others are timed (a busy TLS terminator never does). Its collections, up to 3 s of CPU
    // in one idle worker, ran beside long timed streams.
    execArgv: ['--expose-gc', '--max-old-space-size=16384', ...(memoryReducer ? [] : ['--no-memory-reducer'])],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  children.add(child);
  const queue = [];
  child.on('message', (m) => queue.shift()?.resolve(m));
  child.on('exit', (code) => {
    children.delete(child);
    for (const q of queue.splice(0)) q.reject(new Error(`${contender} worker exited with ${code}`));
  });
  const next = () => new Promise((resolve, reject) => queue.push({ resolve, reject }));
  const ask = (msg) => {
    const reply = next();
    child.send(msg);
    return reply;
  };
  return next().then((ready) => ({ contender, child, ask, ready }));
}

async function runScenario(scenario) {
  progress(
    `[${scenario.id}] ${scenario.entries} sessions, then ${scenario.churnMemory} churn operations, in ${CONTENDERS.length} processes`,
  );
  const churnOps = flag('--no-churn') ? 0 : scenario.churnMemory;
  const workers = await Promise.all(CONTENDERS.map((c) => start(c, { ...scenario, churnOps })));
  const rates = Object.fromEntries(CONTENDERS.map((c) => [c, Object.fromEntries(OPERATIONS.map((o) => [o, []]))]));
  const gc = Object.fromEntries(CONTENDERS.map((c) => [c, { count: 0, totalMs: 0, maxMs: 0 }]));
  const idle = Object.fromEntries(CONTENDERS.map((c) => [c, { cpuMs: 0, settledMs: 0 }]));
  for (let round = 0; round < mode.rounds; round++) {
    for (const op of OPERATIONS) {
      if (onlyOps !== undefined && !onlyOps.includes(op)) continue;
      for (let i = 0; i < workers.length; i++) {
        const w = workers[(i + round) % workers.length]; // rotate who goes first
        progress(`[${scenario.id}] round ${round + 1}/${mode.rounds} ${op} ${w.contender}`);
        const r = await w.ask({ op, budgetMs: mode.budgetMs });
        rates[w.contender][op].push(r.rate);
        idle[w.contender].cpuMs += r.idleCpuMs;
        idle[w.contender].settledMs += r.settledMs;
        if (r.gc !== undefined) {
          const g = gc[w.contender];
          g.count += r.gc.count;
          g.totalMs += r.gc.totalMs;
          g.maxMs = Math.max(g.maxMs, r.gc.maxMs);
        }
      }
    }
  }
  for (const w of workers) w.child.send({ exit: true });

  const w0 = new Workload(scenario.entries, scenario.sessionBytes);
  const partialKeyBytes = w0.partialKeys.reduce((n, s) => n + s.length, 0) / w0.hosts;
  const payloadBytes = 32 + partialKeyBytes + scenario.sessionBytes;
  const contenders = {};
  workers.forEach((w) => {
    const { before, afterFill, afterChurn } = w.ready.memory;
    const per = (a, b, field) => (a[field] - b[field]) / scenario.entries;
    const rssAfterFill = per(afterFill, before, 'rss');
    const rssAfterChurn = per(afterChurn, before, 'rss');
    contenders[w.contender] = {
      opsPerSecond: Object.fromEntries(OPERATIONS.map((o) => [o, median(rates[w.contender][o])])),
      rounds: rates[w.contender],
      memoryPerEntry: {
        rssAfterFill,
        heapAfterFill: per(afterFill, before, 'heapUsed'),
        externalAfterFill: per(afterFill, before, 'external'),
        rssAfterChurn,
        heapAfterChurn: per(afterChurn, before, 'heapUsed'),
        churnGrowth: rssAfterChurn / rssAfterFill - 1,
      },
      gc: gc[w.contender],
      // CPU the worker used while the others were timed, and the time it spent settling
      idle: idle[w.contender],
      heapObjectsPerSession: w.ready.heapObjectsPerSession,
      fillMs: w.ready.fillMs,
    };
  });
  const ratios = Object.fromEntries(
    OPERATIONS.map((o) => [
      o,
      {
        'lru-cache': contenders.wasm.opsPerSecond[o] / contenders['lru-cache'].opsPerSecond[o],
        map: contenders.wasm.opsPerSecond[o] / contenders.map.opsPerSecond[o],
        mnemonist: contenders.wasm.opsPerSecond[o] / contenders.mnemonist.opsPerSecond[o],
        js: contenders.wasm.opsPerSecond[o] / contenders.js.opsPerSecond[o],
      },
    ]),
  );
  return { ...scenario, payloadBytes, contenders, ratios };
}

const started = Date.now();
const results = {
  mode: modeName,
  settle,
  memoryReducer,
  machine: machine(),
  commit: commit(),
  started: new Date(started).toISOString(),
  scenarios: [],
};
for (const scenario of mode.scenarios) {
  if (only !== undefined && scenario.id !== only) continue;
  results.scenarios.push(await runScenario(scenario));
}
if (!flag('--no-e2e')) results.endToEnd = await runEndToEnd(mode.e2e, libPath, nodeLibPath, progress);
results.targets = evaluateTargets(results, modeName);
results.seconds = (Date.now() - started) / 1000;
if (process.stderr.isTTY) process.stderr.write(`\r${''.padEnd(110)}\r`);
mkdirSync(outDir, { recursive: true });
writeReport(results, outDir);
