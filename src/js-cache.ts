// The pure-JS session cache: the same semantics as the WebAssembly one, step for step (it is the
// reference the differential tests compare against, and the baseline of the benchmarks).
// A Map keeps the age order (insertion order; a replaced session is re-inserted at the end).
import { badClock, coarseNow } from './clock.js';
import { fixedView, isUint8Array, lengthOf } from './byte-views.js';
import { copyBytes, copyOut, setBytes } from './copy.js';
import { SWEEP_ON_UPDATE } from './core-interface.js';
import { ErrorCodes, SessionCacheError, fail } from './errors.js';
import {
  checkKeyObject,
  checkKeyParts,
  fixedPartialKey,
  isAscii,
  utf8PartialKey,
  validatePartialKey,
  validateSession,
} from './keys.js';
import { MAX_FOLDS, MAX_LOOKUP_MANY_KEYS, recordBytes } from './limits.js';
import { resolveOptions } from './options.js';
import type {
  PartialKey,
  ResolvedSessionCacheOptions,
  SessionCache,
  SessionCacheEntry,
  SessionCacheOptions,
  SessionCacheStats,
  SessionKey,
} from './types.js';

interface Group {
  /** Latin-1 string of the partial key's bytes: the Map key. */
  readonly id: string;
  readonly bytes: Uint8Array;
  /** Sessions of the group, oldest first. */
  readonly entries: Set<Entry>;
}

interface Entry {
  readonly id: string;
  readonly group: Group;
  /** Whether the session was stored under a string partial key (foldl reports it in that form). */
  readonly fromString: boolean;
  readonly sessionId: Uint8Array;
  readonly session: Uint8Array;
  readonly created: number;
  readonly seq: number;
  readonly bytes: number;
}

type Counter =
  | 'hits'
  | 'misses'
  | 'expired'
  | 'inserts'
  | 'replacements'
  | 'deletes'
  | 'evictions'
  | 'invalidations'
  | 'rejected';

/** Separates the partial key from the session id in an entry id; no Latin-1 string contains it. */
const SEPARATOR = '\u0100';
const decoder = new TextDecoder();

const encoder = new TextEncoder();

/** A string with one char per byte: an injective Map key for bytes (at most 512 here). */
function latin1(bytes: Uint8Array): string {
  // apply reads `length`, which a subclass may fake: then go by the real length
  if (bytes.length === lengthOf(bytes)) return String.fromCharCode.apply(null, bytes as unknown as number[]);
  return String.fromCharCode.apply(null, Array.from(new Uint8Array(bytes)));
}

/** The Map key of a partial key; a pure-ASCII string is its own. */
function partialKeyId(fn: string, pk: PartialKey): string {
  if (typeof pk !== 'string') return latin1(pk);
  return isAscii(pk) ? pk : latin1(utf8PartialKey(fn, pk));
}

/** The bytes of a (valid) partial key. */
function partialKeyBytes(pk: PartialKey): Uint8Array {
  return typeof pk === 'string' ? encoder.encode(pk) : copyBytes(pk);
}

/**
 * A {@link SessionCache} in plain JavaScript (Map and Set), with the same semantics as the
 * WebAssembly cache. Create it with {@link createJsSessionCache}.
 */
export class JsSessionCache implements SessionCache {
  /** Set by the constructor only: `instanceof` checks it (see Symbol.hasInstance below). */
  readonly #brand = true;
  readonly options: ResolvedSessionCacheOptions;
  private readonly entries = new Map<string, Entry>();
  private readonly groups = new Map<string, Group>();
  private readonly counts: Record<Counter, number> = {
    hits: 0,
    misses: 0,
    expired: 0,
    inserts: 0,
    replacements: 0,
    deletes: 0,
    evictions: 0,
    invalidations: 0,
    rejected: 0,
  };
  private readonly lifetimeMs: number;
  private readonly now: () => number;
  private bytesUsed = 0;
  private seq = 0;
  private folds = 0;
  private terminated = false;

