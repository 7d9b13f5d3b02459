import type { Micros } from '@packetbeat-ts/protocol-sdk';
import type { ResolvedHttpConfig } from './config.js';
import { parseHeaderLines } from './headers.js';
import { NO_BYTES, newMessage, type HttpMessage } from './message.js';
import { looksLikeStartLine, parseStartLine } from './start-line.js';

/** What the parser tells its connection. */
export interface ParserEvents {
  /**
   * The start line and headers of `m` are in. For a response, return true
   * when it has no body whatever its headers say (it answers a HEAD request).
   */
  onHeaders(m: HttpMessage): boolean;
  /** `m` is complete. */
  onMessage(m: HttpMessage): void;
  /** The connection stops speaking HTTP (101 Switching Protocols, CONNECT tunnel). */
  onUpgrade?(): void;
}

type State =
  | 'idle' // between messages
  | 'start' // reading start line + headers
  | 'body' // Content-Length body
  | 'bodyClose' // body delimited by the connection's end
  | 'chunkSize'
  | 'chunkData'
  | 'chunkCrlf'
  | 'trailers'
  | 'resync' // skipping bytes until something looks like a message start
  | 'passthrough'; // not HTTP any more

/** The shared empty lists (frozen: every push goes to an own list). */
const NO_PARTS = Object.freeze([]) as unknown as Buffer[];
const NO_NOTES = Object.freeze([]) as unknown as string[];

const CRLF = '\r\n';
/** A chunk-size or trailer line longer than this is garbage. */
const MAX_LINE = 8192;

const MESSAGE_PREFIX = /^(?:HTTP\/\d\.\d |[A-Z][A-Z_-]{1,19} [^ \r\n])/;

function startsLikeMessage(data: Uint8Array): boolean {
  if (data.length < 8) return false;
  return MESSAGE_PREFIX.test(Buffer.from(data.buffer, data.byteOffset, Math.min(data.length, 32)).toString('latin1'));
}

/**
 * Incremental parser of one direction of an HTTP/1.x connection. Bytes may
 * arrive in any split; only what is not consumed yet is copied and kept
 * (an incomplete header block or line); bodies are consumed as they come and
 * copied only when they are to be published.
 */
export class MessageParser {
  private state: State = 'idle';
  private pending: Buffer | null = null;
  /** Header-end search resumes here (relative to the message start). */
  private scanFrom = 0;
  private startTs: Micros = 0;
  private msg: HttpMessage | null = null;
  private remaining = 0;
  /** Empty lists are the shared NO_PARTS / NO_NOTES (swapped for an own list on the first push): idle parsers allocate nothing. */
  private bodyParts: Buffer[] = NO_PARTS;
  private bodySaved = 0;
  private carryNotes: string[] = NO_NOTES;

  constructor(
    private readonly cfg: ResolvedHttpConfig,
    /** 'request' for the client's direction, 'response' for the server's: only used in notes. */
    private readonly kind: 'request' | 'response',
    private readonly events: ParserEvents,
    /** Packet time (the analyzer's clock); an object, not a closure, so a connection allocates none. */
    private readonly clock: { now(): Micros },
  ) {}

  private ownNotes(): string[] {
    if (this.carryNotes === NO_NOTES) this.carryNotes = [];
    return this.carryNotes;
  }

  /** Nothing under way and nothing carried over: a fresh parser would behave the same. */
  get atRest(): boolean {
    return this.state === 'idle' && this.pending === null && this.msg === null && this.carryNotes.length === 0;
  }

  /** Whether a message is under way (some of its bytes seen). */
  get busy(): boolean {
    return this.state !== 'idle' && this.state !== 'resync' && this.state !== 'passthrough';
  }

  feed(data: Uint8Array): void {
    if (this.state === 'passthrough' || data.length === 0) return;
    if (this.state === 'resync' && this.pending !== null && startsLikeMessage(data)) {
      // While resynchronising, a segment that starts like a message is
      // taken as one: the unfinished garbage line before it is dropped.
      this.pending = null;
    }
    const buf = this.pending !== null ? Buffer.concat([this.pending, data]) : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    this.pending = null;
    let off = 0;
    while (off < buf.length) {
      const next = this.step(buf, off);
      if (next < 0) {
        this.pending = Buffer.from(buf.subarray(off)); // copy: `data` is only valid during the call
        return;
      }
      off = next;
      if ((this.state as State) === 'passthrough') return;
    }
  }

