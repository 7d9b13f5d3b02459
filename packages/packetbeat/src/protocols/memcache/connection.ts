import { StreamBuffer, type ConnectionInfo, type Direction, type Micros, type Transaction } from '@packetbeat-ts/protocol-sdk';
import { NOTE_NO_REQUEST, NOTE_NON_QUIET_RESPONSE_ONLY, NOTE_REQUEST_PACKET_LOSS, NOTE_RESPONSE_PACKET_LOSS, NOTE_UNFINISHED, OP_QUITQ } from './codes.js';
import type { ResolvedMemcacheConfig } from './config.js';
import { parseMessage, tryMerge, type Message } from './parser.js';
import { buildTransaction } from './transaction.js';

/** What a connection needs from the plugin. */
export interface MemcacheSink {
  readonly config: ResolvedMemcacheConfig;
  now(): Micros;
  report(tx: Transaction): void;
  count(name: 'unmatched_requests' | 'unmatched_responses' | 'unfinished_transactions'): void;
}

/** Requests kept waiting on one connection; beyond it the oldest is reported unanswered. */
export const MAX_PENDING = 1000;
/** Entries (keys, stats) kept in one merged response. */
export const MAX_ENTRIES = 10_000;

const UTF8 = new TextDecoder('utf-8');

interface StreamState {
  readonly buf: StreamBuffer;
  /** Zero-filled bytes standing for lost data in the message being read. */
  lost: number;
  /** Packet time of the first byte of the message being read. */
  firstTs: Micros;
}

/** Appends `msg`'s raw text (text protocol only) when send_request / send_response ask for it. */
export function keepRaw(msg: Message, bytes: Uint8Array, config: ResolvedMemcacheConfig): void {
  if (msg.isBinary) return;
  if (msg.isRequest ? config.sendRequest : config.sendResponse) msg.raw = UTF8.decode(bytes);
}

/**
 * Merges a response into the last one waiting (VALUE…END, STAT…END, binary
 * stats). Returns the response now last in `responses`, or undefined when
 * the message cannot be used (text and binary mixed).
 */
export function addResponse(responses: Message[], msg: Message, maxValues: number): Message | undefined {
  const prev = responses[responses.length - 1];
  let merged: boolean;
  try {
    merged = tryMerge(prev, msg, maxValues);
  } catch {
    return undefined;
  }
  if (!merged || prev === undefined) {
    responses.push(msg);
    return msg;
  }
  if (prev.keys !== undefined && prev.keys.length > MAX_ENTRIES) prev.keys.length = MAX_ENTRIES;
  if (prev.stats.length > MAX_ENTRIES) prev.stats.length = MAX_ENTRIES;
  if (msg.raw !== undefined) prev.raw = (prev.raw ?? '') + msg.raw;
  return prev;
}

/** The per-connection state of a memcache TCP connection. */
export class MemcacheTcpConnection {
  private readonly streams: [StreamState, StreamState];
  private requests: Message[] = [];
  private responses: Message[] = [];
  /** Packet time of the last data seen, for the transaction timeout. */
  lastSeen: Micros = 0;

  constructor(
    readonly conn: ConnectionInfo,
    private readonly sink: MemcacheSink,
  ) {
    const make = (): StreamState => ({ buf: new StreamBuffer({ maxBytes: sink.config.maxStreamBytes }), lost: 0, firstTs: 0 });
    this.streams = [make(), make()];
  }

  /** Nothing waits to be reported. */
  get idle(): boolean {
    return this.requests.length === 0 && this.responses.length === 0;
  }

  /** Bytes buffered in both directions (for tests). */
  get buffered(): number {
    return this.streams[0].buf.available + this.streams[1].buf.available;
  }

  get pending(): number {
    return this.requests.length + this.responses.length;
  }

  onData(dir: Direction, data: Uint8Array): void {
    const now = this.sink.now();
    this.lastSeen = now;
    const stream = this.streams[dir];
    if (stream.buf.available === 0) stream.firstTs = now;
    if (!stream.buf.append(data)) {
      // Message larger than the stream cap: out of step, drop both streams.
      this.pushAll();
      this.dropStreams();
      return;
    }
    this.parse(stream);
  }

