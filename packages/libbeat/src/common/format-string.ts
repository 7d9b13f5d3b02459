import { BeatError, ErrorCodes } from '../errors.js';
import type { BeatEvent, EventFields } from '../event.js';
import { getField } from './fields.js';

/**
 * Beats format strings (`fmtstr.EventFormatString`), compiled once and run per
 * event. Used by the `format` codec and for index names.
 *
 * Syntax, as Beats parses it:
 * - `%{[field.path]}`, or `%{[field][path]}`: a field of the event, converted
 *   to a string (strings as-is, numbers, booleans, dates as
 *   `2006-01-02T15:04:05.000Z`, buffers as UTF-8). `%{[@timestamp]}` is the
 *   event's timestamp, `%{[@metadata.x]}` reads `event.meta`.
 * - `%{[field]:default}`: the default is used when the field is missing, empty
 *   or not convertible to a string. Without a default such a field is an error
 *   for that event ({@link FormatFieldError}).
 * - `%{+yyyy.MM.dd}`: the event's `@timestamp` in UTC, with a Joda-style
 *   pattern (see {@link compileDatePattern}). Unlike Beats, which silently
 *   cuts `%{+HH:mm}` at the first colon, colons are part of the pattern.
 * - `\` escapes the next character; a `%` not followed by `{` is literal.
 *
 * Syntax errors are reported at compile time as a `BeatError`
 * (`BEAT_ERR_CONFIG_INVALID`).
 */

/** A field the format string needs is missing or cannot be turned into a string. */
export class FormatFieldError extends Error {
  /** The dotted path, e.g. `agent.version` or `@metadata.index`. */
  readonly field: string;
  readonly reason: 'missing' | 'not-a-string';

  constructor(field: string, reason: 'missing' | 'not-a-string') {
    super(
      reason === 'missing'
        ? `format string: field [${field}] is missing from the event and has no default`
        : `format string: field [${field}] cannot be converted to a string and has no default`,
    );
    this.name = 'FormatFieldError';
    this.field = field;
    this.reason = reason;
  }
}

export interface CompiledFormatString {
  /** The format string as written. */
  readonly source: string;
  /** True when the result does not depend on the event (no `%{…}` expansion). */
  readonly isConst: boolean;
  /** Event fields referenced (dotted paths, `@timestamp`/`@metadata.*` included), in order of first use. */
  readonly fields: readonly string[];
  /** Whether `%{+…}` timestamp expansions are used. */
  readonly usesTimestamp: boolean;
  /** Expands the format for `event`; throws {@link FormatFieldError}. */
  run(event: BeatEvent): string;
  /** Like `run`, but returns the error instead of throwing (cheaper on hot paths with many misses). */
  tryRun(event: BeatEvent): string | FormatFieldError;
}

// ---------------------------------------------------------------------------
// Lexer / parser (mirrors fmtstr.MakeLexer and parseVariable)

interface VarElement {
  expr: string;
  ops: { op: string; param: string }[];
}
type Element = string | VarElement;

const TWO_BYTE_OP_CHARS = '!@#&*=+<>?';

function syntaxError(source: string, message: string): BeatError {
  return new BeatError(ErrorCodes.CONFIG_INVALID, `invalid format string "${source}": ${message}`);
}

function parse(source: string): Element[] {
  const out: Element[] = [];
  let lit = '';
  let i = 0;
  const n = source.length;
  while (i < n) {
    const c = source[i] as string;
    if (c === '\\') {
      if (i + 1 < n) lit += source[i + 1];
      i += 2;
      continue;
    }
    if (c === '%' && source[i + 1] === '{') {
      if (lit !== '') {
        out.push(lit);
        lit = '';
      }
      i = parseVariable(source, i + 2, out);
      continue;
    }
    lit += c;
    i++;
  }
  if (lit !== '') out.push(lit);
  return out;
}

