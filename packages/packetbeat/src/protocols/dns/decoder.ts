import {
  TYPE_A, TYPE_AAAA, TYPE_CNAME, TYPE_DNSKEY, TYPE_DS, TYPE_MX, TYPE_NS, TYPE_NSEC, TYPE_NSEC3, TYPE_NSEC3PARAM,
  TYPE_OPT, TYPE_PTR, TYPE_RRSIG, TYPE_SOA, TYPE_SRV, TYPE_TXT, TYPE_CAA, TYPE_SVCB, TYPE_HTTPS, algorithmName, hashName, typeName,
} from './names.js';

/** A value of a record's rendered RDATA: strings, or numbers (MX preference, SOA serial, SRV ports…). */
export type RdataValue = string | number;

export interface Question {
  /** Without the trailing dot (the root stays "."). */
  readonly name: string;
  readonly type: number;
  readonly class: number;
}

export interface ResourceRecord {
  /** Owner name, absolute, with its trailing dot. */
  readonly name: string;
  readonly type: number;
  readonly class: number;
  readonly ttl: number;
  /**
   * The RDATA rendered as Packetbeat renders it (`data` plus type-specific
   * keys); empty for the OPT pseudo-record and for an A/AAAA without data.
   */
  readonly rdata: Readonly<Record<string, RdataValue>>;
  /** The address of an A/AAAA record. */
  readonly ip?: string;
}

export interface EdnsOpt {
  readonly udpSize: number;
  /** The upper 8 bits of the response code, shifted into place (`<< 4`). */
  readonly extRcode: number;
  readonly version: number;
  readonly do: boolean;
  /** Options rendered by name (`nsid`, `subnet`, `cookie`, …). */
  readonly options: Readonly<Record<string, string>>;
}

export interface DnsMessage {
  readonly id: number;
  readonly response: boolean;
  readonly opcode: number;
  readonly authoritative: boolean;
  readonly truncated: boolean;
  readonly recursionDesired: boolean;
  readonly recursionAvailable: boolean;
  readonly authenticData: boolean;
  readonly checkingDisabled: boolean;
  /** The response code, with EDNS's extended bits when there is an OPT record. */
  readonly rcode: number;
  readonly questions: readonly Question[];
  readonly answers: readonly ResourceRecord[];
  readonly authorities: readonly ResourceRecord[];
  /** Includes the OPT record, if any (as in the wire message). */
  readonly additionals: readonly ResourceRecord[];
  readonly opt?: EdnsOpt;
}

class DecodeError extends Error {}

const MAX_POINTERS = 126;
const MAX_NAME_WIRE = 255;

function fail(why: string): never {
  throw new DecodeError(why);
}

function u16(b: Uint8Array, o: number, end: number): number {
  if (o + 2 > end) fail('short');
  return ((b[o] as number) << 8) | (b[o + 1] as number);
}
function u32(b: Uint8Array, o: number, end: number): number {
  if (o + 4 > end) fail('short');
  return (b[o] as number) * 0x1000000 + (((b[o + 1] as number) << 16) | ((b[o + 2] as number) << 8) | (b[o + 3] as number));
}
function u8(b: Uint8Array, o: number, end: number): number {
  if (o + 1 > end) fail('short');
  return b[o] as number;
}

const SPECIAL = new Set([0x2e, 0x20, 0x27, 0x40, 0x3b, 0x28, 0x29, 0x22, 0x5c]); // . space ' @ ; ( ) " \

function escapeByte(c: number): string {
  return '\\' + String(c).padStart(3, '0');
}

