// Waiting, untimed, until this process's background threads are idle. V8 can go on collecting
// garbage on them after an operation returns (up to 1.1 s of CPU, measured at 1M x 1200 B); the
// next contender, timed on the machine's other core, would share the machine with that work.

/**
 * CPU time this process (all its threads) used since `start`, a process.cpuUsage() reading.
 * @param {NodeJS.CpuUsage} start
 */
export const cpuMsSince = (start) => {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
};

const SETTLE_WINDOW_MS = 20;
const SETTLE_BUSY = 0.1; // under 10 % of one core counts as idle: the timer itself costs a little
const SETTLE_MAX_MS = 5000;

/** Resolves once a 20 ms window passes with the process nearly idle (at most 5 s: a process that never quiets down still takes its turn). */
export async function settle() {
  const deadline = performance.now() + SETTLE_MAX_MS;
  for (;;) {
    const before = process.cpuUsage();
    await new Promise((resolve) => setTimeout(resolve, SETTLE_WINDOW_MS));
    if (cpuMsSince(before) < SETTLE_WINDOW_MS * SETTLE_BUSY || performance.now() > deadline) return;
  }
}
