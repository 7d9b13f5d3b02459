import type { Micros } from '@packetbeat-ts/protocol-sdk';
import { OPCODE_NAMES, QUIET_OPCODES, STATUS_NAMES, type MsgType } from './codes.js';

/** What the parser needs from the config. */
export interface ParserConfig {
  readonly parseUnknown: boolean;
  /** 0: keep no values; negative: keep all. */
  readonly maxValues: number;
  readonly maxBytesPerValue: number;
}

/** A `STAT name value` entry. */
export interface Stat {
  readonly name: string;
  readonly value: string;
}

type TextArg =
  | 'key' | 'keys' | 'flags' | 'exptime' | 'bytes' | 'cas' | 'noreply' | 'delta' | 'sleep_us' | 'value' | 'verbosity'
  | 'source_class' | 'dest_class' | 'automove' | 'raw' | 'stat' | 'error_msg';

interface ArgSpec {
  readonly arg: TextArg;
  readonly optional?: boolean;
}

type BinArg = 'flags' | 'exptime' | 'delta' | 'initial' | 'verbosity' | 'stats';

/** How a message becomes `memcache.request` / `memcache.response`. */
type Serializer = 'text' | 'text-data-request' | 'text-data-response' | 'unknown' | 'counter-response' | 'binary' | 'none';

/** One parsed memcache message (request or response, text or binary). */
export interface Message {
  isRequest: boolean;
  isBinary: boolean;
  /** Packet time of the message's first byte (µs). */
  ts: Micros;
  /** Bytes on the wire (lost bytes excluded). */
  size: number;
  type: MsgType;
  /** Packetbeat's command code string (`get`, `VALUE`, `<counter_op_res>`…). */
  command: string;
  serializer: Serializer;
  textArgs: readonly ArgSpec[];
  binRequestArgs: readonly BinArg[];
  binResponseArgs: readonly BinArg[];
  // text
  commandLine: string;
  rawArgs: string;
  noreply: boolean;
  /** Text response code, for the status. */
  textCode: string;
  // binary
  opcode: number;
  status: number;
  vbucket: number;
  opaque: number;
  quiet: boolean;
  // values
  keys: string[] | undefined;
  flags: number;
  exptime: number;
  value: number;
  value2: number;
  ivalue: number;
  ivalue2: number;
  isCas: boolean;
  casUnique: number;
  bytes: number;
  bytesLost: number;
  values: Uint8Array[];
  countValues: number;
  stats: Stat[];
  errorMsg: string;
  version: string | undefined;
  notes: string[];
  isComplete: boolean;
  /** The raw message text when kept for `send_request` / `send_response`. */
  raw?: string;
}

export type ParseResult =
  | { readonly kind: 'message'; readonly msg: Message; readonly consumed: number }
  /** Needs more bytes. `dataRemaining`: the message's data bytes not yet seen, once its header is complete. */
  | { readonly kind: 'more'; readonly dataRemaining?: number; readonly isRequest?: boolean }
  | { readonly kind: 'error'; readonly error: string };

/** Longest text command line accepted (no newline within it: the stream is not memcache). */
export const MAX_LINE = 64 * 1024;
const BIN_HEADER = 24;
const MAGIC_REQUEST = 0x80;
const MAGIC_RESPONSE = 0x81;

function newMessage(ts: Micros): Message {
  return {
    isRequest: false, isBinary: false, ts, size: 0, type: 'UNKNOWN', command: 'UNKNOWN', serializer: 'none',
    textArgs: [], binRequestArgs: [], binResponseArgs: [], commandLine: '', rawArgs: '', noreply: false, textCode: '',
    opcode: 0, status: 0, vbucket: 0, opaque: 0, quiet: false, keys: undefined, flags: 0, exptime: 0, value: 0, value2: 0,
    ivalue: 0, ivalue2: 0, isCas: false, casUnique: 0, bytes: 0, bytesLost: 0, values: [], countValues: 0, stats: [],
    errorMsg: '', version: undefined, notes: [], isComplete: false,
  };
}

// ---------------------------------------------------------------- text protocol

