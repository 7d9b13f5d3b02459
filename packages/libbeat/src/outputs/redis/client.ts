import { Redis, type RedisOptions } from 'ioredis';
import { errorMessage } from '../../errors.js';
import type { BeatEvent } from '../../event.js';
import type { Logger } from '../../logging/logger.js';
import type { Counter } from '../../monitoring/metrics.js';
import type { Encoder } from '../codec.js';
import type { Batch, OutputClient, OutputContext } from '../output.js';
import type { RedisDataType, RedisEndpoint } from './config.js';
import type { KeySelector } from './selector.js';

/** ioredis options for one endpoint: fail fast, never queue while offline, reconnect in the background. */
export function redisOptions(ep: RedisEndpoint, timeoutMs: number, reconnect: boolean): RedisOptions {
  const opts: RedisOptions = {
    host: ep.host,
    port: ep.port,
    db: ep.db,
    lazyConnect: true,
    enableOfflineQueue: false,
    // In-flight commands fail as soon as the connection drops: the batch is
    // retried by the pipeline instead of waiting inside ioredis.
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    connectTimeout: timeoutMs,
    commandTimeout: timeoutMs,
    connectionName: undefined,
    retryStrategy: reconnect ? (times: number): number => Math.min(100 * times, 2000) : (): null => null,
  };
  if (ep.username !== undefined) opts.username = ep.username;
  if (ep.password !== undefined) opts.password = ep.password;
  if (ep.tls !== undefined) opts.tls = ep.tls;
  return opts;
}

export interface RedisClientSettings {
  /** One endpoint, or several to fail over between (loadbalance: false). */
  readonly endpoints: readonly RedisEndpoint[];
  readonly datatype: RedisDataType;
  readonly selector: KeySelector;
  readonly timeoutMs: number;
}

/** One command of a batch: a key and the events whose documents it carries. */
interface Command {
  readonly key: string;
  readonly values: string[];
  readonly events: BeatEvent[];
}

function isTimeout(err: unknown): boolean {
  return /timed out|timeout/i.test(errorMessage(err));
}

function isConnectionError(err: unknown): boolean {
  if (!(err instanceof Error)) return true;
  // Redis error replies (WRONGTYPE, OOM, NOAUTH, …) come as ReplyError.
  return err.name !== 'ReplyError';
}

/**
 * A connection to one Redis server (or a failover set). Each batch becomes
 * one pipeline: per key, one `RPUSH key doc1 doc2 …` (list) or one
 * `PUBLISH key doc` per event (channel). The batch is acked only after Redis
 * answered every command; commands that got an error reply are retried
 * (retryEvents), a lost connection retries the whole batch. Events that
 * cannot be encoded or get no key are dropped.
 */
export class RedisClient implements OutputClient {
  private readonly settings: RedisClientSettings;
  private readonly encoder: Encoder;
  private readonly logger: Logger;
  private readonly writeBytes: Counter;
  private readonly writeErrors: Counter;
  private readonly readErrors: Counter;
  private redis: Redis | undefined;
  private index = 0;
  private closed = false;
  /** Set while the server is unreachable: one log line per outage. */
  private downSince: number | undefined;
  private lastReplyError: string | undefined;
  private lastConnError: unknown;

  constructor(settings: RedisClientSettings, encoder: Encoder, ctx: OutputContext) {
    if (settings.endpoints.length === 0) throw new Error('redis client: no endpoint');
    this.settings = settings;
    this.encoder = encoder;
    this.logger = ctx.logger;
    this.writeBytes = ctx.metrics.counter('write.bytes');
    this.writeErrors = ctx.metrics.counter('write.errors');
    this.readErrors = ctx.metrics.counter('read.errors');
  }

  private get endpoint(): RedisEndpoint {
    return this.settings.endpoints[this.index % this.settings.endpoints.length] as RedisEndpoint;
  }

  /** True while the client considers the server down (for tests and monitoring). */
  get isDown(): boolean {
    return this.downSince !== undefined;
  }

  toString(): string {
    const eps = this.settings.endpoints;
    return eps.length === 1 ? `redis(${this.endpoint.label})` : `redis(failover ${eps.map((e) => e.label).join(',')})`;
  }

  private connection(): Redis {
    if (this.redis !== undefined) return this.redis;
    const ep = this.endpoint;
    const redis = new Redis(redisOptions(ep, this.settings.timeoutMs, true));
    redis.on('error', (err: unknown) => {
      this.lastConnError = err;
      if (this.redis === redis) this.markDown(err);
    });
    redis.on('ready', () => {
      if (this.redis === redis) this.markUp();
    });
    this.redis = redis;
    return redis;
  }

  private markDown(err: unknown): void {
    if (this.closed || this.downSince !== undefined) return;
    this.downSince = Date.now();
    this.logger.error(`redis output: connection to ${this.endpoint.label} failed, retrying in the background`, {
      error: errorMessage(err),
      code: (err as NodeJS.ErrnoException | undefined)?.code,
      output: this.toString(),
    });
  }

  private markUp(): void {
    if (this.downSince === undefined) return;
    const downMs = Date.now() - this.downSince;
    this.downSince = undefined;
    this.logger.info(`redis output: connection to ${this.endpoint.label} restored`, { down_ms: downMs });
  }

