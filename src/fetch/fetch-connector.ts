// createFetchConnector(): a connector for undici (`new Agent({ connect })`, and through
// setGlobalDispatcher Node's own fetch) that does what undici's buildConnector does
// (lib/core/connect.js), except that TLS sessions live in a SessionCache: undici holds each
// session through a WeakRef, so any garbage collection may take them all. Needs nothing from undici.
import net from 'node:net';
import type tls from 'node:tls';
import type { SessionCache } from '../api.js';
import { clientSettings, type ClientSessionOptions } from '../client/client-sessions.js';
import { CLIENT_CACHE_METHODS } from '../client/client-stats.js';
import { checkBoolean, checkCache, checkInteger, checkLive, invalid } from '../tls/validate.js';
import { armConnectTimeout } from './connect-timeout.js';
import { FetchSessions, type FetchConnectorStats } from './fetch-sessions.js';

/** Options of {@link createFetchConnector}: undici's connect options (tls.connect's, plus its own), and the cache. */
export interface FetchConnectorOptions extends Omit<tls.ConnectionOptions, 'timeout' | 'session'>, ClientSessionOptions {
  /** Where TLS sessions live; connectors (and connect(), with the same options) sharing it resume each other's sessions. */
  sessionCache: SessionCache;
  /** Offer HTTP/2 by ALPN (`['http/1.1', 'h2']`); set the Agent's `allowH2` to match. Default false. */
  allowH2?: boolean;
  /** Plain `http:` connections speak HTTP/2 without TLS (h2c). Default false. */
  useH2c?: boolean;
  /** Connect through this Unix socket (a Client's own `socketPath` wins). */
  socketPath?: string | null;
  /** Milliseconds to connect and finish the handshake; 0: no limit. Default 10000 (undici's). */
  timeout?: number | null;
  /** TCP keep-alive. Default true (undici's). */
  keepAlive?: boolean | null;
  /** Milliseconds before the first keep-alive probe. Default 60000 (undici's). */
  keepAliveInitialDelay?: number | null;
  /** net.connect's address selection options (an Agent's own apply only to undici's connector). */
  family?: number;
  hints?: number;
  autoSelectFamily?: boolean;
  autoSelectFamilyAttemptTimeout?: number;
}

/** What tls.connect and net.connect are given. */
type SocketOptions = tls.ConnectionOptions & { localAddress?: string; highWaterMark?: number };

/** What undici passes to a connector for each new connection. */
export interface FetchConnectOptions {
  hostname: string;
  host?: string;
  protocol: string;
  port: string | number;
  servername?: string | null;
  localAddress?: string | null;
  socketPath?: string | null;
  /** An established connection to upgrade to TLS (a proxy tunnel). */
  httpSocket?: net.Socket;
}

/** How a connector reports the connection: undici's `buildConnector.Callback`. */
export type FetchConnectCallback = (...args: [null, net.Socket | tls.TLSSocket] | [Error, null]) => void;

/** A connector function for undici's Agent, Pool and Client `connect` option, with counters. */
export interface FetchConnector {
  (options: FetchConnectOptions, callback: FetchConnectCallback): net.Socket;
  /** The counters since the connector was made (a copy). */
  stats(): FetchConnectorStats;
}

const DEFAULT_CONNECT_TIMEOUT = 10_000;
const DEFAULT_KEEPALIVE_DELAY = 60_000;
/** The options of undici's buildConnector that mean nothing here. */
const REFUSED = {
  session: 'a fixed session would be offered to every destination; sessions come from options.sessionCache',
  maxCachedSessions: "the cache's maxSessions and memoryBytes bound sessions",
} as const;

/** undici's getServerName: the host's name, or null for an IP address (not a valid SNI name). */
function serverNameOf(host: string | undefined): string | null {
  if (!host) return null;
  const name = host[0] === '[' ? host.slice(1, host.indexOf(']')) : host.split(':', 1)[0]!;
  return name === '' || net.isIP(name) ? null : name;
}

/** Throw unless `value` is undefined, null or a non-negative integer of milliseconds. */
function checkMillis(fn: string, value: unknown, name: string): void {
  if (value === null) return;
  checkInteger(fn, value, name, 0, 2 ** 31 - 1);
}