interface TextCommand {
  readonly name: string;
  readonly type: MsgType;
  readonly command: string;
  readonly args: readonly ArgSpec[];
  readonly serializer: Serializer;
  /** Followed by a data block of `bytes` bytes. */
  readonly data?: boolean;
  readonly sub?: ReadonlyMap<string, TextCommand>;
}

const req = (a: TextArg): ArgSpec => ({ arg: a });
const opt = (a: TextArg): ArgSpec => ({ arg: a, optional: true });

function def(name: string, type: MsgType, command: string, args: ArgSpec[] = [], extra: Partial<TextCommand> = {}): TextCommand {
  return { name, type, command, args, serializer: 'text', ...extra };
}
const load = (name: string): TextCommand => def(name, 'Load', name, [req('keys')]);
const store = (name: string): TextCommand =>
  def(name, 'Store', name, [req('key'), req('flags'), req('exptime'), req('bytes'), opt('noreply')], { serializer: 'text-data-request', data: true });
const counter = (name: string): TextCommand => def(name, 'Counter', name, [req('key'), req('delta'), opt('noreply')]);
const success = (name: string, command = name): TextCommand => def(name, 'Success', command);
const fail = (name: string, withMsg = true): TextCommand => def(name, 'Fail', name, withMsg ? [req('error_msg')] : []);

function table(cmds: TextCommand[]): ReadonlyMap<string, TextCommand> {
  return new Map(cmds.map((c) => [c.name, c]));
}

const SLABS = table([
  def('reassign', 'SlabCtrl', 'slabs reassign', [req('source_class'), req('dest_class')]),
  def('automove', 'SlabCtrl', 'slabs automove', [req('automove')]),
]);
const LRU = table([
  def('enable', 'LRUCrawler', 'lru_crawler enable'),
  def('disable', 'LRUCrawler', 'lru_crawler disable'),
  def('sleep', 'LRUCrawler', 'lru_crawler sleep', [req('sleep_us')]),
  def('tocrawl', 'LRUCrawler', 'lru_crawler tocrawl', [req('value')]),
  def('crawl', 'LRUCrawler', 'lru_crawler tocrawl', [req('raw')]),
]);

const REQUESTS = table([
  load('get'),
  load('gets'),
  store('set'),
  store('add'),
  store('replace'),
  store('append'),
  store('prepend'),
  def('cas', 'Store', 'cas', [req('key'), req('flags'), req('exptime'), req('bytes'), req('cas'), opt('noreply')], { serializer: 'text-data-request', data: true }),
  counter('incr'),
  counter('decr'),
  def('touch', 'Store', 'touch', [req('key'), req('exptime'), opt('noreply')]),
  def('delete', 'Delete', 'delete', [req('key'), opt('noreply')]),
  def('flush_all', 'Delete', 'flush_all', [opt('exptime')]),
  def('slabs', 'SlabCtrl', 'UNKNOWN', [], { serializer: 'none', sub: SLABS }),
  def('lru_crawler', 'LRUCrawler', 'UNKNOWN', [], { serializer: 'none', sub: LRU }),
  def('stats', 'Stats', 'stats', [req('raw')]),
  def('verbosity', 'Info', 'verbosity', [req('verbosity')]),
  def('version', 'Info', 'version'),
  def('quit', 'Info', 'quit', [opt('noreply')]),
]);

const RESPONSES = table([
  def('VALUE', 'Load', 'VALUE', [req('key'), req('flags'), req('bytes'), opt('cas')], { serializer: 'text-data-response', data: true }),
  def('END', 'Load', 'END'),
  success('STORED'),
  fail('NOT_STORED', false),
  success('EXISTS'),
  fail('NOT_FOUND', false),
  success('TOUCHED', 'TOCHED'),
  success('DELETED'),
  success('OK'),
  fail('ERROR', false),
  fail('CLIENT_ERROR'),
  fail('SERVER_ERROR'),
  fail('BUSY'),
  fail('BADCLASS'),
  fail('NOSPARE'),
  fail('NOTFULL'),
  fail('UNSAFE'),
  fail('SAME'),
  def('STAT', 'Stats', 'STAT', [req('stat')]),
  def('VERSION', 'Info', 'VERSION'),
]);

