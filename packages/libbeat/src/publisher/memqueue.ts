import type { BeatEvent } from '../event.js';
import type { Logger } from '../logging/logger.js';
import { BatchWaiters } from './batch-waiters.js';
import { batchOutcome, QueueBatch, type BatchSettler } from './batch.js';
import type { PipelineMetrics } from './pipeline-metrics.js';
import type { EventQueue, QueueProducer } from './event-queue.js';
import type { QueueSettings } from './types.js';

/** Slot states. A slot is occupied from enqueue until the ack loop frees it. */
const FREE = 0;
/** Waiting to be handed out (fresh, or sent back for retry). */
const QUEUED = 1;
const IN_FLIGHT = 2;
const ACKED = 3;
const DROPPED = 4;

export type { QueueProducer } from './event-queue.js';

export interface MemQueueOptions {
  readonly settings: QueueSettings;
  /** Largest batch handed out (`bulk_max_size`). */
  readonly batchSize: number;
  /** Retries of one event before it is dropped; negative = forever. */
  readonly maxRetries: number;
  readonly metrics: PipelineMetrics;
  readonly logger: Logger;
  /** Called after slots were freed (events acked or dropped left the queue). */
  readonly onRelease?: () => void;
}

/**
 * The bounded memory queue (Beats' `queue.mem`), a preallocated ring of
 * `settings.events` slots. A slot stays occupied while its event is queued
 * AND while it is in flight; it is freed only by the ack loop, which walks
 * the ring in publish order, so producers see their acks in order even when
 * batches complete out of order.
 *
 * Ring layout, in publish order from `headIdx`: slots already handed out
 * (in flight, done, or sent back for retry), then `ready` fresh slots from
 * `readIdx` up to `writeIdx`. Retried slots are listed in `retrySlots` and
 * handed out before any fresh event.
 */
export class MemQueue implements EventQueue, BatchSettler {
  readonly capacity: number;
  readonly batchSize: number;
  /** Fresh events needed before a batch is handed out (1: immediately). */
  private readonly minEvents: number;
  private readonly flushTimeoutMs: number;
  private readonly useTimer: boolean;
  private readonly maxRetries: number;
  private readonly m: PipelineMetrics;
  private readonly logger: Logger;
  private readonly onRelease: (() => void) | undefined;

  private readonly events: (BeatEvent | undefined)[];
  private readonly producers: (QueueProducer | undefined)[];
  private readonly state: Uint8Array;
  private readonly retries: Uint32Array;

  private headIdx = 0;
  /** Occupied slots: queued + in flight + done but not yet freed. */
  private count = 0;
  private writeIdx = 0;
  private readIdx = 0;
  /** Fresh events not handed out yet. */
  private ready = 0;
  /** Of `ready`, how many are due because the flush timer fired. */
  private due = 0;
  private retrySlots: number[] = [];
  private retryPos = 0;

  /** Idle output workers waiting for a batch. */
  private readonly waiting = new BatchWaiters(() => this.takeBatch());
  private flushTimer: NodeJS.Timeout | undefined;
  private closing = false;
  private stopped = false;

  /** Events acknowledged by the output, over the queue's life. */
  ackedTotal = 0;
  /** Queued events given up (retries, output drops, shutdown), over the queue's life. */
  droppedTotal = 0;

  private readonly flushTimerBound = (): void => {
    this.flushTimer = undefined;
    this.due = this.ready;
    this.waiting.dispatch();
  };

