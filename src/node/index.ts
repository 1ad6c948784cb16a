// Node-only adapters (node:tls, node:https): the `tls-session-cache/node` subpath.
export { attachSessionCache, UNUSED_CACHE_WARNING } from './attach-server.js';
export type { AttachSessionCacheOptions, SessionCacheAttachment } from './attach-server.js';
export type { ServerCacheStats, ServerSessionStore } from './server-adapter.js';
export { sessionCacheServerOptions } from './server-options.js';
export type { SessionCacheServerOptions, SessionCacheServerOptionsInput } from './server-options.js';
export { connect } from './connect.js';
export type { ConnectSessionOptions } from './connect.js';
export type { ClientSessionOptions } from './client-sessions.js';
export { clientPartialKey } from './client-key.js';
export { createHttpsAgent, agentPartialKey } from './https-agent.js';
export type { HttpsAgentSessionOptions } from './https-agent.js';
export { readSessionHeader, TLS12_VERSION, TLS13_VERSION } from './der.js';
export type { SessionHeader } from './der.js';
