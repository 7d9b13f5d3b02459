import { isIP } from 'node:net';

/** Strings that escaping leaves as they are (the common case, checked once). */
const QUERY_SAFE = /^[A-Za-z0-9\-_.~]*$/;
const PATH_SAFE = /^[A-Za-z0-9\-_.~$&+,/:;=@]*$/;

/** Go's url.QueryEscape: only A-Z a-z 0-9 - _ . ~ stay; space becomes '+'. */
export function queryEscape(s: string): string {
  if (QUERY_SAFE.test(s)) return s;
  let out = '';
  for (const byte of Buffer.from(s, 'utf8')) {
    const c = String.fromCharCode(byte);
    if (/[A-Za-z0-9\-_.~]/.test(c)) out += c;
    else if (c === ' ') out += '+';
    else out += '%' + byte.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

/** Go's escaping of a URL path (encodePath): reserved path characters stay, everything else is %XX. */
export function pathEscape(s: string): string {
  if (PATH_SAFE.test(s)) return s;
  let out = '';
  for (const byte of Buffer.from(s, 'utf8')) {
    const c = String.fromCharCode(byte);
    if (/[A-Za-z0-9\-_.~$&+,/:;=@]/.test(c)) out += c;
    else out += '%' + byte.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

/** Percent-decodes; `plus` turns '+' into space (query mode). Null on a bad escape. */
export function unescape(s: string, plus: boolean): string | null {
  // Most names and values have nothing to decode.
  if (!s.includes('%') && !(plus && s.includes('+'))) return s;
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x25 /* % */) {
      const hex = s.slice(i + 1, i + 3);
      if (!/^[0-9A-Fa-f]{2}$/.test(hex)) return null;
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else if (plus && c === 0x2b /* + */) {
      bytes.push(0x20);
    } else {
      for (const b of Buffer.from(s[i] ?? '', 'utf8')) bytes.push(b);
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/** Ordered multimap of query parameters (Go's url.Values). */
export type QueryValues = Map<string, string[]>;

/** Go's url.ParseQuery: `&`-separated pairs; pairs with `;` or bad escapes are skipped. */
export function parseQuery(query: string, into: QueryValues = new Map()): QueryValues {
  for (const pair of query.split('&')) {
    if (pair === '' || pair.includes(';')) continue;
    const eq = pair.indexOf('=');
    const key = unescape(eq === -1 ? pair : pair.slice(0, eq), true);
    const value = unescape(eq === -1 ? '' : pair.slice(eq + 1), true);
    if (key === null || value === null) continue;
    const values = into.get(key);
    if (values === undefined) into.set(key, [value]);
    else values.push(value);
  }
  return into;
}

/** Go's url.Values.Encode: keys sorted, each value `k=v`, joined by `&`. */
export function encodeQuery(values: QueryValues): string {
  const parts: string[] = [];
  for (const key of [...values.keys()].sort()) {
    for (const value of values.get(key) ?? []) parts.push(`${queryEscape(key)}=${queryEscape(value)}`);
  }
  return parts.join('&');
}

/** The path and raw query of a request-target, as Go's url.Parse sees them (null when it fails). */
export function splitRequestUri(uri: string): { path: string; rawQuery: string } | null {
  let rest = uri;
  const hash = rest.indexOf('#');
  if (hash !== -1) rest = rest.slice(0, hash);
  if (rest === '*') return { path: '*', rawQuery: '' };
  let rawQuery = '';
  const q = rest.indexOf('?');
  if (q !== -1) {
    rawQuery = rest.slice(q + 1);
    rest = rest.slice(0, q);
  }
  // absolute-form (proxies): scheme://authority/path
  const scheme = /^[A-Za-z][A-Za-z0-9+.-]*:/.exec(rest);
  if (scheme !== null) {
    rest = rest.slice(scheme[0].length);
    if (rest.startsWith('//')) {
      const slash = rest.indexOf('/', 2);
      rest = slash === -1 ? '' : rest.slice(slash);
    } else {
      // opaque URL (mailto:x): no path
      return { path: '', rawQuery };
    }
  } else if (!rest.startsWith('/')) {
    // authority-form (CONNECT host:port) fails in Go ("first path segment cannot contain colon")
    const firstSegment = rest.split('/')[0] ?? '';
    if (firstSegment.includes(':')) return null;
  }
  const path = unescape(rest, false);
  if (path === null) return null;
  return { path, rawQuery };
}

/** Host and port of a Host header (`name:port`, `[v6]:port`, bare IPs). Port 0 when absent. */
export function splitHostHeader(header: string): { host: string; port: number } {
  if (header === '' || isIP(header) !== 0) return { host: header, port: 0 };
  let host = header;
  let port = 0;
  const colon = host.lastIndexOf(':');
  if (colon !== -1) {
    const digits = host.slice(colon + 1);
    const n = /^\d+$/.test(digits) ? Number(digits) : NaN;
    if (n > 0 && n < 65536) {
      host = host.slice(0, colon);
      port = n;
    }
  }
  if (host.length > 1 && host.startsWith('[') && host.endsWith(']') && isIP(host.slice(1, -1)) !== 0) host = host.slice(1, -1);
  return { host, port };
}

/** ECS `url.*` for a request, as Packetbeat's newURL / synthesizeFullURL build it. */
export function buildUrl(host: string, port: number, path: string, query: string): Record<string, unknown> {
  const url: Record<string, unknown> = { scheme: 'http' };
  if (host !== '') url['domain'] = host;
  if (path !== '') url['path'] = path;
  if (query !== '') url['query'] = query;
  if (port !== 80 && port !== 0) url['port'] = port;
  if (path !== '') {
    const dot = path.lastIndexOf('.');
    if (dot !== -1 && dot + 1 < path.length) url['extension'] = path.slice(dot + 1);
  }
  if (host !== '' && port > 0) {
    let authority = host;
    if (port !== 80) authority = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
    else if (host.includes(':')) authority = `[${host}]`;
    let escapedPath = path === '*' ? '*' : pathEscape(path);
    if (escapedPath !== '' && !escapedPath.startsWith('/')) escapedPath = '/' + escapedPath;
    url['full'] = `http://${authority}${escapedPath}${query !== '' ? '?' + query : ''}`;
  }
  return url;
}
