import type { BeatEvent } from '../event.js';
import type { Processor } from '../processors/processor.js';

/**
 * How a client's events behave when the queue is full and when the output fails:
 * - `default`: publishing waits for space (see `Client.publish`); an event
 *   is retried up to the output's `max_retries`, then dropped and counted.
 * - `guaranteed`: waits for space, retried forever; only a shutdown timeout
 *   drops it (counted and logged).
 * - `drop_if_full`: a full queue drops the event and counts it; capture never stalls.
 */
export type PublishMode = 'default' | 'guaranteed' | 'drop_if_full';

export interface ClientOptions {
  readonly mode?: PublishMode;
  /** Run before the global processors (per input, e.g. a protocol's `processors`). */
  readonly processors?: readonly Processor[];
  /** Merged into every event (`fields`), under `fields.` unless `fieldsUnderRoot`. */
  readonly fields?: Record<string, unknown>;
  readonly fieldsUnderRoot?: boolean;
  /** Appended to the event's `tags`. */
  readonly tags?: readonly string[];
  /**
   * Events arrive final: processors, fields, tags and the beat's own fields
   * were applied by the producer (a worker thread). Neither this client's
   * nor the pipeline's processing runs; `processors`, `fields` and `tags`
   * must then be empty.
   */
  readonly preprocessed?: boolean;
  /** Called in publish order with the number of events the output acknowledged. */
  readonly onAck?: (count: number) => void;
  /** Called when events of this client are given up (full queue, retries exhausted, shutdown). */
  readonly onDrop?: (count: number, reason: string) => void;
}

/** The outcome of one `publish` call. */
export type PublishResult =
  /** Queued. */
  | 'queued'
  /** Removed by a processor. */
  | 'filtered'
  /** Queue full in `drop_if_full` mode, or the pipeline is closed: counted as dropped. */
  | 'dropped'
  /** Queue full in a waiting mode: the event is held; await `waitForSpace()` before publishing more. */
  | 'held';

export interface PipelineClient {
  /**
   * Runs the processors and enqueues the event, synchronously. In waiting
   * modes a full queue holds the event (it is not lost) and returns `held`;
   * the producer should then `await waitForSpace()` before its next publish,
   * as with a Node stream's `write()`/`drain`.
   */
  publish(event: BeatEvent): PublishResult;
  /** Resolves once held events are queued and there is room for more. */
  waitForSpace(): Promise<void>;
  /** Stops accepting events; events already accepted are still delivered. */
  close(): void;
}

export interface QueueSettings {
  /** `queue.mem.events`: events in the queue, including those being sent. */
  readonly events: number;
  /** `queue.mem.flush.min_events`: a batch is handed out once this many are ready. */
  readonly flushMinEvents: number;
  /** `queue.mem.flush.timeout` in ms: or when the oldest ready event is this old. */
  readonly flushTimeoutMs: number;
}

export const DEFAULT_QUEUE_SETTINGS: QueueSettings = { events: 3200, flushMinEvents: 1600, flushTimeoutMs: 10_000 };
