#!/usr/bin/env node
// Benchmark: this package's caches against pure-JS caches on a TLS terminator's workload.
//   node bench/run.mjs [--full | --quick | --smoke] [--out DIR] [--only SCENARIO] [--ops OP,OP] [--contenders C,C] [--no-churn] [--no-e2e]
//                      [--no-extra | --extra PHASE,PHASE] [--no-settle]
// (--ops, --contenders, --no-churn, --no-extra and --extra are for tuning: they leave figures out of the report;
// --no-settle shows what the workers' settling does)
// Each contender runs in its own process; the parent interleaves them round by round (one runs at
// a time), takes medians, and reports ratios to lru-cache and Map, memory, GC and handshakes.
// Without a mode flag it runs the default mode (every target, under 10 minutes); see scenarios.mjs.
// After the end-to-end phase come the extra phases the mode names (bench/extra.mjs): cluster, fetch,
// and in the full run fleet and terminators.
import { fork } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CONTENDERS } from './contenders.mjs';
import { runEndToEnd } from './e2e.mjs';
import { runExtra } from './extra.mjs';
import { commit, machine, writeReport } from './report.mjs';
import { MODES, modeFromArgs, OPERATIONS } from './scenarios.mjs';
import { median } from './stats.mjs';
import { evaluateTargets } from './targets.mjs';
import { Workload } from './workload.mjs';

const args = process.argv.slice(2);
/** @param {string} name */
const flag = (name) => args.includes(name);
/**
 * @template {string | undefined} F
 * @param {string} name
 * @param {F} fallback
 */
const option = (name, fallback) => (args.includes(name) ? /** @type {string} */ (args[args.indexOf(name) + 1]) : fallback);
const modeName = modeFromArgs(args);
const mode = MODES[modeName];
const outDir = option('--out', fileURLToPath(new URL('./results/', import.meta.url)));
const only = option('--only', undefined);
const onlyOps = option('--ops', undefined)?.split(',');
// --contenders wasm,lru-cache: for tuning, like --ops (the wasm cache always runs: ratios are to it)
const onlyContenders = option('--contenders', undefined)
  ?.split(',')
  .filter((c) => c !== 'wasm')
  .concat('wasm');
// --extra cluster,fetch: only these of the mode's extra phases; --no-extra: none of them
const onlyExtra = option('--extra', undefined)?.split(',');
// Each worker waits, untimed, for its own background GC work to end before it replies
// (bench/settle.mjs) and runs without V8's memory reducer, so it does not run beside the next
// contender's timed operation. --no-settle turns both off; the quick run does not settle.
const settle = mode.settle && !flag('--no-settle');
const memoryReducer = flag('--no-settle');
const libPath = process.env.BENCH_LIB ?? new URL('../dist/index.js', import.meta.url).href;
const nodeLibPath = process.env.BENCH_NODE_LIB ?? new URL('../dist/node.js', import.meta.url).href;
const workerPath = fileURLToPath(new URL('./worker.mjs', import.meta.url));
const floorWorkerPath = fileURLToPath(new URL('./floor-worker.mjs', import.meta.url));

// A progress line on a terminal; elsewhere (CI logs) one line per phase.
let lastPhase = '';
/** @param {string} line */
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

/**
 * Start a worker process: `path` with `payload` as its argument. Resolves with its first message
 * (its cache filled, or the floor's memory touched) and a way to ask it for more.
 * @param {string} name
 * @param {string} path
 * @param {object} payload
 */
