import { mergeFields } from '../common/fields.js';
import { BeatError, ErrorCodes } from '../errors.js';
import type { BeatEvent, EventFields } from '../event.js';
import type { Logger } from '../logging/logger.js';
import type { MetricsRegistry } from '../monitoring/metrics.js';
import type { OutputGroup } from '../outputs/output.js';
import type { Processor } from '../processors/processor.js';
import { Client, type ClientHost } from './client.js';
import { DiskQueue, type DiskQueueSettings } from './disk/disk-queue.js';
import type { EventQueue } from './event-queue.js';
import { MemQueue } from './memqueue.js';
import { OutputController } from './output-controller.js';
import { PipelineMetrics } from './pipeline-metrics.js';
import type { ClientOptions, PipelineClient, PublishResult, QueueSettings } from './types.js';

export interface PipelineSettings {
  readonly queue: QueueSettings;
  /** `queue.disk`: when set, events go through segment files on disk instead of `queue.mem`. */
  readonly diskQueue?: DiskQueueSettings;
  readonly output: OutputGroup;
  /** Global processors, run after each client's own. */
  readonly processors?: readonly Processor[];
  readonly metrics: MetricsRegistry;
  /** Pass a named logger (e.g. `logger.named('publisher')`). */
  readonly logger: Logger;
  /**
   * The beat's built-in fields (Beats' "builtins": `agent.*`, `ecs.version`,
   * `host.name`), applied after the client's processors and before the
   * global ones. An object is deep-merged without overwriting what the event
   * already has; a function may mutate the event.
   */
  readonly beatFields?: EventFields | ((event: BeatEvent) => void);
  /** Jitter source for the output backoff, in [0, 1). Default `Math.random` (tests pin it). */
  readonly random?: () => number;
}

/** What `close()` reports about the events outstanding when it was called. */
export interface PipelineCloseResult {
  /** Acknowledged by the output while closing. */
  readonly acked: number;
  /** Given up while closing: retries exhausted, dropped by the output, or still undelivered at the timeout. */
  readonly dropped: number;
}

const RESOLVED: Promise<void> = Promise.resolve();
/** setTimeout's largest delay; a larger (or infinite) timeout means "wait for ever". */
const MAX_TIMER_MS = 2_147_483_647;
const SHUTDOWN_REASON = 'shutdown_timeout';

function beatFieldsProcessor(beatFields: EventFields | ((event: BeatEvent) => void)): Processor {
  if (typeof beatFields === 'function') {
    return {
      name: 'beat_fields',
      run(event: BeatEvent): BeatEvent {
        beatFields(event);
        return event;
      },
    };
  }
  return {
    name: 'beat_fields',
    run(event: BeatEvent): BeatEvent {
      mergeFields(event.fields, beatFields, false);
      return event;
    },
  };
}

/**
 * The publisher pipeline: clients → processors → bounded memory queue →
 * output workers, with acks back to the clients in publish order.
 * Workers start at construction.
 */
export class Pipeline implements ClientHost {
  readonly metrics: PipelineMetrics;
  private readonly logger: Logger;
  private readonly queue: EventQueue;
  private readonly controller: OutputController;
  private readonly chain: readonly Processor[];
  private readonly clients = new Set<Client>();
  /** Clients with held events or waiting for space, in the order they started waiting (held events themselves go in by `heldOrder`). */
  private readonly waiting = new Set<Client>();
  private heldTotal = 0;
  /**
   * The client of each held event, in the order the events were published:
   * held events go into the queue in that order, whichever client they came
   * from, so one producer's clients never pass each other while the queue is full.
   */
  private heldOrder: (Client | undefined)[] = [];
  private heldHead = 0;
  private heldDropped = 0;
  private closing: Promise<PipelineCloseResult> | undefined;
  private drainedResolve: (() => void) | undefined;

  constructor(settings: PipelineSettings) {
    this.logger = settings.logger;
    this.metrics = new PipelineMetrics(settings.metrics);
    const chain: Processor[] = [];
    if (settings.beatFields !== undefined) chain.push(beatFieldsProcessor(settings.beatFields));
    if (settings.processors !== undefined) chain.push(...settings.processors);
    this.chain = chain;
    const queueOptions = {
      batchSize: settings.output.batchSize,
      maxRetries: settings.output.maxRetries,
      metrics: this.metrics,
      logger: this.logger,
      onRelease: () => {
        this.onRelease();
      },
    };
    this.queue = settings.diskQueue !== undefined ? new DiskQueue({ ...queueOptions, settings: settings.diskQueue }) : new MemQueue({ ...queueOptions, settings: settings.queue });
    this.controller = new OutputController(settings.output, this.queue, this.logger, settings.random);
    if (settings.output.clients.length === 0) this.logger.warn('the output has no clients: events will not be delivered');
    this.controller.start();
  }

  /** Events accepted and not yet acknowledged or dropped (held + queued + in flight). */
  get outstanding(): number {
    return this.queue.size + this.heldTotal;
  }

  get isClosed(): boolean {
    return this.closing !== undefined;
  }

  /** Connects a producer. Throws `BEAT_ERR_PIPELINE_CLOSED` once `close()` was called. */
  connect(options: ClientOptions = {}): PipelineClient {
    if (this.closing !== undefined) {
      throw new BeatError(ErrorCodes.PIPELINE_CLOSED, 'cannot connect to the publisher pipeline: it is closed');
    }
    const client = new Client(this, options, this.chain, this.metrics, this.logger);
    this.clients.add(client);
    this.metrics.clients.value++;
    return client;
  }

