import type { StreamBuffer } from '@packetbeat-ts/protocol-sdk';

/**
 * A decoded RESP value. Scalars keep their text as Packetbeat publishes it
 * (integers, doubles, big numbers and booleans as their digits / `true` /
 * `false`; a verbatim string without its `txt:` prefix).
 */
export type RespValue =
  | { readonly type: 'string'; readonly text: string }
  | { readonly type: 'error'; readonly text: string }
  | { readonly type: 'null' }
  | { readonly type: 'array' | 'set' | 'push' | 'map'; readonly items: RespValue[] };

/** One complete top-level message. */
export interface RespMessage {
  readonly value: RespValue;
  /** Bytes on the wire, including any attribute before the value. */
  readonly size: number;
  /** An inline command (`PING\r\n`) rather than a RESP array. */
  readonly inline: boolean;
}

export interface RespParseError {
  readonly error: string;
}

export type RespParseResult = RespMessage | 'more' | RespParseError;

/** Redis refuses longer inline commands (PROTO_INLINE_MAX_SIZE). */
export const MAX_INLINE_SIZE = 64 * 1024;
/** Deepest nesting of aggregates accepted. */
export const MAX_DEPTH = 128;

type AggregateKind = 'array' | 'set' | 'push' | 'map' | 'attribute';

interface Frame {
  readonly kind: AggregateKind;
  /** Values still expected; -1 for a streamed aggregate (ends with `.`). */
  remaining: number;
  readonly items: RespValue[];
}

interface PendingBulk {
  readonly length: number;
  readonly kind: 'string' | 'verbatim' | 'error' | 'chunk';
}

const CR = 0x0d;
const LF = 0x0a;
const INTEGER = /^-?\d{1,19}$/;

function aggregateKind(marker: string): AggregateKind | undefined {
  switch (marker) {
    case '*':
      return 'array';
    case '~':
      return 'set';
    case '>':
      return 'push';
    case '%':
      return 'map';
    case '|':
      return 'attribute';
    default:
      return undefined;
  }
}

/**
 * An incremental RESP2/RESP3 decoder for one direction of a connection. It
 * consumes from the `StreamBuffer` as it goes and keeps its place between
 * calls (a partial aggregate, a bulk payload it is waiting for, where to
 * resume looking for CRLF), so a large message arriving in many segments is
 * decoded in linear time.
 *
 * On the request side a message that does not start with `*` is an inline
 * command (a line of space-separated words), as Redis accepts it.
 */
export class RespParser {
  private frames: Frame[] = [];
  private bulk: PendingBulk | null = null;
  private chunks: string[] | null = null;
  private size = 0;
  private scanFrom = 0;

  constructor(
    private readonly requestSide: boolean,
    private readonly maxMessageSize: number,
  ) {}

  /** True when no message is partly decoded. */
  get idle(): boolean {
    return this.size === 0 && this.frames.length === 0 && this.bulk === null && this.chunks === null;
  }

  /** Bytes of the partly decoded message consumed so far. */
  get partialBytes(): number {
    return this.size;
  }

  reset(): void {
    this.frames = [];
    this.bulk = null;
    this.chunks = null;
    this.size = 0;
    this.scanFrom = 0;
  }

  /** Decodes the next complete message from `buf`, or says it needs more bytes, or why the stream is not RESP. */
  next(buf: StreamBuffer): RespParseResult {
    for (;;) {
      if (this.bulk !== null) {
        const bulk = this.bulk;
        const need = bulk.length + 2;
        if (buf.available < need) return this.more(buf);
        if (buf.readUInt8(bulk.length) !== CR || buf.readUInt8(bulk.length + 1) !== LF) return { error: 'bulk string not terminated by CRLF' };
        const text = buf.readString(0, bulk.length, 'utf8');
        buf.consume(need);
        this.size += need;
        this.bulk = null;
        if (bulk.kind === 'chunk') {
          this.chunks?.push(text);
          continue;
        }
        let value: RespValue;
        if (bulk.kind === 'error') value = { type: 'error', text };
        else if (bulk.kind === 'verbatim') value = { type: 'string', text: text.length >= 4 && text[3] === ':' ? text.slice(4) : text };
        else value = { type: 'string', text };
        const done = this.complete(value);
        if (done !== null) return done;
        continue;
      }

      if (buf.available === 0) return this.more(buf);
      if (this.requestSide && this.idle && buf.readUInt8(0) !== 0x2a /* '*' */) {
        const inline = this.inline(buf);
        if (inline === null) continue; // an empty line
        return inline;
      }

      const eol = buf.indexOf('\r\n', this.scanFrom);
      if (eol < 0) {
        this.scanFrom = Math.max(0, buf.available - 1);
        return this.more(buf);
      }
      this.scanFrom = 0;
      const marker = String.fromCharCode(buf.readUInt8(0));
      const line = buf.readString(1, eol - 1, 'utf8');
      buf.consume(eol + 2);
      this.size += eol + 2;
      const result = this.token(marker, line);
      if (result !== null) return result;
    }
  }