  constructor(options: SessionCacheOptions) {
    this.options = resolveOptions(options, 'createJsSessionCache');
    this.lifetimeMs = this.options.lifetimeSeconds * 1000;
    this.now = this.options.clock ?? coarseNow;
  }

  /** True only for objects this constructor made: `Object.create(JsSessionCache.prototype)` is not a cache. */
  static [Symbol.hasInstance](value: unknown): boolean {
    // biome-ignore lint/complexity/noThisInStatic: `this` is the class asked about, maybe a subclass
    if (this !== JsSessionCache) return Function.prototype[Symbol.hasInstance].call(this, value);
    return typeof value === 'object' && value !== null && #brand in value;
  }

  /**
   * The clock's reading, taken before the arguments are checked and the cache is touched (as the
   * WebAssembly cache does); anything but a finite number is refused, uncoerced.
   */
  private clock(fn: string): number {
    const now = this.now();
    if (typeof now !== 'number' || now - now !== 0) badClock(fn, now);
    return now;
  }

  private expired(e: Entry, now: number): boolean {
    return now - e.created >= this.lifetimeMs;
  }

  private remove(e: Entry, counter: Counter | null): void {
    this.entries.delete(e.id);
    const g = e.group;
    g.entries.delete(e);
    if (g.entries.size === 0) this.groups.delete(g.id);
    this.bytesUsed -= e.bytes;
    e.session.fill(0);
    e.sessionId.fill(0);
    if (counter !== null) this.counts[counter]++;
  }

  private oldest(): Entry | undefined {
    return this.entries.values().next().value;
  }

  private removeAll(counter: Counter): void {
    for (const e of this.entries.values()) this.remove(e, counter);
  }

  private sweepOld(max: number, now: number): number {
    let n = 0;
    for (let e = this.oldest(); n < max && e !== undefined && this.expired(e, now); e = this.oldest()) {
      this.remove(e, 'expired');
      n++;
    }
    return n;
  }

  /** The live entry under (pk, id); an expired one is removed and reported as absent. */
  private findLive(fn: string, pk: PartialKey, id: Uint8Array, now: number): Entry | undefined {
    const e = this.entries.get(partialKeyId(fn, pk) + SEPARATOR + latin1(id));
    if (e !== undefined && this.expired(e, now)) {
      this.remove(e, 'expired');
      return undefined;
    }
    return e;
  }

  /**
   * The live entry under `key`, counted as a hit or a miss; undefined on a terminated cache; one
   * longer than `target` throws uncounted. The caller's code (key getters, then the clock) all
   * runs before the checks, and the cache is read only after them.
   */
  private find(fn: string, key: SessionKey, target?: Uint8Array): Entry | undefined {
    checkKeyObject(fn, key);
    const { partialKey, sessionId } = key; // read once: what is checked is what is used
    const now = this.clock(fn);
    const idLength = checkKeyParts(fn, partialKey, sessionId);
    if (this.terminated) return undefined;
    const pk = fixedPartialKey(fn, partialKey);
    const limit = target === undefined ? Infinity : lengthOf(target);
    return this.findChecked(fn, pk, fixedView(sessionId, idLength), now, limit);
  }

  /** find for a key whose members are read, checked and fixed. */
  private findChecked(fn: string, pk: PartialKey, id: Uint8Array, now: number, limit = Infinity): Entry | undefined {
    const e = this.findLive(fn, pk, id, now);
    if (e !== undefined && e.session.length > limit) {
      fail(ErrorCodes.INVALID_ARGUMENT, fn, `target holds ${limit} bytes; the session needs ${e.session.length}`);
    }
    this.counts[e === undefined ? 'misses' : 'hits']++;
    return e;
  }

  lookup(key: SessionKey): Uint8Array | undefined {
    const e = this.find('lookup', key);
    return e === undefined ? undefined : copyOut(e.session);
  }

