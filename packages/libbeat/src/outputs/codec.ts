import type { BeatInfo } from '../beat/info.js';
import { BeatError, ErrorCodes } from '../errors.js';
import type { BeatEvent } from '../event.js';
import { compileFormatString, type CompiledFormatString } from '../common/format-string.js';

/**
 * Output codecs (`output.<type>.codec`), as Beats' `json` and `format` codecs.
 *
 * The JSON document is
 * `{"@timestamp":"…Z","@metadata":{"beat":…,"type":"_doc","version":…,…meta},…fields}`
 * in that key order. Encoding is the hot path of the file and console
 * outputs, so the default (compact) encoder concatenates a prefix with
 * `JSON.stringify(fields)` instead of building a wrapper object per event.
 */

export interface JsonCodecConfig {
  /** Indented output (2 spaces). Default false. */
  readonly pretty?: boolean;
  /** Escape `<`, `>` and `&` as `\u003c`… (Go's HTML-safe JSON). Default false. */
  readonly escape_html?: boolean;
  /** `@timestamp` in local time with its offset instead of UTC. Default false. */
  readonly local_time?: boolean;
}

export interface FormatCodecConfig {
  /** A Beats format string, e.g. `%{[@timestamp]} %{[message]}`. */
  readonly string?: string;
}

/** `codec.json.*` or `codec.format.*`: at most one of them. */
export interface CodecConfig {
  readonly json?: JsonCodecConfig;
  readonly format?: FormatCodecConfig;
}

/** Serializes one event to a line of output (without the trailing newline). */
export interface Encoder {
  /** Throws when the event cannot be encoded (the caller drops it). */
  encode(event: BeatEvent): string;
  /**
   * Optional fast path: appends the encoded event to `out` as UTF-8 without
   * building the whole line as one string. Appends nothing when it throws.
   */
  encodeTo?(event: BeatEvent, out: LineBuffer): void;
}

/**
 * A growable byte buffer reused across batches, so a batch becomes one
 * Buffer without concatenating a rope of strings and copying it again.
 */
export class LineBuffer {
  private buf: Buffer;
  private off = 0;
  private readonly initialSize: number;

  constructor(initialSize = 1 << 20) {
    this.initialSize = initialSize;
    this.buf = Buffer.allocUnsafe(initialSize);
  }

  /** Bytes written since the last reset. */
  get length(): number {
    return this.off;
  }

  /** Empties the buffer; a buffer grown far beyond its initial size is released. */
  reset(): void {
    this.off = 0;
    if (this.buf.length > this.initialSize * 16) this.buf = Buffer.allocUnsafe(this.initialSize);
  }

  append(s: string): void {
    // UTF-8 needs at most 3 bytes per UTF-16 code unit.
    if (this.buf.length - this.off < s.length * 3) this.grow(s.length * 3);
    this.off += this.buf.write(s, this.off, 'utf8');
  }

  /** Appends `src[start..end)` as it is. */
  appendBytes(src: Uint8Array, start: number, end: number): void {
    const n = end - start;
    if (this.buf.length - this.off < n) this.grow(n);
    this.buf.set(src.subarray(start, end), this.off);
    this.off += n;
  }

  appendByte(b: number): void {
    if (this.off >= this.buf.length) this.grow(1);
    this.buf[this.off++] = b;
  }

  /** The bytes written so far; valid until the next append or reset. */
  view(): Buffer {
    return this.buf.subarray(0, this.off);
  }

  private grow(need: number): void {
    let size = this.buf.length * 2;
    while (size - this.off < need) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.off);
    this.buf = next;
  }
}

/** Convict schema for `codec` under an output. */
export const codecSchema: Record<string, unknown> = {
  json: {
    pretty: { doc: 'Pretty-print the JSON events', format: 'bool', default: false },
    escape_html: { doc: 'Escape <, > and & in JSON strings', format: 'bool', default: false },
    local_time: { doc: 'Write @timestamp in local time with its offset instead of UTC', format: 'bool', default: false },
  },
  format: {
    string: { doc: 'Format string for each event, e.g. "%{[@timestamp]} %{[message]}"; selects the format codec', format: String, default: '' },
  },
};

const HTML_CHARS = /[<>&]/g;
const HTML_ESCAPES: Record<string, string> = { '<': '\\u003c', '>': '\\u003e', '&': '\\u0026' };