  /** Handles one header line; returns a result when the message is done or broken, `null` to go on. */
  private token(marker: string, line: string): RespParseResult | null {
    if (this.chunks !== null && marker !== ';') return { error: 'expected a streamed string chunk' };
    switch (marker) {
      case '+':
      case ':':
      case ',':
      case '(':
        return this.complete({ type: 'string', text: line });
      case '-':
        return this.complete({ type: 'error', text: line });
      case '#':
        if (line !== 't' && line !== 'f') return { error: 'bad boolean' };
        return this.complete({ type: 'string', text: line === 't' ? 'true' : 'false' });
      case '_':
        return this.complete({ type: 'null' });
      case '$':
      case '=':
      case '!': {
        if (marker === '$' && line === '?') {
          this.chunks = [];
          return null;
        }
        if (line === '-1') return this.complete({ type: 'null' });
        const length = this.length(line);
        if (length === undefined) return { error: 'bad bulk length' };
        this.bulk = { length, kind: marker === '$' ? 'string' : marker === '=' ? 'verbatim' : 'error' };
        return null;
      }
      case ';': {
        if (this.chunks === null) return { error: 'unexpected streamed string chunk' };
        const length = this.length(line);
        if (length === undefined) return { error: 'bad chunk length' };
        if (length === 0) {
          const text = this.chunks.join('');
          this.chunks = null;
          return this.complete({ type: 'string', text });
        }
        this.bulk = { length, kind: 'chunk' };
        return null;
      }
      case '.': {
        const top = this.frames[this.frames.length - 1];
        if (top === undefined || top.remaining !== -1 || line !== '') return { error: 'unexpected end of aggregate' };
        this.frames.pop();
        return this.finishFrame(top);
      }
      default: {
        const kind = aggregateKind(marker);
        if (kind === undefined) return { error: `unexpected RESP type byte 0x${marker.charCodeAt(0).toString(16).padStart(2, '0')}` };
        if (line === '-1') return this.complete({ type: 'null' });
        if (this.frames.length >= MAX_DEPTH) return { error: 'aggregates nested too deep' };
        if (line === '?') {
          this.frames.push({ kind, remaining: -1, items: [] });
          return null;
        }
        const n = this.length(line);
        if (n === undefined) return { error: 'bad aggregate length' };
        const frame: Frame = { kind, remaining: kind === 'map' || kind === 'attribute' ? n * 2 : n, items: [] };
        if (frame.remaining === 0) return this.finishFrame(frame);
        this.frames.push(frame);
        return null;
      }
    }
  }

  /** A parsed aggregate header count or bulk length, bounded by the largest message. */
  private length(text: string): number | undefined {
    if (!INTEGER.test(text)) return undefined;
    const n = Number(text);
    return n >= 0 && n <= this.maxMessageSize ? n : undefined;
  }

  private finishFrame(frame: Frame): RespParseResult | null {
    if (frame.kind === 'attribute') {
      // Attributes describe the value that follows; Packetbeat has no field for them.
      return null;
    }
    return this.complete({ type: frame.kind, items: frame.items });
  }

  /** Adds a finished value to the open aggregate, closing aggregates that become full; returns the message at the top. */
  private complete(value: RespValue): RespParseResult | null {
    let v = value;
    for (;;) {
      const top = this.frames[this.frames.length - 1];
      if (top === undefined) {
        const message: RespMessage = { value: v, size: this.size, inline: false };
        this.size = 0;
        return message;
      }
      top.items.push(v);
      if (top.remaining < 0) return null;
      top.remaining--;
      if (top.remaining > 0) return null;
      this.frames.pop();
      if (top.kind === 'attribute') return null;
      v = { type: top.kind, items: top.items };
    }
  }

