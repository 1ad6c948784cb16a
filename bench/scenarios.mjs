// What each benchmark mode runs. `default` (`npm run bench`) measures every target at the sizes
// the targets name, with fewer and shorter rounds, in under 10 minutes on an idle 2-core machine;
// `full` (`npm run bench -- --full`) is the long reference run; `quick` keeps the shape at smaller
// sizes (indicative only); `smoke` only proves the harness works (CI, seconds).
export const OPERATIONS = [
  'lookup-hit',
  'lookup-hit-view',
  'lookup-hit-into',
  'lookup-hit-many',
  'lookup-miss',
  'update-replace',
  'select-session',
  'update-new',
  'churn',
  'mixed',
];

/**
 * @typedef {object} Scenario
 * @property {string} id
 * @property {number} entries sessions stored after the fill
 * @property {number} sessionBytes size of each session
 * @property {boolean} heapObjects whether to count JS heap objects per session (slow: small sizes only)
 * @property {boolean} floor whether to measure the GC floor of the copying lookup beside it (bench/floor.mjs)
 * @property {number} newKeys sessions update-new stores (and removes again)
 * @property {number} churn churn steps per timed churn pass
 * @property {number} mixed operations per mixed stream
 * @property {number} churnMemory untimed churn steps before the memory figure after churn
 * @property {number} [hitKeys] keys per timed lookup pass (default 65536)
 * @property {number} [gcWaitMs] how long the mixed stream waits for GC entries after its run
 * @property {number} estimateSeconds expected wall time of the scenario on an idle 2-core machine
 * @property {string[]} [contenders] the contenders run (default: all of bench/contenders.mjs)
 * @property {string[]} [ops] the operations timed (default: all of OPERATIONS)
 */

/**
 * @typedef {object} Mode
 * @property {boolean} settle workers wait for their background GC work before replying (bench/worker.mjs)
 * @property {number} rounds rounds per scenario; each target is judged by the median over them
 * @property {number} budgetMs time per timed pass of the budgeted operations
 * @property {Scenario[]} scenarios
 * @property {{ handshakes: number, rounds: number, estimateSeconds: number }} e2e
 * @property {Partial<Record<'cluster' | 'fetch' | 'fleet' | 'terminators', Extra>>} extra the phases run after
 *   the end-to-end one, in this order (bench/extra.mjs), each with its script's options
 */

/**
 * @typedef {object} Extra
 * @property {Record<string, any>} options passed to the phase's script (see its run function)
 * @property {number} estimateSeconds expected wall time on an idle 2-core machine
 */

/**
 * @param {string} id
 * @param {number} entries
 * @param {number} sessionBytes
 * @param {Partial<Scenario> & { churn: number, mixed: number, churnMemory: number, estimateSeconds: number }} extra
 * @returns {Scenario}
 */
const scenario = (id, entries, sessionBytes, extra) => ({
  id,
  entries,
  sessionBytes,
  heapObjects: false,
  floor: false,
  newKeys: Math.max(100, entries / 10),
  ...extra,
});

// Keys per timed pass: the quick run uses fewer, so a slow contender's pass stays short.
// gcWaitMs: how long the mixed stream waits for GC entries after its run (they arrive late).
const QUICK = { hitKeys: 1 << 14, gcWaitMs: 100 };
const AT_1M = { churn: 50_000, mixed: 500_000, churnMemory: 1_000_000, contenders: ['wasm', 'map', 'lru-cache'] };