/** Parses the inside of `%{…}` starting at `start`; returns the index after `}`. */
function parseVariable(source: string, start: number, out: Element[]): number {
  const strings: string[] = [];
  const ops: string[] = [];
  let cur = '';
  let i = start;
  const n = source.length;
  const pushString = (): void => {
    if (cur === '') return;
    if (strings.length !== ops.length) throw syntaxError(source, `unexpected string "${cur}", expected an operator`);
    strings.push(cur);
    cur = '';
  };
  while (i < n) {
    const c = source[i] as string;
    if (c === '\\') {
      if (i + 1 < n) cur += source[i + 1];
      i += 2;
      continue;
    }
    if (c === '%') {
      if (source[i + 1] === '{') throw syntaxError(source, 'format string variables can not be nested');
      cur += c;
      i++;
      continue;
    }
    if (c === ':') {
      if (i + 1 >= n) break; // ':' at the end: missing '}'
      pushString();
      let op = ':';
      const next = source[i + 1] as string;
      if (TWO_BYTE_OP_CHARS.includes(next)) {
        op = `:${next}`;
        i++;
      }
      if (strings.length === 0) throw syntaxError(source, 'unexpected formatter operator');
      ops.push(op);
      if (ops.length > strings.length) throw syntaxError(source, `consecutive operator tokens '${op}'`);
      i++;
      continue;
    }
    if (c === '}') {
      pushString();
      if (strings.length === 0) throw syntaxError(source, 'empty format expansion');
      const expr = strings[0] as string;
      const vops = ops.map((op, k) => ({ op, param: strings[k + 1] ?? '' }));
      out.push({ expr, ops: vops });
      return i + 1;
    }
    cur += c;
    i++;
  }
  throw syntaxError(source, "missing closing '}'");
}

function parseEventPath(source: string, field: string): string {
  let rest = field.trim();
  const parts: string[] = [];
  while (rest.length > 0) {
    if (rest[0] !== '[') throw syntaxError(source, "expected field extractor to start with '['");
    const idx = rest.indexOf(']');
    if (idx < 0) throw syntaxError(source, "missing closing ']'");
    const part = rest.slice(1, idx);
    if (part === '') throw syntaxError(source, "empty fields selector '[]'");
    parts.push(part);
    rest = rest.slice(idx + 1);
  }
  return parts.join('.');
}

// ---------------------------------------------------------------------------
// Value conversion (fmtstr.tryConvString)

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

function pad3(n: number): string {
  return n < 10 ? `00${n}` : n < 100 ? `0${n}` : String(n);
}

/** `2006-01-02T15:04:05.000Z`, as Beats prints a timestamp. */
function formatTimestamp(d: Date): string | undefined {
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

/** A field value as a string, or undefined when Beats could not convert it. */
export function fieldValueToString(v: unknown): string | undefined {
  switch (typeof v) {
    case 'string':
      return v;
    case 'number':
    case 'bigint':
      return String(v);
    case 'boolean':
      return v ? 'true' : 'false';
    case 'object':
      if (v instanceof Date) return formatTimestamp(v);
      if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('utf8');
      return undefined;
    default:
      return undefined;
  }
}

// ---------------------------------------------------------------------------
// Joda-style date patterns (libbeat/common/dtfmt)

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

function padN(n: number, width: number): string {
  const s = String(n);
  return s.length >= width ? s : '0'.repeat(width - s.length) + s;
}

/** ISO-8601 week-based year and week number of a UTC date. */
function isoWeek(d: Date): { year: number; week: number } {
  const t = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
  const day = t.getUTCDay() || 7; // Mon=1 … Sun=7
  t.setUTCDate(t.getUTCDate() + 4 - day); // the Thursday of this week decides the year
  const year = t.getUTCFullYear();
  const jan1 = Date.UTC(year, 0, 1);
  const week = Math.ceil(((t.getTime() - jan1) / 86_400_000 + 1) / 7);
  return { year, week };
}

function dayOfYear(d: Date): number {
  return Math.floor((Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()) - Date.UTC(d.getUTCFullYear(), 0, 1)) / 86_400_000) + 1;
}

type DatePart = string | ((d: Date) => string);

const DATE_ONLY_LETTERS = 'yYxweEDMd';

/**
 * Compiles a Joda-style date pattern, evaluated in UTC. Supported letters:
 * `y`/`Y` year (`yy` two digits), `x` ISO week-year, `w` ISO week, `e` ISO
 * day of week (1 = Monday), `E` day name (`EEEE` full), `D` day of year,
 * `M` month (`MMM` short name, `MMMM` full), `d` day of month, `a` AM/PM,
 * `H` hour 0-23, `k` 1-24, `K` 0-11, `h` 1-12, `m` minute, `s` second, `S`
 * fraction of second (`SSS` milliseconds), `z` zone (`Z` in UTC), `Z` offset
 * (`+0000`; `ZZ` `+00:00`). Repeating a numeric letter sets the minimum
 * digits. Text in single quotes is literal; `''` is a quote. Any other
 * letter is an error; other characters are literal.
 */
