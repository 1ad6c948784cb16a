// A TLS 1.2 server (tickets off, so resumption goes through the session cache) in its own process,
// resuming through the mode given: 'wasm' (this package), 'map' (a Map in resumeSession, as
// Node's docs show), or 'none' (every handshake full). Reports its CPU time between begin and end.
import crypto from 'node:crypto';
import tls from 'node:tls';

const { mode, key, cert, libPath } = JSON.parse(process.argv[2]);
const server = tls.createServer({
  key, cert, maxVersion: 'TLSv1.2', secureOptions: crypto.constants.SSL_OP_NO_TICKET,
  sessionIdContext: 'bench',
});

if (mode === 'wasm') {
  const lib = await import(libPath);
  const cache = lib.createSessionCache({ role: 'server', maxSessions: 100_000 });
  server.on('newSession', (id, data, done) => {
    cache.update({ partialKey: '', sessionId: id }, data);
    done();
  });
  server.on('resumeSession', (id, done) => {
    let data = null;
    try {
      data = cache.lookup({ partialKey: '', sessionId: id }) ?? null;
    } catch {
      data = null;
    }
    done(null, data === null ? null : Buffer.from(data.buffer, data.byteOffset, data.byteLength));
  });
} else if (mode === 'map') {
  const sessions = new Map();
  server.on('newSession', (id, data, done) => {
    sessions.set(id.toString('hex'), data);
    done();
  });
  server.on('resumeSession', (id, done) => done(null, sessions.get(id.toString('hex')) ?? null));
}

server.on('secureConnection', (socket) => socket.end('x'));
server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));
let cpu;
process.on('message', (m) => {
  if (m === 'begin') {
    cpu = process.cpuUsage();
    process.send('ok');
  } else if (m === 'end') {
    const d = process.cpuUsage(cpu);
    process.send({ cpuMicros: d.user + d.system });
  } else if (m === 'exit') {
    process.exit(0);
  }
});