const COUNTER_RESPONSE: TextCommand = def('', 'Counter', '<counter_op_res>', [], { serializer: 'counter-response' });
const UNKNOWN_TEXT: TextCommand = def('UNKNOWN', 'UNKNOWN', 'UNKNOWN', [], { serializer: 'unknown' });

/** Space-separated arguments of a command line (tabs are not separators, as in Packetbeat). */
class ArgCursor {
  pos = 0;
  constructor(readonly text: string) {}

  next(): string | undefined {
    const t = this.text;
    while (this.pos < t.length && t.charCodeAt(this.pos) === 0x20) this.pos++;
    if (this.pos >= t.length) return undefined;
    const start = this.pos;
    while (this.pos < t.length && t.charCodeAt(this.pos) !== 0x20) this.pos++;
    return t.slice(start, this.pos);
  }

  rest(): string {
    const r = this.text.slice(this.pos);
    this.pos = this.text.length;
    return r;
  }
}

const UTF8 = new TextDecoder('utf-8');
const latin1ToUtf8 = (s: string): string => UTF8.decode(Buffer.from(s, 'latin1'));

function latin1(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 8192) out += String.fromCharCode(...bytes.subarray(i, Math.min(i + 8192, bytes.length)));
  return out;
}

function uintToken(tok: string): number | string {
  if (!/^\d+$/.test(tok)) return 'expected number value';
  return Number(tok);
}

function intToken(tok: string): number | string {
  if (!/^[-+]?\d+$/.test(tok)) return 'expected number value';
  return Number(tok);
}

/** Parses the arguments of `cmd` into `msg`; returns an error text or undefined. */
function parseTextArgs(msg: Message, args: readonly ArgSpec[]): string | undefined {
  const cur = new ArgCursor(msg.rawArgs);
  for (const spec of args) {
    const a = spec.arg;
    if (a === 'raw') continue;
    if (a === 'keys') {
      const keys = msg.rawArgs.split(' ').filter((k) => k !== '');
      if (keys.length === 0) return 'message has no keys';
      msg.keys = keys.map(latin1ToUtf8);
      cur.rest();
      continue;
    }
    if (a === 'error_msg') {
      msg.errorMsg = latin1ToUtf8(cur.rest());
      continue;
    }
    if (a === 'stat') {
      const name = cur.next();
      const value = cur.next();
      if (name === undefined || value === undefined) return 'no more command arguments';
      msg.stats.push({ name: latin1ToUtf8(name), value: latin1ToUtf8(value) });
      continue;
    }
    const tok = cur.next();
    if (tok === undefined) {
      if (spec.optional === true) continue;
      return 'no more command arguments';
    }
    if (a === 'key') {
      msg.keys = [latin1ToUtf8(tok)];
      continue;
    }
    if (a === 'noreply') {
      if (!tok.startsWith('noreply')) return 'expected noreply in argument list';
      msg.noreply = true;
      continue;
    }
    const n = a === 'source_class' || a === 'dest_class' ? intToken(tok) : uintToken(tok);
    if (typeof n === 'string') return n;
    switch (a) {
      case 'flags': msg.flags = n; break;
      case 'exptime': msg.exptime = n; break;
      case 'bytes': msg.bytes = n; break;
      case 'cas': msg.isCas = true; msg.casUnique = n; break;
      case 'source_class': msg.ivalue = n; break;
      case 'dest_class': msg.ivalue2 = n; break;
      default: msg.value = n; // delta, sleep_us, value, verbosity, automove
    }
  }
  return undefined;
}

function splitCommand(line: string): { command: string; args: string } | undefined {
  const cur = new ArgCursor(line);
  const command = cur.next();
  if (command === undefined) return undefined;
  const args = cur.pos < line.length ? line.slice(cur.pos + 1) : '';
  return { command, args };
}

function appendValue(msg: Message, data: Uint8Array, cfg: ParserConfig): void {
  if (cfg.maxValues !== 0) {
    const limit = Math.min(data.length, cfg.maxBytesPerValue);
    msg.values.push(data.slice(0, limit));
  }
  msg.countValues++;
}

