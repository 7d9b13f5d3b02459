import type { ConnectionInfo, Direction, Micros, Transaction } from '@packetbeat-ts/protocol-sdk';
import type { ResolvedHttpConfig } from './config.js';
import type { HttpMessage } from './message.js';
import { MessageParser, type ParserEvents } from './message-parser.js';
import { basicAuthUser, redactMessage } from './redact.js';
import { buildTransaction } from './transaction.js';

/** What a connection needs from the analyzer. */
export interface ConnectionSink {
  readonly config: ResolvedHttpConfig;
  now(): Micros;
  report(tx: Transaction): void;
  unmatchedRequest(): void;
  unmatchedResponse(): void;
}

/**
 * Per-connection state: a parser per direction and the FIFO of complete
 * requests waiting for their responses (HTTP/1.1 keep-alive and pipelining
 * answer in order).
 */
export class HttpConnection implements ParserEvents {
  readonly parsers: readonly [MessageParser, MessageParser];
  /** Queues that go back to a fresh empty array when drained: a drained array keeps its grown capacity. */
  private requests: HttpMessage[] = [];
  /** Methods of requests whose response headers have not been seen yet (a response to HEAD has no body). */
  private pendingMethods: string[] = [];

  constructor(
    readonly conn: ConnectionInfo,
    private readonly sink: ConnectionSink,
  ) {
    // The connection itself receives the parsers' events and the sink is their clock: no closures per connection.
    this.parsers = [new MessageParser(sink.config, 'request', this, sink), new MessageParser(sink.config, 'response', this, sink)];
  }

  onUpgrade(): void {
    this.parsers[0].stopParsing();
    this.parsers[1].stopParsing();
  }

  onData(dir: Direction, data: Uint8Array): void {
    this.parsers[dir].feed(data);
  }

  onGap(dir: Direction, length: number): boolean {
    return this.parsers[dir].gap(length);
  }

  onFin(dir: Direction): void {
    this.parsers[dir].finish();
  }

  /** Completes what can be, then reports every request still unanswered. */
  close(): void {
    this.parsers[0].finish();
    this.parsers[1].finish();
    this.flushRequests(Number.POSITIVE_INFINITY);
  }

  /** Reports requests that started before `olderThan` and are still unanswered. */
  flushRequests(olderThan: Micros): void {
    while (this.requests.length > 0 && (this.requests[0]?.ts ?? 0) < olderThan) {
      const requ = this.shiftRequest();
      if (requ === undefined) break;
      this.sink.unmatchedRequest();
      this.sink.report(buildTransaction(this.conn, requ, null, this.sink.config));
    }
  }

  get idle(): boolean {
    return this.requests.length === 0;
  }

  onHeaders(m: HttpMessage): boolean {
    if (m.isRequest) {
      this.pendingMethods.push(m.method);
      return false;
    }
    if (m.statusCode >= 100 && m.statusCode < 200 && m.statusCode !== 101) return false; // interim
    const method = this.pendingMethods.shift();
    if (this.pendingMethods.length === 0) this.pendingMethods = [];
    if (method === 'CONNECT' && m.statusCode >= 200 && m.statusCode < 300) {
      // a tunnel follows: report this exchange when the headers end, then stop
      return true;
    }
    return method === 'HEAD';
  }

  onMessage(m: HttpMessage): void {
    const cfg = this.sink.config;
    if (m.isRequest && !cfg.redactAuthorization) m.username = basicAuthUser(m.headers.get('authorization'));
    redactMessage(m, cfg);
    if (m.isRequest) {
      this.requests.push(m);
      return;
    }
    // Interim responses (100 Continue, 102, 103) are not transactions.
    if (m.statusCode >= 100 && m.statusCode < 200 && m.statusCode !== 101) return;
    const requ = this.shiftRequest() ?? null;
    if (requ === null) this.sink.unmatchedResponse();
    this.sink.report(buildTransaction(this.conn, requ, m, cfg));
    if (requ !== null && requ.method === 'CONNECT' && m.statusCode >= 200 && m.statusCode < 300) {
      this.parsers[0].stopParsing();
      this.parsers[1].stopParsing();
    }
  }

  private shiftRequest(): HttpMessage | undefined {
    const requ = this.requests.shift();
    if (this.requests.length === 0) this.requests = [];
    return requ;
  }
}