function start(name, path, payload) {
  const child = fork(path, [JSON.stringify(payload)], {
    // No memory reducer: it collects in processes that look idle, and a worker looks idle while
    // the others are timed (a busy TLS terminator never does). Its collections, up to 3 s of CPU
    // in one idle worker, ran beside long timed streams.
    execArgv: ['--expose-gc', '--max-old-space-size=16384', ...(memoryReducer ? [] : ['--no-memory-reducer'])],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  children.add(child);
  /** @type {{ resolve: (m: any) => void, reject: (e: Error) => void }[]} */
  const queue = [];
  child.on('message', (m) => queue.shift()?.resolve(m));
  child.on('exit', (code) => {
    children.delete(child);
    for (const q of queue.splice(0)) q.reject(new Error(`${name} worker exited with ${code}`));
  });
  /** @returns {Promise<any>} */
  const next = () => new Promise((resolve, reject) => queue.push({ resolve, reject }));
  /** @param {object} msg */
  const ask = (msg) => {
    const reply = next();
    child.send(msg);
    return reply;
  };
  return next().then((ready) => ({ contender: name, child, ask, ready }));
}

/** @typedef {import('./gc-watch.mjs').RoundGc} RoundGc */

/**
 * GC figures of a contender's mixed streams: sums and the longest pause over the run, and each
 * round's figures (the targets take medians over them).
 * @param {RoundGc[]} rounds
 */
const gcOf = (rounds) => ({
  count: rounds.reduce((n, r) => n + r.count, 0),
  totalMs: rounds.reduce((n, r) => n + r.totalMs, 0),
  maxMs: rounds.reduce((n, r) => Math.max(n, r.maxMs), 0),
  median: {
    totalMs: median(rounds.map((r) => r.totalMs)),
    maxMs: median(rounds.map((r) => r.maxMs)),
    p99Ms: median(rounds.map((r) => r.p99Ms)),
  },
  rounds,
});

/**
 * Each phase of the run: its wall time, the estimate for an idle machine that the mode sets, and
 * (scenarios) one made from the CPU its processes used: the setup's workers run side by side on
 * two cores, the requests one at a time, each plus one settling window. On a busy machine the
 * wall time stretches, the CPU taken much less. `parts`: wall seconds of the setup and each operation.
 * @typedef {{ seconds: number, estimateSeconds: number, cpuEstimateSeconds: number | null, parts: Record<string, number> }} Phase
 * @type {Record<string, Phase>}
 */
const phases = {};
const CORES = 2;
const SETTLE_WINDOW_MS = 20;
/** @param {string} phase @param {number} ms */
const addCpu = (phase, ms) => {
  const p = /** @type {Phase} */ (phases[phase]);
  p.cpuEstimateSeconds = (p.cpuEstimateSeconds ?? 0) + ms / 1000;
};
/**
 * One line on stderr as each phase ends: its time beside its estimates, and the run's time so far.
 * @param {string} phase
 */
const phaseDone = (phase) => {
  const p = /** @type {Phase} */ (phases[phase]);
  const cpu = p.cpuEstimateSeconds === null ? '' : `, ${p.cpuEstimateSeconds.toFixed(0)} s from its CPU`;
  const line = `[${phase}] ${p.seconds.toFixed(0)} s (estimate ${p.estimateSeconds} s${cpu}); ${((Date.now() - started) / 1000).toFixed(0)} s since the start`;
  if (process.stderr.isTTY) process.stderr.write('\r'.padEnd(111));
  process.stderr.write(`${process.stderr.isTTY ? '\r' : ''}${line}\n`);
};
/** @param {string} phase @param {string} part @param {number} since performance.now() at its start */
const timePart = (phase, part, since) => {
  const p = /** @type {Phase} */ (phases[phase]);
  p.parts[part] = (p.parts[part] ?? 0) + (performance.now() - since) / 1000;
};

/** @param {import('./scenarios.mjs').Scenario} scenario */
async function runScenario(scenario) {
  const names = onlyContenders ?? scenario.contenders ?? CONTENDERS;
  progress(
    `[${scenario.id}] ${scenario.entries} sessions, then ${scenario.churnMemory} churn operations, in ${names.length} processes`,
  );
  const phaseStart = performance.now();
  phases[scenario.id] = { seconds: 0, estimateSeconds: scenario.estimateSeconds, cpuEstimateSeconds: 0, parts: {} };
  const churnOps = flag('--no-churn') ? 0 : scenario.churnMemory;
  const workers = await Promise.all(
    names.map((c) => start(c, workerPath, { contender: c, scenario: { ...scenario, churnOps }, libPath, settle })),
  );
  const wasmWorker = /** @type {(typeof workers)[number]} */ (workers.find((w) => w.contender === 'wasm'));
  // The floor holds as much resident memory as the filled wasm cache's process gained.
  const wasmMemory = wasmWorker.ready.memory;
  const floorBytes = wasmMemory.afterFill.rss - wasmMemory.before.rss;
  const floorWorker =
    scenario.floor && (onlyOps === undefined || onlyOps.includes('mixed'))
      ? await start('floor', floorWorkerPath, { scenario, memoryBytes: floorBytes, settle })
      : undefined;
  timePart(scenario.id, 'setup', phaseStart);
  const setupCpu = workers.map((w) => w.ready.cpuMs);
  addCpu(scenario.id, Math.max(...setupCpu, setupCpu.reduce((a, b) => a + b, 0) / CORES) + (floorWorker?.ready.cpuMs ?? 0));
  /** @type {Record<string, Record<string, number[]>>} */
  const rates = Object.fromEntries(names.map((c) => [c, Object.fromEntries(OPERATIONS.map((o) => [o, []]))]));
  /** @type {Record<string, RoundGc[]>} */
  const gcRounds = Object.fromEntries(names.map((c) => [c, []]));
  /** @type {RoundGc[]} */
  const floorRounds = [];
  /** @type {number[]} */
  const floorRates = [];
  const idle = Object.fromEntries(names.map((c) => [c, { cpuMs: 0, settledMs: 0 }]));
  for (let round = 0; round < mode.rounds; round++) {
    for (const op of OPERATIONS) {
      if (onlyOps !== undefined && !onlyOps.includes(op)) continue;
      if (scenario.ops !== undefined && !scenario.ops.includes(op)) continue;
      const opStart = performance.now();
      for (let i = 0; i < workers.length; i++) {
        const w = /** @type {(typeof workers)[number]} */ (workers[(i + round) % workers.length]); // rotate who goes first
        progress(`[${scenario.id}] round ${round + 1}/${mode.rounds} ${op} ${w.contender}`);
        const r = await w.ask({ op, budgetMs: mode.budgetMs });
        rates[w.contender]?.[op]?.push(r.rate);
        addCpu(scenario.id, r.cpuMs + SETTLE_WINDOW_MS);
        const c = /** @type {{ cpuMs: number, settledMs: number }} */ (idle[w.contender]);
        c.cpuMs += r.idleCpuMs;
        c.settledMs += r.settledMs;
        if (r.gc !== undefined) gcRounds[w.contender]?.push(r.gc);
      }
      timePart(scenario.id, op, opStart);
      if (op === 'mixed' && floorWorker !== undefined) {
        const floorStart = performance.now();
        progress(`[${scenario.id}] round ${round + 1}/${mode.rounds} mixed floor`);
        const wasmRate = /** @type {number} */ (rates.wasm?.mixed?.at(-1));
        const r = await floorWorker.ask({ op: 'mixed', opsPerSecond: wasmRate });
        floorRounds.push(r.gc);
        addCpu(scenario.id, r.cpuMs + SETTLE_WINDOW_MS);
        floorRates.push(r.rate);
        timePart(scenario.id, 'floor', floorStart);
      }
    }
  }
  for (const w of workers) w.child.send({ exit: true });
  floorWorker?.child.send({ exit: true });

  const w0 = new Workload(scenario.entries, scenario.sessionBytes);
  const partialKeyBytes = w0.partialKeys.reduce((n, s) => n + s.length, 0) / w0.hosts;
  const payloadBytes = 32 + partialKeyBytes + scenario.sessionBytes;
  /** @type {Record<string, any>} */
  const contenders = {};
  for (const w of workers) {
    const { before, afterFill, afterChurn } = w.ready.memory;
    /** @param {import('./memory.mjs').Memory} a @param {import('./memory.mjs').Memory} b @param {keyof import('./memory.mjs').Memory} field */
    const per = (a, b, field) => (a[field] - b[field]) / scenario.entries;
    const rssAfterFill = per(afterFill, before, 'rss');
    const rssAfterChurn = per(afterChurn, before, 'rss');
    const own = /** @type {Record<string, number[]>} */ (rates[w.contender]);
    contenders[w.contender] = {
      opsPerSecond: Object.fromEntries(OPERATIONS.map((o) => [o, median(/** @type {number[]} */ (own[o]))])),
      rounds: own,
      memoryPerEntry: {
        rssAfterFill,
        heapAfterFill: per(afterFill, before, 'heapUsed'),
        externalAfterFill: per(afterFill, before, 'external'),
        rssAfterChurn,
        heapAfterChurn: per(afterChurn, before, 'heapUsed'),
        churnGrowth: rssAfterChurn / rssAfterFill - 1,
      },
      gc: gcOf(/** @type {RoundGc[]} */ (gcRounds[w.contender])),
      // CPU the worker used while the others were timed, and the time it spent settling
      idle: idle[w.contender],
      heapObjectsPerSession: w.ready.heapObjectsPerSession,
      fillMs: w.ready.fillMs,
    };
  }
  const wasmOps = contenders.wasm.opsPerSecond;
  const ratios = Object.fromEntries(
    OPERATIONS.map((o) => [
      o,
      Object.fromEntries(
        ['lru-cache', 'map', 'mnemonist', 'js']
          .filter((c) => c in contenders)
          .map((c) => [c, wasmOps[o] / contenders[c].opsPerSecond[o]]),
      ),
    ]),
  );
  const floor =
    floorWorker === undefined || floorRounds.length === 0
      ? undefined
      : {
          residentBytes: floorWorker.ready.residentBytes,
          rssBytes: floorWorker.ready.memory.afterFill.rss - floorWorker.ready.memory.before.rss,
          wasmRssBytes: floorBytes,
          opsPerSecond: median(floorRates),
          gc: gcOf(floorRounds),
        };
  /** @type {Phase} */ (phases[scenario.id]).seconds = (performance.now() - phaseStart) / 1000;
  phaseDone(scenario.id);
  return { ...scenario, payloadBytes, contenders, ratios, floor };
}

const started = Date.now();
/** @type {Record<string, any>} */
const results = {
  mode: modeName,
  rounds: mode.rounds,
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
if (!flag('--no-e2e')) {
  const e2eStart = performance.now();
  phases['end to end'] = { seconds: 0, estimateSeconds: mode.e2e.estimateSeconds, cpuEstimateSeconds: null, parts: {} };
  results.endToEnd = await runEndToEnd(mode.e2e, libPath, nodeLibPath, progress);
  /** @type {Phase} */ (phases['end to end']).seconds = (performance.now() - e2eStart) / 1000;
  phaseDone('end to end');
}
if (!flag('--no-extra')) {
  const extras = Object.entries(mode.extra).filter(([id]) => onlyExtra === undefined || onlyExtra.includes(id));
  if (extras.length > 0) results.extras = {};
  for (const [id, { options, estimateSeconds }] of extras) {
    const extraStart = performance.now();
    progress(`[${id}]`);
    const extra = await runExtra(/** @type {import('./extra.mjs').ExtraId} */ (id), options, { libPath, nodeLibPath, progress });
    results.extras[id] = extra;
    if ('notRun' in extra) {
      // one line, and no phase: its estimate does not count
      if (process.stderr.isTTY) process.stderr.write('\r'.padEnd(111));
      process.stderr.write(`${process.stderr.isTTY ? '\r' : ''}[${id}] ${extra.notRun}\n`);
      if (extra.notRun.startsWith('failed')) process.exitCode = 1;
      continue;
    }
    phases[id] = { seconds: (performance.now() - extraStart) / 1000, estimateSeconds, cpuEstimateSeconds: null, parts: {} };
    phaseDone(id);
  }
}
results.targets = evaluateTargets(results, modeName);
results.phases = phases;
results.estimateSeconds = Object.values(phases).reduce((n, p) => n + p.estimateSeconds, 0);
results.seconds = (Date.now() - started) / 1000;
if (process.stderr.isTTY) process.stderr.write(`\r${''.padEnd(110)}\r`);
mkdirSync(outDir, { recursive: true });
writeReport(results, outDir);
