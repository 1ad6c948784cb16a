// bench/cluster.mjs runs and reports every figure (a short run: seconds, not a measurement).
import { expect, test } from 'vitest';

test('bench/cluster.mjs: lookup latency per serialization, both clusters side by side, rotation cost', async () => {
  // @ts-expect-error: a JavaScript module without declarations
  const { runClusterBench } = await import('../../bench/cluster.mjs');
  const figures = await runClusterBench({ seconds: 0.5, rounds: 1, lookups: 200, concurrency: 2, rotationClients: 20 });
  for (const mode of ['advanced', 'json']) {
    expect(figures.lookup[mode].channel).toBe(mode);
    expect(figures.lookup[mode].ipc.samples).toBe(200);
    expect(figures.lookup[mode].local.samples).toBe(2000);
  }
  for (const mode of ['clusterStore', 'perWorker']) {
    expect(figures.endToEnd[mode].handshakes).toBeGreaterThan(0);
    expect(figures.endToEnd[mode].errors).toBe(0);
  }
  // the figures only (the bench's store waits 1 s at most; resumption is asserted in cluster.test.ts)
  expect(figures.endToEnd.clusterStore.resumed).toBeGreaterThan(0);
  expect(figures.rotation).toMatchObject({ reconnects: 20, errors: 0 });
});
