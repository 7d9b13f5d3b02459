import type { BeatEvent } from '../event.js';
import type { Batch } from '../outputs/output.js';

/** What a batch reports its settlement to (the memory queue). */
export interface BatchSettler {
  settleAck(batch: QueueBatch): void;
  settleRetry(batch: QueueBatch): void;
  settleRetryEvents(batch: QueueBatch, failed: readonly BeatEvent[], dropped: readonly BeatEvent[]): void;
  settleDrop(batch: QueueBatch, reason: string): void;
  /** A batch was settled a second time (ignored). */
  settledTwice(batch: QueueBatch, how: string): void;
}

/**
 * A batch handed to an output client. Its events stay in their queue slots
 * until settled; `events[k]` lives in slot `slotAt(k)`. Fresh batches are a
 * contiguous run of the ring (`start`, no slot array); retried ones carry
 * their slots explicitly.
 */
export class QueueBatch implements Batch {
  readonly events: BeatEvent[];
  private readonly settler: BatchSettler;
  private readonly start: number;
  private readonly slots: readonly number[] | null;
  private readonly capacity: number;
  /** Set once the output settled it (or the pipeline gave it up at shutdown). */
  settled = false;
  /** Some events were sent back for retry: the worker backs off. */
  failed = false;

  constructor(settler: BatchSettler, events: BeatEvent[], start: number, slots: readonly number[] | null, capacity: number) {
    this.settler = settler;
    this.events = events;
    this.start = start;
    this.slots = slots;
    this.capacity = capacity;
  }

  get length(): number {
    return this.events.length;
  }

  /** The queue slot holding `events[k]`. */
  slotAt(k: number): number {
    if (this.slots !== null) return this.slots[k] ?? -1;
    const s = this.start + k;
    return s >= this.capacity ? s - this.capacity : s;
  }

  ack(): void {
    if (this.begin('ack')) this.settler.settleAck(this);
  }

  retry(): void {
    if (this.begin('retry')) this.settler.settleRetry(this);
  }

  retryEvents(failed: readonly BeatEvent[], dropped: readonly BeatEvent[] = []): void {
    if (this.begin('retryEvents')) this.settler.settleRetryEvents(this, failed, dropped);
  }

  drop(reason: string): void {
    if (this.begin('drop')) this.settler.settleDrop(this, reason);
  }

  toString(): string {
    return `batch(${this.events.length} events)`;
  }

  private begin(how: string): boolean {
    if (this.settled) {
      this.settler.settledTwice(this, how);
      return false;
    }
    this.settled = true;
    return true;
  }
}

/** A partly failed batch, by position in `batch.events`: sent again, given up, and acknowledged. */
export interface BatchOutcome {
  readonly retry: number[];
  readonly drop: number[];
  readonly ack: number[];
}

/** Sorts a batch's events by what `retryEvents(failed, dropped)` says of them; the rest are acknowledged. */
export function batchOutcome(batch: QueueBatch, failed: readonly BeatEvent[], dropped: readonly BeatEvent[]): BatchOutcome {
  const failedSet = failed.length > 0 ? new Set(failed) : undefined;
  const droppedSet = dropped.length > 0 ? new Set(dropped) : undefined;
  const outcome: BatchOutcome = { retry: [], drop: [], ack: [] };
  batch.events.forEach((event, k) => {
    if (failedSet?.has(event) === true) outcome.retry.push(k);
    else if (droppedSet?.has(event) === true) outcome.drop.push(k);
    else outcome.ack.push(k);
  });
  return outcome;
}
