// The session cache backed by the WebAssembly core: one instance, with its own linear memory, per
// cache. Keys cross into wasm through scratch areas (no allocation); sessions are copied straight
// into their record. Every call is synchronous.
import { coarseNow } from './clock.js';
import { bufferOf, isUint8Array, lengthOf } from './byte-views.js';
import { copyBytes, copyOut, setBytes } from './copy.js';
import type { Core } from './core-exports.js';
import {
  BATCH_ALIGN,
  BATCH_BYTES,
  BATCH_KEY_HEADER,
  BATCH_MAX,
  EVICT_OLDEST,
  INIT_BAD_LAYOUT,
  INIT_OK,
  INVALIDATE_ALL,
  NO_FOLD,
  NO_LIMIT,
  PK_ARG_LEN_MASK,
  PK_SAME,
  PK_STRING,
  S_COMPACTIONS,
  S_COUNT,
  S_DELETES,
  S_EVICTIONS,
  S_EXPIRED,
  S_HITS,
  S_INSERTS,
  S_INVALIDATIONS,
  S_MISSES,
  S_REJECTED,
  S_REPLACEMENTS,
  TOO_LONG,
  WASM32_MEMORY_BYTES,
} from './core-interface.js';
import { attachCore, detachCore } from './core-internals.js';
import { coreModule } from './core-module.js';
import { ErrorCodes, SessionCacheError, fail } from './errors.js';
import {
  checkKeyObject,
  checkKeyParts,
  isAscii,
  missAfterCheck,
  utf8PartialKey,
  validatePartialKey,
  validateSession,
} from './keys.js';
import { MAX_FOLDS } from './limits.js';
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

/** `n` key bytes in a lookupBatch key, padded (see BATCH_ALIGN). */
function batchPadded(n: number): number {
  return (n + BATCH_ALIGN - 1) & ~(BATCH_ALIGN - 1);
}

const decoder = new TextDecoder();
const EMPTY = new Uint8Array(0);

/**
 * Write the char codes of `pk` at byte `at` (4-aligned) of `words`' buffer, one byte each, and
 * return all of them or-ed together: the bytes are the string's UTF-8 only if that is below 0x80.
 * Four chars per 32-bit store: a store and its bounds check cost about as much as a charCodeAt,
 * so one store per char would nearly double the work. The last store may write up to 4 bytes past
 * the string: into scratch's pad, or in a batch where the session id is written next.
 */
function writeChars(words: Int32Array, at: number, pk: string): number {
  const n = pk.length;
  let w = at >> 2;
  let any = 0;
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const a = pk.charCodeAt(i);
    const b = pk.charCodeAt(i + 1);
    const c = pk.charCodeAt(i + 2);
    const d = pk.charCodeAt(i + 3);
    any |= a | b | c | d;
    words[w++] = a | (b << 8) | (c << 16) | (d << 24);
  }
  let last = 0;
  for (let shift = 0; i < n; i++, shift += 8) {
    const c = pk.charCodeAt(i);
    any |= c;
    last |= c << shift;
  }
  words[w] = last;
  return any;
}

/**
 * A fresh instance of the core, with its own linear memory. The engine throws a RangeError when
 * it cannot reserve even the initial memory (address space is exhausted by other instances).
 */
function instantiate(): Core {
  const module = coreModule();
  try {
    return new WebAssembly.Instance(module, {}).exports as unknown as Core;
  } catch (error) {
    if (error instanceof RangeError) outOfMemory('a WebAssembly instance');
    throw error;
  }
}

function outOfMemory(what: string): never {
  fail(
    ErrorCodes.OUT_OF_MEMORY,
    'createSessionCache',
    `the host would not provide ${what}: lower memoryBytes or maxSessions, or terminate other caches`,
  );
}

/**
 * A {@link SessionCache} whose sessions live in WebAssembly linear memory: no per-session JS
 * objects, memory reserved once at creation. Create it with {@link createSessionCache}.
 */
