import type { ResolvedHttpConfig } from './config.js';
import type { HttpMessage } from './message.js';

const AUTH_TEXT = 'uthorization:';

/**
 * Applies `redact_headers` (captured values become `REDACTED`) and
 * `redact_authorization` (the raw `Authorization:` / `Proxy-Authorization:`
 * values are starred out in the raw request, captured values become `*`).
 */
export function redactMessage(m: HttpMessage, cfg: ResolvedHttpConfig): void {
  for (const name of cfg.redactHeaders) {
    if (m.headers.has(name)) m.headers.set(name, 'REDACTED');
  }
  if (!m.isRequest || !cfg.redactAuthorization) return;

  const raw = m.rawHeaders;
  const lower = raw.toString('latin1').toLowerCase();
  let from = m.headerOffset;
  for (;;) {
    const at = lower.indexOf(AUTH_TEXT, from);
    if (at === -1) break;
    const end = lower.indexOf('\r\n', at);
    if (end === -1) break;
    raw.fill(0x2a /* '*' */, at + AUTH_TEXT.length, end);
    from = end + 2;
  }
  for (const name of ['authorization', 'proxy-authorization']) {
    const value = m.headers.get(name);
    if (value !== undefined && value !== '') m.headers.set(name, '*');
  }
}

const STD_B64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const RAW_B64 = /^[A-Za-z0-9+/]*$/;

/**
 * The user name of a `Basic` Authorization header (Packetbeat reads it from
 * the captured headers, so it needs `authorization` among `send_headers`).
 */
export function basicAuthUser(authorization: string | undefined): string {
  const prefix = 'basic ';
  if (authorization === undefined || authorization.length < prefix.length) return '';
  if (authorization.slice(0, prefix.length).toLowerCase() !== prefix) return '';
  const encoded = authorization.slice(prefix.length);
  if (!STD_B64.test(encoded) && !(RAW_B64.test(encoded) && encoded.length % 4 !== 1)) return '';
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? '' : decoded.slice(0, colon);
}
