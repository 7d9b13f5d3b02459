import type { ConnectionOptions as TlsConnectionOptions } from 'node:tls';
import { Client, errors, type ClientOptions } from '@elastic/elasticsearch';
import { errorMessage } from '../../errors.js';
import type { BeatEvent } from '../../event.js';
import type { Logger } from '../../logging/logger.js';
import type { Counter } from '../../monitoring/metrics.js';
import type { Batch, OutputClient, OutputContext } from '../output.js';
import type { ResolvedElasticsearchConfig } from './config.js';
import { buildSelector, eventIndexOverride, type Selector } from './selector.js';

/**
 * One connection of `output.elasticsearch`: a batch becomes one `_bulk`
 * request whose every item result is read.
 *
 * - 2xx items and 409 (the document exists: a duplicate of an earlier try)
 *   are acknowledged;
 * - 429 and 5xx items are sent again, alone (`batch.retryEvents`);
 * - any other item status (400 mapping errors…) drops that event, or, with
 *   `non_indexable_policy.dead_letter_index`, sends it again wrapped for that
 *   index (dropped if that fails for good too); the first few reasons of a
 *   batch are logged;
 * - a failed request (connection refused or reset, timeout, non-2xx response,
 *   unreadable body) retries the whole batch. Nothing is acknowledged before
 *   Elasticsearch answered for it.
 *
 * Events carry their index in `@metadata.index` (or `raw_index`), else the
 * `indices` rules, else `index`; `@metadata.pipeline`, `@metadata._id` and
 * `@metadata.op_type: index` are honoured as in Beats. The action is `create`
 * (required by data streams) unless `op_type` says `index`.
 */

/** Item reasons logged per batch; the rest are only counted. */
const MAX_LOGGED_ITEM_ERRORS = 3;

/** The shared part of the per-client settings. */
export interface ElasticsearchClientSettings {
  readonly config: ResolvedElasticsearchConfig;
  readonly index: Selector;
  readonly pipeline: Selector;
  /**
   * Events refused for good and bound for the dead-letter index, with why.
   * Shared by the clients: the retry may go out through another one.
   */
  readonly deadLetters: WeakMap<BeatEvent, DeadLetter>;
}

/** Why Elasticsearch refused an event: the item's status and error. */
interface DeadLetter {
  readonly status: number;
  readonly reason: string;
}

export function buildClientSettings(config: ResolvedElasticsearchConfig): ElasticsearchClientSettings {
  return {
    config,
    index: buildSelector('index', config.index, config.indices, { lowerCase: true }),
    pipeline: buildSelector('pipeline', config.pipeline, config.pipelines, { lowerCase: false }),
    deadLetters: new WeakMap(),
  };
}

function tlsOptions(config: ResolvedElasticsearchConfig): TlsConnectionOptions | undefined {
  const t = config.tls;
  if (t === undefined) return undefined;
  const opts: TlsConnectionOptions = {};
  if (t.ca !== undefined) opts.ca = t.ca;
  if (t.cert !== undefined) opts.cert = t.cert;
  if (t.key !== undefined) opts.key = t.key;
  if (t.passphrase !== undefined) opts.passphrase = t.passphrase;
  if (t.verificationMode === 'none') opts.rejectUnauthorized = false;
  // `certificate`: the chain is verified, the host name is not.
  if (t.verificationMode === 'certificate') opts.checkServerIdentity = () => undefined;
  return opts;
}

/** Options of the official client for `urls` (one or several nodes). */
export function esClientOptions(config: ResolvedElasticsearchConfig, urls: readonly URL[]): ClientOptions {
  const opts: ClientOptions = {
    nodes: urls.map((u) => u.toString()),
    requestTimeout: config.timeoutMs,
    // Retries are the pipeline's business (backoff, max_retries, accounting).
    maxRetries: 0,
    compression: config.compression,
    headers: { ...config.headers },
    name: 'libbeat',
  };
  if (config.apiKey !== undefined) opts.auth = { apiKey: config.apiKey };
  else if (config.username !== undefined) opts.auth = { username: config.username, password: config.password ?? '' };
  const tls = tlsOptions(config);
  if (tls !== undefined) opts.tls = tls;
  return opts;
}

/** A readable reason for a failed request: `connection refused`, `status 503: …`. */
export function describeRequestError(err: unknown): string {
  if (err instanceof errors.ResponseError) {
    const body = err.meta.body as { error?: { type?: string; reason?: string } | string } | string | undefined;
    let detail = '';
    if (typeof body === 'string') detail = body.slice(0, 200);
    else if (typeof body?.error === 'string') detail = body.error;
    else if (body?.error !== undefined) detail = [body.error.type, body.error.reason].filter((s) => s !== undefined).join(': ');
    return `status ${err.meta.statusCode}${detail === '' ? '' : `: ${detail}`}`;
  }
  if (err instanceof errors.TimeoutError) return 'request timed out';
  const msg = errorMessage(err);
  if (/ECONNREFUSED/.test(msg)) return `connection refused (${msg})`;
  if (/ECONNRESET|socket hang up|other side closed|SocketError/i.test(msg)) return `connection closed by the server (${msg})`;
  if (/ENOTFOUND|EAI_AGAIN/.test(msg)) return `host not found (${msg})`;
  return msg;
}

