import { HTTP_1_0, versionOf, type HttpMessage, type HttpVersion } from './message.js';

const WS = /\s/;

/** Packetbeat's version rule: `x.y` digits, 1.x only up to 1.2; anything else reads as 1.0. */
export function parseVersion(s: string): HttpVersion {
  if (s.length < 3) return HTTP_1_0;
  const major = s.charCodeAt(0) - 48;
  const minor = s.charCodeAt(2) - 48;
  if (major < 0 || major > 1 || minor < 0 || minor > 2) return HTTP_1_0;
  return versionOf(major, minor);
}

/**
 * Parses a request line (`GET /x HTTP/1.1`) or a status line
 * (`HTTP/1.1 200 OK`) into `m`. Returns false when the line is not HTTP.
 */
export function parseStartLine(line: string, m: HttpMessage): boolean {
  if (line.length < 9) return false;
  if (line.startsWith('HTTP/')) {
    const rest = line.slice(9);
    const sp = rest.indexOf(' ');
    const codeText = sp === -1 ? rest : rest.slice(0, sp);
    if (!/^\d+$/.test(codeText)) return false;
    m.isRequest = false;
    m.version = parseVersion(line.slice(5, 8));
    m.statusCode = Number(codeText);
    m.statusPhrase = sp === -1 ? '' : rest.slice(sp + 1);
    return true;
  }
  let first = -1;
  for (let i = 0; i < line.length; i++) {
    if (WS.test(line[i] ?? '')) {
      first = i;
      break;
    }
  }
  let last = -1;
  for (let i = line.length - 1; i >= 0; i--) {
    if (WS.test(line[i] ?? '')) {
      last = i;
      break;
    }
  }
  if (first <= 0 || last === -1 || first === last) return false;
  const proto = line.slice(last + 1);
  if (!proto.startsWith('HTTP/') || proto.length <= 5) return false;
  const method = line.slice(0, first);
  if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(method)) return false;
  m.isRequest = true;
  m.method = method;
  m.requestUri = line.slice(first + 1, last);
  m.version = parseVersion(proto.slice(5));
  return true;
}

/** Whether a line looks like the first line of an HTTP message (used to resynchronise). */
export function looksLikeStartLine(line: string): boolean {
  if (/^HTTP\/\d\.\d \d{3}( |$)/.test(line)) return true;
  return /^[A-Z][A-Z_-]{1,19} \S+ HTTP\/\d\.\d$/.test(line);
}