/** Reads a (possibly compressed) domain name; returns it absolute ("example.com.", root ".") and the offset after it. */
function readName(b: Uint8Array, off: number): [string, number] {
  let out = '';
  let wire = 0;
  let pointers = 0;
  let pos = off;
  let after = -1;
  for (;;) {
    if (pos >= b.length) fail('name overflow');
    const len = b[pos] as number;
    const kind = len & 0xc0;
    if (kind === 0) {
      if (len === 0) {
        pos++;
        break;
      }
      if (pos + 1 + len > b.length) fail('label overflow');
      wire += len + 1;
      if (wire > MAX_NAME_WIRE) fail('name too long');
      for (let i = pos + 1; i <= pos + len; i++) {
        const c = b[i] as number;
        if (SPECIAL.has(c)) out += '\\' + String.fromCharCode(c);
        else if (c < 0x20 || c > 0x7e) out += escapeByte(c);
        else out += String.fromCharCode(c);
      }
      out += '.';
      pos += len + 1;
    } else if (kind === 0xc0) {
      if (pos + 2 > b.length) fail('pointer overflow');
      if (++pointers > MAX_POINTERS) fail('too many pointers');
      if (after < 0) after = pos + 2;
      pos = ((len & 0x3f) << 8) | (b[pos + 1] as number);
    } else {
      fail('bad label type');
    }
  }
  return [out === '' ? '.' : out, after < 0 ? pos : after];
}

/** Packetbeat's trimRightDot: "a.b." → "a.b"; "" and "." unchanged. */
export function trimRightDot(name: string): string {
  if (name.length === 0 || name === '.' || !name.endsWith('.')) return name;
  return name.slice(0, -1);
}

function hex(b: Uint8Array, upper = false): string {
  const s = Buffer.from(b.buffer, b.byteOffset, b.length).toString('hex');
  return upper ? s.toUpperCase() : s;
}

function base64(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.length).toString('base64');
}

const B32HEX = '0123456789ABCDEFGHIJKLMNOPQRSTUV';
function base32hex(b: Uint8Array): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of b) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += B32HEX[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    value &= (1 << bits) - 1;
  }
  if (bits > 0) out += B32HEX[(value << (5 - bits)) & 31];
  while (out.length % 8 !== 0) out += '=';
  return out;
}

/** Packetbeat's hexStringToString: raw bytes as text, unprintables as \DDD. */
export function escapeRaw(b: Uint8Array): string {
  let s = '';
  for (const c of b) {
    if (c === 0x22 || c === 0x5c) s += '\\' + String.fromCharCode(c);
    else if (c === 0x09) s += '\\t';
    else if (c === 0x0d) s += '\\r';
    else if (c === 0x0a) s += '\\n';
    else if (c < 0x20 || c >= 0x7f) s += escapeByte(c);
    else s += String.fromCharCode(c);
  }
  return s;
}

/** A TXT character-string as miekg/dns renders it. */
function txtString(b: Uint8Array): string {
  let s = '';
  for (const c of b) {
    if (c === 0x22) s += '\\"';
    else if (c === 0x5c) s += '\\\\';
    else if (c < 0x20 || c > 0x7e) s += escapeByte(c);
    else s += String.fromCharCode(c);
  }
  return s;
}

function ipv4(b: Uint8Array, o: number): string {
  return `${b[o]}.${b[o + 1]}.${b[o + 2]}.${b[o + 3]}`;
}

/** An IPv6 address as Go's net.IP.String() writes it (RFC 5952; IPv4-mapped as dotted quad). */
export function ipv6(b: Uint8Array, o: number): string {
  let mapped = b[o + 10] === 0xff && b[o + 11] === 0xff;
  for (let i = 0; i < 10 && mapped; i++) if (b[o + i] !== 0) mapped = false;
  if (mapped) return ipv4(b, o + 12);
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((b[o + i] as number) << 8) | (b[o + i + 1] as number));
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const part = (from: number, to: number): string => groups.slice(from, to).map((g) => g.toString(16)).join(':');
  if (bestStart < 0) return part(0, 8);
  return `${part(0, bestStart)}::${part(bestStart + bestLen, 8)}`;
}

