import type { BeatInfo } from '../beat/info.js';
import type { BeatEvent } from '../event.js';
import type { Logger } from '../logging/logger.js';
import type { MetricsRegistry } from '../monitoring/metrics.js';

/**
 * A batch handed from the queue to an output client. The client must settle
 * it exactly once with one of the calls below; a batch whose publish promise
 * rejects without being settled is retried whole.
 */
export interface Batch {
  readonly events: readonly BeatEvent[];
  /** Every event was delivered. */
  ack(): void;
  /** Nothing was delivered: send the whole batch again after a backoff. */
  retry(): void;
  /**
   * Partial success: `failed` are sent again, `dropped` are given up (counted
   * and not resent), every other event of the batch is acknowledged.
   */
  retryEvents(failed: readonly BeatEvent[], dropped?: readonly BeatEvent[]): void;
  /** Give the whole batch up; the events are counted as dropped with `reason`. */
  drop(reason: string): void;
}

export interface BackoffSettings {
  /** Milliseconds before the first retry. */
  readonly initMs: number;
  /** Upper bound for the exponential backoff, in milliseconds. */
  readonly maxMs: number;
}

/** One connection of an output (an output may run several: `worker`). */
export interface OutputClient {
  publish(batch: Batch): Promise<void>;
  close(): Promise<void>;
  /** For logs: `file(/var/log/packetbeat)`, `elasticsearch(http://…)`. */
  toString(): string;
}

/** What an output factory builds: its clients and how the pipeline feeds them. */
export interface OutputGroup {
  readonly clients: readonly OutputClient[];
  /** Largest batch handed to one publish call (`bulk_max_size`). */
  readonly batchSize: number;
  /** Retries of one event before it is dropped; negative = forever. */
  readonly maxRetries: number;
  readonly backoff: BackoffSettings;
}

export interface OutputContext {
  readonly beat: BeatInfo;
  readonly logger: Logger;
  /** Registry scoped to this output; counters such as `write.bytes`. */
  readonly metrics: MetricsRegistry;
}

/**
 * An output type, registered by name (`output.<type>`). `schema` is a convict
 * schema for the keys under `output.<type>` (without `enabled`, which the
 * registry adds). `create` may do I/O; `healthcheck` backs `test output`.
 */
export interface OutputFactory<C = Record<string, unknown>> {
  readonly type: string;
  readonly schema: Record<string, unknown>;
  create(config: C, ctx: OutputContext): OutputGroup | Promise<OutputGroup>;
  healthcheck?(config: C, ctx: OutputContext): Promise<string>;
}
