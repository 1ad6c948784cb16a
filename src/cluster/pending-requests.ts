// Requests a worker's store sent to the primary and is still waiting for. Each one ends exactly
// once: with the primary's reply, with its timeout, or when the store or the primary closes, so a
// lost reply (a busy or closed primary) can never leave a handshake hanging or a request behind.

/** How a request ends when it gets no reply. */
export type Outcome = 'timeout' | 'closed';

interface Pending {
  timer: ReturnType<typeof setTimeout>;
  onReply(reply: Record<string, unknown>): void;
  onFail(outcome: Outcome): void;
}

/** The table of pending requests of one store. */
export class PendingRequests {
  private readonly pending = new Map<number, Pending>();
  private next = 1;

  /** Requests waiting for a reply. */
  get size(): number {
    return this.pending.size;
  }

  /**
   * Register a request and return its id; exactly one of `onReply` and `onFail` will be called.
   * The timer is unref'd: a pending request never keeps a process alive.
   */
  add(timeoutMs: number, onReply: Pending['onReply'], onFail: Pending['onFail']): number {
    const id = this.next++;
    const timer = setTimeout(() => this.fail(id, 'timeout'), timeoutMs);
    timer.unref?.();
    this.pending.set(id, { timer, onReply, onFail });
    return id;
  }

  /** Deliver a reply; false if no request `id` is waiting (it timed out or was never sent). */
  reply(id: number, reply: Record<string, unknown>): boolean {
    const entry = this.pending.get(id);
    if (entry === undefined) return false;
    this.pending.delete(id);
    clearTimeout(entry.timer);
    entry.onReply(reply);
    return true;
  }

  /** End request `id` without a reply. */
  fail(id: number, outcome: Outcome): void {
    const entry = this.pending.get(id);
    if (entry === undefined) return;
    this.pending.delete(id);
    clearTimeout(entry.timer);
    entry.onFail(outcome);
  }

  /** End every request without a reply. */
  failAll(outcome: Outcome): void {
    for (const id of [...this.pending.keys()]) this.fail(id, outcome);
  }
}