function typeBitmap(b: Uint8Array, off: number, end: number): string {
  const names: string[] = [];
  let last = -1;
  while (off < end) {
    if (off + 2 > end) fail('bitmap overflow');
    const window = b[off] as number;
    const len = b[off + 1] as number;
    if (window <= last && last >= 0) fail('bitmap windows out of order');
    last = window;
    if (len === 0 || len > 32 || off + 2 + len > end) fail('bad bitmap length');
    for (let i = 0; i < len; i++) {
      const byte = b[off + 2 + i] as number;
      for (let bit = 0; bit < 8; bit++) if (byte & (0x80 >> bit)) names.push(typeName(window * 256 + i * 8 + bit));
    }
    off += 2 + len;
  }
  return names.join(' ');
}

function saltString(b: Uint8Array): string {
  return b.length === 0 ? '-' : hex(b, true);
}

/** RFC 3339-less timestamp of RRSIG: YYYYMMDDHHmmSS (UTC). */
function sigTime(t: number): string {
  const d = new Date(t * 1000);
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  return `${p(d.getUTCFullYear(), 4)}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}`;
}

function renderRdata(b: Uint8Array, type: number, off: number, end: number): { rdata: Record<string, RdataValue>; ip?: string } {
  const raw = (): Uint8Array => b.subarray(off, end);
  const nameAt = (o: number): [string, number] => {
    const [n, next] = readName(b, o);
    if (next > end) fail('name beyond rdata');
    return [n, next];
  };
  const done = (o: number): void => {
    if (o !== end) fail('bad rdlength');
  };
  switch (type) {
    case TYPE_A: {
      done(off + 4);
      const ip = ipv4(b, off);
      return { rdata: { data: ip }, ip };
    }
    case TYPE_AAAA: {
      done(off + 16);
      const ip = ipv6(b, off);
      return { rdata: { data: ip }, ip };
    }
    case TYPE_NS:
    case TYPE_CNAME:
    case TYPE_PTR: {
      const [n, o] = nameAt(off);
      done(o);
      return { rdata: { data: trimRightDot(n) } };
    }
    case TYPE_MX: {
      const preference = u16(b, off, end);
      const [n, o] = nameAt(off + 2);
      done(o);
      return { rdata: { preference, data: trimRightDot(n) } };
    }
    case TYPE_SOA: {
      const [ns, o1] = nameAt(off);
      const [mbox, o2] = nameAt(o1);
      const rdata = {
        rname: trimRightDot(mbox),
        serial: u32(b, o2, end),
        refresh: u32(b, o2 + 4, end),
        retry: u32(b, o2 + 8, end),
        expire: u32(b, o2 + 12, end),
        minimum: u32(b, o2 + 16, end),
        data: trimRightDot(ns),
      };
      done(o2 + 20);
      return { rdata };
    }
    case TYPE_SRV: {
      const priority = u16(b, off, end);
      const weight = u16(b, off + 2, end);
      const port = u16(b, off + 4, end);
      const [n, o] = nameAt(off + 6);
      done(o);
      return { rdata: { priority, weight, port, data: trimRightDot(n) } };
    }
    case TYPE_TXT: {
      const parts: string[] = [];
      let o = off;
      while (o < end) {
        const len = b[o] as number;
        if (o + 1 + len > end) fail('txt overflow');
        parts.push(txtString(b.subarray(o + 1, o + 1 + len)));
        o += 1 + len;
      }
      return { rdata: { data: parts.join(' ') } };
    }
    case TYPE_DS: {
      const rdata = {
        key_tag: String(u16(b, off, end)),
        algorithm: algorithmName(u8(b, off + 2, end)),
        digest_type: hashName(u8(b, off + 3, end)),
        data: hex(b.subarray(off + 4, end), true),
      };
      return { rdata };
    }
    case TYPE_DNSKEY: {
      const rdata = {
        flags: String(u16(b, off, end)),
        protocol: String(u8(b, off + 2, end)),
        algorithm: algorithmName(u8(b, off + 3, end)),
        data: base64(b.subarray(off + 4, end)),
      };
      return { rdata };
    }
    case TYPE_RRSIG: {
      const covered = u16(b, off, end);
      const alg = u8(b, off + 2, end);
      const labels = u8(b, off + 3, end);
      const origTtl = u32(b, off + 4, end);
      const expiration = u32(b, off + 8, end);
      const inception = u32(b, off + 12, end);
      const keyTag = u16(b, off + 16, end);
      const [signer, o] = nameAt(off + 18);
      return {
        rdata: {
          type_covered: typeName(covered),
          algorithm: algorithmName(alg),
          labels: String(labels),
          original_ttl: String(origTtl),
          expiration: sigTime(expiration),
          inception: sigTime(inception),
          key_tag: String(keyTag),
          signer_name: trimRightDot(signer),
          data: base64(b.subarray(o, end)),
        },
      };
    }
    case TYPE_NSEC: {
      const [next, o] = nameAt(off);
      return { rdata: { type_bits: typeBitmap(b, o, end), data: next } };
    }
    case TYPE_NSEC3:
    case TYPE_NSEC3PARAM: {
      const hash = u8(b, off, end);
      const flags = u8(b, off + 1, end);
      const iterations = u16(b, off + 2, end);
      const saltLen = u8(b, off + 4, end);
      if (off + 5 + saltLen > end) fail('salt overflow');
      const salt = saltString(b.subarray(off + 5, off + 5 + saltLen));
      let o = off + 5 + saltLen;
      if (type === TYPE_NSEC3PARAM) {
        done(o);
        return { rdata: { hash: hashName(hash), flags: String(flags), iterations: String(iterations), data: salt } };
      }
      const hashLen = u8(b, o, end);
      if (o + 1 + hashLen > end) fail('hash overflow');
      const next = base32hex(b.subarray(o + 1, o + 1 + hashLen));
      o += 1 + hashLen;
      return {
        rdata: { hash: hashName(hash), flags: String(flags), iterations: String(iterations), salt, type_bits: typeBitmap(b, o, end), data: next },
      };
    }
    case TYPE_CAA: {
      // Presentation format: flags tag "value".
      const flags = u8(b, off, end);
      const tagLen = u8(b, off + 1, end);
      if (off + 2 + tagLen > end) fail('caa tag overflow');
      const tag = String.fromCharCode(...b.subarray(off + 2, off + 2 + tagLen));
      return { rdata: { data: `${flags} ${tag} "${txtString(b.subarray(off + 2 + tagLen, end))}"` } };
    }
    case TYPE_SVCB:
    case TYPE_HTTPS: {
      // Presentation format: priority target key="value"…
      const priority = u16(b, off, end);
      const [target, o] = nameAt(off + 2);
      const params = svcParams(b, o, end);
      const text = [String(priority), target === '' || target === '.' ? '.' : trimRightDot(target), ...params].join(' ');
      return { rdata: { data: text } };
    }
    default:
      return { rdata: { data: escapeRaw(raw()) } };
  }
}

