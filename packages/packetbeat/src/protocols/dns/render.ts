import type { DnsMessage, Question, RdataValue, ResourceRecord } from './decoder.js';
import { trimRightDot } from './decoder.js';
import { className, opcodeName, rcodeName, typeName } from './names.js';
import { domainParts } from './public-suffix.js';

/** `class IN, type A, example.com` (Packetbeat's `query`). */
export function questionString(q: Question): string {
  return `class ${className(q.class)}, type ${typeName(q.type)}, ${q.name}`;
}

type RecordDoc = Record<string, RdataValue>;

/** The records of a section as `dns.answers` etc.; the OPT record is left out. */
function recordsDoc(records: readonly ResourceRecord[], ips?: string[]): RecordDoc[] {
  const out: RecordDoc[] = [];
  for (const rr of records) {
    if (Object.keys(rr.rdata).length === 0) continue;
    if (ips !== undefined && rr.ip !== undefined) ips.push(rr.ip);
    out.push({ ...rr.rdata, name: trimRightDot(rr.name), type: typeName(rr.type), class: className(rr.class), ttl: String(rr.ttl) });
  }
  return out;
}

export interface DnsDocument {
  /** The `dns` object (without `type`, which depends on the transaction). */
  readonly dns: Record<string, unknown>;
  /** Addresses of the A/AAAA answers (for `dns.resolved_ip` and `related.ip`). */
  readonly resolvedIps: readonly string[];
}

/** Packetbeat's addDNSToMapStr: the `dns.*` fields of one message. */
export function dnsDocument(msg: DnsMessage, includeAuthorities: boolean, includeAdditionals: boolean): DnsDocument {
  const dns: Record<string, unknown> = {
    id: msg.id,
    op_code: opcodeName(msg.opcode),
    flags: {
      authoritative: msg.authoritative,
      truncated_response: msg.truncated,
      recursion_desired: msg.recursionDesired,
      recursion_available: msg.recursionAvailable,
      authentic_data: msg.authenticData,
      checking_disabled: msg.checkingDisabled,
    },
    response_code: rcodeName(msg.rcode),
  };
  const hf: string[] = [];
  if (msg.authoritative) hf.push('AA');
  if (msg.truncated) hf.push('TC');
  if (msg.recursionDesired) hf.push('RD');
  if (msg.recursionAvailable) hf.push('RA');
  if (msg.authenticData) hf.push('AD');
  if (msg.checkingDisabled) hf.push('CD');
  if (msg.opt?.do === true) hf.push('DO');
  if (hf.length > 0) dns['header_flags'] = hf;

  const q = msg.questions[0];
  if (q !== undefined) {
    dns['question'] = { name: q.name, type: typeName(q.type), class: className(q.class), ...domainParts(q.name) };
  }
  if (msg.opt !== undefined) {
    const { opt } = msg;
    dns['opt'] = { do: opt.do, version: String(opt.version), udp_size: opt.udpSize, ext_rcode: rcodeName(opt.extRcode), ...opt.options };
  }
  const ips: string[] = [];
  dns['answers_count'] = msg.answers.length;
  if (msg.answers.length > 0) {
    const answers = recordsDoc(msg.answers, ips);
    if (answers.length > 0) dns['answers'] = answers;
    if (ips.length > 0) dns['resolved_ip'] = ips;
  }
  dns['authorities_count'] = msg.authorities.length;
  if (includeAuthorities && msg.authorities.length > 0) {
    const auth = recordsDoc(msg.authorities);
    if (auth.length > 0) dns['authorities'] = auth;
  }
  dns['additionals_count'] = msg.opt !== undefined ? msg.additionals.length - 1 : msg.additionals.length;
  if (includeAdditionals && msg.additionals.length > 0) {
    const add = recordsDoc(msg.additionals);
    if (add.length > 0) dns['additionals'] = add;
  }
  return { dns, resolvedIps: ips };
}

/** One record's RDATA as text: string fields sorted by key (numbers are left out, as Packetbeat does), `data` last. */
function rrString(rr: ResourceRecord): string {
  const keys = Object.keys(rr.rdata).filter((k) => k !== 'data').sort();
  let s = '';
  for (const k of keys) {
    const v = rr.rdata[k];
    if (typeof v === 'string') s += `${k} ${v}, `;
  }
  const data = rr.rdata['data'];
  if (data === undefined) return s.endsWith(', ') ? s.slice(0, -2) : s;
  return typeof data === 'string' ? s + data : s;
}

/** Packetbeat's dnsToString: the raw `request` / `response` text. */
export function dnsToString(msg: DnsMessage): string {
  const flags: string[] = [];
  if (msg.authoritative) flags.push('aa');
  if (msg.truncated) flags.push('tc');
  if (msg.recursionDesired) flags.push('rd');
  if (msg.recursionAvailable) flags.push('ra');
  if (msg.authenticData) flags.push('ad');
  if (msg.checkingDisabled) flags.push('cd');
  const parts = [
    `ID ${msg.id}; QR ${msg.response ? 'response' : 'query'}; OPCODE ${opcodeName(msg.opcode)}; FLAGS ${flags.join(' ')}; RCODE ${rcodeName(msg.rcode)}`,
  ];
  if (msg.questions.length > 0) parts.push(`QUESTION ${msg.questions.map(questionString).join('; ')}`);
  if (msg.answers.length > 0) parts.push(`ANSWER ${msg.answers.map(rrString).join('; ')}`);
  if (msg.authorities.length > 0) parts.push(`AUTHORITY ${msg.authorities.map(rrString).join('; ')}`);
  if (msg.additionals.length > 0) parts.push(`ADDITIONAL ${msg.additionals.map(rrString).join('; ')}`);
  return parts.join('; ');
}
