import type { Counter, Gauge, MetricsRegistry } from '../monitoring/metrics.js';

/**
 * Handles on the publisher's metrics, named as Beats names them. Resolved
 * once so the hot path only adds to plain fields.
 *
 * Pipeline (`libbeat.pipeline.*`):
 * - `clients`: connected, not closed clients.
 * - `events.total`: every `publish()` call.
 * - `events.filtered`: removed by a processor (or a processor threw).
 * - `events.published`: entered the queue (held events count when they do).
 * - `events.failed`: refused at `publish()` (queue full in `drop_if_full`, or
 *   client/pipeline closed), as Beats' `failed`. Each is also counted in `dropped`.
 * - `events.dropped`: every event given up, for any reason: refused at
 *   `publish()`, retries exhausted, dropped by the output, shutdown timeout.
 * - `events.retry`: events sent to the output again after a failed attempt.
 * - `events.active`: accepted (held or queued or in flight), not yet acked or dropped.
 * - `queue.acked`: events acknowledged by the output and removed from the queue.
 * - `queue.max_events`, `queue.filled.events`, `queue.filled.pct` (0..1);
 *   with `queue.disk`, also `queue.max_bytes` and `queue.filled.bytes`.
 *
 * Output (`libbeat.output.events.*`): `total` events handed to output clients
 * (every attempt), `acked`, `failed` (attempts that failed: sent back for retry),
 * `dropped` (given up by the output), `batches` handed out, `active` in flight.
 */
export class PipelineMetrics {
  readonly clients: Gauge;
  readonly eventsTotal: Counter;
  readonly eventsFiltered: Counter;
  readonly eventsPublished: Counter;
  readonly eventsFailed: Counter;
  readonly eventsDropped: Counter;
  readonly eventsRetry: Counter;
  readonly eventsActive: Gauge;
  readonly queueAcked: Counter;
  readonly queueMaxEvents: Gauge;
  readonly queueFilledEvents: Gauge;
  readonly queueFilledPct: Gauge;
  /** `queue.disk` only: its `max_size` and the bytes it takes. */
  readonly queueMaxBytes: Gauge;
  readonly queueFilledBytes: Gauge;
  readonly outputTotal: Counter;
  readonly outputAcked: Counter;
  readonly outputFailed: Counter;
  readonly outputDropped: Counter;
  readonly outputBatches: Counter;
  readonly outputActive: Gauge;

  constructor(registry: MetricsRegistry) {
    this.clients = registry.gauge('libbeat.pipeline.clients');
    this.eventsTotal = registry.counter('libbeat.pipeline.events.total');
    this.eventsFiltered = registry.counter('libbeat.pipeline.events.filtered');
    this.eventsPublished = registry.counter('libbeat.pipeline.events.published');
    this.eventsFailed = registry.counter('libbeat.pipeline.events.failed');
    this.eventsDropped = registry.counter('libbeat.pipeline.events.dropped');
    this.eventsRetry = registry.counter('libbeat.pipeline.events.retry');
    this.eventsActive = registry.gauge('libbeat.pipeline.events.active');
    this.queueAcked = registry.counter('libbeat.pipeline.queue.acked');
    this.queueMaxEvents = registry.gauge('libbeat.pipeline.queue.max_events');
    this.queueFilledEvents = registry.gauge('libbeat.pipeline.queue.filled.events');
    this.queueFilledPct = registry.gauge('libbeat.pipeline.queue.filled.pct');
    this.queueMaxBytes = registry.gauge('libbeat.pipeline.queue.max_bytes');
    this.queueFilledBytes = registry.gauge('libbeat.pipeline.queue.filled.bytes');
    this.outputTotal = registry.counter('libbeat.output.events.total');
    this.outputAcked = registry.counter('libbeat.output.events.acked');
    this.outputFailed = registry.counter('libbeat.output.events.failed');
    this.outputDropped = registry.counter('libbeat.output.events.dropped');
    this.outputBatches = registry.counter('libbeat.output.events.batches');
    this.outputActive = registry.gauge('libbeat.output.events.active');
  }
}