/**
 * A `connect` function for undici (`new Agent({ connect })`, `setGlobalDispatcher`, Node's bundled
 * fetch) whose TLS sessions live in `options.sessionCache` instead of WeakRefs: it offers the
 * newest session stored for the destination, stores every session the server sends (TLS 1.2
 * sessions, TLS 1.3 tickets), deletes an offered session the server did not resume, and keys
 * sessions as connect() does (SNI name, port, every trust option, checkServerIdentity by
 * identity). Other options are undici's connect options; `connector.stats()` reads its counters.
 * A fault of the cache never fails a request.
 *
 * Throws ERR_INVALID_ARGUMENT for bad options, ERR_CACHE_TERMINATED for a terminated cache.
 */
export function createFetchConnector(options: FetchConnectorOptions): FetchConnector {
  const fn = 'createFetchConnector';
  if (typeof options !== 'object' || options === null) invalid(fn, 'options must be an object with a sessionCache');
  const { sessionCache, singleUseTickets, maxSessionsPerHost, allowH2, useH2c, socketPath, timeout, ...connectOptions } = options;
  checkCache(fn, sessionCache, CLIENT_CACHE_METHODS, 'options.sessionCache');
  checkLive(fn, sessionCache);
  const settings = clientSettings(fn, { singleUseTickets, maxSessionsPerHost }, 'options');
  for (const [name, why] of Object.entries(REFUSED)) {
    if ((options as unknown as Record<string, unknown>)[name] !== undefined)
      invalid(fn, `options.${name} is not supported: ${why}`);
  }
  checkBoolean(fn, allowH2, 'options.allowH2');
  checkBoolean(fn, useH2c, 'options.useH2c');
  if (socketPath != null && typeof socketPath !== 'string') invalid(fn, 'options.socketPath must be a string');
  checkMillis(fn, timeout, 'options.timeout');
  checkMillis(fn, options.keepAliveInitialDelay, 'options.keepAliveInitialDelay');

  const sessions = new FetchSessions(sessionCache, settings);
  const connectTimeout = timeout ?? DEFAULT_CONNECT_TIMEOUT;
  const alpn = allowH2 ? ['http/1.1', 'h2'] : ['http/1.1'];

  const connect = (
    { hostname, host, protocol, port, servername, localAddress, socketPath: clientPath, httpSocket }: FetchConnectOptions,
    callback: FetchConnectCallback | null,
  ): net.Socket => {
    // a Client with its own socketPath passes it with each call
    const base: SocketOptions = { path: clientPath ?? socketPath ?? undefined, ...connectOptions };
    let socket: net.Socket;
    if (protocol === 'https:') {
      port ||= 443;
      const tlsOptions: SocketOptions = {
        highWaterMark: 16384,
        ...base,
        servername: servername || connectOptions.servername || serverNameOf(host) || undefined,
        localAddress: localAddress ?? undefined,
        ALPNProtocols: alpn,
        socket: httpSocket,
        port: Number(port),
        host: hostname,
      };
      socket = sessions.connect(tlsOptions);
    } else {
      // undici's own check, as a SessionCacheError (undici hands it to the request as its error)
      if (httpSocket) invalid('createFetchConnector', 'httpSocket can only be sent on TLS update');
      port ||= 80;
      const tcpOptions: SocketOptions = {
        highWaterMark: 64 * 1024,
        ...base,
        localAddress: localAddress ?? undefined,
        port: Number(port),
        host: hostname,
      };
      socket = net.connect(tcpOptions as net.NetConnectOpts);
      if (useH2c) (socket as net.Socket & { alpnProtocol?: string }).alpnProtocol = 'h2';
    }
    if (connectOptions.keepAlive == null || connectOptions.keepAlive) {
      socket.setKeepAlive(true, connectOptions.keepAliveInitialDelay ?? DEFAULT_KEEPALIVE_DELAY);
    }
    const disarm = armConnectTimeout(socket, connectTimeout, hostname, port);
    socket
      .setNoDelay(true)
      .once(protocol === 'https:' ? 'secureConnect' : 'connect', () => {
        disarm();
        const cb = callback;
        callback = null;
        cb?.(null, socket);
      })
      .on('error', (error: Error) => {
        disarm();
        const cb = callback;
        callback = null;
        cb?.(error, null);
      });
    return socket;
  };
  return Object.assign(connect, { stats: () => sessions.stats() });
}
