import { handshake } from './loopback.mjs';

process.on('message', async ({ port, count, lanes }) => {
  let next = 0;
  let resumed = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: lanes }, async () => {
      let session;
      while (next < count) {
        next++;
        const r = await handshake(port, session);
        if (r.reused) resumed++;
        session = r.session;
      }
    }),
  );
  process.send?.({ seconds: (performance.now() - start) / 1000, resumed });
});
