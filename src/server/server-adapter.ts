// The newSession / resumeSession handlers of one server, and their counters. Node's contract
// (see the notes on Node TLS behaviour in the README): resumeSession's callback must be called exactly once, and an error there destroys
// the socket, so every fault, timeout and surprise below ends as `done(null, null)`: a miss, after
// which the client simply makes a full handshake.
import type { Server } from 'node:tls';
import { MAX_SESSION_ID_BYTES } from '../api.js';
import type { SessionCache, SessionKey } from '../api.js';
import { TLS13_VERSION, readSessionHeader, sameBytes } from '../tls/der.js';
import { ServerContextKey } from './server-context-key.js';

/**
 * What the server adapter needs of a cache: a {@link SessionCache}, or a store whose `lookup`
 * answers with a promise (for example a cache in the cluster primary reached over IPC); such
 * answers are awaited for at most `timeoutMs`. The adapter never writes to the bytes `lookup`
 * returns (they may be the store's own copy): a store that hands out copies of secrets wipes them
 * itself, if it wants them wiped. Only a SessionCache's sessions, which the adapter copies into a
 * buffer of its own (`lookupInto`), are zeroed by the adapter once Node has parsed them.
 */
export interface ServerSessionStore {
  lookup(key: SessionKey): Uint8Array | undefined | PromiseLike<Uint8Array | undefined>;
  update(key: SessionKey, session: Uint8Array): void | PromiseLike<void>;
  delete(key: SessionKey): unknown;
}

/** Counters of one server's adapter. Every resumeSession event counts one hit or one miss. */
export interface ServerCacheStats {
  /** resumeSession events answered with a stored session. */
  hits: number;
  /** resumeSession events answered with a miss (including errors and timeouts). */
  misses: number;
  /** Sessions stored from newSession. */
  stored: number;
  /** TLS 1.3 sessions from newSession that were not stored (Node never looks them up). */
  skippedTls13: number;
  /** Cache faults, unreadable sessions and sessions stored under another id: each became a miss
   * or a session not stored, never a failed handshake. */
  errors: number;
  /** Lookups of an asynchronous store that did not answer within `timeoutMs` (counted as misses). */
  timeouts: number;
  /** Lookups of an asynchronous store still waiting for their answer. */
  pending: number;
}

/** Node's resumeSession callback. */
export type ResumeCallback = (err: Error | null, session: Buffer | null) => void;

/** Settings of a {@link ServerAdapter}, validated by attachSessionCache. */
export interface ServerAdapterSettings {
  context: string | Uint8Array | undefined;
  storeTls13: boolean;
  timeoutMs: number;
}

const DEFAULT_SCRATCH_BYTES = 16 * 1024;

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

/** `bytes` as a Buffer over the same memory (Node's callbacks are typed for Buffers). */
function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** The handlers wired into one tls.Server by attachSessionCache. */
export class ServerAdapter {
  private readonly store: ServerSessionStore;
  private readonly contextKey: ServerContextKey;
  private readonly storeTls13: boolean;
  private readonly timeoutMs: number;
  /** Where a SessionCache copies a found session (lookupInto): one buffer, wiped after each use. */
  private scratch: Buffer | undefined;
  private readonly scratchBytes: number;
  private readonly counts: ServerCacheStats = {
    hits: 0,
    misses: 0,
    stored: 0,
    skippedTls13: 0,
    errors: 0,
    timeouts: 0,
    pending: 0,
  };

  constructor(server: Server, store: SessionCache | ServerSessionStore, settings: ServerAdapterSettings) {
    this.store = store;
    this.contextKey = new ServerContextKey(server, settings.context);
    this.storeTls13 = settings.storeTls13;
    this.timeoutMs = settings.timeoutMs;
    const max = (store as Partial<SessionCache>).options?.maxSessionBytes;
    this.scratchBytes = typeof max === 'number' && max > 0 && max <= 1 << 20 ? max : DEFAULT_SCRATCH_BYTES;
    // Only a SessionCache copies into a buffer we own; other stores go through lookup().
    if (typeof (store as Partial<SessionCache>).lookupInto !== 'function') this.scratchBytes = 0;
  }

  /** A copy of the counters. */
  stats(): ServerCacheStats {
    return { ...this.counts };
  }

  /** The partial key this server's sessions are stored under now. */
  partialKey(): Uint8Array {
    return this.contextKey.current();
  }

  /** newSession: store TLS 1.2 sessions; never delay or fail the handshake. */
  readonly onNewSession = (id: Buffer, der: Buffer, done: () => void): void => {
    try {
      this.save(id, der);
    } catch {
      this.counts.errors++;
    }
    done();
  };