export function compileDatePattern(pattern: string): (d: Date) => string {
  const parts: DatePart[] = [];
  let dateOnly = true;
  const lit = (s: string): void => {
    const last = parts[parts.length - 1];
    if (typeof last === 'string') parts[parts.length - 1] = last + s;
    else parts.push(s);
  };
  let i = 0;
  const n = pattern.length;
  while (i < n) {
    const c = pattern[i] as string;
    if (c === "'") {
      if (pattern[i + 1] === "'") {
        lit("'");
        i += 2;
        continue;
      }
      let text = '';
      let j = i + 1;
      for (;;) {
        if (j >= n) throw new Error(`missing closing ' in date pattern "${pattern}"`);
        if (pattern[j] === "'") {
          if (pattern[j + 1] === "'") {
            text += "'";
            j += 2;
            continue;
          }
          break;
        }
        text += pattern[j];
        j++;
      }
      lit(text);
      i = j + 1;
      continue;
    }
    if (!/[A-Za-z]/.test(c)) {
      lit(c);
      i++;
      continue;
    }
    let len = 1;
    while (pattern[i + len] === c) len++;
    i += len;
    if (!DATE_ONLY_LETTERS.includes(c)) dateOnly = false;
    const w = len;
    switch (c) {
      case 'y':
      case 'Y':
        parts.push(w === 2 ? (d) => pad2(d.getUTCFullYear() % 100) : (d) => padN(d.getUTCFullYear(), w));
        break;
      case 'x':
        parts.push(w === 2 ? (d) => pad2(isoWeek(d).year % 100) : (d) => padN(isoWeek(d).year, w));
        break;
      case 'w':
        parts.push((d) => padN(isoWeek(d).week, w));
        break;
      case 'e':
        parts.push((d) => padN(d.getUTCDay() || 7, w));
        break;
      case 'E':
        parts.push(w >= 4 ? (d) => DAYS[d.getUTCDay()] as string : (d) => (DAYS[d.getUTCDay()] as string).slice(0, 3));
        break;
      case 'D':
        parts.push((d) => padN(dayOfYear(d), w));
        break;
      case 'M':
        if (w >= 4) parts.push((d) => MONTHS[d.getUTCMonth()] as string);
        else if (w === 3) parts.push((d) => (MONTHS[d.getUTCMonth()] as string).slice(0, 3));
        else parts.push((d) => padN(d.getUTCMonth() + 1, w));
        break;
      case 'd':
        parts.push((d) => padN(d.getUTCDate(), w));
        break;
      case 'a':
        parts.push((d) => (d.getUTCHours() < 12 ? 'AM' : 'PM'));
        break;
      case 'H':
        parts.push((d) => padN(d.getUTCHours(), w));
        break;
      case 'k':
        parts.push((d) => padN(d.getUTCHours() || 24, w));
        break;
      case 'K':
        parts.push((d) => padN(d.getUTCHours() % 12, w));
        break;
      case 'h':
        parts.push((d) => padN(d.getUTCHours() % 12 || 12, w));
        break;
      case 'm':
        parts.push((d) => padN(d.getUTCMinutes(), w));
        break;
      case 's':
        parts.push((d) => padN(d.getUTCSeconds(), w));
        break;
      case 'S':
        parts.push((d) => {
          const ms = pad3(d.getUTCMilliseconds());
          return w <= 3 ? ms.slice(0, w) : ms + '0'.repeat(w - 3);
        });
        break;
      case 'z':
        lit('Z');
        break;
      case 'Z':
        lit(w >= 2 ? '+00:00' : '+0000');
        break;
      default:
        throw new Error(`unsupported date format letter '${c}' in "${pattern}"`);
    }
  }

  if (parts.length === 0) return () => '';
  if (parts.length === 1 && typeof parts[0] === 'string') {
    const s = parts[0];
    return () => s;
  }
  // Cache the last result: consecutive events share a day (or a millisecond).
  const granularity = dateOnly ? 86_400_000 : 1;
  let lastKey = Number.NaN;
  let lastOut = '';
  return (d: Date): string => {
    const ms = d.getTime();
    const key = granularity === 1 ? ms : Math.floor(ms / granularity);
    if (key === lastKey) return lastOut;
    let out = '';
    for (const p of parts) out += typeof p === 'string' ? p : p(d);
    lastKey = key;
    lastOut = out;
    return out;
  };
}

