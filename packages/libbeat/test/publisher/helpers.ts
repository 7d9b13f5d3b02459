import { createEvent, type BeatEvent } from '../../src/event.js';
import type { LogFields, Logger } from '../../src/logging/logger.js';
import { MetricsRegistry } from '../../src/monitoring/metrics.js';
import type { Batch, OutputClient, OutputGroup } from '../../src/outputs/output.js';
import { Pipeline, type PipelineSettings } from '../../src/publisher/pipeline.js';
import type { QueueSettings } from '../../src/publisher/types.js';
import type { DiskQueueSettings } from '../../src/publisher/disk/disk-queue.js';

export interface LogLine {
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
  fields: LogFields | undefined;
}

/** A logger that records its lines. */
export class RecordingLogger implements Logger {
  readonly name: string;
  readonly lines: LogLine[];

  constructor(name = 'publisher', lines: LogLine[] = []) {
    this.name = name;
    this.lines = lines;
  }

  debug(message: string, fields?: LogFields): void {
    this.lines.push({ level: 'debug', message, fields });
  }
  info(message: string, fields?: LogFields): void {
    this.lines.push({ level: 'info', message, fields });
  }
  warn(message: string, fields?: LogFields): void {
    this.lines.push({ level: 'warn', message, fields });
  }
  error(message: string, fields?: LogFields): void {
    this.lines.push({ level: 'error', message, fields });
  }
  isDebugEnabled(): boolean {
    return true;
  }
  named(name: string): Logger {
    return new RecordingLogger(`${this.name}.${name}`, this.lines);
  }

  matching(level: LogLine['level'], text: string | RegExp): LogLine[] {
    return this.lines.filter((l) => l.level === level && (typeof text === 'string' ? l.message.includes(text) : text.test(l.message)));
  }
}

/**
 * An output client driven by a script: `script(batch, call)` decides how the
 * n-th publish call (0-based) settles the batch. Records every batch's events
 * (by `seq` field) and the time of each call. Default: ack.
 */
export class ScriptedClient implements OutputClient {
  readonly calls: { seqs: number[]; at: number }[] = [];
  closed = 0;
  private readonly script: (batch: Batch, call: number) => void | Promise<void>;
  private readonly label: string;

  constructor(script: (batch: Batch, call: number) => void | Promise<void> = (b) => b.ack(), label = 'scripted') {
    this.script = script;
    this.label = label;
  }

  async publish(batch: Batch): Promise<void> {
    const call = this.calls.length;
    this.calls.push({ seqs: batch.events.map(seqOf), at: Date.now() });
    await this.script(batch, call);
  }

  async close(): Promise<void> {
    this.closed++;
    return Promise.resolve();
  }

  toString(): string {
    return this.label;
  }

  /** Every event seq delivered in an attempt, in order. */
  get allSeqs(): number[] {
    return this.calls.flatMap((c) => c.seqs);
  }
}

export interface PendingPublish {
  batch: Batch;
  /** Resolves the publish promise (settle the batch first). */
  done(): void;
}

/** An output client whose batches stay pending until the test settles them. */
export class ManualClient implements OutputClient {
  readonly pending: PendingPublish[] = [];
  closed = 0;
  private waiters: (() => void)[] = [];
  private readonly label: string;

  constructor(label = 'manual') {
    this.label = label;
  }

  publish(batch: Batch): Promise<void> {
    return new Promise<void>((resolve) => {
      this.pending.push({ batch, done: resolve });
      const ws = this.waiters;
      this.waiters = [];
      for (const w of ws) w();
    });
  }

  /** The oldest pending publish, waiting for one if needed. */
  async next(): Promise<PendingPublish> {
    for (;;) {
      const p = this.pending.shift();
      if (p !== undefined) return p;
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  async close(): Promise<void> {
    this.closed++;
    return Promise.resolve();
  }

  toString(): string {
    return this.label;
  }
}

export function seqOf(e: BeatEvent): number {
  const v = e.fields.seq;
  return typeof v === 'number' ? v : -1;
}

export function ev(seq: number, extra: Record<string, unknown> = {}): BeatEvent {
  return createEvent({ seq, ...extra }, new Date(0));
}

export function tick(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Waits until `cond()` holds (polling), failing after `timeoutMs`. */
export async function until(cond: () => boolean, timeoutMs = 2000): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not met in time');
    await sleep(2);
  }
}

export interface Harness {
  pipeline: Pipeline;
  registry: MetricsRegistry;
  logger: RecordingLogger;
  /** Current value of a metric by its full dotted name. */
  metric(name: string): unknown;
  /** Several `libbeat.` metrics at once, names relative to `libbeat.`. */
  metrics(...names: string[]): Record<string, unknown>;
}

export interface HarnessOptions {
  queue?: Partial<QueueSettings>;
  diskQueue?: DiskQueueSettings;
  clients: OutputClient[];
  batchSize?: number;
  maxRetries?: number;
  backoff?: { initMs: number; maxMs: number };
  processors?: PipelineSettings['processors'];
  beatFields?: PipelineSettings['beatFields'];
  random?: () => number;
}

export function harness(opts: HarnessOptions): Harness {
  const registry = new MetricsRegistry();
  const logger = new RecordingLogger();
  const output: OutputGroup = {
    clients: opts.clients,
    batchSize: opts.batchSize ?? 50,
    maxRetries: opts.maxRetries ?? 3,
    backoff: opts.backoff ?? { initMs: 1, maxMs: 4 },
  };
  const settings: PipelineSettings = {
    queue: { events: 100, flushMinEvents: 1, flushTimeoutMs: 0, ...opts.queue },
    ...(opts.diskQueue !== undefined ? { diskQueue: opts.diskQueue } : {}),
    output,
    processors: opts.processors ?? [],
    metrics: registry,
    logger,
    beatFields: opts.beatFields,
    random: opts.random ?? (() => 0.5),
  };
  const pipeline = new Pipeline(settings);
  const metric = (name: string): unknown => registry.flat().get(name);
  return {
    pipeline,
    registry,
    logger,
    metric,
    metrics: (...names: string[]) => Object.fromEntries(names.map((n) => [n, metric(`libbeat.${n}`)])),
  };
}