  /** resumeSession: exactly one call of `done`, with the session or with null. */
  readonly onResumeSession = (id: Buffer, done: ResumeCallback): void => {
    let found: Buffer | null = null;
    let later: PromiseLike<unknown> | undefined;
    let key: SessionKey | undefined;
    try {
      // Node's parser passes 1-32 bytes; anything else cannot be a stored key.
      if (id.length > 0 && id.length <= MAX_SESSION_ID_BYTES) {
        key = { partialKey: this.contextKey.current(), sessionId: id };
        if (this.scratchBytes > 0) {
          this.scratch ??= Buffer.alloc(this.scratchBytes);
          const scratch = this.scratch;
          const n = (this.store as SessionCache).lookupInto(key, scratch);
          if (n >= 0) found = scratch.subarray(0, n);
        } else {
          const answer = this.store.lookup(key);
          if (isThenable(answer)) later = answer;
          else if (answer !== undefined) found = asBuffer(answer);
        }
        if (found !== null) found = this.checked(key, found);
      }
    } catch {
      this.counts.errors++;
      this.wipeIfOurs(found);
      found = null;
    }
    // The id is copied for the wait: the check against the answer happens after this call returns.
    if (later !== undefined && key !== undefined) this.awaitAnswer(later, { ...key, sessionId: Buffer.from(id) }, done);
    else this.answer(done, found);
  };

  /**
   * Zero `session` if it is in our scratch buffer. A store's own lookup answers are never touched:
   * the Buffer may be the one the store keeps (wiping it would erase the stored session).
   */
  private wipeIfOurs(session: Buffer | null): void {
    if (session !== null && this.scratch !== undefined && session.buffer === this.scratch.buffer) session.fill(0);
  }

  /** Call `done` with `found` (or a miss), then wipe our copy: Node has parsed it by then. */
  private answer(done: ResumeCallback, found: Buffer | null): void {
    if (found === null) this.counts.misses++;
    else this.counts.hits++;
    try {
      done(null, found);
    } finally {
      this.wipeIfOurs(found);
    }
  }

  /** `session` if it was made under the requested id; else null (and the entry is dropped). */
  private checked(key: SessionKey, session: Buffer): Buffer | null {
    const header = readSessionHeader(session);
    if (header !== undefined && sameBytes(header.sessionId, key.sessionId)) return session;
    // Handing OpenSSL another session's DER fails the handshake: never do it, and drop the entry.
    this.counts.errors++;
    this.wipeIfOurs(session);
    try {
      const removed = this.store.delete(key);
      if (isThenable(removed)) removed.then(undefined, () => {});
    } catch {
      // a faulty store: the miss below is all that matters
    }
    return null;
  }

  /** Wait for an asynchronous store's answer for at most timeoutMs; late answers are dropped. */
  private awaitAnswer(later: PromiseLike<unknown>, key: SessionKey, done: ResumeCallback): void {
    const counts = this.counts;
    counts.pending++;
    let settled = false;
    const settle = (): boolean => {
      if (settled) return false;
      settled = true;
      counts.pending--;
      clearTimeout(timer);
      return true;
    };
    const timer = setTimeout(() => {
      if (!settle()) return;
      counts.timeouts++;
      try {
        this.answer(done, null);
      } catch {
        counts.errors++; // a throw from a timer would take the process down
      }
    }, this.timeoutMs);
    const onAnswer = (value: unknown): void => {
      const session = value instanceof Uint8Array ? asBuffer(value) : null;
      if (!settle()) return; // too late: the handshake went on without it (the bytes are the store's)
      let found: Buffer | null = null;
      try {
        if (session !== null) found = this.checked(key, session);
      } catch {
        counts.errors++;
      }
      this.answer(done, found);
    };
    const onFault = (): void => {
      if (!settle()) return;
      counts.errors++;
      this.answer(done, null);
    };
    try {
      later.then(onAnswer, onFault).then(undefined, () => void counts.errors++);
    } catch {
      onFault();
    }
  }

  /** Store a session from newSession, unless it is TLS 1.3 (never looked up) or unreadable. */
  private save(id: Buffer, der: Buffer): void {
    const header = readSessionHeader(der);
    if (header !== undefined && header.version === TLS13_VERSION && !this.storeTls13) {
      this.counts.skippedTls13++;
      return;
    }
    if (header === undefined || id.length === 0 || id.length > MAX_SESSION_ID_BYTES || !sameBytes(header.sessionId, id)) {
      this.counts.errors++;
      return;
    }
    const counts = this.counts;
    const result = this.store.update({ partialKey: this.contextKey.current(), sessionId: id }, der);
    if (isThenable(result))
      result.then(
        () => void counts.stored++,
        () => void counts.errors++,
      );
    else counts.stored++;
  }
}
