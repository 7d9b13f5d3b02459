import type { Writable } from 'node:stream';
import { errorMessage } from '../errors.js';
import type { BeatEvent } from '../event.js';
import type { Logger } from '../logging/logger.js';
import type { Counter } from '../monitoring/metrics.js';
import { codecSchema, createEncoder, encodeLines, type CodecConfig, type Encoder } from './codec.js';
import type { Batch, OutputClient, OutputContext, OutputFactory, OutputGroup } from './output.js';

/**
 * `output.console`: writes events to stdout, one JSON document (or format
 * string) per line. Each batch is one `write()`; the batch is acknowledged
 * only in the write callback, so a slow reader of the pipe slows the beat
 * down instead of growing memory. A closed stdout (EPIPE) drops the batch
 * with a reason; the process is not crashed by the stream's `error` event.
 */

export interface ConsoleOutputConfig {
  /** Pretty-print JSON (same as `codec.json.pretty`). Default false. */
  readonly pretty?: boolean;
  /** Events per publish call. Default 2048; <= 0 means no limit. */
  readonly bulk_max_size?: number;
  readonly codec?: CodecConfig;
}

export const CONSOLE_DEFAULT_BULK_MAX_SIZE = 2048;

function intFormat(name: string): (v: unknown) => void {
  return (v: unknown): void => {
    if (!Number.isInteger(v)) throw new Error(`${name} must be an integer`);
  };
}

export const consoleSchema: Record<string, unknown> = {
  pretty: { doc: 'Pretty-print JSON events', format: 'bool', default: false },
  bulk_max_size: {
    doc: 'Maximum number of events written in one batch (<= 0: no limit)',
    format: intFormat('bulk_max_size'),
    default: CONSOLE_DEFAULT_BULK_MAX_SIZE,
  },
  codec: codecSchema,
};

/** Maps Beats' `bulk_max_size` (<= 0 disables splitting) to a batch size. */
export function batchSizeFrom(bulkMaxSize: number | undefined, fallback: number): number {
  const n = bulkMaxSize ?? fallback;
  return n > 0 ? n : Number.MAX_SAFE_INTEGER;
}

export class ConsoleClient implements OutputClient {
  private readonly out: Writable;
  private readonly encoder: Encoder;
  private readonly logger: Logger;
  private readonly writeBytes: Counter;
  private readonly writeErrors: Counter;
  private streamError: Error | undefined;
  private readonly onError = (err: Error): void => {
    // Without a listener an EPIPE on stdout would be an uncaught exception.
    if (this.streamError === undefined) this.logger.error('console output: stdout failed', { error: err.message });
    this.streamError = err;
  };

  constructor(out: Writable, encoder: Encoder, ctx: OutputContext) {
    this.out = out;
    this.encoder = encoder;
    this.logger = ctx.logger;
    this.writeBytes = ctx.metrics.counter('write.bytes');
    this.writeErrors = ctx.metrics.counter('write.errors');
    out.on('error', this.onError);
  }

  async publish(batch: Batch): Promise<void> {
    const { data, failed, firstError } = encodeLines(this.encoder, batch.events);
    if (failed.length > 0) {
      this.logger.warn('console output: failed to encode events, dropping them', { count: failed.length, error: errorMessage(firstError) });
    }
    if (data === '') {
      this.settle(batch, failed);
      return;
    }
    const err = await this.write(data);
    if (err !== undefined) {
      this.writeErrors.inc();
      const code = (err as NodeJS.ErrnoException).code;
      const reason =
        code === 'EPIPE' || code === 'ERR_STREAM_DESTROYED' || code === 'ERR_STREAM_WRITE_AFTER_END'
          ? `console output: stdout is closed (${code})`
          : `console output: write to stdout failed: ${err.message}`;
      this.logger.debug('dropping batch', { reason, events: batch.events.length });
      batch.drop(reason);
      return;
    }
    this.writeBytes.inc(Buffer.byteLength(data, 'utf8'));
    this.settle(batch, failed);
  }

  private settle(batch: Batch, failed: readonly BeatEvent[]): void {
    if (failed.length === 0) batch.ack();
    else batch.retryEvents([], failed);
  }

  private write(data: string): Promise<Error | undefined> {
    if (this.streamError !== undefined) return Promise.resolve(this.streamError);
    if (this.out.destroyed || this.out.writableEnded) {
      const e: NodeJS.ErrnoException = new Error('stdout is closed');
      e.code = 'ERR_STREAM_DESTROYED';
      return Promise.resolve(e);
    }
    return new Promise((resolve) => {
      try {
        this.out.write(data, 'utf8', (err?: Error | null) => resolve(err ?? this.streamError ?? undefined));
      } catch (err) {
        resolve(err instanceof Error ? err : new Error(String(err)));
      }
    });
  }

  close(): Promise<void> {
    this.out.off('error', this.onError);
    return Promise.resolve();
  }

  toString(): string {
    return 'console(stdout)';
  }
}

/** Builds the console output group; `out` is for tests (default `process.stdout`). */
export function createConsoleOutput(config: ConsoleOutputConfig, ctx: OutputContext, out: Writable = process.stdout): OutputGroup {
  const encoder = createEncoder(ctx.beat, config.codec, { pretty: config.pretty === true });
  return {
    clients: [new ConsoleClient(out, encoder, ctx)],
    batchSize: batchSizeFrom(config.bulk_max_size, CONSOLE_DEFAULT_BULK_MAX_SIZE),
    maxRetries: 0,
    backoff: { initMs: 1000, maxMs: 60_000 },
  };
}

export const consoleOutputFactory: OutputFactory<ConsoleOutputConfig> = {
  type: 'console',
  schema: consoleSchema,
  create: (config, ctx) => createConsoleOutput(config, ctx),
};
