// What each benchmark mode runs. `full` is the reference run; `quick` keeps the same shape at
// smaller sizes (under 2 minutes); `smoke` only proves the harness works (CI, seconds).

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

const scenario = (id, entries, sessionBytes, extra) => ({
  id,
  entries,
  sessionBytes,
  heapObjects: false,
  newKeys: Math.max(100, entries / 10),
  ...extra,
});

// Keys per timed pass: the quick run uses fewer, so a slow contender's pass stays short.
// gcWaitMs: how long the mixed stream waits for GC entries after its run (they arrive late).
const QUICK = { hitKeys: 1 << 14, gcWaitMs: 100 };

// settle: workers wait for their background GC work before replying (see bench/worker.mjs). The
// quick run skips it: over its 1000 short requests the waits would add at least 20 s.
export const MODES = {
  full: {
    settle: true,
    rounds: 7,
    budgetMs: 300,
    scenarios: [
      scenario('160B-10k', 10_000, 160, { churn: 100_000, mixed: 500_000, churnMemory: 1_000_000, heapObjects: true }),
      scenario('160B-1M', 1_000_000, 160, { churn: 200_000, mixed: 1_000_000, churnMemory: 5_000_000 }),
      scenario('1200B-1M', 1_000_000, 1200, { churn: 200_000, mixed: 1_000_000, churnMemory: 5_000_000 }),
      scenario('4000B-100k', 100_000, 4000, { churn: 100_000, mixed: 500_000, churnMemory: 1_000_000 }),
    ],
    e2e: { handshakes: 3000, rounds: 9 },
  },
  quick: {
    settle: false,
    rounds: 5,
    budgetMs: 15,
    scenarios: [
      scenario('160B-10k', 10_000, 160, { ...QUICK, churn: 20_000, mixed: 50_000, churnMemory: 100_000, heapObjects: true }),
      scenario('160B-100k', 100_000, 160, { ...QUICK, churn: 20_000, mixed: 50_000, churnMemory: 100_000 }),
      scenario('1200B-100k', 100_000, 1200, { ...QUICK, churn: 20_000, mixed: 50_000, churnMemory: 100_000 }),
      scenario('4000B-20k', 20_000, 4000, { ...QUICK, churn: 10_000, mixed: 30_000, churnMemory: 100_000 }),
    ],
    e2e: { handshakes: 300, rounds: 3 },
  },
  smoke: {
    settle: true,
    rounds: 1,
    budgetMs: 2,
    scenarios: [scenario('160B-1k', 1000, 160, { churn: 500, mixed: 2000, churnMemory: 2000, heapObjects: true })],
    e2e: { handshakes: 10, rounds: 1 },
  },
};