interface ItemResult {
  status?: number;
  error?: { type?: string; reason?: string; caused_by?: { type?: string; reason?: string } } | string;
}

function itemReason(r: ItemResult): string {
  const e = r.error;
  if (e === undefined) return '';
  if (typeof e === 'string') return e;
  let s = [e.type, e.reason].filter((x) => x !== undefined).join(': ');
  if (e.caused_by?.reason !== undefined) s += ` (caused by ${e.caused_by.type ?? 'error'}: ${e.caused_by.reason})`;
  return s;
}

export class ElasticsearchClient implements OutputClient {
  readonly url: string;
  private readonly es: Client;
  private readonly settings: ElasticsearchClientSettings;
  private readonly logger: Logger;
  private readonly writeBytes: Counter;
  private readonly writeErrors: Counter;
  private readonly readErrors: Counter;
  private readonly querystring: Record<string, string>;
  /** Set while requests fail: one log line when it starts, one when it ends. */
  private outage: string | undefined;
  /** Set while Elasticsearch rejects items with 429/5xx. */
  private throttled = false;
  private closed = false;

  constructor(settings: ElasticsearchClientSettings, urls: readonly URL[], ctx: OutputContext) {
    this.settings = settings;
    this.url = urls.map((u) => u.toString().replace(/\/$/, '')).join(',');
    this.es = new Client(esClientOptions(settings.config, urls));
    this.logger = ctx.logger;
    this.writeBytes = ctx.metrics.counter('write.bytes');
    this.writeErrors = ctx.metrics.counter('write.errors');
    this.readErrors = ctx.metrics.counter('read.errors');
    this.querystring = settings.config.parameters;
  }

  toString(): string {
    return `elasticsearch(${this.url})`;
  }