export class WasmSessionCache implements SessionCache {
  readonly options: ResolvedSessionCacheOptions;
  private core: Core | null;
  private mem: Uint8Array;
  /** `mem.buffer`, kept: the getter is a slow builtin call on wasm memory. */
  private buffer: ArrayBuffer;
  /** `mem` as 32-bit words (batch headers are 8-aligned; scratch's partial key is 4-aligned). */
  private words: Int32Array;
  /** Where lookupMany's touch passes leave their result, so they are not optimised away. */
  // biome-ignore lint/correctness/noUnusedPrivateClassMembers: written only, as a sink V8 cannot drop
  private touched = 0;
  // Views and typed arrays over the memory are emptied by terminate, so nothing the cache object
  // holds keeps the old memory alive.
  private counters: Float64Array;
  private result: Uint32Array;
  private readonly pkAt: number;
  private readonly sidAt: number;
  private readonly batchAt: number;
  private batchResults: Uint32Array;
  private readonly maxSessionBytes: number;
  private readonly now: () => number;
  /** The partial-key string whose bytes are in scratch (and current in wasm), if any. */
  private lastPk: string | undefined = undefined;
  /** The last lookupInto target found not to alias this cache's memory (callers reuse one). */
  private lastTarget: Uint8Array | undefined = undefined;

  constructor(options: SessionCacheOptions) {
    const o = resolveOptions(options);
    const core = instantiate();
    const need = core.layoutBytes(o.maxSessions, o.memoryBytes);
    if (need > WASM32_MEMORY_BYTES) {
      fail(
        ErrorCodes.INVALID_OPTION,
        'createSessionCache',
        `maxSessions ${o.maxSessions} with memoryBytes ${o.memoryBytes} need ${need} bytes of linear memory; ` +
          'a wasm32 memory holds at most 4 GiB: lower memoryBytes or maxSessions, or use several caches',
      );
    }
    const onFull = o.onFull === 'evict-oldest' ? EVICT_OLDEST : INVALIDATE_ALL;
    const status = core.init(o.maxSessions, o.memoryBytes, o.lifetimeSeconds * 1000, onFull);
    if (status === INIT_BAD_LAYOUT) {
      fail(
        ErrorCodes.CORE_INVALID,
        'createSessionCache',
        'the registered core has static data in, or misaligned, the areas JavaScript writes to (a build fault)',
      );
    }
    if (status !== INIT_OK) outOfMemory(`${need} bytes of WebAssembly memory`);
    this.options = o;
    this.core = core;
    // The memory never grows after init, so these views stay valid for the life of the cache.
    const buffer = core.memory.buffer;
    this.buffer = buffer;
    this.mem = new Uint8Array(buffer);
    this.words = new Int32Array(buffer);
    this.counters = new Float64Array(buffer, core.statsAddress(), S_COUNT);
    this.result = new Uint32Array(buffer, core.resultAddress(), 1);
    this.pkAt = core.pkAddress();
    this.sidAt = core.sidAddress();
    this.batchAt = core.batchAddress(); // init checked both are aligned for the word stores below
    this.batchResults = new Uint32Array(buffer, core.batchResultsAddress(), BATCH_MAX * 2);
    crypto.getRandomValues(new Uint8Array(buffer, core.hashKeyAddress(), core.hashKeyBytes()));
    this.maxSessionBytes = o.maxSessionBytes;
    this.now = o.clock ?? coarseNow;
    attachCore(this, core);
  }

  /**
   * Write the partial key into scratch; returns the core's partial-key argument. Only the common
   * case (an ASCII string) is here: the rest is out of line, so V8 inlines this into lookups.
   */
  private writePartialKey(fn: string, pk: PartialKey): number {
    if (typeof pk !== 'string') return this.writePartialKeyBytes(pk);
    if (pk === this.lastPk) return PK_SAME;
    // writeChars cannot throw, so scratch and lastPk agree again below
    if (writeChars(this.words, this.pkAt, pk) >= 0x80) return this.writeUtf8PartialKey(fn, pk);
    this.lastPk = pk;
    return pk.length | PK_STRING;
  }

  /** writePartialKey for a string with non-ASCII characters (its chars are already in scratch). */
  private writeUtf8PartialKey(fn: string, pk: string): number {
    this.lastPk = undefined; // scratch no longer holds it, and the encoding may throw
    const bytes = utf8PartialKey(fn, pk);
    setBytes(this.mem, bytes, this.pkAt);
    this.lastPk = pk;
    return bytes.length | PK_STRING;
  }

  /** writePartialKey for a Uint8Array. */
  private writePartialKeyBytes(pk: Uint8Array): number {
    this.lastPk = undefined;
    const mem = this.mem;
    const at = this.pkAt;
    const n = lengthOf(pk);
    for (let i = 0; i < n; i++) mem[at + i] = pk[i]!;
    return n;
  }