  constructor(options: MemQueueOptions) {
    const { settings } = options;
    this.capacity = Math.max(1, Math.floor(settings.events));
    this.batchSize = Math.max(1, Math.floor(options.batchSize));
    this.flushTimeoutMs = settings.flushTimeoutMs;
    // A batch is never larger than batchSize nor the queue, so waiting for
    // more than that adds nothing; a zero timeout means "immediately" (Beats).
    const min = Math.min(Math.floor(settings.flushMinEvents), this.batchSize, this.capacity);
    this.minEvents = settings.flushTimeoutMs > 0 && min > 1 ? min : 1;
    this.useTimer = this.minEvents > 1;
    this.maxRetries = options.maxRetries;
    this.m = options.metrics;
    this.logger = options.logger;
    this.onRelease = options.onRelease;

    this.events = [];
    this.producers = [];
    for (let i = 0; i < this.capacity; i++) {
      this.events.push(undefined);
      this.producers.push(undefined);
    }
    this.state = new Uint8Array(this.capacity);
    this.retries = new Uint32Array(this.capacity);
    this.m.queueMaxEvents.set(this.capacity);
    this.m.queueFilledEvents.set(0);
    this.m.queueFilledPct.set(0);
  }

  /** Occupied slots (queued, in flight, done but not yet freed). */
  get size(): number {
    return this.count;
  }

  get hasRoom(): boolean {
    return this.count < this.capacity && !this.stopped;
  }

  get isStopped(): boolean {
    return this.stopped;
  }

  /** The effective `flush.min_events` after clamping. */
  get effectiveMinEvents(): number {
    return this.minEvents;
  }

  /** Adds an event; `false` when the queue is full or stopped. The hot path. */
  enqueue(producer: QueueProducer, event: BeatEvent): boolean {
    const count = this.count;
    if (count >= this.capacity || this.stopped) return false;
    const i = this.writeIdx;
    this.events[i] = event;
    this.producers[i] = producer;
    this.state[i] = QUEUED;
    this.writeIdx = i + 1 === this.capacity ? 0 : i + 1;
    this.count = count + 1;
    const ready = ++this.ready;
    this.m.queueFilledEvents.value = count + 1;
    this.m.queueFilledPct.value = (count + 1) / this.capacity;
    if (ready >= this.minEvents || this.closing) {
      this.waiting.schedule();
    }
    if (this.useTimer && this.flushTimer === undefined && !this.closing) {
      this.flushTimer = setTimeout(this.flushTimerBound, this.flushTimeoutMs);
    }
    return true;
  }

  /**
   * The next batch if one is ready now: retried events first, then fresh
   * events once `minEvents` are ready, the flush timer fired, or the queue
   * is closing. `undefined`: nothing ready; `null`: the queue has stopped.
   */
  takeBatch(): QueueBatch | null | undefined {
    if (this.stopped) return null;
    if (this.retryPos < this.retrySlots.length) return this.takeRetryBatch();
    const ready = this.ready;
    if (ready === 0 || (ready < this.minEvents && this.due === 0 && !this.closing)) return undefined;
    const n = ready < this.batchSize ? ready : this.batchSize;
    const cap = this.capacity;
    const start = this.readIdx;
    const events = new Array<BeatEvent>(n);
    const ring = this.events;
    const state = this.state;
    let i = start;
    for (let k = 0; k < n; k++) {
      events[k] = ring[i] as BeatEvent;
      state[i] = IN_FLIGHT;
      if (++i === cap) i = 0;
    }
    this.readIdx = i;
    this.ready = ready - n;
    this.due = this.due > n ? this.due - n : 0;
    if (this.ready === 0 && this.flushTimer !== undefined) {
      clearTimeout(this.flushTimer);
      this.flushTimer = undefined;
    }
    this.handedOut(n);
    return new QueueBatch(this, events, start, null, cap);
  }

  /** Waits for the next batch (`null` once the queue stopped). Call after `takeBatch()` returned `undefined`. */
  waitBatch(): Promise<QueueBatch | null> {
    if (this.stopped) return Promise.resolve(null);
    return this.waiting.wait();
  }

  /** Shutdown: everything queued becomes ready now, regardless of `flush.min_events`. */
  setClosing(): void {
    if (this.closing) return;
    this.closing = true;
    this.clearFlushTimer();
    this.waiting.schedule();
  }