  async publish(batch: Batch): Promise<void> {
    const events = batch.events;
    const sent: BeatEvent[] = [];
    const dropped: BeatEvent[] = [];
    let body = '';
    let firstEncodeError: string | undefined;
    for (const event of events) {
      const line = this.encode(event);
      if (typeof line !== 'string') {
        firstEncodeError ??= line.error;
        dropped.push(event);
        continue;
      }
      body += line;
      sent.push(event);
    }
    if (dropped.length > 0) {
      this.logger.warn('elasticsearch output: cannot encode events, dropping them', { count: dropped.length, error: firstEncodeError });
    }
    if (sent.length === 0) {
      if (dropped.length === 0) batch.ack();
      else batch.retryEvents([], dropped);
      return;
    }

    let response: { errors?: boolean; items?: unknown[] } | undefined;
    try {
      // The client appends the final newline of the NDJSON body.
      response = await this.es.bulk<string>({
        operations: [body.slice(0, -1)],
        ...this.querystring,
      });
      this.writeBytes.inc(Buffer.byteLength(body));
    } catch (err) {
      this.writeErrors.inc();
      this.failed(describeRequestError(err), sent.length);
      if (dropped.length === 0) batch.retry();
      else batch.retryEvents(sent, dropped);
      return;
    }

    const items = response.items;
    if (!Array.isArray(items) || items.length !== sent.length) {
      this.readErrors.inc();
      this.failed(`unexpected bulk response: ${Array.isArray(items) ? `${items.length} items for ${sent.length} documents` : 'no items'}`, sent.length);
      if (dropped.length === 0) batch.retry();
      else batch.retryEvents(sent, dropped);
      return;
    }
    this.recovered();

    if (response.errors === false && dropped.length === 0) {
      this.setThrottled(false, '');
      batch.ack();
      return;
    }
    const retry: BeatEvent[] = [];
    let logged = 0;
    let nonIndexable = 0;
    let firstRetryReason = '';
    for (let i = 0; i < items.length; i++) {
      const item = items[i] as Record<string, ItemResult> | null;
      const event = sent[i] as BeatEvent;
      const result = item === null || typeof item !== 'object' ? undefined : Object.values(item)[0];
      const status = result?.status;
      if (typeof status !== 'number') {
        this.readErrors.inc();
        retry.push(event);
        continue;
      }
      if (status < 300 || status === 409) continue; // 409: written by an earlier try
      if (status === 429 || status >= 500) {
        if (firstRetryReason === '') firstRetryReason = `status ${status}${result?.error === undefined ? '' : `: ${itemReason(result)}`}`;
        retry.push(event);
        continue;
      }
      nonIndexable++;
      const reason = result === undefined ? '' : itemReason(result);
      const deadLetterIndex = this.settings.config.deadLetterIndex;
      const toDeadLetter = deadLetterIndex !== undefined && !this.settings.deadLetters.has(event);
      if (toDeadLetter) {
        // Sent again, wrapped, to the dead-letter index (Beats' non_indexable_policy).
        this.settings.deadLetters.set(event, { status, reason });
        retry.push(event);
      } else {
        dropped.push(event);
      }
      if (logged < MAX_LOGGED_ITEM_ERRORS) {
        logged++;
        this.logger.warn(`elasticsearch output: cannot index event, ${toDeadLetter ? `sending it to the dead-letter index ${deadLetterIndex}` : 'dropping it'}`, {
          status,
          reason,
          index: this.indexOf(event),
        });
      }
    }
    if (nonIndexable > logged) {
      this.logger.warn(`elasticsearch output: more events could not be indexed${this.settings.config.deadLetterIndex === undefined ? ' and were dropped' : ''}`, { count: nonIndexable - logged });
    }
    this.setThrottled(firstRetryReason !== '', firstRetryReason);
    if (retry.length === 0 && dropped.length === 0) batch.ack();
    else batch.retryEvents(retry, dropped);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await this.es.close();
    } catch (err) {
      this.logger.debug('elasticsearch output: closing the client failed', { error: errorMessage(err) });
    }
  }

  /** The bulk lines (action and document, each `\n`-terminated) or why the event cannot be sent. */
  private encode(event: BeatEvent): string | { error: string } {
    const deadLetter = this.settings.deadLetters.get(event);
    if (deadLetter !== undefined) return this.encodeDeadLetter(event, deadLetter);
    const index = this.indexOf(event);
    if (index === '') return { error: `no index could be selected (index: ${this.settings.config.index})` };
    const meta = event.meta;
    let action = `{"_index":${JSON.stringify(index)}`;
    if (meta !== undefined) {
      const id = meta['_id'];
      if (typeof id === 'string' && id !== '') action += `,"_id":${JSON.stringify(id)}`;
    }
    const metaPipeline = meta?.['pipeline'];
    const pipeline = typeof metaPipeline === 'string' && metaPipeline !== '' ? metaPipeline : this.settings.pipeline.select(event);
    if (pipeline !== '') action += `,"pipeline":${JSON.stringify(pipeline)}`;
    const op = meta?.['op_type'] === 'index' ? 'index' : 'create';
    const doc = this.encodeDocument(event);
    if (typeof doc !== 'string') return doc;
    return `{"${op}":${action}}}\n${doc}\n`;
  }

  /** The document: `@timestamp` and the event's fields, as one JSON line. */
  private encodeDocument(event: BeatEvent): string | { error: string } {
    const ms = event.timestamp.getTime();
    if (Number.isNaN(ms)) return { error: 'event has an invalid @timestamp' };
    let fields: string | undefined;
    try {
      fields = event.encodedFields ?? JSON.stringify(event.fields); // undefined for odd values at runtime
    } catch (err) {
      return { error: errorMessage(err) };
    }
    const ts = `{"@timestamp":"${event.timestamp.toISOString()}"`;
    return fields === undefined || fields.length <= 2 ? `${ts}}` : `${ts},${fields.slice(1)}`;
  }

  /**
   * A refused event for the dead-letter index, as Beats writes it: the
   * original document as a string in `message`, the item's status and error
   * in `error.type` and `error.message`.
   */
  private encodeDeadLetter(event: BeatEvent, deadLetter: DeadLetter): string | { error: string } {
    const original = this.encodeDocument(event);
    if (typeof original !== 'string') return original;
    const doc = JSON.stringify({ '@timestamp': event.timestamp.toISOString(), message: original, 'error.type': deadLetter.status, 'error.message': deadLetter.reason });
    return `{"create":{"_index":${JSON.stringify(this.settings.config.deadLetterIndex)}}}\n${doc}\n`;
  }

  private indexOf(event: BeatEvent): string {
    return eventIndexOverride(event) ?? this.settings.index.select(event);
  }

  private failed(reason: string, events: number): void {
    if (this.outage === undefined) {
      this.logger.error(`elasticsearch output: request to ${this.url} failed; retrying with backoff`, { reason, events });
    } else {
      this.logger.debug('elasticsearch output: request failed again', { reason, events });
    }
    this.outage = reason;
  }

  private recovered(): void {
    if (this.outage === undefined) return;
    this.logger.info(`elasticsearch output: connection to ${this.url} restored`, { previous_error: this.outage });
    this.outage = undefined;
  }

  private setThrottled(on: boolean, reason: string): void {
    if (on === this.throttled) return;
    this.throttled = on;
    if (on) this.logger.warn(`elasticsearch output: ${this.url} rejects events, retrying them`, { reason });
    else this.logger.info(`elasticsearch output: ${this.url} accepts events again`);
  }
}
