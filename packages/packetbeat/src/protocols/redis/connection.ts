import { StreamBuffer, type ConnectionInfo, type Direction, type Micros, type Transaction } from '@packetbeat-ts/protocol-sdk';
import type { ResolvedRedisConfig } from './config.js';
import { formatValue, RespParser, type RespValue } from './resp.js';

/** What a connection needs from the analyzer. */
export interface ConnectionSink {
  readonly config: ResolvedRedisConfig;
  now(): Micros;
  report(tx: Transaction): void;
  /** A request evicted by the queue limits, expired, or left unanswered at close. */
  unmatchedRequest(n?: number): void;
  /** A response with no request waiting. */
  unmatchedResponse(): void;
  /** A message the server pushed with no request (pub/sub `message`, RESP3 `>` push). */
  pushMessage(): void;
  /** A stream that is not RESP (or a message too large): its buffered bytes were dropped. */
  parseError(reason: string): void;
}

/** A complete request waiting for its response. */
export interface RedisRequest {
  readonly ts: Micros;
  readonly size: number;
  /** Upper-case command name. */
  readonly method: string;
  /** The first argument (usually the key), `''` when there is none. */
  readonly resource: string;
  /** The command and its arguments joined by spaces, as sent. */
  readonly query: string;
  /** Number of arguments after the command name. */
  readonly argc: number;
}

/** Commands answered by one confirmation per channel (or pattern). */
const SUBSCRIPTION_COMMANDS = new Set(['subscribe', 'psubscribe', 'ssubscribe', 'unsubscribe', 'punsubscribe', 'sunsubscribe']);
/** Messages a server pushes to a subscriber. */
const PUSHED_MESSAGES = new Set(['message', 'pmessage', 'smessage']);

function firstText(value: RespValue): string {
  if (value.type !== 'array' && value.type !== 'push') return '';
  const first = value.items[0];
  return first !== undefined && first.type === 'string' ? first.text.toLowerCase() : '';
}

function argText(value: RespValue): string {
  return formatValue(value);
}

/**
 * Per-connection state: a RESP decoder per direction and the queue of
 * requests waiting for their responses. Redis answers in order, so
 * pipelined requests are paired with responses first in, first out.
 */
export class RedisConnection {
  private readonly buffers: readonly [StreamBuffer, StreamBuffer];
  private readonly parsers: readonly [RespParser, RespParser];
  /** Packet time at which the message being decoded in each direction started. */
  private readonly starts: [Micros | null, Micros | null] = [null, null];
  private queue: RedisRequest[] = [];
  private head = 0;
  private bytesQueued = 0;
  /** The client sent a (un)subscribe command: arrays such as `[message, ch, x]` are pushes. */
  private subscriber = false;
  /** Further confirmations of a multi-channel (un)subscribe still to come (-1: unknown number). */
  private confirmations: { kind: string; remaining: number } | null = null;

  constructor(
    readonly conn: ConnectionInfo,
    private readonly sink: ConnectionSink,
  ) {
    const max = sink.config.maxMessageSize;
    this.buffers = [new StreamBuffer({ maxBytes: max }), new StreamBuffer({ maxBytes: max })];
    this.parsers = [new RespParser(true, max), new RespParser(false, max)];
  }

  /** Requests waiting for a response. */
  get pending(): number {
    return this.queue.length - this.head;
  }

  /** Bytes of the requests waiting. */
  get queuedBytes(): number {
    return this.bytesQueued;
  }

  /** Bytes held undecoded in each direction. */
  get bufferedBytes(): number {
    return this.buffers[0].available + this.buffers[1].available;
  }

  get idle(): boolean {
    return this.pending === 0;
  }

  onData(dir: Direction, data: Uint8Array): void {
    const now = this.sink.now();
    const buf = this.buffers[dir];
    const parser = this.parsers[dir];
    if (this.starts[dir] === null) this.starts[dir] = now;
    if (!buf.append(data)) {
      this.drop(dir, 'message too large');
      return;
    }
    for (;;) {
      const result = parser.next(buf);
      if (result === 'more') break;
      if ('error' in result) {
        this.drop(dir, result.error);
        break;
      }
      const ts = this.starts[dir] ?? now;
      this.starts[dir] = buf.available > 0 || !parser.idle ? now : null;
      if (dir === 0) this.onRequest(result.value, result.size, ts);
      else this.onResponse(result.value, result.size, ts);
    }
  }

  /**
   * Lost bytes: as Packetbeat does for Redis, forget the connection's state
   * (both streams and the waiting requests) and start again with the next
   * bytes.
   */
  onGap(): boolean {
    for (const dir of [0, 1] as const) {
      this.buffers[dir].clear();
      this.parsers[dir].reset();
      this.starts[dir] = null;
    }
    this.discard();
    this.confirmations = null;
    return false;
  }

