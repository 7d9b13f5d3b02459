import type { ConnectionInfo, Transaction, TransactionStatus } from '@packetbeat-ts/protocol-sdk';
import { isIP } from 'node:net';
import type { ResolvedHttpConfig } from './config.js';
import { decodeBody } from './decode-body.js';
import { collectHeaders } from './headers.js';
import { versionString, type HttpMessage } from './message.js';
import { detectMimeType } from './mime.js';
import { buildUrl, encodeQuery, parseQuery, splitHostHeader, splitRequestUri, type QueryValues } from './url.js';

function applyBodyDecoding(m: HttpMessage, cfg: ResolvedHttpConfig): void {
  if (!m.saveBody || m.body.length === 0 || !cfg.decodeBody || m.encodings.length === 0) return;
  const { body, error } = decodeBody(m.body, m.encodings, cfg.maxMessageSize);
  m.body = body;
  if (error !== undefined) m.notes.push(error);
}

function hideSecrets(values: QueryValues, keywords: readonly string[]): QueryValues {
  if (keywords.length === 0) return values;
  const out: QueryValues = new Map();
  for (const [key, list] of values) {
    const secret = keywords.includes(key.toLowerCase());
    out.set(key, secret ? list.map(() => 'xxxxx') : list);
  }
  return out;
}

/** The request path and `url.query` (query string plus url-encoded form, secrets hidden, keys sorted). */
export function extractParameters(m: HttpMessage, cfg: ResolvedHttpConfig): { path: string; params: string } {
  const parts = splitRequestUri(m.requestUri);
  if (parts === null) return { path: '', params: '' };
  const values = hideSecrets(parseQuery(parts.rawQuery), cfg.hideKeywords);
  if (m.contentLength > 0 && m.saveBody && m.contentType.includes('urlencoded')) {
    const form = hideSecrets(parseQuery(m.body.toString('utf8')), cfg.hideKeywords);
    for (const [key, list] of form) values.set(key, list);
  }
  return { path: parts.path, params: encodeQuery(values) };
}

function rawMessage(m: HttpMessage): string {
  return m.sendBody && m.body.length > 0 ? Buffer.concat([m.rawHeaders, m.body]).toString('utf8') : m.rawHeaders.toString('utf8');
}

/** `http.*` half of one message (the body part is shared by requests and responses). */
function bodyFields(m: HttpMessage, target: Record<string, unknown>, hideKeywords: readonly string[] = []): void {
  const body: Record<string, unknown> = {};
  let bytes = m.contentLength;
  if (m.sendBody && m.body.length > 0) {
    bytes = m.body.length;
    // A form body carries the same secrets as a query string: hide them here too.
    const text = m.body.toString('utf8');
    body['content'] = hideKeywords.length > 0 && m.contentType.includes('urlencoded') ? encodeQuery(hideSecrets(parseQuery(text), hideKeywords)) : text;
    const mime = detectMimeType(m.body);
    if (mime !== '') target['mime_type'] = mime;
  }
  if (bytes > 0) body['bytes'] = bytes;
  if (Object.keys(body).length > 0) target['body'] = body;
}

/**
 * Builds the transaction Packetbeat publishes for a request and its
 * response (either may be missing: unmatched). Mutates the messages (body
 * decoding, notes), so call it once per pair.
 */
export function buildTransaction(conn: ConnectionInfo, requ: HttpMessage | null, resp: HttpMessage | null, cfg: ResolvedHttpConfig): Transaction {
  let status: TransactionStatus = 'OK';
  if (resp === null) {
    status = 'Error';
    requ?.notes.push('Unmatched request');
  } else if (resp.statusCode >= 400) {
    status = 'Error';
  }
  if (requ === null) {
    status = 'Error';
    resp?.notes.push('Unmatched response');
  }

  const fields: Record<string, unknown> = {};
  const http: Record<string, unknown> = {};
  const notes: string[] = [];
  const hosts: string[] = [];
  let method: string | undefined;
  let query: string | undefined;
  let user: string | undefined;

  if (requ !== null) {
    applyBodyDecoding(requ, cfg);
    const { path, params } = extractParameters(requ, cfg);
    const hostHeader = splitHostHeader(requ.host);
    let port = hostHeader.port;
    const host = hostHeader.host;
    if (host !== '' && isIP(host) === 0) {
      fields['destination'] = { domain: host };
      hosts.push(host);
    }
    if (port === 0) port = conn.server.port;
    else if (port !== conn.server.port) requ.notes.push('Host header port number mismatch');
    if (requ.realIp !== '') fields['network'] = { forwarded_ip: requ.realIp };

    http['version'] = versionString(requ.version);
    const request: Record<string, unknown> = { bytes: requ.size, method: requ.method };
    if (requ.referer !== '') {
      request['referrer'] = requ.referer;
      if (!hosts.includes(requ.referer)) hosts.push(requ.referer);
    }
    bodyFields(requ, request, cfg.hideKeywords);
    request['headers'] = collectHeaders(requ, cfg);
    http['request'] = request;

    fields['url'] = buildUrl(host, port, path, params);
    if (requ.userAgent !== '') fields['user_agent'] = { original: requ.userAgent };
    method = requ.method;
    query = `${requ.method} ${path}`;
    if (requ.username !== '') {
      user = requ.username;
      fields['user'] = { name: requ.username };
    }
    notes.push(...requ.notes);
  }

  if (resp !== null) {
    applyBodyDecoding(resp, cfg);
    const response: Record<string, unknown> = { bytes: resp.size };
    if (resp.statusCode !== 0) response['status_code'] = resp.statusCode;
    if (resp.statusPhrase !== '') response['status_phrase'] = resp.statusPhrase.toLowerCase();
    bodyFields(resp, response);
    response['headers'] = collectHeaders(resp, cfg);
    http['response'] = response;
    notes.push(...resp.notes);
  }
  fields['http'] = http;

  const first = requ ?? resp;
  const tx: Transaction = {
    conn,
    type: 'http',
    status,
    start: first?.ts ?? 0,
    // Packetbeat's event.end is the time of the response's first packet.
    ...(resp !== null ? { end: resp.ts } : {}),
    ...(method !== undefined ? { method } : {}),
    ...(query !== undefined ? { query } : {}),
    ...(requ !== null ? { requestBytes: requ.size } : {}),
    ...(resp !== null ? { responseBytes: resp.size } : {}),
    ...(requ !== null && cfg.sendRequest ? { request: rawMessage(requ) } : {}),
    ...(resp !== null && cfg.sendResponse ? { response: rawMessage(resp) } : {}),
    ...(notes.length > 0 ? { notes } : {}),
    ...(user !== undefined ? { user } : {}),
    ...(hosts.length > 0 ? { hosts } : {}),
    fields,
  };
  return tx;
}
