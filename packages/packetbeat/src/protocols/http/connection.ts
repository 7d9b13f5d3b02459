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

/** The queues' shared empty state (frozen: a push goes to an own list). */
const NO_REQUESTS = Object.freeze([]) as unknown as HttpMessage[];
const NO_METHODS = Object.freeze([]) as unknown as string[];

/**
 * Per-connection state: a parser per direction and the FIFO of complete
 * requests waiting for their responses (HTTP/1.1 keep-alive and pipelining
 * answer in order). An idle keep-alive connection holds no parser and no
 * list of its own: parsers are made when bytes come and dropped when they
 * are back at rest, which matters at hundreds of thousands of connections.
 */
export class HttpConnection implements ParserEvents {
  private requestParser: MessageParser | null = null;
  private responseParser: MessageParser | null = null;
  /** Queues that go back to the shared empty list when drained. */
  private requests: HttpMessage[] = NO_REQUESTS;
  /** Methods of requests whose response headers have not been seen yet (a response to HEAD has no body). */
  private pendingMethods: string[] = NO_METHODS;

  constructor(
    readonly conn: ConnectionInfo,
    private readonly sink: ConnectionSink,
  ) {}

  /** The direction's parser, made when needed. The connection itself receives its events and the sink is its clock: no closures per connection. */
  private parser(dir: Direction): MessageParser {
    if (dir === 0) return (this.requestParser ??= new MessageParser(this.sink.config, 'request', this, this.sink));
    return (this.responseParser ??= new MessageParser(this.sink.config, 'response', this, this.sink));
  }

  /** Drops a direction's parser once it holds nothing a fresh one would not. */
  private release(dir: Direction): void {
    if (dir === 0) {
      if (this.requestParser?.atRest === true) this.requestParser = null;
    } else if (this.responseParser?.atRest === true) {
      this.responseParser = null;
    }
  }

  onUpgrade(): void {
    this.parser(0).stopParsing();
    this.parser(1).stopParsing();
  }

  onData(dir: Direction, data: Uint8Array): void {
    this.parser(dir).feed(data);
    this.release(dir);
  }

  onGap(dir: Direction, length: number): boolean {
    const resumed = this.parser(dir).gap(length);
    this.release(dir);
    return resumed;
  }

  onFin(dir: Direction): void {
    if (dir === 0) this.requestParser?.finish();
    else this.responseParser?.finish();
    this.release(dir);
  }

  /** Completes what can be, then reports every request still unanswered. */
  close(): void {
    this.requestParser?.finish();
    this.responseParser?.finish();
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
      if (this.pendingMethods === NO_METHODS) this.pendingMethods = [];
      this.pendingMethods.push(m.method);
      return false;
    }
    if (m.statusCode >= 100 && m.statusCode < 200 && m.statusCode !== 101) return false; // interim
    const method = this.pendingMethods.length > 0 ? this.pendingMethods.shift() : undefined;
    if (this.pendingMethods.length === 0) this.pendingMethods = NO_METHODS;
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
      if (this.requests === NO_REQUESTS) this.requests = [];
      this.requests.push(m);
      return;
    }
    // Interim responses (100 Continue, 102, 103) are not transactions.
    if (m.statusCode >= 100 && m.statusCode < 200 && m.statusCode !== 101) return;
    const requ = this.shiftRequest() ?? null;
    if (requ === null) this.sink.unmatchedResponse();
    this.sink.report(buildTransaction(this.conn, requ, m, cfg));
    if (requ !== null && requ.method === 'CONNECT' && m.statusCode >= 200 && m.statusCode < 300) {
      this.parser(0).stopParsing();
      this.parser(1).stopParsing();
    }
  }

  private shiftRequest(): HttpMessage | undefined {
    if (this.requests.length === 0) return undefined;
    const requ = this.requests.shift();
    if (this.requests.length === 0) this.requests = NO_REQUESTS;
    return requ;
  }
}
