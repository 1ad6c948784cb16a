// The library as the command line uses it: the API with the core loaded (the Node entry's job,
// which a program importing the API module directly has to do itself), and the server adapters.
import { loadCoreFromFile } from '../load-node.js';

loadCoreFromFile();

export * from '../api.js';
export { attachSessionCache } from '../server/attach-server.js';
export { sessionCacheServerOptions } from '../server/server-options.js';
