// The workload of a TLS terminator, generated deterministically so every contender (each in its
// own process) sees the same keys: 32-byte session ids, partial key 'host:port' with about four
// sessions per host:port, sessions of a fixed size.

/** The session id of key number n: 32 pseudo-random bytes (splitmix-style), written into `out`. */
export function writeSessionId(n, out, offset = 0) {
  let x = (n * 0x9e3779b1 + 0x7f4a7c15) >>> 0;
  for (let i = 0; i < 32; i += 4) {
    x = (x + 0x6d2b79f5) >>> 0;
    let t = Math.imul(x ^ (x >>> 15), x | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    t = (t ^ (t >>> 14)) >>> 0;
    out.writeUInt32LE(t, offset + i);
  }
}

/** A new 'host:port' string for host number i (a new string object on every call). */
const hostPartialKey = (i) => `host${i}.example:443`;

export class Workload {
  /**
   * @param {number} entries sessions stored after the fill
   * @param {number} sessionBytes size of each session
   */
  constructor(entries, sessionBytes) {
    this.entries = entries;
    this.sessionBytes = sessionBytes;
    this.hosts = Math.max(1, Math.floor(entries / 4));
    this.partialKeys = Array.from({ length: this.hosts }, (_, i) => hostPartialKey(i));
    // key numbers currently stored: 0..entries-1 after the fill; fresh numbers come from `next`
    this.live = new Int32Array(entries);
    for (let i = 0; i < entries; i++) this.live[i] = i;
    this.next = entries;
    this.rng = 0x2545f491;
    this.sessions = Array.from({ length: 8 }, (_, v) => {
      const b = Buffer.alloc(sessionBytes);
      for (let i = 0; i < sessionBytes; i++) b[i] = (i * 31 + v * 17) & 0xff;
      return b;
    });
  }

  /** A pseudo-random integer in [0, n). */
  random(n) {
    let x = this.rng;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.rng = x >>> 0;
    return this.rng % n;
  }

  /**
   * The key object of key number n, made as a connection makes it: its own session id Buffer (as
   * Node hands one to a session callback) and its own partial-key string, built from host and
   * port (as clientPartialKey does for every connection). Not the string in `partialKeys`: keys
   * sharing one old string per host made every timed lookup wait for two extra cache misses (the
   * string, then its characters) that a connection's freshly built key does not have.
   */
  key(n) {
    const sessionId = Buffer.allocUnsafe(32);
    writeSessionId(n, sessionId);
    return { partialKey: hostPartialKey(n % this.hosts), sessionId };
  }

  /**
   * Key number n written into `key` (a reused object): for filling and untimed churn, so the
   * workload's own garbage does not grow the process and blur the memory figures.
   */
  keyInto(n, key) {
    key.partialKey = this.partialKeys[n % this.hosts];
    writeSessionId(n, key.sessionId);
    return key;
  }

  session(i) {
    return this.sessions[i & 7];
  }

  /** Keys of `count` random stored sessions. */
  hitKeys(count) {
    return Array.from({ length: count }, () => this.key(this.live[this.random(this.entries)]));
  }

  /** Keys that were never stored. */
  missKeys(count) {
    return Array.from({ length: count }, (_, i) => this.key(0x40000000 + i));
  }

  /** Keys never used before (each call gives new ones). */
  freshKeys(count) {
    const out = Array.from({ length: count }, (_, i) => this.key(this.next + i));
    this.next += count;
    return out;
  }

  /**
   * Plan `count` churn steps (delete a random stored session, store a new one in its place) and
   * apply them to `live`: returns [keyToDelete, keyToInsert] pairs.
   */
  churnPlan(count) {
    const plan = new Array(count);
    for (let i = 0; i < count; i++) {
      const j = this.random(this.entries);
      const n = this.next++;
      plan[i] = [this.key(this.live[j]), this.key(n)];
      this.live[j] = n;
    }
    return plan;
  }

  /**
   * Plan a mixed stream: 80 % hits, 10 % misses, 5 % replacements, 5 % churn steps.
   * Returns parallel arrays of op codes (0 hit, 1 miss, 2 replace, 3 churn) and keys (a churn
   * step has two keys: [delete, insert]).
   */
  mixedPlan(count) {
    const ops = new Uint8Array(count);
    const keys = new Array(count);
    for (let i = 0; i < count; i++) {
      const r = this.random(100);
      if (r < 80) {
        keys[i] = this.key(this.live[this.random(this.entries)]);
      } else if (r < 90) {
        ops[i] = 1;
        keys[i] = this.key(0x40000000 + this.random(1 << 20));
      } else if (r < 95) {
        ops[i] = 2;
        keys[i] = this.key(this.live[this.random(this.entries)]);
      } else {
        ops[i] = 3;
        const j = this.random(this.entries);
        const n = this.next++;
        keys[i] = [this.key(this.live[j]), this.key(n)];
        this.live[j] = n;
      }
    }
    return { ops, keys };
  }
}