  /** Resolves when the connection is ready; rejects at once when it is down between reconnect attempts. */
  private async ready(redis: Redis): Promise<void> {
    if (redis.status === 'ready') return;
    if (redis.status === 'wait' || redis.status === 'end') {
      await redis.connect();
      return;
    }
    if (redis.status === 'connecting' || redis.status === 'connect') {
      await new Promise<void>((resolve, reject) => {
        const done = (err?: Error): void => {
          clearTimeout(timer);
          redis.off('ready', onReady);
          redis.off('close', onClose);
          if (err === undefined) resolve();
          else reject(err);
        };
        const onReady = (): void => done();
        const onClose = (): void => done(new Error(`connection closed: ${errorMessage(this.lastConnError ?? 'no reply')}`));
        const timer = setTimeout(() => done(new Error(`connect timeout after ${this.settings.timeoutMs}ms`)), this.settings.timeoutMs);
        redis.once('ready', onReady);
        redis.once('close', onClose);
      });
      return;
    }
    throw new Error(`not connected (${redis.status}): ${errorMessage(this.lastConnError ?? 'connection lost')}`);
  }

  /** Whole-batch failure at the connection level: count it, log once per outage, fail over. */
  private connectionFailed(err: unknown, batch: Batch): void {
    // No reply in time counts as a read error, everything else as a write error.
    if (isTimeout(err)) this.readErrors.inc();
    else this.writeErrors.inc();
    this.markDown(err);
    if (this.settings.endpoints.length > 1 && this.redis !== undefined) {
      this.redis.disconnect();
      this.redis = undefined;
      this.index++;
    }
    batch.retry();
  }

  async publish(batch: Batch): Promise<void> {
    const events = batch.events;
    if (this.closed) {
      batch.retry();
      return;
    }
    const { commands, dropped, bytes } = this.prepare(events);
    if (commands.length === 0) {
      if (dropped.length === 0) batch.ack();
      else batch.retryEvents([], dropped);
      return;
    }

    const redis = this.connection();
    try {
      await this.ready(redis);
    } catch (err) {
      this.connectionFailed(err, batch);
      return;
    }

    const pipe = redis.pipeline();
    if (this.settings.datatype === 'list') {
      for (const c of commands) pipe.rpush(c.key, ...c.values);
    } else {
      for (const c of commands) pipe.publish(c.key, c.values[0] as string);
    }
    let results: [Error | null, unknown][] | null;
    try {
      results = await pipe.exec();
    } catch (err) {
      this.connectionFailed(err, batch);
      return;
    }
    if (results === null) {
      this.connectionFailed(new Error('pipeline aborted'), batch);
      return;
    }

    const failed: BeatEvent[] = [];
    let connErr: unknown;
    let replyErr: Error | undefined;
    for (let i = 0; i < commands.length; i++) {
      const err = results[i]?.[0] ?? (results[i] === undefined ? new Error('no reply') : null);
      if (err === null) continue;
      failed.push(...(commands[i] as Command).events);
      if (isConnectionError(err)) connErr ??= err;
      else replyErr ??= err;
    }
    if (failed.length === 0) {
      this.writeBytes.inc(bytes);
      this.lastReplyError = undefined;
      this.markUp();
      if (dropped.length === 0) batch.ack();
      else batch.retryEvents([], dropped);
      return;
    }
    if (connErr !== undefined) {
      if (failed.length === events.length) {
        this.connectionFailed(connErr, batch);
        return;
      }
      if (isTimeout(connErr)) this.readErrors.inc();
      else this.writeErrors.inc();
      this.markDown(connErr);
    }
    if (replyErr !== undefined) {
      this.markUp();
      const msg = errorMessage(replyErr);
      if (msg !== this.lastReplyError) {
        this.lastReplyError = msg;
        this.logger.warn('redis output: Redis refused events, retrying them', { error: msg, output: this.toString(), events: failed.length });
      }
    }
    batch.retryEvents(failed, dropped);
  }

  /** Encodes the events and groups them into commands by key. */
  private prepare(events: readonly BeatEvent[]): { commands: Command[]; dropped: BeatEvent[]; bytes: number } {
    const commands: Command[] = [];
    const dropped: BeatEvent[] = [];
    const byKey = new Map<string, Command>();
    const list = this.settings.datatype === 'list';
    const selector = this.settings.selector;
    let bytes = 0;
    let encodeErr: unknown;
    let noKey = 0;
    for (const event of events) {
      const key = selector.select(event);
      if (key === undefined) {
        noKey++;
        dropped.push(event);
        continue;
      }
      let doc: string;
      try {
        doc = this.encoder.encode(event);
      } catch (err) {
        encodeErr ??= err;
        dropped.push(event);
        continue;
      }
      bytes += Buffer.byteLength(doc, 'utf8');
      if (!list) {
        commands.push({ key, values: [doc], events: [event] });
        continue;
      }
      let c = byKey.get(key);
      if (c === undefined) {
        c = { key, values: [], events: [] };
        byKey.set(key, c);
        commands.push(c);
      }
      c.values.push(doc);
      c.events.push(event);
    }
    if (noKey > 0) this.logger.warn('redis output: no key could be selected for events, dropping them', { count: noKey });
    if (encodeErr !== undefined) {
      this.logger.warn('redis output: failed to encode events, dropping them', { count: dropped.length - noKey, error: errorMessage(encodeErr) });
    }
    return { commands, dropped, bytes };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const redis = this.redis;
    this.redis = undefined;
    if (redis === undefined) return;
    if (redis.status === 'ready') {
      try {
        await redis.quit();
        return;
      } catch {
        // fall through to disconnect
      }
    }
    redis.disconnect();
  }
}