  /**
   * Shuts down (Beats' `shutdown_timeout`): clients stop accepting events;
   * what is queued or held is handed to the output at once, and the pipeline
   * waits up to `timeoutMs` for it to be acknowledged (0: does not wait).
   * Whatever is still undelivered then is counted as dropped and logged.
   * Output clients are closed last. Idempotent: later calls return the first
   * call's promise.
   */
  close(timeoutMs = 0, stopWaiting?: AbortSignal): Promise<PipelineCloseResult> {
    this.closing ??= this.shutdown(timeoutMs, stopWaiting);
    return this.closing;
  }

  // ---- ClientHost ---------------------------------------------------------

  accept(client: Client, event: BeatEvent): PublishResult {
    const m = this.metrics;
    if (this.heldTotal === 0 || this.drainHeld()) {
      if (this.queue.enqueue(client, event)) {
        m.eventsPublished.value++;
        m.eventsActive.value++;
        return 'queued';
      }
    }
    if (client.mode === 'drop_if_full') {
      m.eventsFailed.value++;
      m.eventsDropped.value++;
      client.deliverDrops(1, 'queue full');
      return 'dropped';
    }
    client.hold(event);
    this.heldOrder.push(client);
    this.heldTotal++;
    m.eventsActive.value++;
    this.waiting.add(client);
    return 'held';
  }

  refuse(client: Client, reason: string): PublishResult {
    this.metrics.eventsFailed.value++;
    this.metrics.eventsDropped.value++;
    client.deliverDrops(1, reason);
    return 'dropped';
  }

  waitForSpace(client: Client): Promise<void> {
    if (client.closed || this.queue.isStopped) return RESOLVED;
    if (client.heldCount === 0 && this.queue.hasRoom) return RESOLVED;
    this.waiting.add(client);
    return client.spaceWait();
  }

  clientClosed(client: Client): void {
    if (this.clients.delete(client)) this.metrics.clients.value--;
    client.resolveSpace();
    if (client.heldCount === 0) this.waiting.delete(client);
  }

  // ---- internals ----------------------------------------------------------

  /** Moves held events into the queue in the order they were published; `true` when none is left. */
  private drainHeld(): boolean {
    while (this.heldHead < this.heldOrder.length) {
      const client = this.heldOrder[this.heldHead] as Client;
      const event = client.peekHeld();
      if (event !== undefined) {
        if (!this.queue.enqueue(client, event)) return false;
        client.shiftHeld();
        this.heldTotal--;
        this.metrics.eventsPublished.value++;
        // Its last held event went in while a slot is still free: the client may go on.
        if (client.heldCount === 0 && this.queue.hasRoom && this.waiting.delete(client)) client.resolveSpace();
      }
      this.heldOrder[this.heldHead++] = undefined;
    }
    this.heldOrder = [];
    this.heldHead = 0;
    return true;
  }

  /** Slots were freed: queue held events (in publish order), wake producers with nothing held while there is room, detect the drain. */
  private onRelease(): void {
    if (this.heldTotal > 0) this.drainHeld();
    if (this.waiting.size > 0) {
      for (const client of this.waiting) {
        if (!this.queue.hasRoom) break;
        if (client.heldCount > 0) continue;
        this.waiting.delete(client);
        client.resolveSpace();
      }
    }
    if (this.drainedResolve !== undefined && this.outstanding === 0) this.drainedResolve();
  }

  private async shutdown(timeoutMs: number, stopWaiting: AbortSignal | undefined): Promise<PipelineCloseResult> {
    const acked0 = this.queue.ackedTotal;
    const dropped0 = this.queue.droppedTotal + this.heldDropped;
    for (const client of [...this.clients]) client.close();

    if (timeoutMs > 0 && this.outstanding > 0) {
      const limit = Number.isFinite(timeoutMs) ? `up to ${timeoutMs} ms` : 'until the output has them all (a signal stops the wait)';
      this.logger.info(`publisher pipeline closing: waiting ${limit} for ${this.outstanding} events to be acknowledged`);
      this.queue.setClosing();
      await this.waitDrained(timeoutMs, stopWaiting);
    }

    const dropped = this.finalize();
    if (dropped > 0) {
      this.logger.warn(`${dropped} events were not acknowledged by the output before shutdown_timeout and are dropped`, {
        events: dropped,
      });
    }
    await this.controller.closeClients();
    return {
      acked: this.queue.ackedTotal - acked0,
      dropped: this.queue.droppedTotal + this.heldDropped - dropped0,
    };
  }

  private waitDrained(timeoutMs: number, stopWaiting: AbortSignal | undefined): Promise<void> {
    return new Promise<void>((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const done = (): void => {
        if (timer !== undefined) clearTimeout(timer);
        stopWaiting?.removeEventListener('abort', done);
        this.drainedResolve = undefined;
        resolve();
      };
      this.drainedResolve = done;
      if (Number.isFinite(timeoutMs) && timeoutMs <= MAX_TIMER_MS) timer = setTimeout(done, timeoutMs);
      if (stopWaiting?.aborted === true) done();
      else stopWaiting?.addEventListener('abort', done, { once: true });
    });
  }

  /** Stops the queue and workers; drops (counts, reports) everything undelivered. */
  private finalize(): number {
    let dropped = this.queue.stop(SHUTDOWN_REASON);
    for (const client of this.waiting) {
      const n = client.takeAllHeld();
      if (n > 0) {
        dropped += n;
        this.heldTotal -= n;
        this.heldDropped += n;
        this.metrics.eventsDropped.value += n;
        this.metrics.eventsActive.value -= n;
        client.deliverDrops(n, SHUTDOWN_REASON);
      }
      client.resolveSpace();
    }
    this.waiting.clear();
    this.heldOrder = [];
    this.heldHead = 0;
    this.controller.stop();
    return dropped;
  }
}
