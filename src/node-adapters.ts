// The `tls-resumption/node` subpath: Node-only capabilities, each in its own folder (server/,
// client/), over the API (api.ts) and the helpers they share (tls/).
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
export type { HttpsAgentSessionOptions } from './client/https-agent.js';
export { readSessionHeader, TLS12_VERSION, TLS13_VERSION } from './tls/der.js';
export type { SessionHeader } from './tls/der.js';
// A fleet: sessions shared through Redis, sealed (src/fleet/).
export { createRedisSessionStore } from './fleet/redis-store.js';
export type { RedisSessionStore, RedisSessionStoreOptions, RedisSessionStoreStats } from './fleet/store-types.js';
export type { FleetKey, FleetKeyring } from './fleet/keyring.js';
export type { IoRedisLike, NodeRedisLike, RedisClientLike } from './fleet/redis-client.js';
