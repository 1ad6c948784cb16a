// The client side of the end-to-end benchmark, in its own process: `count` handshakes over
// `lanes` concurrent connections; each lane offers the session its previous connection got.
import tls from 'node:tls';

function handshake(port, session) {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ port, host: '127.0.0.1', rejectUnauthorized: false, session, maxVersion: 'TLSv1.2' });
    let got = session;
    socket.on('session', (s) => {
      got = s;
    });
    socket.on('secureConnect', () => {
      const reused = socket.isSessionReused();
      socket.on('end', () => socket.destroy());
      socket.on('close', () => resolve({ reused, session: got }));
      socket.resume();
    });
    socket.on('error', reject);
  });
}

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