  private parse(stream: StreamState): void {
    const cfg = this.sink.config;
    while (stream.buf.available > 0) {
      const view = stream.buf.view();
      const res = parseMessage(view, stream.firstTs, cfg, stream.lost);
      if (res.kind === 'more') return;
      if (res.kind === 'error') {
        this.pushAll();
        this.dropStreams();
        return;
      }
      const msg = res.msg;
      if (stream.lost > 0) msg.notes.push(msg.isRequest ? NOTE_REQUEST_PACKET_LOSS : NOTE_RESPONSE_PACKET_LOSS);
      else keepRaw(msg, view.subarray(0, res.consumed), cfg);
      stream.lost = 0;
      stream.buf.consume(res.consumed);
      stream.firstTs = this.sink.now();
      if (msg.isRequest) this.onRequest(msg);
      else this.onResponse(msg);
    }
  }

  private onRequest(msg: Message): void {
    msg.isComplete = true;
    // No response will come: noreply (text), quit (text) and QuitQ (binary).
    const noResponse = msg.noreply || (!msg.isBinary && msg.command === 'quit') || (msg.isBinary && msg.opcode === OP_QUITQ);
    if (noResponse) {
      this.sink.report(buildTransaction(this.conn, msg, undefined));
      return;
    }
    if (this.requests.length >= MAX_PENDING) {
      const oldest = this.requests.shift() as Message;
      this.reportUnanswered(oldest);
    }
    this.requests.push(msg);
  }

  private onResponse(msg: Message): void {
    const last = addResponse(this.responses, msg, this.sink.config.maxValues);
    if (last === undefined || !last.isComplete) {
      if (this.responses.length > MAX_PENDING) this.correlate();
      return;
    }
    this.correlate();
  }

  /** Pairs the waiting responses with the waiting requests, in order. */
  private correlate(): void {
    while (this.responses.length > 0) {
      const resp = this.responses.shift() as Message;
      let req: Message | undefined;
      while (this.requests.length > 0) {
        const r = this.requests.shift() as Message;
        const same = r.isBinary === resp.isBinary && (!r.isBinary || (r.opaque === resp.opaque && r.opcode === resp.opcode));
        if (same) {
          req = r;
          break;
        }
        // A quiet request may get no response; any other missed its own.
        if (r.isBinary && !r.quiet) {
          r.notes.push(NOTE_NON_QUIET_RESPONSE_ONLY);
          this.sink.count('unmatched_requests');
        }
        this.sink.report(buildTransaction(this.conn, r, undefined));
      }
      if (req === undefined) {
        resp.notes.push(NOTE_NO_REQUEST);
        this.sink.count('unmatched_responses');
      }
      this.sink.report(buildTransaction(this.conn, req, resp));
    }
  }

  private reportUnanswered(req: Message): void {
    if (!req.quiet && !req.noreply) {
      req.notes.push(NOTE_UNFINISHED);
      this.sink.count('unfinished_transactions');
    }
    this.sink.report(buildTransaction(this.conn, req, undefined));
  }

  /** Reports everything waiting: complete pairs first, then the unanswered requests. */
  pushAll(): void {
    this.correlate();
    const left = this.requests;
    this.requests = [];
    for (const req of left) this.reportUnanswered(req);
  }

  private dropStreams(): void {
    for (const s of this.streams) {
      s.buf.clear();
      s.lost = 0;
    }
  }

  /**
   * `length` bytes lost in `dir`. If they fall inside the data block of the
   * message being read, it is completed with zeros (its value is counted but
   * not kept, and noted); otherwise pending transactions are reported and
   * the streams dropped.
   */
  onGap(dir: Direction, length: number): boolean {
    const stream = this.streams[dir];
    if (stream.buf.available > 0) {
      const res = parseMessage(stream.buf.view(), stream.firstTs, this.sink.config, stream.lost);
      if (res.kind === 'more' && res.dataRemaining !== undefined && length <= res.dataRemaining) {
        const zeros = new Uint8Array(Math.min(length, 64 * 1024));
        let left = length;
        let ok = true;
        while (left > 0 && ok) {
          const n = Math.min(left, zeros.length);
          ok = stream.buf.append(zeros.subarray(0, n));
          left -= n;
        }
        if (ok) {
          stream.lost += length;
          this.parse(stream);
          return true;
        }
      }
    }
    this.pushAll();
    this.dropStreams();
    return false;
  }

  close(): void {
    this.pushAll();
    this.dropStreams();
  }
}