  /**
   * Stops the queue: idle workers are told to stop, every event not yet
   * acknowledged is dropped with `reason` (producers' `onDrop`), acks already
   * received are delivered, and all slots are freed. Later settlements of
   * in-flight batches are ignored. Returns the number of events dropped.
   */
  stop(reason: string): number {
    if (this.stopped) return 0;
    this.stopped = true;
    this.clearFlushTimer();
    this.waiting.stopAll();

    const pending: number[] = [];
    let inFlight = 0;
    let i = this.headIdx;
    for (let k = 0; k < this.count; k++) {
      const st = this.state[i];
      if (st === QUEUED || st === IN_FLIGHT) {
        pending.push(i);
        if (st === IN_FLIGHT) inFlight++;
      }
      if (++i === this.capacity) i = 0;
    }
    this.m.outputActive.value -= inFlight;
    this.ready = 0;
    this.due = 0;
    this.retrySlots = [];
    this.retryPos = 0;
    if (pending.length > 0) this.dropSlots(pending, reason);
    this.ackLoop();
    return pending.length;
  }

  // ---- BatchSettler -------------------------------------------------------

  settleAck(batch: QueueBatch): void {
    if (this.stopped) return;
    const n = batch.length;
    for (let k = 0; k < n; k++) this.state[batch.slotAt(k)] = ACKED;
    this.m.outputAcked.value += n;
    this.m.outputActive.value -= n;
    this.ackLoop();
  }

  settleRetry(batch: QueueBatch): void {
    if (this.stopped) return;
    const n = batch.length;
    const slots = new Array<number>(n);
    for (let k = 0; k < n; k++) slots[k] = batch.slotAt(k);
    this.m.outputFailed.value += n;
    this.m.outputActive.value -= n;
    batch.failed = n > 0;
    this.retryOrDrop(slots);
    this.ackLoop();
    this.waiting.schedule();
  }

  settleRetryEvents(batch: QueueBatch, failed: readonly BeatEvent[], dropped: readonly BeatEvent[]): void {
    if (this.stopped) return;
    const outcome = batchOutcome(batch, failed, dropped);
    const retry = outcome.retry.map((k) => batch.slotAt(k));
    const drop = outcome.drop.map((k) => batch.slotAt(k));
    for (const k of outcome.ack) this.state[batch.slotAt(k)] = ACKED;
    this.m.outputAcked.value += outcome.ack.length;
    this.m.outputFailed.value += retry.length;
    this.m.outputDropped.value += drop.length;
    this.m.outputActive.value -= batch.length;
    if (drop.length > 0) {
      this.logger.warn(`output dropped ${drop.length} of ${batch.length} events of a batch`, { events: drop.length });
      this.dropSlots(drop, 'dropped by the output');
    }
    if (retry.length > 0) {
      batch.failed = true;
      this.retryOrDrop(retry);
    }
    this.ackLoop();
    if (retry.length > 0) this.waiting.schedule();
  }

  settleDrop(batch: QueueBatch, reason: string): void {
    if (this.stopped) return;
    const n = batch.length;
    const slots = new Array<number>(n);
    for (let k = 0; k < n; k++) slots[k] = batch.slotAt(k);
    this.m.outputDropped.value += n;
    this.m.outputActive.value -= n;
    if (n > 0) {
      this.logger.warn(`output dropped a batch of ${n} events: ${reason}`, { events: n, reason });
      this.dropSlots(slots, reason);
    }
    this.ackLoop();
  }

  settledTwice(batch: QueueBatch, how: string): void {
    if (this.stopped) return;
    this.logger.warn(`output settled a ${batch.toString()} twice (${how}); ignored`);
  }

  // ---- internals ----------------------------------------------------------

  private takeRetryBatch(): QueueBatch {
    const avail = this.retrySlots.length - this.retryPos;
    const n = avail < this.batchSize ? avail : this.batchSize;
    const slots = this.retrySlots.slice(this.retryPos, this.retryPos + n);
    this.retryPos += n;
    if (this.retryPos >= this.retrySlots.length) {
      this.retrySlots = [];
      this.retryPos = 0;
    }
    const events = new Array<BeatEvent>(n);
    for (let k = 0; k < n; k++) {
      const s = slots[k] as number;
      events[k] = this.events[s] as BeatEvent;
      this.state[s] = IN_FLIGHT;
    }
    this.handedOut(n);
    return new QueueBatch(this, events, 0, slots, this.capacity);
  }

