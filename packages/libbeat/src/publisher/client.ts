import { mergeFields } from '../common/fields.js';
import { errorMessage } from '../errors.js';
import type { BeatEvent, EventFields } from '../event.js';
import type { Logger } from '../logging/logger.js';
import type { Processor } from '../processors/processor.js';
import type { QueueProducer } from './event-queue.js';
import type { PipelineMetrics } from './pipeline-metrics.js';
import type { ClientOptions, PipelineClient, PublishMode, PublishResult } from './types.js';

/** What a client needs from its pipeline. */
export interface ClientHost {
  /** Enqueues (or holds, or drops) an event that passed the processors. */
  accept(client: Client, event: BeatEvent): PublishResult;
  /** Refuses an event of a closed client: counted as failed and dropped. */
  refuse(client: Client, reason: string): PublishResult;
  waitForSpace(client: Client): Promise<void>;
  clientClosed(client: Client): void;
}

const PROCESSOR_ERROR_LOG_INTERVAL_MS = 10_000;

/** Appends tags to the event's `tags` array, as Beats' `AddTagsWithKey` (a non-array `tags` is left alone). */
export function tagsProcessor(tags: readonly string[]): Processor {
  const list = [...tags];
  return {
    name: 'add_client_tags',
    run(event: BeatEvent): BeatEvent {
      const current = event.fields.tags;
      if (Array.isArray(current)) {
        for (const t of list) current.push(t);
      } else if (current === undefined) {
        event.fields.tags = list.slice();
      }
      return event;
    },
  };
}

/** Merges (deep copies of) `fields` into each event, under `fields.` unless `underRoot`; they overwrite. */
export function fieldsProcessor(fields: Record<string, unknown>, underRoot: boolean): Processor {
  const source: EventFields = underRoot ? fields : { fields };
  return {
    name: 'add_client_fields',
    run(event: BeatEvent): BeatEvent {
      mergeFields(event.fields, source, true);
      return event;
    },
  };
}

/**
 * A connection of a producer (a protocol, an input) to the pipeline.
 *
 * Processing order, as Beats' `processing.builder`: client tags, client
 * fields, the client's processors, then the pipeline chain (beat fields
 * hook, global processors). A processor returning `null` filters the
 * event; a processor that throws is logged and filters it too (Beats drops
 * an event whose processor failed).
 */
export class Client implements PipelineClient, QueueProducer {
  readonly mode: PublishMode;
  private readonly host: ClientHost;
  private readonly metrics: PipelineMetrics;
  private readonly logger: Logger;
  private readonly chain: readonly Processor[];
  /** Events arrive final (see `ClientOptions.preprocessed`). */
  private readonly preprocessed: boolean;
  private readonly onAck: ((count: number) => void) | undefined;
  private readonly onDrop: ((count: number, reason: string) => void) | undefined;

  /** Events accepted while the queue was full, oldest at `heldHead`. */
  private held: (BeatEvent | undefined)[] = [];
  private heldHead = 0;
  private closedFlag = false;
  private spacePromise: Promise<void> | undefined;
  private spaceResolve: (() => void) | undefined;
  private processorErrors = 0;
  private lastProcessorErrorLog = 0;

  constructor(host: ClientHost, options: ClientOptions, pipelineChain: readonly Processor[], metrics: PipelineMetrics, logger: Logger) {
    this.host = host;
    this.metrics = metrics;
    this.logger = logger;
    this.mode = options.mode ?? 'default';
    this.onAck = options.onAck;
    this.onDrop = options.onDrop;
    const chain: Processor[] = [];
    this.preprocessed = options.preprocessed === true;
    if (this.preprocessed && ((options.tags?.length ?? 0) > 0 || Object.keys(options.fields ?? {}).length > 0 || (options.processors?.length ?? 0) > 0)) {
      throw new Error('a preprocessed client takes no processors, fields or tags: its producer applies them');
    }
    if (options.tags !== undefined && options.tags.length > 0) chain.push(tagsProcessor(options.tags));
    if (options.fields !== undefined && Object.keys(options.fields).length > 0) {
      chain.push(fieldsProcessor(options.fields, options.fieldsUnderRoot === true));
    }
    if (options.processors !== undefined) chain.push(...options.processors);
    chain.push(...pipelineChain);
    this.chain = chain;
  }

  get closed(): boolean {
    return this.closedFlag;
  }

  publish(event: BeatEvent): PublishResult {
    this.metrics.eventsTotal.value++;
    if (this.closedFlag) return this.host.refuse(this, 'client closed');
    if (this.preprocessed) return this.host.accept(this, event);
    let e: BeatEvent | null = event;
    try {
      for (const p of this.chain) {
        e = p.run(e);
        if (e === null) break;
      }
    } catch (err) {
      this.processorFailed(err);
      e = null;
    }
    if (e === null) {
      this.metrics.eventsFiltered.value++;
      return 'filtered';
    }
    return this.host.accept(this, e);
  }

  waitForSpace(): Promise<void> {
    return this.host.waitForSpace(this);
  }

  close(): void {
    if (this.closedFlag) return;
    this.closedFlag = true;
    this.host.clientClosed(this);
  }

  // ---- QueueProducer ------------------------------------------------------

  deliverAcks(count: number): void {
    if (this.onAck === undefined) return;
    try {
      this.onAck(count);
    } catch (err) {
      this.logger.error(`onAck callback failed: ${errorMessage(err)}`);
    }
  }

  deliverDrops(count: number, reason: string): void {
    if (this.onDrop === undefined) return;
    try {
      this.onDrop(count, reason);
    } catch (err) {
      this.logger.error(`onDrop callback failed: ${errorMessage(err)}`);
    }
  }

  // ---- held events (used by the pipeline) ---------------------------------

  get heldCount(): number {
    return this.held.length - this.heldHead;
  }

  hold(event: BeatEvent): void {
    this.held.push(event);
  }

  peekHeld(): BeatEvent | undefined {
    return this.held[this.heldHead];
  }

  shiftHeld(): void {
    this.held[this.heldHead] = undefined;
    this.heldHead++;
    if (this.heldHead === this.held.length) {
      this.held = [];
      this.heldHead = 0;
    }
  }

  /** Discards every held event; returns how many there were. */
  takeAllHeld(): number {
    const n = this.heldCount;
    this.held = [];
    this.heldHead = 0;
    return n;
  }

  /** The promise `waitForSpace()` returns while the client must wait. */
  spaceWait(): Promise<void> {
    this.spacePromise ??= new Promise<void>((resolve) => {
      this.spaceResolve = resolve;
    });
    return this.spacePromise;
  }

  resolveSpace(): void {
    const resolve = this.spaceResolve;
    this.spacePromise = undefined;
    this.spaceResolve = undefined;
    if (resolve !== undefined) resolve();
  }

  private processorFailed(err: unknown): void {
    this.processorErrors++;
    const now = Date.now();
    if (this.processorErrors === 1 || now - this.lastProcessorErrorLog >= PROCESSOR_ERROR_LOG_INTERVAL_MS) {
      this.lastProcessorErrorLog = now;
      this.logger.error(`a processor failed, event dropped: ${errorMessage(err)}`, { errors: this.processorErrors });
    }
  }
}