function parseText(b: Uint8Array, ts: Micros, cfg: ParserConfig, lost: number): ParseResult {
  const scan = Math.min(b.length, MAX_LINE);
  const nl = b.subarray(0, scan).indexOf(0x0a);
  if (nl < 0) return b.length >= MAX_LINE ? { kind: 'error', error: 'expected CRLF' } : { kind: 'more' };
  const lineEnd = nl > 0 && b[nl - 1] === 0x0d ? nl - 1 : nl;
  const line = latin1(b.subarray(0, lineEnd));
  const split = splitCommand(line);
  if (split === undefined) return { kind: 'error', error: 'no more command arguments' };
  const msg = newMessage(ts);
  const first = split.command.charCodeAt(0);
  msg.isRequest = first >= 0x61 && first <= 0x7a;
  let cmd = msg.isRequest ? REQUESTS.get(split.command) : RESPONSES.get(split.command);
  if (cmd === undefined && !msg.isRequest && first >= 0x30 && first <= 0x39) cmd = COUNTER_RESPONSE;
  if (cmd === undefined) {
    if (!cfg.parseUnknown) return { kind: 'error', error: 'unknown memcache command found' };
    cmd = UNKNOWN_TEXT;
  }
  msg.rawArgs = split.args;
  msg.commandLine = latin1ToUtf8(line);
  if (cmd.sub !== undefined) {
    const sub = splitCommand(split.args);
    if (sub === undefined) return { kind: 'error', error: 'no more command arguments' };
    const found = cmd.sub.get(sub.command);
    if (found !== undefined) {
      cmd = found;
      msg.rawArgs = sub.args;
    } else if (cfg.parseUnknown) {
      cmd = UNKNOWN_TEXT;
    } else {
      return { kind: 'error', error: 'unknown memcache command found' };
    }
  }
  msg.type = cmd.type;
  msg.command = cmd.command;
  msg.serializer = cmd.serializer;
  msg.textArgs = cmd.args;
  msg.textCode = cmd === COUNTER_RESPONSE ? '<counter_op_res>' : cmd.name;
  if (cmd === COUNTER_RESPONSE) {
    const n = uintToken(split.command);
    if (typeof n === 'string') return { kind: 'error', error: n };
    msg.value = n;
  } else if (cmd !== UNKNOWN_TEXT) {
    const err = parseTextArgs(msg, cmd.args);
    if (err !== undefined) return { kind: 'error', error: err };
  }
  let consumed = nl + 1;
  if (cmd.data === true) {
    const need = consumed + msg.bytes + 2;
    if (b.length < need) return { kind: 'more', dataRemaining: Math.max(0, consumed + msg.bytes - b.length), isRequest: msg.isRequest };
    if (b[need - 2] !== 0x0d || b[need - 1] !== 0x0a) return { kind: 'error', error: 'expected CRLF' };
    if (lost > 0) msg.countValues++;
    else appendValue(msg, b.subarray(consumed, consumed + msg.bytes), cfg);
    consumed = need;
  }
  msg.bytesLost = lost;
  msg.size = consumed - lost;
  return { kind: 'message', msg, consumed };
}

// -------------------------------------------------------------- binary protocol

interface BinCommand {
  readonly type: MsgType;
  readonly command: string;
  readonly request: readonly BinArg[];
  readonly response: readonly BinArg[];
  readonly value?: 'counter' | 'version' | 'stat';
}