// ---------------------------------------------------------------------------
// Compilation

type Evaluator = (event: BeatEvent) => string | FormatFieldError;

const EMPTY: EventFields = Object.freeze({});

function makeLookup(path: string): (event: BeatEvent) => unknown {
  if (path === '@timestamp') return (e) => e.timestamp;
  if (path === '@metadata') return (e) => e.meta;
  if (path.startsWith('@metadata.')) {
    const sub = path.slice('@metadata.'.length);
    return (e) => getField(e.meta ?? EMPTY, sub);
  }
  return (e) => getField(e.fields, path);
}

function compileField(source: string, v: VarElement): { path: string; evaluate: Evaluator } {
  if (v.ops.length > 1) throw syntaxError(source, 'too many format modifiers given');
  const op = v.ops[0];
  if (op !== undefined && op.op !== ':') throw syntaxError(source, `unsupported format operator: ${op.op}`);
  const path = parseEventPath(source, v.expr);
  const lookup = makeLookup(path);
  if (op === undefined) {
    const evaluate: Evaluator = (e) => {
      const raw = lookup(e);
      if (raw === undefined) return new FormatFieldError(path, 'missing');
      const s = fieldValueToString(raw);
      return s === undefined ? new FormatFieldError(path, 'not-a-string') : s;
    };
    return { path, evaluate };
  }
  const def = op.param;
  const evaluate: Evaluator = (e) => {
    const s = fieldValueToString(lookup(e));
    return s === undefined || s === '' ? def : s;
  };
  return { path, evaluate };
}

/** Compiles a Beats format string; throws a `BeatError` on syntax errors. */
export function compileFormatString(source: string): CompiledFormatString {
  const elements = parse(source);
  const parts: (string | Evaluator)[] = [];
  const fields: string[] = [];
  let usesTimestamp = false;

  for (const el of elements) {
    if (typeof el === 'string') {
      const last = parts[parts.length - 1];
      if (typeof last === 'string') parts[parts.length - 1] = last + el;
      else parts.push(el);
      continue;
    }
    const expr = el.expr;
    if (expr.startsWith('[')) {
      const { path, evaluate } = compileField(source, el);
      parts.push(evaluate);
      if (!fields.includes(path)) fields.push(path);
    } else if (expr.startsWith('+')) {
      // Beats splits `%{+HH:mm}` at the colons and ignores all but `HH`; the
      // colons are put back here so time patterns work without escaping.
      const pattern = expr.slice(1) + el.ops.map((o) => o.op + o.param).join('');
      let fmt: (d: Date) => string;
      try {
        fmt = compileDatePattern(pattern);
      } catch (err) {
        throw syntaxError(source, `${err instanceof Error ? err.message : String(err)} in timestamp expression`);
      }
      usesTimestamp = true;
      parts.push((e) => fmt(e.timestamp));
    } else {
      throw syntaxError(source, `unsupported format expression "${expr}"`);
    }
  }

  if (parts.length === 0 || (parts.length === 1 && typeof parts[0] === 'string')) {
    const constant = (parts[0] as string | undefined) ?? '';
    return {
      source,
      isConst: true,
      fields,
      usesTimestamp,
      run: () => constant,
      tryRun: () => constant,
    };
  }

  const tryRun = (event: BeatEvent): string | FormatFieldError => {
    let out = '';
    for (const p of parts) {
      if (typeof p === 'string') {
        out += p;
        continue;
      }
      const r = p(event);
      if (typeof r !== 'string') return r;
      out += r;
    }
    return out;
  };

  return {
    source,
    isConst: false,
    fields,
    usesTimestamp,
    tryRun,
    run(event: BeatEvent): string {
      const r = tryRun(event);
      if (typeof r !== 'string') throw r;
      return r;
    },
  };
}
