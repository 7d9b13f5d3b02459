import { parseDuration } from '../../config/duration.js';
import { BeatError, ErrorCodes, errorMessage } from '../../errors.js';
import type { BeatEvent } from '../../event.js';
import type { Logger } from '../../logging/logger.js';
import { createEncoder, type Encoder } from '../codec.js';
import type { Batch, OutputClient, OutputContext, OutputFactory, OutputGroup } from '../output.js';
import { LumberjackConnection, parseHost, SendError, type ConnectionSettings, type HostAddress } from './connection.js';
import { encodeWindow, JsonFrameWriter } from './protocol.js';
import { sslSchema, tlsOptions, type SslConfig } from './tls.js';
import { SLOW_START_WINDOW_SIZE, Window } from './window.js';

export { LumberjackConnection, parseHost, SendError, type HostAddress } from './connection.js';
export { Window } from './window.js';
export type { SslConfig } from './tls.js';

/**
 * `output.logstash`: events to Logstash's beats input over the Lumberjack v2
 * protocol (see protocol.ts), as Beats' logstash output does.
 *
 * - Each batch is sent in windows of at most the current window size (see
 *   window.ts); a window is acknowledged by the server's ack of its last
 *   sequence number. When a connection fails, the events the server had
 *   acknowledged are acked and only the rest are retried (`retryEvents`).
 * - `pipelining` (default 2): batches in flight on one connection. Each is a
 *   separate output client sharing the connection and its window, so the
 *   pipeline's worker loops keep that many batches outstanding. 0 sends one
 *   batch at a time.
 * - `loadbalance: true`: `worker` connections per host, each with its own
 *   clients; false (default): one connection at a time, to the first host,
 *   moving to the next host in the list when it fails.
 * - `ttl`: a connection older than this is replaced before its next window
 *   (only between windows, never with windows in flight).
 * - `timeout`: connect timeout and the longest wait for the next ack.
 * - The document is Beats' JSON with `@metadata.beat` set to `index`
 *   (default: the beat name), as Beats' logstash output writes it.
 */

export interface LogstashOutputConfig {
  readonly hosts?: readonly string[];
  readonly loadbalance?: boolean;
  /** Connections per host with `loadbalance`. Default 1. */
  readonly worker?: number;
  /** Alias of `worker`. */
  readonly workers?: number;
  /** 0 (none) to 9; default 3. */
  readonly compression_level?: number;
  readonly escape_html?: boolean;
  /** `@metadata.beat`; default the beat name. */
  readonly index?: string;
  /** Duration (Go syntax or seconds); 0 = never. */
  readonly ttl?: string | number;
  readonly pipelining?: number;
  /** Default 30s. */
  readonly timeout?: string | number;
  /** Default 3; negative = forever. */
  readonly max_retries?: number;
  /** Largest batch and window. Default 2048. */
  readonly bulk_max_size?: number;
  /** Start with a window of 10 events and grow. Default false. */
  readonly slow_start?: boolean;
  readonly backoff?: { readonly init?: string | number; readonly max?: string | number };
  readonly ssl?: SslConfig;
}

export const LOGSTASH_DEFAULTS = {
  port: 5044,
  bulkMaxSize: 2048,
  compressionLevel: 3,
  pipelining: 2,
  timeoutMs: 30_000,
  maxRetries: 3,
  backoffInitMs: 1000,
  backoffMaxMs: 60_000,
} as const;

