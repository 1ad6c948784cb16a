// Worker driver (workerd): each request runs the shared smoke script on fresh caches, and adds a
// session to one cache kept across requests (as a server's would be); the answer is JSON.
import * as pkg from 'tls-resumption';
import { runtimeInfo, smoke } from './smoke.mjs';

/** The cache that outlives requests; created on the first one (workerd allows no crypto at global scope). */
let kept;
/** A cache whose sessions live 1 ms, on the default clock: one stored by a request must be gone in the next. */
let expiring;
const EXPIRING_KEY = { partialKey: '', sessionId: Uint8Array.of(7) };

export default {
  async fetch() {
    const result = await smoke(pkg);
    kept ??= pkg.createSessionCache({ role: 'server', maxSessions: 16 });
    const n = kept.size + 1;
    kept.update({ partialKey: '', sessionId: Uint8Array.of(n) }, Uint8Array.of(n, n, n));
    const keptSessions = kept.selectSession('').map((s) => Array.from(s));
    expiring ??= pkg.createSessionCache({ role: 'server', lifetimeSeconds: 0.001 });
    const stillThere = expiring.lookup(EXPIRING_KEY) !== undefined;
    expiring.update(EXPIRING_KEY, Uint8Array.of(7));
    const expiry = { stillThere, expired: expiring.stats().expired };
    return Response.json({ runtime: runtimeInfo(), result, kept: keptSessions, expiry });
  },
};
