// The session cache backed by the WebAssembly core: one instance, with its own linear memory, per
// cache. Keys cross into wasm through scratch areas (no allocation); sessions are copied straight
// into their record. Every call is synchronous.
import { badClock, coarseNow } from './clock.js';
import { bufferOf, fixedView, isUint8Array, lengthOf } from './byte-views.js';
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
  fixedPartialKey,
  isAscii,
  tooLongPartialKey,
  utf8PartialKey,
  validatePartialKey,
  validateSession,
} from './keys.js';
import { MAX_FOLDS, MAX_LOOKUP_MANY_KEYS, MAX_PARTIAL_KEY_BYTES, MAX_SESSION_ID_BYTES } from './limits.js';
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
  /** Set by the constructor only: `instanceof` checks it (see Symbol.hasInstance below). */
  readonly #brand = true;
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
  /** Scratch's session-id area, exactly as long as the longest id (see writeSessionId). */
  private sidArea: Uint8Array;
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
    this.sidArea = new Uint8Array(buffer, core.sidAddress(), MAX_SESSION_ID_BYTES);
    this.batchAt = core.batchAddress(); // init checked both are aligned for the word stores below
    this.batchResults = new Uint32Array(buffer, core.batchResultsAddress(), BATCH_MAX * 2);
    crypto.getRandomValues(new Uint8Array(buffer, core.hashKeyAddress(), core.hashKeyBytes()));
    this.maxSessionBytes = o.maxSessionBytes;
    this.now = o.clock ?? coarseNow;
    attachCore(this, core);
  }

  /** True only for objects this constructor made: `Object.create(WasmSessionCache.prototype)` is not a cache. */
  static [Symbol.hasInstance](value: unknown): boolean {
    // biome-ignore lint/complexity/noThisInStatic: `this` is the class asked about, maybe a subclass
    if (this !== WasmSessionCache) return Function.prototype[Symbol.hasInstance].call(this, value);
    return typeof value === 'object' && value !== null && #brand in value;
  }

  /**
   * The clock's reading. Called before the arguments are checked and the cache is touched, so
   * no caller code runs between a check and the copy it guards. Anything but a finite number is
   * refused, uncoerced (a `valueOf` would be caller code run mid-call).
   */
  private clock(fn: string): number {
    const now = this.now();
    // now - now is 0 exactly for a finite number
    if (typeof now !== 'number' || now - now !== 0) badClock(fn, now);
    return now;
  }

  /**
   * Write the partial key into scratch; returns the core's partial-key argument. Only the common
   * case (an ASCII string) is here: the rest is out of line, so V8 inlines this into lookups.
   */
  private writePartialKey(fn: string, pk: PartialKey): number {
    if (typeof pk !== 'string') return this.writePartialKeyBytes(fn, pk);
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
  private writePartialKeyBytes(fn: string, pk: Uint8Array): number {
    this.lastPk = undefined;
    const mem = this.mem;
    const at = this.pkAt;
    // Measured once more, and exactly that many bytes copied: another thread may have grown a
    // view of a growable SharedArrayBuffer since it was checked.
    const n = lengthOf(pk);
    if (n > MAX_PARTIAL_KEY_BYTES) tooLongPartialKey(fn, n);
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

  /**
   * Write the session id into scratch; the core reads the checked length of it and wipes it
   * before returning. A memcpy (3x faster than a byte loop for 32 bytes here) into an area of
   * exactly 255 bytes: an id that another thread grew past that since its check (a view of a
   * growable SharedArrayBuffer) makes `set` throw before it writes anything, and one that grew
   * less leaves bytes past the checked length that the core does not read.
   */
  private writeSessionId(fn: string, id: Uint8Array): void {
    try {
      setBytes(this.sidArea, id, 0);
    } catch {
      fail(ErrorCodes.KEY_TOO_LONG, fn, `key.sessionId grew past ${MAX_SESSION_ID_BYTES} bytes during the call`);
    }
  }

  /**
   * Address of the session under `key` (length in `result[0]`), 0 on a miss or a terminated
   * cache, TOO_LONG if longer than `target`. `copying`: 1 when the caller copies the session out
   * (the core then fetches all of it). The caller's code (key getters, then the clock) all runs
   * before the checks, and the cache is read only after them.
   */
  private find(fn: string, key: SessionKey, target: Uint8Array | undefined, copying: number): number {
    checkKeyObject(fn, key);
    const { partialKey, sessionId } = key; // read once: what is checked is what is written
    const now = this.clock(fn);
    const idLength = checkKeyParts(fn, partialKey, sessionId);
    const core = this.core;
    if (core === null) return 0;
    const limit = target === undefined ? NO_LIMIT : lengthOf(target);
    const pk = this.writePartialKey(fn, partialKey);
    this.writeSessionId(fn, sessionId);
    return core.lookup(pk, idLength, now, limit, copying) >>> 0;
  }

  lookup(key: SessionKey): Uint8Array | undefined {
    const at = this.find('lookup', key, undefined, 1);
    return at === 0 ? undefined : copyOut(this.bytesAt(at, this.result[0]!));
  }

  lookupMany(keys: readonly SessionKey[]): Array<Uint8Array | undefined> {
    if (!Array.isArray(keys)) fail(ErrorCodes.INVALID_ARGUMENT, 'lookupMany', 'keys must be an array of keys');
    const count = keys.length;
    if (count > MAX_LOOKUP_MANY_KEYS) {
      fail(ErrorCodes.INVALID_ARGUMENT, 'lookupMany', `${count} keys; at most ${MAX_LOOKUP_MANY_KEYS} are accepted per call`);
    }
    // Each key and member is read once, here, and checked as it is read: the first bad key throws
    // before the rest are read. These reads and the touch pass after them are independent loads
    // the CPU overlaps (keys from many connections are cache misses).
    const pks: unknown[] = new Array(count);
    const ids: unknown[] = new Array(count);
    let touched = 0;
    for (let i = 0; i < count; i++) {
      const key = keys[i] as unknown;
      checkKeyObject('lookupMany', key);
      const pk = key.partialKey;
      const id = key.sessionId;
      pks[i] = pk;
      ids[i] = id;
      touched += checkKeyParts('lookupMany', pk, id);
    }
    for (let i = 0; i < count; i++) {
      const pk = pks[i] as PartialKey;
      touched += typeof pk === 'string' ? (pk.length > 0 ? pk.charCodeAt(0) : 0) : lengthOf(pk);
      touched += (ids[i] as Uint8Array)[0]!;
    }
    this.touched = touched;
    const now = this.clock('lookupMany');
    // The clock was the caller's last code to run. Check (and encode) every key again, with the
    // lengths copied below, before writing any: a bad one throws with nothing written.
    const partialKeys: Uint8Array[] = new Array(count);
    const sessionIds: Uint8Array[] = new Array(count);
    const lengths = new Uint32Array(2 * count);
    for (let i = 0; i < count; i++) {
      const pk = pks[i];
      const idLength = checkKeyParts('lookupMany', pk, ids[i]);
      sessionIds[i] = fixedView(ids[i] as Uint8Array, idLength);
      lengths[2 * i + 1] = idLength;
      if (typeof pk === 'string') {
        const bytes = isAscii(pk) ? EMPTY : utf8PartialKey('lookupMany', pk);
        partialKeys[i] = bytes;
        lengths[2 * i] = bytes === EMPTY ? pk.length : bytes.length;
      } else {
        const bytes = fixedPartialKey('lookupMany', pk as Uint8Array) as Uint8Array;
        partialKeys[i] = bytes;
        lengths[2 * i] = lengthOf(bytes);
      }
    }
    const out: Array<Uint8Array | undefined> = new Array(count).fill(undefined);
    const core = this.core;
    if (core === null) return out;
    const mem = this.mem;
    const results = this.batchResults;
    for (let first = 0; first < count; ) {
      // pack keys until the batch is full: i32 partial-key argument, u32 id length, key bytes padded to 8
      let at = this.batchAt;
      let n = 0;
      for (; first + n < count && n < BATCH_MAX; n++) {
        const pk = pks[first + n] as PartialKey;
        const bytes = partialKeys[first + n]!;
        const pkLen = lengths[2 * (first + n)]!;
        const idLen = lengths[2 * (first + n) + 1]!;
        // at most a header, 512 and 256 bytes: a batch always takes at least one key
        const size = BATCH_KEY_HEADER + batchPadded(pkLen) + batchPadded(idLen);
        if (at + size > this.batchAt + BATCH_BYTES) break;
        this.words[at >> 2] = typeof pk === 'string' ? pkLen | PK_STRING : pkLen;
        this.words[(at >> 2) + 1] = idLen;
        if (typeof pk === 'string' && bytes === EMPTY) writeChars(this.words, at + BATCH_KEY_HEADER, pk);
        else setBytes(mem, bytes, at + BATCH_KEY_HEADER);
        setBytes(mem, sessionIds[first + n]!, at + BATCH_KEY_HEADER + batchPadded(pkLen));
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
    if (target !== this.lastTarget) {
      if (bufferOf(target) === this.buffer) {
        fail(ErrorCodes.INVALID_ARGUMENT, 'lookupInto', "target must not be a view of the cache's own memory");
      }
      this.lastTarget = target;
    }
    const at = this.find('lookupInto', key, target, 1);
    if (at === 0) return -1;
    const n = this.result[0]!;
    if (at === TOO_LONG) {
      fail(ErrorCodes.INVALID_ARGUMENT, 'lookupInto', `target holds ${lengthOf(target)} bytes; the session needs ${n}`);
    }
    setBytes(target, this.bytesAt(at, n), 0);
    return n;
  }

  lookupView(key: SessionKey): Uint8Array | undefined {
    const at = this.find('lookupView', key, undefined, 0);
    return at === 0 ? undefined : this.bytesAt(at, this.result[0]!);
  }

  take(key: SessionKey): Uint8Array | undefined {
    this.live('take');
    const at = this.find('take', key, undefined, 1);
    if (at === 0) return undefined;
    const copy = copyOut(this.bytesAt(at, this.result[0]!));
    (this.core as Core).takeFound(); // found, so live: no caller code ran since find
    return copy;
  }

  update(key: SessionKey, session: Uint8Array): void {
    this.live('update');
    checkKeyObject('update', key);
    const { partialKey, sessionId } = key; // read once: what is checked is what is written
    const now = this.clock('update');
    const core = this.live('update'); // a getter or the clock may have terminated it
    const idLength = checkKeyParts('update', partialKey, sessionId);
    validateSession('update', session);
    const n = lengthOf(session);
    if (n > this.maxSessionBytes) {
      this.counters[S_REJECTED]!++;
      fail(ErrorCodes.SESSION_TOO_LARGE, 'update', `session is ${n} bytes; this cache accepts at most ${this.maxSessionBytes}`);
    }
    // A view into our own memory (from lookupView) may be wiped or moved by this very update; one
    // that another thread may grow is copied by the length checked.
    const buffer = bufferOf(session);
    const own = buffer === this.buffer;
    const source = own ? copyBytes(session) : fixedView(session, n);
    const pk = this.writePartialKey('update', partialKey);
    this.writeSessionId('update', sessionId);
    const at = core.update(pk, idLength, n, now) >>> 0;
    setBytes(this.mem, source, at);
    if (own) source.fill(0);
  }

  delete(key: SessionKey): boolean {
    this.live('delete');
    checkKeyObject('delete', key);
    const { partialKey, sessionId } = key;
    const now = this.clock('delete');
    const core = this.live('delete');
    const idLength = checkKeyParts('delete', partialKey, sessionId);
    const pk = this.writePartialKey('delete', partialKey);
    this.writeSessionId('delete', sessionId);
    return core.remove(pk, idLength, now) === 1;
  }

  selectSession(partialKey: PartialKey): Uint8Array[] {
    const now = this.clock('selectSession');
    validatePartialKey('selectSession', partialKey);
    const core = this.core;
    if (core === null) return [];
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
    this.live('foldl');
    const now = this.clock('foldl'); // before a fold slot is taken: a throwing clock takes none
    const core = this.live('foldl');
    const fold = core.foldBegin();
    if (fold === NO_FOLD) fail(ErrorCodes.INVALID_ARGUMENT, 'foldl', `more than ${MAX_FOLDS} foldl calls nested`);
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
    this.live('sweep');
    const now = this.clock('sweep');
    return this.live('sweep').sweep(now, NO_LIMIT);
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
    this.sidArea = EMPTY;
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