// settle: workers wait for their background GC work before replying (see bench/worker.mjs). The
// quick run skips it: over its 1000 short requests the waits would add at least 20 s.
/** @type {Record<'default' | 'full' | 'quick' | 'smoke', Mode>} */
export const MODES = {
  // Every target at its own size, judged by the median of 5 rounds; each scenario times the
  // operations its targets name (and lookup-hit, for scale), the 1M scenarios run only the
  // contenders the targets compare with, and streams and churn are shorter. The other figures
  // are the full run's.
  default: {
    settle: true,
    rounds: 5,
    budgetMs: 100,
    scenarios: [
      scenario('160B-10k', 10_000, 160, {
        churn: 50_000,
        mixed: 200_000,
        churnMemory: 200_000,
        heapObjects: true,
        ops: ['lookup-hit', 'lookup-hit-into', 'mixed'],
        estimateSeconds: 45,
      }),
      scenario('160B-1M', 1_000_000, 160, {
        ...AT_1M,
        ops: ['lookup-hit', 'lookup-hit-into', 'lookup-miss', 'mixed'],
        estimateSeconds: 85,
      }),
      scenario('1200B-1M', 1_000_000, 1200, {
        ...AT_1M,
        ops: ['lookup-hit', 'lookup-miss', 'update-replace', 'update-new', 'churn', 'mixed'],
        floor: true,
        estimateSeconds: 250,
      }),
      scenario('4000B-100k', 100_000, 4000, {
        churn: 50_000,
        mixed: 200_000,
        churnMemory: 500_000,
        ops: ['lookup-hit', 'lookup-hit-view', 'lookup-hit-into', 'mixed'],
        estimateSeconds: 90,
      }),
    ],
    e2e: { handshakes: 1000, rounds: 5, estimateSeconds: 25 },
    // shorter than the scripts' own defaults: 2 rounds of 2 s per cluster; the two connectors
    // compared (not the no-GC control), 3 repeats over 300 names within 20 s
    extra: {
      cluster: { options: { seconds: 2, rounds: 2 }, estimateSeconds: 12 },
      fetch: {
        options: { names: 300, rounds: 3, repeats: 3, budgetSeconds: 20, connectors: ['undici default', 'tls-resumption'] },
        estimateSeconds: 20,
      },
    },
  },
  full: {
    settle: true,
    rounds: 7,
    budgetMs: 300,
    scenarios: [
      scenario('160B-10k', 10_000, 160, {
        churn: 100_000,
        mixed: 500_000,
        churnMemory: 1_000_000,
        heapObjects: true,
        estimateSeconds: 150,
      }),
      scenario('160B-1M', 1_000_000, 160, { churn: 200_000, mixed: 1_000_000, churnMemory: 5_000_000, estimateSeconds: 700 }),
      scenario('1200B-1M', 1_000_000, 1200, {
        churn: 200_000,
        mixed: 1_000_000,
        churnMemory: 5_000_000,
        floor: true,
        estimateSeconds: 900,
      }),
      scenario('4000B-100k', 100_000, 4000, { churn: 100_000, mixed: 500_000, churnMemory: 1_000_000, estimateSeconds: 300 }),
    ],
    e2e: { handshakes: 3000, rounds: 9, estimateSeconds: 180 },
    // the scripts' own defaults, cluster with a third round
    extra: {
      cluster: { options: { seconds: 3, rounds: 3 }, estimateSeconds: 25 },
      fetch: { options: {}, estimateSeconds: 35 },
      fleet: { options: {}, estimateSeconds: 30 },
      terminators: { options: { seconds: 5, rounds: 3 }, estimateSeconds: 110 },
    },
  },
  quick: {
    settle: false,
    rounds: 5,
    budgetMs: 15,
    scenarios: [
      scenario('160B-10k', 10_000, 160, {
        ...QUICK,
        churn: 20_000,
        mixed: 50_000,
        churnMemory: 100_000,
        heapObjects: true,
        estimateSeconds: 20,
      }),
      scenario('160B-100k', 100_000, 160, { ...QUICK, churn: 20_000, mixed: 50_000, churnMemory: 100_000, estimateSeconds: 15 }),
      scenario('1200B-100k', 100_000, 1200, {
        ...QUICK,
        churn: 20_000,
        mixed: 50_000,
        churnMemory: 100_000,
        floor: true,
        estimateSeconds: 20,
      }),
      scenario('4000B-20k', 20_000, 4000, { ...QUICK, churn: 10_000, mixed: 30_000, churnMemory: 100_000, estimateSeconds: 10 }),
    ],
    e2e: { handshakes: 300, rounds: 3, estimateSeconds: 15 },
    extra: {},
  },
  smoke: {
    settle: true,
    rounds: 1,
    budgetMs: 2,
    scenarios: [
      scenario('160B-1k', 1000, 160, {
        churn: 500,
        mixed: 2000,
        churnMemory: 2000,
        heapObjects: true,
        floor: true,
        estimateSeconds: 10,
      }),
    ],
    e2e: { handshakes: 10, rounds: 1, estimateSeconds: 5 },
    // a second or two each, so the wiring cannot rot (fleet has its own smoke test; test/bench/extra.test.ts
    // formats all four phases' figures)
    extra: {
      cluster: { options: { seconds: 0.5, rounds: 1, lookups: 200, concurrency: 4, rotationClients: 10 }, estimateSeconds: 3 },
      fetch: {
        options: { names: 20, rounds: 2, repeats: 1, budgetSeconds: 10, connectors: ['undici default', 'tls-resumption'] },
        estimateSeconds: 2,
      },
    },
  },
};

/**
 * The mode the command line asks for: `--full`, `--quick` or `--smoke` (at most one), else `default`.
 * @param {string[]} args
 * @returns {keyof typeof MODES}
 */
export function modeFromArgs(args) {
  const asked = /** @type {const} */ (['full', 'quick', 'smoke']).filter((m) => args.includes(`--${m}`));
  if (asked.length > 1) throw new Error(`choose one of --${asked.join(', --')}`);
  return asked[0] ?? 'default';
}