function escapeHtml(s: string): string {
  HTML_CHARS.lastIndex = 0;
  return HTML_CHARS.test(s) ? s.replace(HTML_CHARS, (c) => HTML_ESCAPES[c] as string) : s;
}

function pad(n: number, w = 2): string {
  return String(n).padStart(w, '0');
}

/** `2006-01-02T15:04:05.000+02:00` in the process's local time zone. */
export function formatLocalTimestamp(d: Date): string {
  const off = -d.getTimezoneOffset();
  const sign = off >= 0 ? '+' : '-';
  const abs = Math.abs(off);
  return (
    `${pad(d.getFullYear(), 4)}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T` +
    `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}` +
    `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`
  );
}

function invalidTimestamp(): Error {
  return new Error('event has an invalid @timestamp');
}

/** The JSON codec. */
export class JsonEncoder implements Encoder {
  private readonly pretty: boolean;
  private readonly escapeHtml: boolean;
  private readonly localTime: boolean;
  private readonly beat: string;
  private readonly version: string;
  /** `{"beat":…,"type":"_doc","version":…}`, shared by events without `meta`. */
  private readonly metaJson: string;
  private lastTsMs = Number.NaN;
  private lastTsPrefix = '';

  constructor(beat: Pick<BeatInfo, 'beat' | 'version'>, config: JsonCodecConfig = {}) {
    this.pretty = config.pretty ?? false;
    this.escapeHtml = config.escape_html ?? false;
    this.localTime = config.local_time ?? false;
    this.beat = beat.beat;
    this.version = beat.version;
    this.metaJson = JSON.stringify({ beat: this.beat, type: '_doc', version: this.version });
  }

  encode(event: BeatEvent): string {
    const out = this.pretty ? this.encodePretty(event) : this.encodeCompact(event);
    return this.escapeHtml ? escapeHtml(out) : out;
  }

  private timestamp(d: Date): string {
    const ms = d.getTime();
    if (Number.isNaN(ms)) throw invalidTimestamp();
    return this.localTime ? formatLocalTimestamp(d) : d.toISOString();
  }

  private metadata(event: BeatEvent): Record<string, unknown> {
    return { beat: this.beat, type: '_doc', version: this.version, ...event.meta };
  }

  private hasMeta(event: BeatEvent): boolean {
    const meta = event.meta;
    if (meta === undefined) return false;
    for (const k in meta) if (Object.prototype.hasOwnProperty.call(meta, k)) return true;
    return false;
  }

  encodeTo(event: BeatEvent, out: LineBuffer): void {
    if (this.pretty) {
      out.append(this.encode(event));
      return;
    }
    // Everything that can throw runs before the first append.
    const prefix = this.prefix(event);
    const meta = this.hasMeta(event) ? JSON.stringify(this.metadata(event)) : this.metaJson;
    const esc = this.escapeHtml;
    const bytes = esc ? undefined : event.encodedBytes;
    if (bytes !== undefined) {
      // The document's UTF-8 bytes go in as they are (no decoding, no re-encoding).
      out.append(prefix);
      out.append(meta);
      if (bytes.length <= 2) {
        out.appendByte(0x7d); // }
        return;
      }
      out.appendByte(0x2c); // ,
      out.appendBytes(bytes, 1, bytes.length);
      return;
    }
    const body: string | undefined = event.encodedFields ?? JSON.stringify(event.fields);
    out.append(esc ? escapeHtml(prefix) : prefix);
    out.append(esc ? escapeHtml(meta) : meta);
    if (body === undefined || body.length <= 2) {
      out.appendByte(0x7d); // }
      return;
    }
    out.appendByte(0x2c); // ,
    const rest = body.slice(1);
    out.append(esc ? escapeHtml(rest) : rest);
  }

  /** `{"@timestamp":"…","@metadata":`, cached while consecutive events share a millisecond. */
  private prefix(event: BeatEvent): string {
    const ms = event.timestamp.getTime();
    if (ms === this.lastTsMs) return this.lastTsPrefix;
    const prefix = `{"@timestamp":"${this.timestamp(event.timestamp)}","@metadata":`;
    this.lastTsMs = ms;
    this.lastTsPrefix = prefix;
    return prefix;
  }