const SVC_KEYS = ['mandatory', 'alpn', 'no-default-alpn', 'port', 'ipv4hint', 'ech', 'ipv6hint'];

/** SVCB/HTTPS parameters (RFC 9460) as `key="value"`, the way miekg/dns prints them. */
function svcParams(b: Uint8Array, off: number, end: number): string[] {
  const out: string[] = [];
  let o = off;
  while (o < end) {
    const key = u16(b, o, end);
    const len = u16(b, o + 2, end);
    const start = o + 4;
    if (start + len > end) fail('svc param overflow');
    const v = b.subarray(start, start + len);
    const name = SVC_KEYS[key] ?? `key${key}`;
    let value: string;
    switch (key) {
      case 0: {
        const keys: string[] = [];
        for (let i = 0; i + 1 < v.length; i += 2) keys.push(SVC_KEYS[((v[i] as number) << 8) | (v[i + 1] as number)] ?? 'key');
        value = keys.join(',');
        break;
      }
      case 1: {
        const ids: string[] = [];
        for (let i = 0; i < v.length; ) {
          const l = v[i] as number;
          if (i + 1 + l > v.length) fail('alpn overflow');
          ids.push(txtString(v.subarray(i + 1, i + 1 + l)));
          i += 1 + l;
        }
        value = ids.join(',');
        break;
      }
      case 2:
        value = '';
        break;
      case 3:
        value = String(u16(v, 0, v.length));
        break;
      case 4: {
        const ips: string[] = [];
        for (let i = 0; i + 4 <= v.length; i += 4) ips.push(ipv4(v, i));
        value = ips.join(',');
        break;
      }
      case 5:
        value = base64(v);
        break;
      case 6: {
        const ips: string[] = [];
        for (let i = 0; i + 16 <= v.length; i += 16) ips.push(ipv6(v, i));
        value = ips.join(',');
        break;
      }
      default:
        value = txtString(v);
    }
    out.push(key === 2 ? name : `${name}="${value}"`);
    o = start + len;
  }
  return out;
}

