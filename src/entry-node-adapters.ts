/**
 * `tls-resumption/node`: the adapters for node:tls / node:https (src/server/, src/client/). Node-only, so
 * kept out of the `.` entry that edge runtimes bundle. Loads the core as the Node entry does, so
 * the adapters work even when `.` was never imported.
 * @packageDocumentation
 */
import { loadCoreFromFile } from './load-node.js';

loadCoreFromFile();

export * from './node-adapters.js';