  /**
   * A view of `n` bytes of this cache's memory at `at`. Built with the constructor over the kept
   * buffer: `mem.subarray()` is slower here, and reading `mem.buffer` slower still.
   */
  private bytesAt(at: number, n: number): Uint8Array {
    return new Uint8Array(this.buffer, at, n);
  }

  /** Write the session id (checked: at most 255 bytes) into scratch; the core wipes it before returning. */
  private writeSessionId(id: Uint8Array): void {
    setBytes(this.mem, id, this.sidAt); // a memcpy: 3x faster than a byte loop for 32 bytes here
  }

  /**
   * Address of the session under `key` (length in `result[0]`), 0 on a miss, TOO_LONG if over
   * `limit`. `copying`: 1 when the caller copies the session out (the core then fetches all of it).
   */
  private find(fn: string, key: SessionKey, core: Core, limit: number, copying: number): number {
    checkKeyObject(fn, key);
    const { partialKey, sessionId } = key; // read once: what is checked is what is written
    const idLength = checkKeyParts(fn, partialKey, sessionId);
    const now = this.now();
    const pk = this.writePartialKey(fn, partialKey);
    this.writeSessionId(sessionId);
    return core.lookup(pk, idLength, now, limit, copying) >>> 0;
  }

  lookup(key: SessionKey): Uint8Array | undefined {
    const core = this.core;
    if (core === null) return missAfterCheck('lookup', key);
    const at = this.find('lookup', key, core, NO_LIMIT, 1);
    return at === 0 ? undefined : copyOut(this.bytesAt(at, this.result[0]!));
  }

  lookupMany(keys: readonly SessionKey[]): Array<Uint8Array | undefined> {
    if (!Array.isArray(keys)) fail(ErrorCodes.INVALID_ARGUMENT, 'lookupMany', 'keys must be an array of keys');
    // Each key and member is read once, here, so what is checked below is what is written (a
    // getter cannot change it in between). These reads and the touch pass after them are
    // independent loads the CPU overlaps, where the checks below would wait for each key's
    // objects in turn (keys from many connections are cache misses).
    const count = keys.length;
    const keyObjects: unknown[] = new Array(count);
    const pks: unknown[] = new Array(count);
    const ids: unknown[] = new Array(count);
    let touched = 0;
    for (let i = 0; i < count; i++) {
      const key = keys[i] as unknown;
      keyObjects[i] = key;
      if (typeof key === 'object' && key !== null) {
        const pk = (key as SessionKey).partialKey;
        const id = (key as SessionKey).sessionId;
        pks[i] = pk;
        ids[i] = id;
        if (typeof pk === 'string') touched += pk.length;
        if (isUint8Array(id)) touched += lengthOf(id);
      }
    }
    for (let i = 0; i < count; i++) {
      const pk = pks[i];
      const id = ids[i];
      if (typeof pk === 'string' && pk.length > 0) touched += pk.charCodeAt(0);
      if (isUint8Array(id) && lengthOf(id) > 0) touched += id[0]!;
    }
    this.touched = touched;
    // Check (and encode) every key before writing any, so a bad one throws with nothing written.
    const partialKeys: Uint8Array[] = new Array(count);
    for (let i = 0; i < count; i++) {
      checkKeyObject('lookupMany', keyObjects[i]);
      checkKeyParts('lookupMany', pks[i], ids[i]);
      const pk = pks[i] as PartialKey;
      partialKeys[i] = typeof pk === 'string' ? (isAscii(pk) ? EMPTY : utf8PartialKey('lookupMany', pk)) : pk;
    }
    const out: Array<Uint8Array | undefined> = new Array(count).fill(undefined);
    const core = this.core;
    if (core === null) return out;
    const now = this.now();
    const mem = this.mem;
    const results = this.batchResults;
    for (let first = 0; first < count; ) {
      // pack keys until the batch is full: i32 partial-key argument, u32 id length, key bytes padded to 8
      let at = this.batchAt;
      let n = 0;
      for (; first + n < count && n < BATCH_MAX; n++) {
        const pk = pks[first + n] as PartialKey;
        const id = ids[first + n] as Uint8Array;
        const bytes = partialKeys[first + n]!;
        const pkLen = typeof pk === 'string' && bytes === EMPTY ? pk.length : lengthOf(bytes);
        const idLen = lengthOf(id);
        const size = BATCH_KEY_HEADER + batchPadded(pkLen) + batchPadded(idLen);
        if (at + size > this.batchAt + BATCH_BYTES) break;
        this.words[at >> 2] = typeof pk === 'string' ? pkLen | PK_STRING : pkLen;
        this.words[(at >> 2) + 1] = idLen;
        if (typeof pk === 'string' && bytes === EMPTY) writeChars(this.words, at + BATCH_KEY_HEADER, pk);
        else setBytes(mem, bytes, at + BATCH_KEY_HEADER);
        setBytes(mem, id, at + BATCH_KEY_HEADER + batchPadded(pkLen));
        at += size;
      }
      core.lookupBatch(n, now);
      for (let j = 0; j < n; j++) {
        const address = results[2 * j]!;
        if (address !== 0) out[first + j] = copyOut(this.bytesAt(address, results[2 * j + 1]!));
      }
      first += n;
    }
    this.lastPk = undefined; // the batch left the last key's partial key in scratch
    return out;
  }