  /** An inline command line: `null` for an empty line (skipped, as Redis does). */
  private inline(buf: StreamBuffer): RespParseResult | null {
    const eol = buf.indexOf(LF, this.scanFrom);
    if (eol < 0) {
      if (buf.available > MAX_INLINE_SIZE) return { error: 'inline command too long' };
      this.scanFrom = buf.available;
      return 'more';
    }
    this.scanFrom = 0;
    const end = eol > 0 && buf.readUInt8(eol - 1) === CR ? eol - 1 : eol;
    const line = buf.readString(0, end, 'utf8');
    buf.consume(eol + 1);
    const args = splitInline(line);
    if (args === undefined) return { error: 'unbalanced quotes in inline command' };
    if (args.length === 0) return null;
    return { value: { type: 'array', items: args.map((text) => ({ type: 'string', text })) }, size: eol + 1, inline: true };
  }

  private more(buf: StreamBuffer): RespParseResult {
    const need = this.bulk === null ? 0 : this.bulk.length + 2;
    if (this.size + Math.max(buf.available, need) > this.maxMessageSize) return { error: 'message too large' };
    return 'more';
  }
}

/**
 * Splits an inline command as Redis does (sdssplitargs): words separated by
 * blanks, `"…"` with backslash escapes (`\n`, `\xHH`, …) and `'…'` quoting.
 * `undefined` for unbalanced quotes.
 */
export function splitInline(line: string): string[] | undefined {
  const args: string[] = [];
  let i = 0;
  const n = line.length;
  const blank = (c: string | undefined): boolean => c === ' ' || c === '\t' || c === '\r' || c === '\n' || c === '\v' || c === '\f';
  while (i < n) {
    while (i < n && blank(line[i])) i++;
    if (i >= n) break;
    let cur = '';
    let quote: '"' | "'" | '' = '';
    for (;;) {
      const c = line[i];
      if (quote === '"') {
        if (c === undefined) return undefined;
        if (c === '\\' && line[i + 1] === 'x' && /^[0-9a-fA-F]{2}$/.test(line.slice(i + 2, i + 4))) {
          cur += String.fromCharCode(parseInt(line.slice(i + 2, i + 4), 16));
          i += 4;
          continue;
        }
        if (c === '\\' && i + 1 < n) {
          const e = line[i + 1];
          cur += e === 'n' ? '\n' : e === 'r' ? '\r' : e === 't' ? '\t' : e === 'b' ? '\b' : e === 'a' ? '\x07' : e;
          i += 2;
          continue;
        }
        if (c === '"') {
          if (i + 1 < n && !blank(line[i + 1])) return undefined;
          i++;
          break;
        }
        cur += c;
        i++;
      } else if (quote === "'") {
        if (c === undefined) return undefined;
        if (c === '\\' && line[i + 1] === "'") {
          cur += "'";
          i += 2;
          continue;
        }
        if (c === "'") {
          if (i + 1 < n && !blank(line[i + 1])) return undefined;
          i++;
          break;
        }
        cur += c;
        i++;
      } else {
        if (c === undefined || blank(c)) break;
        if (c === '"' || c === "'") {
          quote = c;
          i++;
          continue;
        }
        cur += c;
        i++;
      }
    }
    args.push(cur);
  }
  return args;
}

/**
 * A value as Packetbeat publishes it in `redis.return_value`: scalars as
 * text, a null as `nil`, arrays (sets, pushes) as `[a, b]`, RESP3 maps as
 * `{k: v}`.
 */
export function formatValue(value: RespValue): string {
  switch (value.type) {
    case 'string':
    case 'error':
      return value.text;
    case 'null':
      return 'nil';
    case 'map': {
      const parts: string[] = [];
      for (let i = 0; i < value.items.length; i += 2) {
        const k = value.items[i];
        const v = value.items[i + 1];
        parts.push(`${k === undefined ? '' : formatValue(k)}: ${v === undefined ? '' : formatValue(v)}`);
      }
      return `{${parts.join(', ')}}`;
    }
    default:
      return `[${value.items.map(formatValue).join(', ')}]`;
  }
}
