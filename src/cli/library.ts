// The library as the command line uses it: the API with the core loaded (the Node entry's job,
// which a program importing the API module directly has to do itself), and the capabilities the
// terminator uses.
import { loadCoreFromFile } from '../load-node.js';

loadCoreFromFile();

export * from '../api.js';
export { attachSessionCache, type SessionCacheAttachment } from '../server/attach-server.js';
export type { ServerCacheStats, ServerSessionStore } from '../server/server-adapter.js';
export { sessionCacheServerOptions } from '../server/server-options.js';
export { serveClusterSessionCache } from '../cluster/serve-primary.js';
export { clusterSessionStore } from '../cluster/worker-store.js';
export { attachTicketKeys } from '../tickets/attach-ticket-keys.js';
export { serveClusterTicketKeys } from '../tickets/serve-ticket-keys.js';
export { createRedisSessionStore } from '../fleet/redis-store.js';
export type { RedisSessionStore } from '../fleet/store-types.js';
export type { FleetKeyring } from '../fleet/keyring.js';
export type { RedisClientLike } from '../fleet/redis-client.js';
