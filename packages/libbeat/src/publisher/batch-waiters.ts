import type { QueueBatch } from './batch.js';

/**
 * Output workers waiting for a batch, and the hand-out that serves them: a
 * queue calls `schedule()` when batches may be ready, and the waiters get
 * them in a microtask, in the order they started waiting. `null` tells a
 * waiter the queue stopped.
 */
export class BatchWaiters {
  private waiters: ((batch: QueueBatch | null) => void)[] = [];
  private scheduled = false;
  private readonly dispatchBound = (): void => {
    this.dispatch();
  };

  /** `take` is the queue's `takeBatch`: a batch, `undefined` when none is ready, `null` once stopped. */
  constructor(private readonly take: () => QueueBatch | null | undefined) {}

  wait(): Promise<QueueBatch | null> {
    return new Promise<QueueBatch | null>((resolve) => {
      this.waiters.push(resolve);
    });
  }

  /** Hands out ready batches soon (a microtask), if anyone waits. */
  schedule(): void {
    if (this.scheduled || this.waiters.length === 0) return;
    this.scheduled = true;
    queueMicrotask(this.dispatchBound);
  }

  /** Hands ready batches to the waiters now. */
  dispatch(): void {
    this.scheduled = false;
    while (this.waiters.length > 0) {
      const batch = this.take();
      if (batch === undefined) return;
      const waiter = this.waiters.shift();
      if (waiter !== undefined) waiter(batch);
      if (batch === null) return;
    }
  }

  /** The queue stopped: every waiter gets `null`. */
  stopAll(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w(null);
  }
}