  private encodeCompact(event: BeatEvent): string {
    const prefix = this.prefix(event);
    const meta = this.hasMeta(event) ? JSON.stringify(this.metadata(event)) : this.metaJson;
    const body: string | undefined = event.encodedFields ?? JSON.stringify(event.fields);
    if (body === undefined || body.length <= 2) return `${prefix}${meta}}`;
    return `${prefix}${meta},${body.slice(1)}`;
  }

  private encodePretty(event: BeatEvent): string {
    const doc: Record<string, unknown> = {
      '@timestamp': this.timestamp(event.timestamp),
      '@metadata': this.metadata(event),
    };
    for (const k of Object.keys(event.fields)) {
      if (k !== '@timestamp' && k !== '@metadata') doc[k] = event.fields[k];
    }
    return JSON.stringify(doc, null, 2);
  }
}

/** The format codec: each event is rendered with a format string. */
export class FormatEncoder implements Encoder {
  readonly format: CompiledFormatString;

  constructor(format: string | CompiledFormatString) {
    this.format = typeof format === 'string' ? compileFormatString(format) : format;
  }

  encode(event: BeatEvent): string {
    return this.format.run(event);
  }
}

/**
 * Builds the encoder for an output's `codec` settings. `defaults.pretty` is
 * the console output's `pretty`, used when `codec.json.pretty` is not set.
 * Setting both a format string and JSON options is a config error, as Beats
 * allows one codec only.
 */
export function createEncoder(
  beat: Pick<BeatInfo, 'beat' | 'version'>,
  config: CodecConfig | undefined,
  defaults: { pretty?: boolean } = {},
): Encoder {
  const fmt = config?.format?.string;
  const json = config?.json ?? {};
  if (fmt !== undefined && fmt !== '') {
    if (json.pretty === true || json.escape_html === true || json.local_time === true) {
      throw new BeatError(ErrorCodes.CONFIG_INVALID, 'only one output codec can be configured: codec.json or codec.format', { key: 'codec' });
    }
    return new FormatEncoder(fmt);
  }
  return new JsonEncoder(beat, {
    pretty: json.pretty === true || defaults.pretty === true,
    escape_html: json.escape_html === true,
    local_time: json.local_time === true,
  });
}

/** The result of encoding a batch into newline-terminated lines. */
export interface EncodedBatch {
  /** Every encoded event followed by `\n`. */
  readonly data: string;
  /** Events that could not be encoded (to be dropped). */
  readonly failed: readonly BeatEvent[];
  /** The first encoding error, for the log. */
  readonly firstError: unknown;
}

const NO_EVENTS: readonly BeatEvent[] = [];

/** Encodes `events` as NDJSON (one line per event, each `\n`-terminated). */
export function encodeLines(encoder: Encoder, events: readonly BeatEvent[]): EncodedBatch {
  let data = '';
  let failed: BeatEvent[] | undefined;
  let firstError: unknown;
  for (const event of events) {
    let line: string;
    try {
      line = encoder.encode(event);
    } catch (err) {
      if (failed === undefined) {
        failed = [];
        firstError = err;
      }
      failed.push(event);
      continue;
    }
    data += line + '\n';
  }
  return { data, failed: failed ?? NO_EVENTS, firstError };
}

/** The outcome of {@link encodeLinesInto}. */
export interface EncodeFailures {
  /** Events that could not be encoded (to be dropped). */
  readonly failed: readonly BeatEvent[];
  /** The first encoding error, for the log. */
  readonly firstError: unknown;
}

/**
 * Encodes `events` into `out` (after resetting it) as newline-terminated
 * lines, using the encoder's `encodeTo` fast path when it has one.
 */
export function encodeLinesInto(encoder: Encoder, events: readonly BeatEvent[], out: LineBuffer): EncodeFailures {
  out.reset();
  let failed: BeatEvent[] | undefined;
  let firstError: unknown;
  const fast = encoder.encodeTo?.bind(encoder);
  for (const event of events) {
    try {
      if (fast !== undefined) fast(event, out);
      else out.append(encoder.encode(event));
    } catch (err) {
      if (failed === undefined) {
        failed = [];
        firstError = err;
      }
      failed.push(event);
      continue;
    }
    out.appendByte(0x0a);
  }
  return { failed: failed ?? NO_EVENTS, firstError };
}