  /** Returns the offset after what was consumed, or -1 to wait for more bytes (keeping buf[off..]). */
  private step(buf: Buffer, off: number): number {
    switch (this.state) {
      case 'idle':
        this.startTs = this.clock.now();
        this.scanFrom = 0;
        this.state = 'start';
        return off;
      case 'start':
        return this.readHead(buf, off);
      case 'body': {
        const n = Math.min(this.remaining, buf.length - off);
        this.addBody(buf.subarray(off, off + n));
        this.remaining -= n;
        if (this.remaining === 0) this.complete();
        return off + n;
      }
      case 'bodyClose': {
        const n = buf.length - off;
        this.addBody(buf.subarray(off));
        this.current().contentLength += n;
        return buf.length;
      }
      case 'chunkSize': {
        const end = buf.indexOf(CRLF, off, 'latin1');
        if (end === -1) {
          if (buf.length - off > MAX_LINE) return this.fail('Failed to parse chunked body: chunk size line too long', buf.length);
          return -1;
        }
        const text = buf.toString('latin1', off, end);
        const sizeText = (text.split(';')[0] ?? '').trim();
        if (!/^[0-9a-fA-F]{1,8}$/.test(sizeText)) return this.fail('Failed to parse chunked body: bad chunk size', end + 2);
        const m = this.current();
        m.size += end + 2 - off;
        const size = parseInt(sizeText, 16);
        if (size === 0) {
          this.state = 'trailers';
        } else {
          this.remaining = size;
          this.state = 'chunkData';
        }
        return end + 2;
      }
      case 'chunkData': {
        const n = Math.min(this.remaining, buf.length - off);
        this.addBody(buf.subarray(off, off + n));
        this.current().contentLength += n;
        this.remaining -= n;
        if (this.remaining === 0) this.state = 'chunkCrlf';
        return off + n;
      }
      case 'chunkCrlf':
        if (buf.length - off < 2) return -1;
        if (buf[off] !== 0x0d || buf[off + 1] !== 0x0a) return this.fail('Failed to parse chunked body: missing CRLF after chunk', off);
        this.current().size += 2;
        this.state = 'chunkSize';
        return off + 2;
      case 'trailers': {
        const end = buf.indexOf(CRLF, off, 'latin1');
        if (end === -1) {
          if (buf.length - off > MAX_LINE) return this.fail('Failed to parse chunked body: trailer too long', buf.length);
          return -1;
        }
        this.current().size += end + 2 - off;
        if (end === off) this.complete();
        return end + 2;
      }
      case 'resync': {
        const end = buf.indexOf(CRLF, off, 'latin1');
        if (end === -1) return buf.length - off > MAX_LINE ? buf.length - 1 : -1;
        if (looksLikeStartLine(buf.toString('latin1', off, end))) {
          this.state = 'idle';
          return off;
        }
        return end + 2;
      }
      case 'passthrough':
        return buf.length;
    }
  }

  private readHead(buf: Buffer, off: number): number {
    const lineEnd = buf.indexOf(CRLF, off, 'latin1');
    if (lineEnd === -1) {
      if (buf.length - off > this.cfg.maxMessageSize) return this.drop(`Dropped ${this.kind}: start line larger than max_message_size`, buf.length);
      return -1;
    }
    const probe = newMessage(this.startTs);
    const firstLine = buf.toString('utf8', off, lineEnd);
    if (!parseStartLine(firstLine, probe)) {
      // not HTTP: skip to the next thing that looks like a message start
      this.ownNotes().push(`Dropped data that is not an HTTP ${this.kind}`);
      this.state = 'resync';
      return lineEnd + 2;
    }
    const end = buf.indexOf('\r\n\r\n', Math.max(lineEnd, off + this.scanFrom - 3), 'latin1');
    if (end === -1) {
      if (buf.length - off > this.cfg.maxMessageSize) return this.drop(`Dropped ${this.kind}: headers larger than max_message_size`, buf.length);
      this.scanFrom = buf.length - off;
      return -1;
    }
    const m = probe;
    const headerText = end > lineEnd ? buf.toString('utf8', lineEnd + 2, end) : '';
    parseHeaderLines(headerText === '' ? [] : headerText.split(CRLF), m, this.cfg);
    // The raw head is copied only when it is published (send_request / send_response).
    if (m.isRequest ? this.cfg.sendRequest : this.cfg.sendResponse) m.rawHeaders = Buffer.from(buf.subarray(off, end + 4));
    m.headerOffset = lineEnd + 2 - off;
    m.size = end + 4 - off;
    if (this.carryNotes.length > 0) {
      m.notes.push(...this.carryNotes);
      this.carryNotes = NO_NOTES;
    }
    this.msg = m;
    this.bodyParts = NO_PARTS;
    this.bodySaved = 0;
    const noBody = this.events.onHeaders(m);
    const next = end + 4;

    if (!m.isRequest) {
      const code = m.statusCode;
      if ((code >= 100 && code < 200) || code === 204 || code === 304 || noBody) {
        this.complete();
        if (code === 101) this.upgrade();
        return next;
      }
    }
    const includes = m.isRequest ? this.cfg.includeRequestBodyFor : this.cfg.includeResponseBodyFor;
    m.sendBody = includes.some((s) => m.contentType.includes(s));
    m.saveBody = m.sendBody || (m.contentLength > 0 && m.contentType.includes('urlencoded'));
    if (m.isChunked) {
      this.state = 'chunkSize';
      m.contentLength = 0;
    } else if (m.hasContentLength) {
      if (m.contentLength === 0) this.complete();
      else {
        this.remaining = m.contentLength;
        this.state = 'body';
      }
    } else if (m.isRequest || m.connection === 'keep-alive') {
      // A request without Content-Length has no body; so has a response
      // that claims keep-alive without a length (as Packetbeat reads it).
      this.complete();
    } else {
      this.state = 'bodyClose';
    }
    return next;
  }

