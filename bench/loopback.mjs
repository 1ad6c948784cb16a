// Loopback helpers shared by the benchmark scripts.
import net from 'node:net';
import tls from 'node:tls';

/**
 * A free loopback port. There is a small race (another process may take it before the caller
 * listens); the scripts fail loudly if it is lost.
 * @returns {Promise<number>}
 */
export function freePort() {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = /** @type {net.AddressInfo} */ (probe.address());
      probe.close(() => resolve(port));
    });
  });
}

/**
 * One TLS 1.2 connection to `port` offering `session`, read to the server's end: whether it
 * resumed, and the newest session it got.
 * @param {number} port
 * @param {Buffer | undefined} session
 * @returns {Promise<{ reused: boolean, session: Buffer | undefined }>}
 */
export function handshake(port, session) {
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