function decodeOpt(b: Uint8Array, off: number, end: number, udpSize: number, ttl: number): EdnsOpt {
  const options: Record<string, string> = {};
  let o = off;
  while (o < end) {
    const code = u16(b, o, end);
    const len = u16(b, o + 2, end);
    if (o + 4 + len > end) fail('option overflow');
    const data = b.subarray(o + 4, o + 4 + len);
    o += 4 + len;
    const algs = (name: (n: number) => string): string => [...data].map((a) => ' ' + name(a)).join('');
    const num = (): string => (data.length === 4 ? String(u32(data, 0, 4)) : data.length === 0 ? '' : fail('bad option'));
    switch (code) {
      case 2:
        options['ul'] = data.length === 4 || data.length === 8 ? String(u32(data, 0, data.length)) : fail('bad ul');
        break;
      case 3:
        options['nsid'] = hex(data);
        break;
      case 5:
        options['dau'] = algs(algorithmName);
        break;
      case 6:
        options['dhu'] = algs(hashName);
        break;
      case 7:
        options['n3u'] = algs(hashName);
        break;
      case 8: {
        const family = u16(data, 0, data.length);
        const source = u8(data, 2, data.length);
        const scope = u8(data, 3, data.length);
        const addr = data.subarray(4);
        let ip: string;
        if (family === 1) {
          if (addr.length > 4) fail('bad subnet');
          const a = new Uint8Array(4);
          a.set(addr);
          ip = ipv4(a, 0);
        } else if (family === 2) {
          if (addr.length > 16) fail('bad subnet');
          const a = new Uint8Array(16);
          a.set(addr);
          ip = `[${ipv6(a, 0)}]`;
        } else {
          fail('bad subnet family');
        }
        options['subnet'] = `${ip}/${source}/${scope}`;
        break;
      }
      case 9:
        options['local'] = num();
        break;
      case 10:
        options['cookie'] = hex(data);
        break;
      default:
        if (code >= 65001 && code <= 65534) options['local'] = '0x' + hex(data);
    }
  }
  return { udpSize, extRcode: ((ttl >>> 24) & 0xff) << 4, version: (ttl >>> 16) & 0xff, do: (ttl & 0x8000) !== 0, options };
}

interface RrParse {
  readonly rr: ResourceRecord;
  readonly next: number;
  readonly opt?: EdnsOpt;
}