const BINARY = new Map<number, BinCommand>();
function defBin(codes: number[], type: MsgType, command: string, request: BinArg[] = [], response: BinArg[] = [], value?: BinCommand['value']): void {
  const cmd: BinCommand = value === undefined ? { type, command, request, response } : { type, command, request, response, value };
  for (const c of codes) BINARY.set(c, cmd);
}
defBin([0x00, 0x0c, 0x0d, 0x09], 'Load', 'get', [], ['flags']);
defBin([0x04, 0x14], 'Delete', 'delete');
defBin([0x08, 0x18], 'Delete', 'delete', ['exptime']);
defBin([0x01, 0x11], 'Store', 'set', ['flags', 'exptime']);
defBin([0x02, 0x12], 'Store', 'add', ['flags', 'exptime']);
defBin([0x03, 0x13], 'Store', 'replace', ['flags', 'exptime']);
defBin([0x0e, 0x19], 'Store', 'append');
defBin([0x0f, 0x1a], 'Store', 'prepend');
defBin([0x0a], 'Info', 'noop');
defBin([0x05, 0x15], 'Counter', 'incr', ['delta', 'initial', 'exptime'], [], 'counter');
defBin([0x06, 0x16], 'Counter', 'decr', ['delta', 'initial', 'exptime'], [], 'counter');
defBin([0x07, 0x17], 'Info', 'quit');
defBin([0x0b], 'Info', 'version', [], [], 'version');
defBin([0x1c], 'Store', 'touch', ['exptime']);
defBin([0x1b], 'Info', 'verbosity', ['verbosity']);
defBin([0x20], 'Auth', 'sasl_list');
defBin([0x21], 'Auth', 'sasl_auth');
defBin([0x22], 'Auth', 'sasl_step');
defBin([0x10], 'Stats', 'stats', [], ['stats'], 'stat');
const UNKNOWN_BIN: BinCommand = { type: 'UNKNOWN', command: 'UNKNOWN', request: [], response: [] };

function u32(b: Uint8Array, o: number): number {
  return ((b[o] as number) * 0x1000000) + (((b[o + 1] as number) << 16) | ((b[o + 2] as number) << 8) | (b[o + 3] as number));
}
function u64(b: Uint8Array, o: number): number {
  return u32(b, o) * 0x100000000 + u32(b, o + 4);
}

/** Reads the extras into `msg`; returns an error note if they are too short. */
function parseExtras(msg: Message, args: readonly BinArg[], extras: Uint8Array): string | undefined {
  let o = 0;
  for (const a of args) {
    if (a === 'stats') continue;
    const width = a === 'delta' || a === 'initial' ? 8 : 4;
    if (o + width > extras.length) return 'unexpected end of buffer';
    const v = width === 8 ? u64(extras, o) : u32(extras, o);
    o += width;
    switch (a) {
      case 'flags': msg.flags = v; break;
      case 'exptime': msg.exptime = v; break;
      case 'initial': msg.value2 = v; break;
      default: msg.value = v; // delta, verbosity
    }
  }
  return undefined;
}

function parseBinary(b: Uint8Array, ts: Micros, cfg: ParserConfig, lost: number): ParseResult {
  if (b.length < BIN_HEADER) return { kind: 'more' };
  const magic = b[0] as number;
  const isRequest = magic === MAGIC_REQUEST;
  const opcode = b[1] as number;
  const keyLen = ((b[2] as number) << 8) | (b[3] as number);
  const extraLen = b[4] as number;
  const totalLen = u32(b, 8);
  if (totalLen < extraLen + keyLen) return { kind: 'error', error: 'length field error' };
  const total = BIN_HEADER + totalLen;
  if (b.length < total) {
    const headerEnd = BIN_HEADER + extraLen + keyLen;
    return b.length >= headerEnd ? { kind: 'more', dataRemaining: total - b.length, isRequest } : { kind: 'more', isRequest };
  }
  const cmd = BINARY.get(opcode) ?? UNKNOWN_BIN;
  const msg = newMessage(ts);
  msg.isBinary = true;
  msg.isRequest = isRequest;
  msg.opcode = opcode;
  msg.quiet = QUIET_OPCODES.has(opcode);
  msg.type = cmd.type;
  msg.command = cmd.command;
  msg.serializer = 'binary';
  msg.binRequestArgs = cmd.request;
  msg.binResponseArgs = cmd.response;
  const word = ((b[6] as number) << 8) | (b[7] as number);
  if (isRequest) msg.vbucket = word;
  else msg.status = word;
  msg.opaque = u32(b, 12);
  const cas = u64(b, 16);
  if (cas !== 0) {
    msg.isCas = true;
    msg.casUnique = cas;
  }
  let o = BIN_HEADER;
  if (extraLen > 0) {
    const extras = b.subarray(o, o + extraLen);
    const args = isRequest && cmd.request.length > 0 ? cmd.request : cmd.response;
    const err = parseExtras(msg, args, extras);
    if (err !== undefined) msg.notes.push(err);
    o += extraLen;
  }
  if (keyLen > 0) {
    msg.keys = [UTF8.decode(b.subarray(o, o + keyLen))];
    o += keyLen;
  }
  const valueLen = totalLen - extraLen - keyLen;
  if (valueLen > 0) {
    msg.bytes = valueLen;
    const value = b.subarray(o, o + valueLen);
    if (!isRequest && cmd.value === 'counter') {
      if (valueLen < 8) return { kind: 'error', error: 'unexpected end of buffer' };
      msg.value = u64(value, 0);
      msg.bytes = 0;
    } else if (!isRequest && cmd.value === 'version') {
      msg.version = UTF8.decode(value);
      msg.bytes = 0;
    } else if (!isRequest && cmd.value === 'stat') {
      if (msg.keys === undefined) return { kind: 'error', error: 'message has no keys' };
      msg.stats.push({ name: msg.keys[0] as string, value: UTF8.decode(value) });
      msg.bytes = 0;
    } else if (lost > 0) {
      msg.countValues++;
    } else {
      appendValue(msg, value, cfg);
    }
  }
  msg.bytesLost = lost;
  msg.size = total - lost;
  return { kind: 'message', msg, consumed: total };
}