export const logstashSchema: Record<string, unknown> = {
  hosts: { doc: 'Logstash hosts, host:port (port default 5044)', format: 'string-list', default: [] },
  loadbalance: { doc: 'Send to all hosts at once instead of failing over between them', format: 'bool', default: false },
  worker: { doc: 'Connections per host (with loadbalance)', format: 'positive-int', default: 1 },
  compression_level: {
    doc: 'zlib compression level of the windows, 0 (off) to 9',
    format: (v: unknown): void => {
      if (!Number.isInteger(v) || (v as number) < 0 || (v as number) > 9) throw new Error('must be an integer between 0 and 9');
    },
    default: LOGSTASH_DEFAULTS.compressionLevel,
  },
  escape_html: { doc: 'Escape <, > and & in JSON strings', format: 'bool', default: false },
  index: { doc: 'Value of @metadata.beat; empty: the beat name', format: 'string', default: '' },
  ttl: { doc: 'Replace connections older than this (0: never)', format: 'duration', default: '0s' },
  pipelining: { doc: 'Batches in flight per connection (0: one at a time)', format: 'non-negative-int', default: LOGSTASH_DEFAULTS.pipelining },
  timeout: { doc: 'Connect timeout and longest wait for an ack', format: 'duration', default: '30s' },
  max_retries: { doc: 'Retries of an event before it is dropped; negative: forever', format: 'integer', default: LOGSTASH_DEFAULTS.maxRetries },
  bulk_max_size: { doc: 'Largest batch (and window) sent', format: 'positive-int', default: LOGSTASH_DEFAULTS.bulkMaxSize },
  slow_start: { doc: 'Start with a window of 10 events and grow it', format: 'bool', default: false },
  backoff: {
    init: { doc: 'Wait before the first retry after a failure', format: 'duration', default: '1s' },
    max: { doc: 'Longest wait between retries', format: 'duration', default: '60s' },
  },
  ssl: sslSchema,
};

function invalid(key: string, message: string): BeatError {
  return new BeatError(ErrorCodes.CONFIG_INVALID, `output.logstash.${key}: ${message}`, { key: `output.logstash.${key}` });
}

function durationMs(key: string, value: string | number | undefined, dflt: number): number {
  if (value === undefined) return dflt;
  const ms = parseDuration(value);
  if (ms === undefined || ms < 0) throw invalid(key, `invalid duration ${String(value)}`);
  return ms;
}

function intSetting(key: string, value: number | undefined, dflt: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const v = value ?? dflt;
  if (!Number.isInteger(v) || v < min || v > max) throw invalid(key, `must be an integer between ${min} and ${max}`);
  return v;
}

/** Normalized settings. */
export interface ResolvedLogstashConfig {
  readonly hosts: readonly HostAddress[];
  readonly loadbalance: boolean;
  readonly worker: number;
  readonly compressionLevel: number;
  readonly escapeHtml: boolean;
  readonly index: string;
  readonly ttlMs: number;
  readonly pipelining: number;
  readonly timeoutMs: number;
  readonly maxRetries: number;
  readonly bulkMaxSize: number;
  readonly slowStart: boolean;
  readonly backoffInitMs: number;
  readonly backoffMaxMs: number;
}

/** Applies defaults and validates; throws a `BeatError` naming the bad key. */
export function resolveLogstashConfig(config: LogstashOutputConfig, beatName: string): ResolvedLogstashConfig {
  const hostList = config.hosts ?? [];
  if (hostList.length === 0) throw invalid('hosts', 'at least one host is required');
  const hosts = hostList.map((h) => {
    try {
      return parseHost(h, LOGSTASH_DEFAULTS.port);
    } catch (err) {
      throw invalid('hosts', errorMessage(err));
    }
  });
  const index = config.index !== undefined && config.index !== '' ? config.index : beatName;
  const backoffInitMs = durationMs('backoff.init', config.backoff?.init, LOGSTASH_DEFAULTS.backoffInitMs);
  const backoffMaxMs = durationMs('backoff.max', config.backoff?.max, LOGSTASH_DEFAULTS.backoffMaxMs);
  const timeoutMs = durationMs('timeout', config.timeout, LOGSTASH_DEFAULTS.timeoutMs);
  if (timeoutMs <= 0) throw invalid('timeout', 'must be greater than 0');
  return {
    hosts,
    loadbalance: config.loadbalance ?? false,
    worker: intSetting('worker', config.worker ?? config.workers, 1, 1),
    compressionLevel: intSetting('compression_level', config.compression_level, LOGSTASH_DEFAULTS.compressionLevel, 0, 9),
    escapeHtml: config.escape_html ?? false,
    index: index.toLowerCase(),
    ttlMs: durationMs('ttl', config.ttl, 0),
    pipelining: intSetting('pipelining', config.pipelining, LOGSTASH_DEFAULTS.pipelining, 0),
    timeoutMs,
    maxRetries: intSetting('max_retries', config.max_retries, LOGSTASH_DEFAULTS.maxRetries, -1),
    bulkMaxSize: intSetting('bulk_max_size', config.bulk_max_size, LOGSTASH_DEFAULTS.bulkMaxSize, 1),
    slowStart: config.slow_start ?? false,
    backoffInitMs,
    backoffMaxMs: Math.max(backoffMaxMs, backoffInitMs),
  };
}