  lookupInto(key: SessionKey, target: Uint8Array): number {
    if (!isUint8Array(target)) {
      fail(ErrorCodes.INVALID_ARGUMENT, 'lookupInto', 'target must be a Uint8Array');
    }
    const core = this.core;
    if (core === null) {
      missAfterCheck('lookupInto', key);
      return -1;
    }
    if (target !== this.lastTarget) {
      if (bufferOf(target) === this.buffer) {
        fail(ErrorCodes.INVALID_ARGUMENT, 'lookupInto', "target must not be a view of the cache's own memory");
      }
      this.lastTarget = target;
    }
    const room = lengthOf(target);
    const at = this.find('lookupInto', key, core, room, 1);
    if (at === 0) return -1;
    const n = this.result[0]!;
    if (at === TOO_LONG) {
      fail(ErrorCodes.INVALID_ARGUMENT, 'lookupInto', `target holds ${room} bytes; the session needs ${n}`);
    }
    setBytes(target, this.bytesAt(at, n), 0);
    return n;
  }

  lookupView(key: SessionKey): Uint8Array | undefined {
    const core = this.core;
    if (core === null) return missAfterCheck('lookupView', key);
    const at = this.find('lookupView', key, core, NO_LIMIT, 0);
    return at === 0 ? undefined : this.bytesAt(at, this.result[0]!);
  }

  take(key: SessionKey): Uint8Array | undefined {
    const core = this.live('take');
    const at = this.find('take', key, core, NO_LIMIT, 1);
    if (at === 0) return undefined;
    const copy = copyOut(this.bytesAt(at, this.result[0]!));
    core.takeFound();
    return copy;
  }

  update(key: SessionKey, session: Uint8Array): void {
    const core = this.live('update');
    checkKeyObject('update', key);
    const { partialKey, sessionId } = key;
    const idLength = checkKeyParts('update', partialKey, sessionId);
    validateSession('update', session);
    const n = lengthOf(session);
    if (n > this.maxSessionBytes) {
      this.counters[S_REJECTED]!++;
      fail(ErrorCodes.SESSION_TOO_LARGE, 'update', `session is ${n} bytes; this cache accepts at most ${this.maxSessionBytes}`);
    }
    // A view into our own memory (from lookupView) may be wiped or moved by this very update.
    const source = bufferOf(session) === this.buffer ? copyBytes(session) : session;
    const now = this.now();
    const pk = this.writePartialKey('update', partialKey);
    this.writeSessionId(sessionId);
    const at = core.update(pk, idLength, n, now) >>> 0;
    setBytes(this.mem, source, at);
    if (source !== session) source.fill(0);
  }

  delete(key: SessionKey): boolean {
    const core = this.live('delete');
    checkKeyObject('delete', key);
    const { partialKey, sessionId } = key;
    const idLength = checkKeyParts('delete', partialKey, sessionId);
    const now = this.now();
    const pk = this.writePartialKey('delete', partialKey);
    this.writeSessionId(sessionId);
    return core.remove(pk, idLength, now) === 1;
  }

  selectSession(partialKey: PartialKey): Uint8Array[] {
    validatePartialKey('selectSession', partialKey);
    const core = this.core;
    if (core === null) return [];
    const now = this.now();
    let rec = core.select(this.writePartialKey('selectSession', partialKey), now) >>> 0;
    if (rec === 0) return [];
    const out: Uint8Array[] = new Array(this.result[0]!);
    for (let i = 0; rec !== 0; i++) {
      out[i] = copyOut(this.bytesAt(core.recSessionAddress(rec) >>> 0, core.recSessionLength(rec)));
      rec = core.recGroupOlder(rec) >>> 0;
    }
    return out;
  }