/**
 * Parses the first message of `b` (unconsumed stream bytes, or a UDP
 * payload). `lost`: bytes of the message's data that were lost (zero-filled
 * in `b`); its value is then counted but not kept.
 */
export function parseMessage(b: Uint8Array, ts: Micros, cfg: ParserConfig, lost = 0): ParseResult {
  if (b.length < 2) return { kind: 'more' };
  const magic = b[0];
  if (magic === MAGIC_REQUEST || magic === MAGIC_RESPONSE) return parseBinary(b, ts, cfg, lost);
  return parseText(b, ts, cfg, lost);
}

// ------------------------------------------------------------ merging responses

/** Whether a response is the last of its group (VALUE…END, STAT…END, binary stats until the empty one). */
export function responseComplete(msg: Message): boolean {
  if (msg.isBinary) return msg.opcode !== 0x10 || msg.keys === undefined;
  return msg.textCode !== 'VALUE' && msg.textCode !== 'STAT';
}

/**
 * Merges `msg` into `prev` (VALUE and STAT sequences, binary stats with the
 * same opaque). Returns true if merged; throws on a mix of text and binary.
 */
export function tryMerge(prev: Message | undefined, msg: Message, maxValues: number): boolean {
  msg.isComplete = responseComplete(msg);
  if (prev === undefined) return false;
  if (prev.isBinary !== msg.isBinary) throw new Error('mix of binary and text in one connection');
  if (prev.isComplete) return false;
  if (!msg.isBinary) {
    if (prev.textCode === 'VALUE') {
      if (msg.textCode !== 'VALUE' && msg.textCode !== 'END') return false;
      prev.size += msg.size;
      prev.bytes += msg.bytes;
      prev.bytesLost += msg.bytesLost;
      if (msg.keys !== undefined) prev.keys = [...(prev.keys ?? []), ...msg.keys];
      prev.notes.push(...msg.notes);
      prev.countValues += msg.countValues;
      if (msg.textCode === 'VALUE') {
        const room = maxValues < 0 ? msg.values.length : Math.max(0, maxValues - prev.values.length);
        prev.values.push(...msg.values.slice(0, room));
      }
      prev.isComplete = prev.isComplete || msg.isComplete;
      return true;
    }
    if (prev.textCode === 'STAT') return mergeStats(prev, msg);
    return false;
  }
  if (prev.opcode !== 0x10 || msg.opcode !== 0x10 || prev.opaque !== msg.opaque) return false;
  return mergeStats(prev, msg);
}