/**
 * What the clients of one connection (or failover set) share: the
 * connection(s), the active one, and the window size.
 */
export class LogstashLane {
  readonly connections: readonly LumberjackConnection[];
  readonly window: Window;
  private active = 0;
  private lastFailure: { conn: LumberjackConnection; attempt: number } | undefined;
  private readonly logger: Logger;
  private closing: Promise<void> | undefined;

  constructor(connections: readonly LumberjackConnection[], window: Window, logger: Logger) {
    if (connections.length === 0) throw new Error('a lane needs at least one connection');
    this.connections = connections;
    this.window = window;
    this.logger = logger;
  }

  current(): LumberjackConnection {
    return this.connections[this.active] as LumberjackConnection;
  }

  /**
   * Sending on `conn` failed: shrink the window and, with several hosts
   * (failover), move on to the next one. The pipelined windows of one broken
   * connection count as one failure.
   */
  failed(conn: LumberjackConnection, err: unknown): void {
    if (err instanceof SendError) {
      if (this.lastFailure?.conn === conn && this.lastFailure.attempt === err.attempt) return;
      this.lastFailure = { conn, attempt: err.attempt };
    }
    this.window.shrink();
    if (this.connections.length < 2 || this.current() !== conn) return;
    this.active = (this.active + 1) % this.connections.length;
    this.logger.debug(`logstash: failing over from ${conn.toString()} to ${this.current().toString()}`);
  }

  close(): Promise<void> {
    this.closing ??= Promise.all(this.connections.map((c) => c.close())).then(() => undefined);
    return this.closing;
  }

  toString(): string {
    if (this.connections.length === 1) return `logstash(${this.current().toString()})`;
    return `failover(${this.connections.map((c) => `logstash(${c.toString()})`).join(',')})`;
  }
}

/** One output client: publishes one batch at a time over its lane's connection. */
export class LogstashClient implements OutputClient {
  readonly lane: LogstashLane;
  private readonly encoder: Encoder;
  private readonly compressionLevel: number;
  private readonly logger: Logger;
  private readonly frames = new JsonFrameWriter();

  constructor(lane: LogstashLane, encoder: Encoder, compressionLevel: number, logger: Logger) {
    this.lane = lane;
    this.encoder = encoder;
    this.compressionLevel = compressionLevel;
    this.logger = logger;
  }

  async publish(batch: Batch): Promise<void> {
    const events = batch.events;
    const lane = this.lane;
    const frames = this.frames;
    let dropped: BeatEvent[] | undefined;
    let firstEncodeError: unknown;
    let pos = 0;
    while (pos < events.length) {
      const conn = lane.current();
      const available = events.length - pos;
      const n = Math.min(available, lane.window.get());
      frames.reset();
      const sent: BeatEvent[] = [];
      for (let i = pos; i < pos + n; i++) {
        const event = events[i] as BeatEvent;
        let json: string;
        try {
          json = this.encoder.encode(event);
        } catch (err) {
          if (dropped === undefined) {
            dropped = [];
            firstEncodeError = err;
          }
          dropped.push(event);
          continue;
        }
        frames.add(json);
        sent.push(event);
      }
      if (sent.length === 0) {
        pos += n;
        continue;
      }
      let acked = 0;
      let failure: unknown;
      try {
        const data = await encodeWindow(frames, this.compressionLevel);
        await conn.send(data, sent.length);
      } catch (err) {
        failure = err;
        acked = err instanceof SendError ? err.acked : 0;
      }
      if (failure !== undefined) {
        lane.failed(conn, failure);
        this.logger.debug(`logstash: ${acked} of ${sent.length} events of a window acknowledged by ${conn.toString()} before: ${errorMessage(failure)}`, {
          window: lane.window.get(),
        });
        this.warnDropped(dropped, firstEncodeError);
        if (pos === 0 && acked === 0 && dropped === undefined) {
          batch.retry();
        } else {
          const failed = sent.slice(acked);
          for (let i = pos + n; i < events.length; i++) failed.push(events[i] as BeatEvent);
          batch.retryEvents(failed, dropped ?? []);
        }
        return;
      }
      lane.window.grow(available);
      pos += n;
    }
    this.warnDropped(dropped, firstEncodeError);
    if (dropped === undefined) batch.ack();
    else batch.retryEvents([], dropped);
  }