  /** The connection ended: requests still waiting are counted, not published (as in Packetbeat). */
  close(): void {
    this.discard();
    for (const dir of [0, 1] as const) {
      this.buffers[dir].clear();
      this.parsers[dir].reset();
    }
  }

  /** Drops requests that started before `olderThan` (transaction_timeout). */
  expire(olderThan: Micros): void {
    let n = 0;
    for (let req = this.queue[this.head]; req !== undefined && req.ts < olderThan; req = this.queue[this.head]) {
      this.shift();
      n++;
    }
    if (n > 0) this.sink.unmatchedRequest(n);
  }

  private discard(): void {
    const n = this.pending;
    this.queue = [];
    this.head = 0;
    this.bytesQueued = 0;
    if (n > 0) this.sink.unmatchedRequest(n);
  }

  private drop(dir: Direction, reason: string): void {
    this.buffers[dir].clear();
    this.parsers[dir].reset();
    this.starts[dir] = null;
    this.sink.parseError(reason);
  }

  private shift(): RedisRequest | undefined {
    const req = this.queue[this.head];
    if (req === undefined) return undefined;
    this.head++;
    this.bytesQueued -= req.size;
    if (this.head === this.queue.length) {
      this.queue = [];
      this.head = 0;
    } else if (this.head >= 1024 && this.head * 2 >= this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    return req;
  }

  private onRequest(value: RespValue, size: number, ts: Micros): void {
    if (value.type !== 'array' || value.items.length === 0) return; // `*-1`, `*0`: nothing to answer
    const args = value.items.map(argText);
    const name = args[0] ?? '';
    const method = name.toUpperCase();
    if (SUBSCRIPTION_COMMANDS.has(name.toLowerCase())) this.subscriber = true;
    this.queue.push({ ts, size, method, resource: args[1] ?? '', query: args.join(' '), argc: args.length - 1 });
    this.bytesQueued += size;
    // Packetbeat's limits evict the oldest requests.
    const { queueMaxBytes, queueMaxMessages } = this.sink.config;
    let evicted = 0;
    while ((queueMaxMessages > 0 && this.pending > queueMaxMessages) || (queueMaxBytes > 0 && this.bytesQueued > queueMaxBytes)) {
      this.shift();
      evicted++;
    }
    if (evicted > 0) this.sink.unmatchedRequest(evicted);
  }

  private onResponse(value: RespValue, size: number, ts: Micros): void {
    const kind = firstText(value);
    const isPush = value.type === 'push';
    const subscription = (isPush || this.subscriber) && SUBSCRIPTION_COMMANDS.has(kind) && value.type !== 'set';
    if (subscription) {
      this.onConfirmation(kind, value, size, ts);
      return;
    }
    if (isPush || (this.subscriber && value.type === 'array' && PUSHED_MESSAGES.has(kind))) {
      // Pushed to a subscriber (or a RESP3 out-of-band push): no request asked for it.
      this.sink.pushMessage();
      return;
    }
    this.confirmations = null;
    const req = this.shift();
    if (req === undefined) {
      this.sink.unmatchedResponse();
      return;
    }
    this.report(req, value, size, ts);
  }

  /** `[subscribe, channel, count]` and the like: one per channel of a (un)subscribe command. */
  private onConfirmation(kind: string, value: RespValue, size: number, ts: Micros): void {
    const more = this.confirmations;
    if (more !== null && more.kind === kind && more.remaining > 0) {
      more.remaining--;
      return;
    }
    const req = this.queue[this.head];
    if (req !== undefined && req.method.toLowerCase() === kind) {
      this.shift();
      this.confirmations = { kind, remaining: req.argc > 0 ? req.argc - 1 : -1 };
      this.report(req, value, size, ts);
      return;
    }
    if (more !== null && more.kind === kind && more.remaining < 0) return; // an argument-less unsubscribe's further replies
    this.sink.unmatchedResponse();
  }

  private report(req: RedisRequest, value: RespValue, size: number, ts: Micros): void {
    const cfg = this.sink.config;
    const text = formatValue(value);
    const isError = value.type === 'error';
    const tx: Transaction = {
      conn: this.conn,
      type: 'redis',
      status: isError ? 'Error' : 'OK',
      start: req.ts,
      end: ts,
      method: req.method,
      resource: req.resource,
      query: req.query,
      requestBytes: req.size,
      responseBytes: size,
      ...(cfg.sendRequest ? { request: req.query } : {}),
      ...(cfg.sendResponse ? { response: text } : {}),
      fields: { redis: isError ? { error: text } : { return_value: text } },
    };
    this.sink.report(tx);
  }
}
