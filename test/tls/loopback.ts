// Real TLS on 127.0.0.1 for the tests: servers that record whether each connection resumed,
// clients that report what happened, and a hand-built TLS 1.2 ClientHello for hostile-id tests.
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import tls from 'node:tls';

export interface TestServer<S extends net.Server = tls.Server> {
  server: S;
  port: number;
  /** Server-side isSessionReused() of each secure connection, in order. */
  reused: boolean[];
  /** Resolves once every TCP connection accepted so far has closed. */
  idle(): Promise<void>;
  close(): Promise<void>;
}

/** Listen on 127.0.0.1 with `server` (already configured), tracking its connections. */
export async function serve<S extends net.Server>(server: S, reused: boolean[] = []): Promise<TestServer<S>> {
  const open = new Map<net.Socket, Promise<void>>();
  server.on('connection', (socket: net.Socket) => {
    open.set(
      socket,
      new Promise((resolve) =>
        socket.once('close', () => {
          open.delete(socket);
          resolve();
        }),
      ),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    server,
    port,
    reused,
    async idle() {
      while (open.size > 0) await Promise.all(open.values());
    },
    async close() {
      for (const socket of open.keys()) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A TLS server answering "ok\n" to every connection; `setup` runs before it listens. */
export function startTlsServer(options: tls.TlsOptions, setup?: (server: tls.Server) => void): Promise<TestServer> {
  const reused: boolean[] = [];
  const server = tls.createServer(options, (socket) => {
    reused.push(socket.isSessionReused());
    socket.on('error', () => {});
    socket.end('ok\n');
  });
  setup?.(server);
  return serve(server, reused);
}

export interface ClientResult {
  /** Client-side isSessionReused() at secureConnect. */
  reused: boolean;
  protocol: string | null;
  /** The negotiated cipher suite (OpenSSL name). */
  cipher: string | undefined;
  /** Fingerprint (SHA-256) of the server's certificate. */
  fingerprint: string | undefined;
  /** Sessions the server sent (the 'session' events), in order. */
  sessions: Buffer[];
  data: string;
}

/** Wait for a client socket to finish (the test servers end every connection). */
export function finish(socket: tls.TLSSocket): Promise<ClientResult> {
  return new Promise((resolve, reject) => {
    const result: ClientResult = {
      reused: false,
      protocol: null,
      cipher: undefined,
      fingerprint: undefined,
      sessions: [],
      data: '',
    };
    socket.on('session', (session: Buffer) => result.sessions.push(session));
    socket.once('secureConnect', () => {
      result.reused = socket.isSessionReused();
      result.protocol = socket.getProtocol();
      result.cipher = socket.getCipher()?.name;
      result.fingerprint = socket.getPeerCertificate().fingerprint256;
    });
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (result.data += chunk));
    socket.once('error', reject);
    socket.once('close', () => resolve(result));
  });
}

/** One connection with plain tls.connect (Node's own client session handling). */
export function plainConnect(options: tls.ConnectionOptions): Promise<ClientResult> {
  return finish(tls.connect(options));
}

const record = (type: number, body: Buffer) =>
  Buffer.concat([Buffer.from([type, 3, 1, body.length >> 8, body.length & 255]), body]);

/** A TLS 1.2 ClientHello carrying `sessionId` (ECDHE with AES-GCM, P-256; no ticket extension). */
export function clientHello(sessionId: Uint8Array): Buffer {
  const extensions = Buffer.from([
    0x00,
    0x0a,
    0x00,
    0x04,
    0x00,
    0x02,
    0x00,
    0x17, // supported_groups: secp256r1
    0x00,
    0x0b,
    0x00,
    0x02,
    0x01,
    0x00, // ec_point_formats: uncompressed
    0x00,
    0x0d,
    0x00,
    0x08,
    0x00,
    0x06,
    0x04,
    0x03,
    0x08,
    0x04,
    0x04,
    0x01, // signature_algorithms
  ]);
  const suites = Buffer.from([0xc0, 0x2b, 0xc0, 0x2f, 0xc0, 0x2c, 0xc0, 0x30]);
  const body = Buffer.concat([
    Buffer.from([3, 3]),
    randomBytes(32),
    Buffer.from([sessionId.length]),
    sessionId,
    Buffer.from([0, suites.length]),
    suites,
    Buffer.from([1, 0]),
    Buffer.from([0, extensions.length]),
    extensions,
  ]);
  const handshake = Buffer.concat([Buffer.from([1, 0, body.length >> 8, body.length & 255]), body]);
  return record(0x16, handshake);
}

/**
 * Send a raw ClientHello with `sessionId`, read the ServerHello, close the TCP connection.
 * Resolves with the session id in the ServerHello (the same id means "resumed"), or undefined if
 * the server sent no ServerHello.
 */
export function rawHello(port: number, sessionId: Uint8Array): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write(clientHello(sessionId)));
    let received = Buffer.alloc(0);
    let answer: Buffer | undefined;
    const done = () => {
      socket.destroy();
      resolve(answer);
    };
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      // record(5) handshake header(4) version(2) random(32) then the session id, length-prefixed
      if (received.length < 44) return;
      if (received[0] !== 0x16 || received[5] !== 2) return done();
      const length = received[43]!;
      if (received.length < 44 + length) return;
      answer = Buffer.from(received.subarray(44, 44 + length));
      done();
    });
    socket.on('error', done);
    socket.on('close', done);
  });
}
