// A TLS 1.2 server (tickets off, so resumption goes through the session cache) in its own process,
// resuming through the mode given: 'wasm' (this package's cache through its node:tls adapter),
// 'map' (a Map in resumeSession, as Node's docs show), or 'none' (every handshake full). All three
// use the same server options. Reports its CPU time between begin and end.
import tls from 'node:tls';

const { mode, key, cert, libPath, nodeLibPath } = JSON.parse(process.argv[2]);
const { createSessionCache } = await import(libPath);
const { attachSessionCache, sessionCacheServerOptions } = await import(nodeLibPath);
const server = tls.createServer({ key, cert, ...sessionCacheServerOptions({ sessionIdContext: 'bench' }) });

if (mode === 'wasm') {
  attachSessionCache(server, createSessionCache({ role: 'server', maxSessions: 100_000 }));
} else if (mode === 'map') {
  const sessions = new Map();
  server.on('newSession', (id, data, done) => {
    sessions.set(id.toString('hex'), data);
    done();
  });
  server.on('resumeSession', (id, done) => done(null, sessions.get(id.toString('hex')) ?? null));
}

server.on('secureConnection', (socket) => socket.end('x'));
server.listen(0, '127.0.0.1', () =>
  process.send?.({ port: /** @type {import('node:net').AddressInfo} */ (server.address()).port }),
);
let cpu;
process.on('message', (m) => {
  if (m === 'begin') {
    cpu = process.cpuUsage();
    process.send?.('ok');
  } else if (m === 'end') {
    const d = process.cpuUsage(cpu);
    process.send?.({ cpuMicros: d.user + d.system });
  } else if (m === 'exit') {
    process.exit(0);
  }
});
