// The contenders, all behind one session-cache interface shaped after what a TLS terminator does:
// keys are { partialKey: 'host:port', sessionId: Buffer(32) }, sessions are Buffers.
//
// This package's caches copy on lookup (lookup) or hand out a view (lookupView) or fill the
// caller's buffer (lookupInto). The pure-JS contenders return the Buffer they store (no copy:
// their natural API, and the cheapest for them), store a copy on update (Buffer.from, pooled as
// Node does), key by a latin1 string, and index partial keys in a Map of Sets for selectSession.
import { LRUCache } from 'lru-cache';
// mnemonist's LRUMap cannot delete; LRUMapWithDelete is the same map with delete (churn needs it).
import { LRUMapWithDelete } from 'mnemonist';

/** Latin1 string of a key: the usual way to key a JS Map by bytes. */
const keyString = (k) => `${k.partialKey}\0${k.sessionId.toString('latin1')}`;

/** partialKey -> Set of key strings, oldest first, for the JS contenders' selectSession. */
class PartialIndex {
  groups = new Map();
  add(pk, ks) {
    let g = this.groups.get(pk);
    if (g === undefined) {
      g = new Set();
      this.groups.set(pk, g);
    }
    g.add(ks);
  }
  remove(ks) {
    const pk = ks.slice(0, ks.indexOf('\0'));
    const g = this.groups.get(pk);
    if (g?.delete(ks) && g.size === 0) this.groups.delete(pk);
  }
  select(pk, get) {
    const g = this.groups.get(pk);
    if (g === undefined) return [];
    const out = [];
    for (const ks of g) out.push(get(ks));
    return out.reverse();
  }
}

function packageContender(name, create, lib, { capacity, sessionBytes, lifetimeSeconds }) {
  const cache = lib[create]({
    role: 'client',
    maxSessions: capacity,
    maxSessionBytes: Math.max(sessionBytes, 16384),
    // sessions with their 32-byte ids and partial keys of up to 24 bytes
    memoryBytes: capacity * lib.recordBytes(24, 32, sessionBytes),
    lifetimeSeconds,
  });
  return {
    name,
    lookup: (k) => cache.lookup(k),
    lookupView: (k) => cache.lookupView(k),
    lookupInto: (k, target) => cache.lookupInto(k, target),
    lookupMany: (keys) => cache.lookupMany(keys),
    update: (k, s) => cache.update(k, s),
    delete: (k) => cache.delete(k),
    select: (pk) => cache.selectSession(pk),
    size: () => cache.size,
    stats: () => cache.stats(),
  };
}

/** Build a contender by name. `lib` is the package under test (its index module). */
export function createContender(name, lib, options) {
  const { capacity, lifetimeSeconds } = options;
  switch (name) {
    case 'wasm':
      return packageContender(name, 'createSessionCache', lib, options);
    case 'js':
      return packageContender(name, 'createJsSessionCache', lib, options);
    case 'map': {
      // A bounded Map, oldest first (insertion order), as Node's own https.Agent keeps sessions.
      const map = new Map();
      const index = new PartialIndex();
      const get = (ks) => map.get(ks);
      return {
        name,
        lookup: (k) => map.get(keyString(k)),
        update(k, s) {
          const ks = keyString(k);
          if (!map.delete(ks) && map.size >= capacity) {
            const oldest = map.keys().next().value;
            map.delete(oldest);
            index.remove(oldest);
          }
          map.set(ks, Buffer.from(s));
          index.add(k.partialKey, ks);
        },
        delete(k) {
          const ks = keyString(k);
          if (!map.delete(ks)) return false;
          index.remove(ks);
          return true;
        },
        select: (pk) => index.select(pk, get),
        size: () => map.size,
      };
    }
    case 'lru-cache': {
      const index = new PartialIndex();
      const lru = new LRUCache({
        max: capacity,
        ttl: lifetimeSeconds * 1000,
        dispose: (_v, ks, reason) => {
          if (reason !== 'set') index.remove(ks);
        },
      });
      const get = (ks) => lru.get(ks);
      return {
        name,
        lookup: (k) => lru.get(keyString(k)),
        update(k, s) {
          const ks = keyString(k);
          lru.set(ks, Buffer.from(s));
          index.add(k.partialKey, ks);
        },
        delete: (k) => lru.delete(keyString(k)),
        select: (pk) => index.select(pk, get),
        size: () => lru.size,
      };
    }
    case 'mnemonist': {
      const index = new PartialIndex();
      const lru = new LRUMapWithDelete(capacity);
      const get = (ks) => lru.get(ks);
      return {
        name,
        lookup: (k) => lru.get(keyString(k)),
        update(k, s) {
          const ks = keyString(k);
          const evicted = lru.setpop(ks, Buffer.from(s));
          if (evicted?.evicted) index.remove(evicted.key);
          index.add(k.partialKey, ks);
        },
        delete(k) {
          const ks = keyString(k);
          if (!lru.delete(ks)) return false;
          index.remove(ks);
          return true;
        },
        select: (pk) => index.select(pk, get),
        size: () => lru.size,
      };
    }
    default:
      throw new Error(`unknown contender ${name}`);
  }
}

export const CONTENDERS = ['wasm', 'js', 'map', 'lru-cache', 'mnemonist'];
