// The `tls-resumption/node` subpath: Node-only capabilities, each in its own folder (server/,
// client/, fetch/, cluster/, tickets/), over the API (api.ts) and the helpers they share (tls/).
export { attachSessionCache, UNUSED_CACHE_WARNING } from './server/attach-server.js';
export type { AttachSessionCacheOptions, SessionCacheAttachment } from './server/attach-server.js';
export type { ServerCacheStats, ServerSessionStore } from './server/server-adapter.js';
export { sessionCacheServerOptions } from './server/server-options.js';
export type { SessionCacheServerOptions, SessionCacheServerOptionsInput } from './server/server-options.js';
export { connect } from './client/connect.js';
export type { ConnectSessionOptions } from './client/connect.js';
export type { ClientSessionOptions } from './client/client-sessions.js';
export { clientPartialKey } from './client/client-key.js';
export { createHttpsAgent, agentPartialKey } from './client/https-agent.js';
export type { HttpsAgentSessionOptions, SessionCacheHttpsAgent } from './client/https-agent.js';
export { clientSessionStats } from './client/client-stats.js';
export type { ClientSessionStats } from './client/client-stats.js';
export { readSessionHeader, TLS12_VERSION, TLS13_VERSION } from './tls/der.js';
export type { SessionHeader } from './tls/der.js';

// Outbound fetch (undici): a connector that keeps its sessions in a cache (fetch/).
export { createFetchConnector } from './fetch/fetch-connector.js';
export type {
  FetchConnectCallback,
  FetchConnectOptions,
  FetchConnector,
  FetchConnectorOptions,
} from './fetch/fetch-connector.js';
export type { FetchConnectorStats } from './fetch/fetch-sessions.js';

// Scaling out: one session cache for a node:cluster (cluster/), rotating ticket keys (tickets/).
export { serveClusterSessionCache } from './cluster/serve-primary.js';
export type {
  ClusterRequestCounts,
  ClusterServedStore,
  ClusterSessionCacheServer,
  ClusterSessionCacheStats,
  ClusterWorkerStats,
  ServeClusterSessionCacheOptions,
} from './cluster/serve-primary.js';
export { clusterSessionStore } from './cluster/worker-store.js';
export type { ClusterSessionStore, ClusterSessionStoreOptions, ClusterStoreStats, StatsSource } from './cluster/worker-store.js';
export { attachTicketKeys } from './tickets/attach-ticket-keys.js';
export type { AttachTicketKeysOptions, TicketKeysAttachment } from './tickets/attach-ticket-keys.js';
export { serveClusterTicketKeys } from './tickets/serve-ticket-keys.js';
export type { ClusterTicketKeys, ServeClusterTicketKeysOptions } from './tickets/serve-ticket-keys.js';
export { DEFAULT_ROTATE_SECONDS } from './tickets/check-options.js';
// A fleet: sessions shared through Redis, sealed (src/fleet/).
export { createRedisSessionStore } from './fleet/redis-store.js';
export type { RedisSessionStore, RedisSessionStoreOptions, RedisSessionStoreStats } from './fleet/store-types.js';
export type { FleetKey, FleetKeyring } from './fleet/keyring.js';
export type { IoRedisLike, NodeRedisLike, RedisClientLike } from './fleet/redis-client.js';