  private current(): HttpMessage {
    if (this.msg === null) throw new Error('http parser: no message under way');
    return this.msg;
  }

  private addBody(part: Buffer): void {
    const m = this.current();
    m.size += part.length;
    if (!m.saveBody || part.length === 0) return;
    const room = this.cfg.maxMessageSize - this.bodySaved;
    if (part.length > room) {
      const note = `Body truncated to max_message_size (${this.cfg.maxMessageSize} bytes)`;
      if (!m.notes.includes(note)) m.notes.push(note);
    }
    if (room <= 0) return;
    const kept = Buffer.from(part.subarray(0, room));
    (this.bodyParts === NO_PARTS ? (this.bodyParts = []) : this.bodyParts).push(kept);
    this.bodySaved += kept.length;
  }

  private complete(): void {
    const m = this.current();
    m.endTs = this.clock.now();
    m.body = this.bodyParts.length === 1 ? (this.bodyParts[0] ?? NO_BYTES) : Buffer.concat(this.bodyParts);
    this.msg = null;
    this.bodyParts = NO_PARTS;
    this.bodySaved = 0;
    this.remaining = 0;
    this.state = 'idle';
    this.events.onMessage(m);
  }

  private upgrade(): void {
    this.state = 'passthrough';
    this.pending = null;
    this.events.onUpgrade?.();
  }

  /** Switches this direction off (the other side upgraded the connection). */
  stopParsing(): void {
    this.state = 'passthrough';
    this.pending = null;
    this.msg = null;
  }

  /** A message with its headers in is published with the note; anything else is dropped, the note kept for the next message. Then resync. */
  private fail(note: string, resumeAt: number): number {
    if (this.msg !== null) {
      if (!this.msg.notes.includes(note)) this.msg.notes.push(note);
      this.complete();
    } else if (!this.carryNotes.includes(note)) {
      this.ownNotes().push(note);
    }
    this.state = 'resync';
    return resumeAt;
  }

  private drop(note: string, resumeAt: number): number {
    this.msg = null;
    this.ownNotes().push(note);
    this.state = 'resync';
    return resumeAt;
  }

  private lossNote(): string {
    const kind = this.msg !== null ? (this.msg.isRequest ? 'request' : 'response') : this.kind;
    return `Packet loss while capturing the ${kind}`;
  }

  private noteLoss(m: HttpMessage): void {
    const note = this.lossNote();
    if (!m.notes.includes(note)) m.notes.push(note);
  }

  /**
   * `length` bytes are missing. Inside a body whose length is known (or
   * that runs to the connection's end) the parser skips them and goes on
   * (true); elsewhere the message is published with a note if its headers
   * were in, or dropped, and the parser resynchronises on the next message
   * start (false).
   */
  gap(length: number): boolean {
    const m = this.msg;
    switch (this.state) {
      case 'passthrough':
        return true;
      case 'body':
        if (m === null) break;
        this.noteLoss(m);
        if (length <= this.remaining) {
          m.size += length;
          this.remaining -= length;
          if (this.remaining === 0) this.complete();
          return true;
        }
        m.size += this.remaining;
        this.complete();
        // the rest of the gap was the start of the next message
        this.ownNotes().push(this.lossNote());
        this.state = 'resync';
        return false;
      case 'bodyClose':
        if (m === null) break;
        this.noteLoss(m);
        m.size += length;
        m.contentLength += length;
        return true;
      case 'chunkData':
        if (m === null) break;
        this.noteLoss(m);
        if (length <= this.remaining) {
          m.size += length;
          m.contentLength += length;
          this.remaining -= length;
          if (this.remaining === 0) this.state = 'chunkCrlf';
          return true;
        }
        break;
      default:
        break;
    }
    this.pending = null;
    this.fail(this.lossNote(), 0);
    return false;
  }

  /**
   * The stream ended (FIN, or the connection closed): a body delimited by
   * the connection's end is complete; any message whose headers are in is
   * published as it is; a partial header block is dropped.
   */
  finish(): void {
    if (this.msg !== null && this.state !== 'start') this.complete();
    this.msg = null;
    this.pending = null;
    if (this.state !== 'passthrough') this.state = 'idle';
  }
}
