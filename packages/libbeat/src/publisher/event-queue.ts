import type { BeatEvent } from '../event.js';
import type { QueueBatch } from './batch.js';
import type { PublishMode } from './types.js';

/** The owner of queued events: told, in publish order, what became of them. */
export interface QueueProducer {
  readonly mode: PublishMode;
  /** `count` of this producer's events were acknowledged (called in publish order). */
  deliverAcks(count: number): void;
  /** `count` of this producer's events were given up. */
  deliverDrops(count: number, reason: string): void;
}

/**
 * What the pipeline and its output workers need of a queue (`queue.mem` or
 * `queue.disk`): producers enqueue synchronously, workers take batches.
 */
export interface EventQueue {
  /** Events in the queue: waiting, in flight, or done but not yet released. */
  readonly size: number;
  readonly hasRoom: boolean;
  readonly isStopped: boolean;
  /** Events acknowledged by the output, over the queue's life. */
  readonly ackedTotal: number;
  /** Events given up, over the queue's life. */
  readonly droppedTotal: number;
  /** Adds an event; `false` when the queue is full or stopped. */
  enqueue(producer: QueueProducer, event: BeatEvent): boolean;
  /** The next batch if one is ready now; `undefined`: nothing ready; `null`: stopped. */
  takeBatch(): QueueBatch | null | undefined;
  /** Waits for the next batch (`null` once stopped). Call after `takeBatch()` returned `undefined`. */
  waitBatch(): Promise<QueueBatch | null>;
  /** Shutdown: everything queued becomes ready now. */
  setClosing(): void;
  /** Stops the queue; returns how many events were given up by stopping. */
  stop(reason: string): number;
}
