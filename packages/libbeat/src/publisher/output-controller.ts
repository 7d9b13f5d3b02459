import { errorMessage } from '../errors.js';
import type { Logger } from '../logging/logger.js';
import type { OutputClient, OutputGroup } from '../outputs/output.js';
import { Backoff } from './backoff.js';
import type { QueueBatch } from './batch.js';
import type { EventQueue } from './event-queue.js';

/**
 * One worker loop per output client (Beats' `netClientWorker`): take a batch,
 * `await client.publish(batch)`, make sure the batch was settled, and back
 * off exponentially after a failed attempt.
 */
export class OutputWorker {
  readonly client: OutputClient;
  readonly backoff: Backoff;
  private readonly queue: EventQueue;
  private readonly logger: Logger;
  private loop: Promise<void> | undefined;

  constructor(client: OutputClient, queue: EventQueue, group: OutputGroup, logger: Logger, random?: () => number) {
    this.client = client;
    this.queue = queue;
    this.logger = logger;
    this.backoff = new Backoff(group.backoff, random);
  }

  /** Starts the loop (once); the promise settles when the queue stops. */
  start(): Promise<void> {
    this.loop ??= this.run();
    return this.loop;
  }

  /** Cancels a backoff wait in progress; the loop ends once the queue stopped. */
  cancel(): void {
    this.backoff.cancel();
  }

  private async run(): Promise<void> {
    try {
      for (;;) {
        let batch = this.queue.takeBatch();
        if (batch === undefined) batch = await this.queue.waitBatch();
        if (batch === null) return;
        const failed = await this.publish(batch);
        if (this.queue.isStopped) return;
        if (failed) {
          const completed = await this.backoff.wait();
          if (!completed) return;
        } else {
          this.backoff.reset();
        }
      }
    } catch (err) {
      // Only a bug in the pipeline itself can get here; keep the beat running.
      this.logger.error(`output worker ${this.client.toString()} stopped: ${errorMessage(err)}`);
    }
  }

  /** Publishes one batch; returns whether the attempt failed (some events to retry). */
  private async publish(batch: QueueBatch): Promise<boolean> {
    try {
      await this.client.publish(batch);
    } catch (err) {
      if (!batch.settled) {
        if (!this.queue.isStopped) {
          this.logger.error(`failed to publish ${batch.length} events to ${this.client.toString()}: ${errorMessage(err)}; retrying`, {
            events: batch.length,
          });
        }
        batch.retry();
        return true;
      }
      this.logger.warn(`${this.client.toString()} failed after settling a batch: ${errorMessage(err)}`);
      return batch.failed;
    }
    if (!batch.settled) {
      if (!this.queue.isStopped) {
        this.logger.error(`${this.client.toString()} returned without settling a batch of ${batch.length} events; retrying`, {
          events: batch.length,
        });
      }
      batch.retry();
      return true;
    }
    return batch.failed;
  }
}

/** Runs the workers of an output group and closes its clients at shutdown. */
export class OutputController {
  readonly workers: readonly OutputWorker[];
  private readonly group: OutputGroup;
  private readonly logger: Logger;
  private closed: Promise<void> | undefined;

  constructor(group: OutputGroup, queue: EventQueue, logger: Logger, random?: () => number) {
    this.group = group;
    this.logger = logger;
    this.workers = group.clients.map((c) => new OutputWorker(c, queue, group, logger, random));
  }

  start(): void {
    for (const w of this.workers) void w.start();
  }

  /** Cancels backoff waits (the queue must have been stopped first). */
  stop(): void {
    for (const w of this.workers) w.cancel();
  }

  /** `close()` on every output client, once; failures are logged. */
  closeClients(): Promise<void> {
    this.closed ??= (async () => {
      const results = await Promise.allSettled(this.group.clients.map((c) => c.close()));
      results.forEach((r, i) => {
        if (r.status === 'rejected') {
          const name = this.group.clients[i]?.toString() ?? `client ${i}`;
          this.logger.error(`closing output ${name} failed: ${errorMessage(r.reason)}`);
        }
      });
    })();
    return this.closed;
  }
}