  lookupMany(keys: readonly SessionKey[]): Array<Uint8Array | undefined> {
    if (!Array.isArray(keys)) fail(ErrorCodes.INVALID_ARGUMENT, 'lookupMany', 'keys must be an array of keys');
    const count = keys.length;
    if (count > MAX_LOOKUP_MANY_KEYS) {
      fail(ErrorCodes.INVALID_ARGUMENT, 'lookupMany', `${count} keys; at most ${MAX_LOOKUP_MANY_KEYS} are accepted per call`);
    }
    // each key and member read once and checked as read, so the first bad key throws before the rest are read
    const read: Array<{ partialKey: unknown; sessionId: unknown }> = [];
    for (let i = 0; i < count; i++) {
      const key = keys[i] as unknown;
      checkKeyObject('lookupMany', key);
      const { partialKey, sessionId } = key;
      checkKeyParts('lookupMany', partialKey, sessionId);
      read.push({ partialKey, sessionId });
    }
    const now = this.clock('lookupMany');
    // the clock was the caller's last code: check and fix every key again before looking any up
    const parts = read.map(({ partialKey, sessionId }) => {
      const idLength = checkKeyParts('lookupMany', partialKey, sessionId);
      const pk = fixedPartialKey('lookupMany', partialKey as PartialKey);
      if (typeof pk === 'string') partialKeyId('lookupMany', pk);
      return { partialKey: pk, sessionId: fixedView(sessionId as Uint8Array, idLength) };
    });
    return parts.map(({ partialKey, sessionId }) => {
      if (this.terminated) return undefined;
      const e = this.findChecked('lookupMany', partialKey, sessionId, now);
      return e === undefined ? undefined : copyOut(e.session);
    });
  }

  lookupInto(key: SessionKey, target: Uint8Array): number {
    if (!isUint8Array(target)) fail(ErrorCodes.INVALID_ARGUMENT, 'lookupInto', 'target must be a Uint8Array');
    const e = this.find('lookupInto', key, target);
    if (e === undefined) return -1;
    setBytes(target, e.session, 0);
    return e.session.length;
  }

  lookupView(key: SessionKey): Uint8Array | undefined {
    return this.find('lookupView', key)?.session;
  }

  take(key: SessionKey): Uint8Array | undefined {
    this.live('take');
    const e = this.find('take', key);
    if (e === undefined) return undefined;
    const copy = copyOut(e.session);
    this.remove(e, 'deletes');
    return copy;
  }

  update(key: SessionKey, session: Uint8Array): void {
    this.live('update');
    checkKeyObject('update', key);
    const { partialKey: pkRead, sessionId: idRead } = key;
    const now = this.clock('update');
    this.live('update'); // a getter or the clock may have terminated it
    const idLength = checkKeyParts('update', pkRead, idRead);
    validateSession('update', session);
    const o = this.options;
    const size = lengthOf(session);
    if (size > o.maxSessionBytes) {
      this.counts.rejected++;
      fail(ErrorCodes.SESSION_TOO_LARGE, 'update', `session is ${size} bytes; this cache accepts at most ${o.maxSessionBytes}`);
    }
    // from here on, only what was checked: views of exactly the checked lengths
    const partialKey = fixedPartialKey('update', pkRead);
    const sessionId = fixedView(idRead, idLength);
    const pkId = partialKeyId('update', partialKey);
    const id = pkId + SEPARATOR + latin1(sessionId);
    // copy first: `session` may be a lookupView of an entry this update removes
    const stored = copyBytes(fixedView(session, size));
    const old = this.entries.get(id);
    if (old !== undefined) this.remove(old, null);
    this.sweepOld(SWEEP_ON_UPDATE, now);
    const evictOldest = o.onFull === 'evict-oldest';
    if (this.entries.size >= o.maxSessions) {
      if (evictOldest) this.remove(this.oldest()!, 'evictions');
      else this.removeAll('invalidations');
    }
    const pkBytes = this.groups.get(pkId)?.bytes ?? partialKeyBytes(partialKey);
    const need = recordBytes(pkBytes.length, lengthOf(sessionId), size);
    while (this.entries.size > 0 && this.bytesUsed + need > o.memoryBytes) {
      if (evictOldest) this.remove(this.oldest()!, 'evictions');
      else this.removeAll('invalidations');
    }
    let group = this.groups.get(pkId);
    if (group === undefined) {
      group = { id: pkId, bytes: pkBytes, entries: new Set() };
      this.groups.set(pkId, group);
    }
    const e: Entry = {
      id,
      group,
      fromString: typeof partialKey === 'string',
      sessionId: copyBytes(sessionId),
      session: stored,
      created: now,
      seq: ++this.seq,
      bytes: need,
    };
    this.entries.set(id, e);
    group.entries.add(e);
    this.bytesUsed += need;
    this.counts[old === undefined ? 'inserts' : 'replacements']++;
  }

