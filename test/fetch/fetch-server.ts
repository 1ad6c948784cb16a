// HTTPS (and HTTP/2) servers on loopback for the fetch connector's tests: every name resolves to
// 127.0.0.1 (`lookup`), each connection's server-side isSessionReused() is recorded, and each
// response closes its connection, so every fetch makes a new TLS connection.
import http from 'node:http';
import http2 from 'node:http2';
import https from 'node:https';
import type net from 'node:net';
import type tls from 'node:tls';
import { serve, type TestServer } from '../tls/loopback.js';

/** net.connect's lookup, answering 127.0.0.1 for every name (`all` when it races address families). */
export const lookup: net.LookupFunction = (_hostname, options, callback) => {
  if (options?.all) callback(null, [{ address: '127.0.0.1', family: 4 }]);
  else callback(null, '127.0.0.1', 4);
};

/** Record each secure connection's isSessionReused() in `reused`. */
function recordResumption(server: net.Server, reused: boolean[]): void {
  server.on('secureConnection', (socket: tls.TLSSocket) => reused.push(socket.isSessionReused()));
}

/** An HTTPS server answering "ok" and closing each connection after its response. */
export function startHttpsServer(options: https.ServerOptions): Promise<TestServer<https.Server>> {
  const reused: boolean[] = [];
  const server = https.createServer(options, (_req, res) => {
    res.setHeader('connection', 'close');
    res.end('ok');
  });
  recordResumption(server, reused);
  return serve(server, reused);
}

/** An HTTP/2 server (ALPN h2 and http/1.1) answering with the HTTP version it spoke. */
export function startHttp2Server(options: http2.SecureServerOptions): Promise<TestServer<http2.Http2SecureServer>> {
  const reused: boolean[] = [];
  const server = http2.createSecureServer({ ...options, allowHTTP1: true }, (req, res) => res.end(req.httpVersion));
  recordResumption(server, reused);
  return serve(server, reused);
}

/** A plain HTTP server answering "plain". */
export function startHttpServer(): Promise<TestServer<http.Server>> {
  return serve(http.createServer((_req, res) => res.end('plain')));
}
