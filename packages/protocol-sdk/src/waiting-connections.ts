/** Per-connection state that can say whether anything is waiting on it (a request without its response). */
export interface IdleAware {
  readonly idle: boolean;
}

/**
 * The connections that have something waiting, so `expire(now)` visits only
 * those instead of every connection. Call `touch` after data arrives and
 * `remove` when the connection closes; `expire` runs a step on each waiting
 * connection and forgets those that became idle.
 */
export class WaitingConnections<S extends IdleAware> {
  private readonly waiting = new Set<S>();

  get size(): number {
    return this.waiting.size;
  }

  /** Remembers `state` if something is waiting on it. */
  touch(state: S): void {
    if (!state.idle) this.waiting.add(state);
  }

  remove(state: S): void {
    this.waiting.delete(state);
  }

  /** Calls `step` on every waiting connection (e.g. report requests older than the timeout), then drops the idle ones. */
  expire(step: (state: S) => void): void {
    for (const state of this.waiting) {
      step(state);
      if (state.idle) this.waiting.delete(state);
    }
  }
}