  private warnDropped(dropped: readonly BeatEvent[] | undefined, err: unknown): void {
    if (dropped !== undefined) {
      this.logger.warn('logstash output: failed to encode events, dropping them', { count: dropped.length, error: errorMessage(err) });
    }
  }

  close(): Promise<void> {
    return this.lane.close();
  }

  toString(): string {
    return this.lane.toString();
  }
}

function connectionSettings(cfg: ResolvedLogstashConfig, config: LogstashOutputConfig, ctx: OutputContext): ConnectionSettings {
  return {
    timeoutMs: cfg.timeoutMs,
    ttlMs: cfg.ttlMs,
    tls: tlsOptions(config.ssl),
    logger: ctx.logger,
    writeBytes: ctx.metrics.counter('write.bytes'),
    writeErrors: ctx.metrics.counter('write.errors'),
    readErrors: ctx.metrics.counter('read.errors'),
  };
}

export function createLogstashOutput(config: LogstashOutputConfig, ctx: OutputContext): OutputGroup {
  const cfg = resolveLogstashConfig(config, ctx.beat.beat);
  const settings = connectionSettings(cfg, config, ctx);
  const encoder = createEncoder({ beat: cfg.index, version: ctx.beat.version }, { json: { escape_html: cfg.escapeHtml } });
  const start = cfg.slowStart ? SLOW_START_WINDOW_SIZE : cfg.bulkMaxSize;
  const lanes: LogstashLane[] = [];
  if (cfg.loadbalance) {
    for (const host of cfg.hosts) {
      for (let w = 0; w < cfg.worker; w++) {
        lanes.push(new LogstashLane([new LumberjackConnection(host, settings)], new Window(start, cfg.bulkMaxSize), ctx.logger));
      }
    }
  } else {
    const conns = cfg.hosts.map((h) => new LumberjackConnection(h, settings));
    lanes.push(new LogstashLane(conns, new Window(start, cfg.bulkMaxSize), ctx.logger));
  }
  const perLane = Math.max(1, cfg.pipelining);
  const clients: LogstashClient[] = [];
  for (const lane of lanes) {
    for (let p = 0; p < perLane; p++) clients.push(new LogstashClient(lane, encoder, cfg.compressionLevel, ctx.logger));
  }
  ctx.logger.info('Initialized logstash output', {
    hosts: cfg.hosts.map((h) => h.label),
    loadbalance: cfg.loadbalance,
    pipelining: cfg.pipelining,
    compression_level: cfg.compressionLevel,
    tls: settings.tls !== undefined,
  });
  return {
    clients,
    batchSize: cfg.bulkMaxSize,
    maxRetries: cfg.maxRetries,
    backoff: { initMs: cfg.backoffInitMs, maxMs: cfg.backoffMaxMs },
  };
}

/** For `test output`: connect to every host (TLS handshake included). */
async function healthcheckLogstash(config: LogstashOutputConfig, ctx: OutputContext): Promise<string> {
  const cfg = resolveLogstashConfig(config, ctx.beat.beat);
  const settings = connectionSettings(cfg, config, ctx);
  const results = await Promise.all(
    cfg.hosts.map(async (host) => {
      const conn = new LumberjackConnection(host, settings);
      try {
        await conn.connect();
        return { ok: true, line: `${conn.toString()}: connection${settings.tls === undefined ? '' : ' and TLS handshake'} OK` };
      } catch (err) {
        return { ok: false, line: `${conn.toString()}: ${errorMessage(err instanceof Error && err.cause !== undefined ? err.cause : err)}` };
      } finally {
        await conn.close();
      }
    }),
  );
  const report = results.map((r) => r.line).join('\n');
  if (results.some((r) => !r.ok)) throw new BeatError(ErrorCodes.OUTPUT_FAILED, `logstash output: ${report}`);
  return report;
}

export const logstashOutputFactory: OutputFactory<LogstashOutputConfig> = {
  type: 'logstash',
  schema: logstashSchema,
  create: createLogstashOutput,
  healthcheck: healthcheckLogstash,
};