  private handedOut(n: number): void {
    this.m.outputBatches.value += 1;
    this.m.outputTotal.value += n;
    this.m.outputActive.value += n;
  }

  /** Failed slots: resent first (they keep their slots) unless over `maxRetries`. */
  private retryOrDrop(slots: readonly number[]): void {
    const resend: number[] = [];
    let exhausted: number[] | undefined;
    const max = this.maxRetries;
    for (const s of slots) {
      const tries = (this.retries[s] ?? 0) + 1;
      this.retries[s] = tries;
      if (max >= 0 && tries > max && this.producers[s]?.mode !== 'guaranteed') {
        (exhausted ??= []).push(s);
      } else {
        this.state[s] = QUEUED;
        resend.push(s);
      }
    }
    if (resend.length > 0) {
      this.m.eventsRetry.value += resend.length;
      const rest = this.retryPos < this.retrySlots.length ? this.retrySlots.slice(this.retryPos) : [];
      this.retrySlots = rest.length > 0 ? resend.concat(rest) : resend;
      this.retryPos = 0;
    }
    if (exhausted !== undefined) {
      this.logger.warn(`dropping ${exhausted.length} events: retry limit (max_retries: ${max}) reached`, {
        events: exhausted.length,
      });
      this.dropSlots(exhausted, 'max_retries reached');
    }
  }

  /** Marks slots dropped (counted) and tells their producers, grouped by runs. */
  private dropSlots(slots: readonly number[], reason: string): void {
    const n = slots.length;
    this.droppedTotal += n;
    this.m.eventsDropped.value += n;
    this.m.eventsActive.value -= n;
    let run: QueueProducer | undefined;
    let runN = 0;
    for (const s of slots) {
      this.state[s] = DROPPED;
      const p = this.producers[s];
      if (p !== run) {
        if (run !== undefined && runN > 0) run.deliverDrops(runN, reason);
        run = p;
        runN = 0;
      }
      runN++;
    }
    if (run !== undefined && runN > 0) run.deliverDrops(runN, reason);
  }

  /**
   * Beats' ackLoop: frees the done slots at the head of the ring, in publish
   * order, and reports acks to their producers one run at a time.
   */
  private ackLoop(): void {
    const cap = this.capacity;
    let released = 0;
    let run: QueueProducer | undefined;
    let runAcked = 0;
    while (this.count > 0) {
      const i = this.headIdx;
      const st = this.state[i];
      if (st !== ACKED && st !== DROPPED) break;
      if (st === ACKED) {
        const p = this.producers[i];
        if (p !== run) {
          if (run !== undefined && runAcked > 0) this.deliverAcks(run, runAcked);
          run = p;
          runAcked = 0;
        }
        runAcked++;
      }
      this.events[i] = undefined;
      this.producers[i] = undefined;
      this.state[i] = FREE;
      this.retries[i] = 0;
      this.headIdx = i + 1 === cap ? 0 : i + 1;
      this.count--;
      released++;
    }
    if (run !== undefined && runAcked > 0) this.deliverAcks(run, runAcked);
    if (released > 0) {
      this.m.queueFilledEvents.value = this.count;
      this.m.queueFilledPct.value = this.count / cap;
      if (this.onRelease !== undefined) this.onRelease();
    }
  }

  private deliverAcks(producer: QueueProducer, n: number): void {
    this.ackedTotal += n;
    this.m.queueAcked.value += n;
    this.m.eventsActive.value -= n;
    producer.deliverAcks(n);
  }



  private clearFlushTimer(): void {
    if (this.flushTimer !== undefined) {
      clearTimeout(this.flushTimer);
      this.flushTimer = undefined;
    }
  }
}