  foldl<A>(fn: (entry: SessionCacheEntry, acc: A) => A, acc0: A): A {
    if (typeof fn !== 'function') fail(ErrorCodes.INVALID_ARGUMENT, 'foldl', 'fn must be a function');
    const core = this.live('foldl');
    const fold = core.foldBegin();
    if (fold === NO_FOLD) fail(ErrorCodes.INVALID_ARGUMENT, 'foldl', `more than ${MAX_FOLDS} foldl calls nested`);
    const now = this.now();
    let acc = acc0;
    try {
      for (let rec = core.foldNext(fold, now) >>> 0; rec !== 0; rec = core.foldNext(fold, now) >>> 0) {
        acc = fn(this.entry(core, rec), acc);
        if (this.core === null) break; // fn terminated the cache
      }
    } finally {
      if (this.core !== null) core.foldEnd(fold);
    }
    return acc;
  }

  private entry(core: Core, rec: number): SessionCacheEntry {
    const mem = this.mem;
    const pkAt = core.recPartialKeyAddress(rec) >>> 0;
    const pkInfo = core.recPartialKeyInfo(rec);
    const pkLen = pkInfo & PK_ARG_LEN_MASK;
    const partialKey =
      pkInfo & PK_STRING ? decoder.decode(mem.subarray(pkAt, pkAt + pkLen)) : copyBytes(mem.subarray(pkAt, pkAt + pkLen));
    const idAt = core.recIdAddress(rec) >>> 0;
    const sessionId = copyBytes(mem.subarray(idAt, idAt + core.recIdLength(rec)));
    const session = copyOut(this.bytesAt(core.recSessionAddress(rec) >>> 0, core.recSessionLength(rec)));
    return { key: { partialKey, sessionId }, session };
  }

  sweep(): number {
    const core = this.live('sweep');
    return core.sweep(this.now(), NO_LIMIT);
  }

  get size(): number {
    return this.core === null ? 0 : this.core.size();
  }

  stats(): SessionCacheStats {
    const core = this.live('stats');
    const c = this.counters;
    const hits = c[S_HITS]!;
    const lookups = hits + c[S_MISSES]!;
    return {
      lookups,
      hits,
      misses: c[S_MISSES]!,
      hitRatio: lookups === 0 ? 0 : hits / lookups,
      expired: c[S_EXPIRED]!,
      inserts: c[S_INSERTS]!,
      replacements: c[S_REPLACEMENTS]!,
      deletes: c[S_DELETES]!,
      evictions: c[S_EVICTIONS]!,
      invalidations: c[S_INVALIDATIONS]!,
      rejected: c[S_REJECTED]!,
      sessions: core.size(),
      maxSessions: this.options.maxSessions,
      bytesUsed: core.usedBytes(),
      bytesCapacity: this.options.memoryBytes,
      longestProbe: core.longest(),
      compactions: c[S_COMPACTIONS]!,
      reservedBytes: core.memory.buffer.byteLength,
    };
  }

  terminate(): void {
    const core = this.core;
    if (core === null) return;
    core.wipeAll();
    this.core = null;
    detachCore(this);
    this.mem = EMPTY;
    this.buffer = EMPTY.buffer;
    this.words = new Int32Array(0);
    this.counters = new Float64Array(0);
    this.result = new Uint32Array(0);
    this.batchResults = new Uint32Array(0);
    this.lastTarget = undefined;
  }

  /** The core, or ERR_CACHE_TERMINATED. */
  private live(fn: string): Core {
    const core = this.core;
    if (core === null) throw new SessionCacheError(ErrorCodes.CACHE_TERMINATED, `${fn}: the cache was terminated`);
    return core;
  }
}

/**
 * Create a session cache backed by WebAssembly (synchronous; on Node, importing the package
 * loads the core). Throws ERR_INVALID_OPTION for bad options or limits beyond 4 GiB,
 * ERR_OUT_OF_MEMORY when the host will not provide the memory, ERR_CORE_NOT_LOADED when no core
 * is registered, ERR_CORE_INVALID for a faulty core build.
 */
export function createSessionCache(options: SessionCacheOptions): WasmSessionCache {
  return new WasmSessionCache(options);
}
