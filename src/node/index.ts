// Node-only adapters (node:tls, node:https): the `tls-session-cache/node` subpath.
// Filled in by the Node TLS integration work (issue 3).
export {};
