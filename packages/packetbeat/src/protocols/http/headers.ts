import type { ResolvedHttpConfig } from './config.js';
import type { HttpMessage } from './message.js';

/** Splits a comma list, trimmed and lower-cased (Packetbeat's parseCommaSeparatedList). */
export function commaList(value: string): string[] {
  return value.split(',').map((s) => s.trim().toLowerCase());
}

function trimSpTab(s: string): string {
  return s.replace(/^[ \t]+|[ \t]+$/g, '');
}

/**
 * Reads the header lines (between the start line and the blank line) into
 * `m`: the headers the parser needs are always read; the others are kept
 * only when `send_headers` / `send_all_headers` ask for them. Folded lines
 * (starting with SP or HT) continue the previous header.
 */
export function parseHeaderLines(lines: readonly string[], m: HttpMessage, cfg: ResolvedHttpConfig): void {
  const folded: string[] = [];
  for (const line of lines) {
    if ((line.startsWith(' ') || line.startsWith('\t')) && folded.length > 0) {
      folded[folded.length - 1] += ' ' + trimSpTab(line);
    } else {
      folded.push(line);
    }
  }
  for (const line of folded) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = trimSpTab(line.slice(colon + 1));
    addHeader(m, name, value, cfg);
  }
}

function addHeader(m: HttpMessage, name: string, value: string, cfg: ResolvedHttpConfig): void {
  switch (name) {
    case 'content-length': {
      const n = /^\d+$/.test(value) ? Number(value) : 0;
      m.contentLength = Number.isSafeInteger(n) ? n : 0;
      m.hasContentLength = true;
      break;
    }
    case 'content-type':
      m.contentType = value;
      break;
    case 'transfer-encoding': {
      const codings = commaList(value);
      if (codings[codings.length - 1] === 'chunked') {
        m.isChunked = true;
        codings.pop();
      }
      // Applied by the sender after any Content-Encoding.
      m.encodings.push(...codings.filter((c) => c !== ''));
      break;
    }
    case 'content-encoding':
      // Applied before Transfer-Encoding.
      m.encodings.unshift(...commaList(value).filter((c) => c !== ''));
      break;
    case 'connection':
      m.connection = value.toLowerCase();
      break;
    case 'host':
      m.host = value;
      break;
    case 'referer':
      m.referer = value;
      break;
    case 'user-agent':
      m.userAgent = value;
      break;
    default:
      break;
  }
  if (cfg.realIpHeader !== '' && name === cfg.realIpHeader) {
    m.realIp = (value.split(',')[0] ?? '').trim();
  }
  if (!cfg.sendHeaders) return;
  if (!cfg.sendAllHeaders && !cfg.headersWhitelist.has(name)) return;
  const previous = m.headers.get(name);
  m.headers.set(name, previous === undefined ? value : `${previous}, ${value}`);
}

/** Splits a Cookie / Set-Cookie value into lower-case names and unquoted values. */
export function splitCookies(value: string): Record<string, string> {
  const cookies: Record<string, string> = {};
  for (const part of value.split(';')) {
    const eq = part.indexOf('=');
    if (eq === -1) continue;
    let v = part.slice(eq + 1).trim();
    if (v.length > 1 && v.startsWith('"') && v.endsWith('"')) v = v.slice(1, -1);
    cookies[part.slice(0, eq).trim().toLowerCase()] = v;
  }
  return cookies;
}

/**
 * `http.{request,response}.headers` as Packetbeat builds it: `content-length`
 * (a number) always, `content-type` when present, then the captured headers.
 */
export function collectHeaders(m: HttpMessage, cfg: ResolvedHttpConfig): Record<string, unknown> {
  const out: Record<string, unknown> = { 'content-length': m.contentLength };
  if (m.contentType !== '') out['content-type'] = m.contentType;
  if (!cfg.sendHeaders) return out;
  const cookie = m.isRequest ? 'cookie' : 'set-cookie';
  for (const [name, value] of m.headers) {
    if (name === 'content-length' || name === 'content-type') continue;
    out[name] = cfg.splitCookie && name === cookie ? splitCookies(value) : value;
  }
  return out;
}