function mergeStats(prev: Message, msg: Message): boolean {
  if (msg.type !== 'Stats' && msg.textCode !== 'END') return false;
  prev.notes.push(...msg.notes);
  prev.stats.push(...msg.stats);
  prev.size += msg.size;
  prev.isComplete = prev.isComplete || msg.isComplete;
  return true;
}

// ------------------------------------------------------------------ serializing

function base64(values: readonly Uint8Array[]): string[] {
  return values.map((v) => Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64'));
}

function textArgFields(msg: Message, args: readonly ArgSpec[], out: Record<string, unknown>): void {
  for (const { arg } of args) {
    switch (arg) {
      case 'key':
      case 'keys': out['keys'] = msg.keys ?? null; break;
      case 'flags': out['flags'] = msg.flags; break;
      case 'exptime': out['exptime'] = msg.exptime; break;
      case 'bytes': out['bytes'] = msg.bytes; break;
      case 'cas': out['cas_unique'] = msg.casUnique; break;
      case 'noreply': out['noreply'] = msg.noreply; break;
      case 'delta': case 'sleep_us': case 'value': case 'verbosity': out[arg] = msg.value; break;
      case 'source_class': out['source_class'] = msg.ivalue; break;
      case 'dest_class': out['dest_class'] = msg.ivalue2; break;
      case 'automove': out['automove'] = ['standby', 'slow', 'aggressive'][msg.value] ?? String(msg.value); break;
      case 'raw': out['raw_args'] = msg.rawArgs; break;
      case 'stat': out['stats'] = msg.stats; break;
      case 'error_msg': out['error_msg'] = msg.errorMsg; break;
    }
  }
}

function binArgFields(msg: Message, args: readonly BinArg[], out: Record<string, unknown>): void {
  for (const a of args) {
    switch (a) {
      case 'flags': out['flags'] = msg.flags; break;
      case 'exptime': out['exptime'] = msg.exptime; break;
      case 'delta': out['delta'] = msg.value; break;
      case 'initial': out['initial'] = msg.value2; break;
      case 'verbosity': out['verbosity'] = msg.value; break;
      case 'stats': out['stats'] = msg.stats; break;
    }
  }
}

/** The message as Packetbeat's `memcache.request` / `memcache.response` object. */
export function messageFields(msg: Message): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  switch (msg.serializer) {
    case 'none':
      break;
    case 'unknown':
      out['line'] = msg.commandLine;
      out['command'] = 'UNKNOWN';
      out['type'] = 'UNKNOWN';
      break;
    case 'counter-response':
      out['command'] = '<counter_op_res>';
      out['type'] = 'Counter';
      out['value'] = msg.value;
      break;
    case 'text':
    case 'text-data-request':
    case 'text-data-response':
      out['command'] = msg.command;
      out['type'] = msg.type;
      if (msg.serializer !== 'text') {
        out['count_values'] = msg.countValues;
        if (msg.countValues !== 0 && msg.values.length > 0) out['values'] = base64(msg.values);
      }
      textArgFields(msg, msg.textArgs, out);
      break;
    case 'binary': {
      out['command'] = msg.command;
      out['type'] = msg.type;
      out['opcode'] = OPCODE_NAMES.get(msg.opcode) ?? '';
      out['opcode_value'] = msg.opcode;
      out['opaque'] = msg.opaque;
      if (msg.keys !== undefined) out['keys'] = msg.keys;
      if (msg.isCas) out['cas_unique'] = msg.casUnique;
      if (msg.countValues > 0) {
        out['count_values'] = msg.countValues;
        if (msg.values.length > 0) out['values'] = base64(msg.values);
        out['bytes'] = msg.bytes;
      }
      if (msg.version !== undefined) out['version'] = msg.version;
      if (msg.isRequest) {
        out['quiet'] = msg.quiet;
        out['vbucket'] = msg.vbucket;
        binArgFields(msg, msg.binRequestArgs, out);
      } else {
        out['status'] = STATUS_NAMES.get(msg.status) ?? '';
        out['status_code'] = msg.status;
        if (msg.type === 'Counter') out['value'] = msg.value;
        binArgFields(msg, msg.binResponseArgs, out);
      }
      break;
    }
  }
  return out;
}