function readRecord(b: Uint8Array, off: number): RrParse {
  const [name, o] = readName(b, off);
  const type = u16(b, o, b.length);
  const cls = u16(b, o + 2, b.length);
  const ttl = u32(b, o + 4, b.length);
  const rdlen = u16(b, o + 8, b.length);
  const start = o + 10;
  const end = start + rdlen;
  if (end > b.length) fail('bad rdlength');
  if (type === TYPE_OPT) {
    const opt = decodeOpt(b, start, end, cls, ttl);
    return { rr: { name, type, class: cls, ttl, rdata: {} }, next: end, opt };
  }
  if (rdlen === 0 || cls === 255) {
    // No RDATA (e.g. dynamic update records): nothing to render for an address.
    const rdata: Record<string, RdataValue> = type === TYPE_A || type === TYPE_AAAA ? {} : { data: '' };
    return { rr: { name, type, class: cls, ttl, rdata }, next: end };
  }
  const { rdata, ip } = renderRdata(b, type, start, end);
  return { rr: ip === undefined ? { name, type, class: cls, ttl, rdata } : { name, type, class: cls, ttl, rdata, ip }, next: end };
}

/**
 * Decodes one DNS message (without the TCP length prefix). Returns
 * `undefined` for anything that is not a well-formed DNS message, as
 * Packetbeat (miekg/dns) refuses it: bad names or RDATA, or a bare header.
 * A truncated (TC) message keeps the records decoded before the cut.
 */
export function decodeDnsMessage(b: Uint8Array): DnsMessage | undefined {
  try {
    return decode(b);
  } catch (err) {
    if (err instanceof DecodeError) return undefined;
    throw err;
  }
}

function decode(b: Uint8Array): DnsMessage {
  if (b.length < 12) fail('short header');
  const id = u16(b, 0, 12);
  const f1 = b[2] as number;
  const f2 = b[3] as number;
  const counts = [u16(b, 4, 12), u16(b, 6, 12), u16(b, 8, 12), u16(b, 10, 12)] as const;
  const truncated = (f1 & 0x02) !== 0;
  let off = 12;
  const questions: Question[] = [];
  for (let i = 0; i < counts[0]; i++) {
    if (off >= b.length) break; // the count was a lie
    const [name, o] = readName(b, off);
    off = o;
    const qtype = off + 2 <= b.length ? u16(b, off, b.length) : 0;
    if (off + 2 <= b.length) off += 2;
    const qclass = off + 2 <= b.length ? u16(b, off, b.length) : 0;
    if (off + 2 <= b.length) off += 2;
    questions.push({ name: trimRightDot(name), type: qtype, class: qclass });
  }
  const sections: ResourceRecord[][] = [[], [], []];
  let opt: EdnsOpt | undefined;
  try {
    for (let s = 0; s < 3; s++) {
      const list = sections[s] as ResourceRecord[];
      const n = counts[s + 1] as number;
      for (let i = 0; i < n; i++) {
        if (off >= b.length) break;
        const r = readRecord(b, off);
        off = r.next;
        list.push(r.rr);
        if (r.opt !== undefined && s === 2) opt = r.opt;
      }
    }
  } catch (err) {
    if (!truncated) throw err;
  }
  const [answers, authorities, additionals] = sections as [ResourceRecord[], ResourceRecord[], ResourceRecord[]];
  if (questions.length + answers.length + authorities.length + additionals.length === 0) fail('empty message');
  const rcode = (f2 & 0x0f) | (opt?.extRcode ?? 0);
  const msg: DnsMessage = {
    id,
    response: (f1 & 0x80) !== 0,
    opcode: (f1 >> 3) & 0x0f,
    authoritative: (f1 & 0x04) !== 0,
    truncated,
    recursionDesired: (f1 & 0x01) !== 0,
    recursionAvailable: (f2 & 0x80) !== 0,
    authenticData: (f2 & 0x20) !== 0,
    checkingDisabled: (f2 & 0x10) !== 0,
    rcode,
    questions,
    answers,
    authorities,
    additionals,
  };
  return opt === undefined ? msg : { ...msg, opt };
}