  delete(key: SessionKey): boolean {
    this.live('delete');
    checkKeyObject('delete', key);
    const { partialKey, sessionId } = key;
    const now = this.clock('delete');
    this.live('delete');
    const idLength = checkKeyParts('delete', partialKey, sessionId);
    const e = this.findLive('delete', fixedPartialKey('delete', partialKey), fixedView(sessionId, idLength), now);
    if (e === undefined) return false;
    this.remove(e, 'deletes');
    return true;
  }

  selectSession(partialKey: PartialKey): Uint8Array[] {
    const now = this.clock('selectSession');
    validatePartialKey('selectSession', partialKey);
    if (this.terminated) return [];
    const group = this.groups.get(partialKeyId('selectSession', fixedPartialKey('selectSession', partialKey)));
    if (group === undefined) return [];
    const live: Entry[] = [];
    for (const e of group.entries) {
      if (this.expired(e, now)) this.remove(e, 'expired');
      else live.push(e);
    }
    return live.reverse().map((e) => copyOut(e.session));
  }

  foldl<A>(fn: (entry: SessionCacheEntry, acc: A) => A, acc0: A): A {
    if (typeof fn !== 'function') fail(ErrorCodes.INVALID_ARGUMENT, 'foldl', 'fn must be a function');
    this.live('foldl');
    const now = this.clock('foldl'); // before a fold slot is taken: a throwing clock takes none
    this.live('foldl');
    if (this.folds >= MAX_FOLDS) fail(ErrorCodes.INVALID_ARGUMENT, 'foldl', `more than ${MAX_FOLDS} foldl calls nested`);
    this.folds++;
    const last = this.seq; // entries added (or re-added) from now on come after this in the Map
    let acc = acc0;
    try {
      for (const e of this.entries.values()) {
        if (e.seq > last) break;
        if (this.expired(e, now)) {
          this.remove(e, 'expired');
          continue;
        }
        const partialKey = e.fromString ? decoder.decode(e.group.bytes) : copyBytes(e.group.bytes);
        acc = fn({ key: { partialKey, sessionId: copyBytes(e.sessionId) }, session: copyOut(e.session) }, acc);
        if (this.terminated) break;
      }
    } finally {
      this.folds--;
    }
    return acc;
  }

  sweep(): number {
    this.live('sweep');
    const now = this.clock('sweep');
    this.live('sweep');
    return this.sweepOld(Infinity, now);
  }

  get size(): number {
    return this.entries.size;
  }

  stats(): SessionCacheStats {
    this.live('stats');
    const c = this.counts;
    const lookups = c.hits + c.misses;
    return {
      lookups,
      ...c,
      hitRatio: lookups === 0 ? 0 : c.hits / lookups,
      sessions: this.entries.size,
      maxSessions: this.options.maxSessions,
      bytesUsed: this.bytesUsed,
      bytesCapacity: this.options.memoryBytes,
      longestProbe: 0,
      compactions: 0,
      reservedBytes: 0,
    };
  }

  terminate(): void {
    if (this.terminated) return;
    for (const e of this.entries.values()) this.remove(e, null);
    this.terminated = true;
  }

  private live(fn: string): void {
    if (this.terminated) throw new SessionCacheError(ErrorCodes.CACHE_TERMINATED, `${fn}: the cache was terminated`);
  }
}

/** Create the pure-JS session cache: the same API and semantics as {@link createSessionCache}. */
export function createJsSessionCache(options: SessionCacheOptions): JsSessionCache {
  return new JsSessionCache(options);
}
