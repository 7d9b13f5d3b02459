import type { ConfigSchema } from '@packetbeat-ts/protocol-sdk';

/** Packetbeat's default `max_message_size` (tcp.TCPMaxDataInStream): 10 MiB. */
export const DEFAULT_MAX_MESSAGE_SIZE = 10 * 1024 * 1024;

/** The HTTP plugin's own options, as Packetbeat's `packetbeat.protocols: - type: http` accepts them. */
export interface HttpOptions {
  /**
   * Header names to capture into `http.{request,response}.headers`
   * (case-insensitive). `true` captures every header (same as
   * `send_all_headers: true`); `false` or `[]` captures none.
   */
  readonly send_headers: readonly string[] | boolean;
  /** Capture every header. */
  readonly send_all_headers: boolean;
  /** Publish `Cookie` / `Set-Cookie` as objects of cookie name → value. */
  readonly split_cookie: boolean;
  /** Header holding the client's real address (first of a comma list) → `network.forwarded_ip`. */
  readonly real_ip_header: string;
  /** Content-type substrings whose bodies are published, both directions. */
  readonly include_body_for: readonly string[];
  readonly include_request_body_for: readonly string[];
  readonly include_response_body_for: readonly string[];
  /** Decode gzip / deflate bodies before publishing them. */
  readonly decode_body: boolean;
  /** Query and form parameter names whose values become `xxxxx` in `url.query`. */
  readonly hide_keywords: readonly string[];
  /** Obscure `Authorization` / `Proxy-Authorization` (headers and raw request); no `user.name` then. */
  readonly redact_authorization: boolean;
  /** Captured headers whose values become `REDACTED`. */
  readonly redact_headers: readonly string[];
  /** Largest message kept in memory; bigger bodies are truncated and noted. */
  readonly max_message_size: number;
}

/** Convict-style schema of the options above (the common ones come from the framework). */
export const httpConfigSchema: ConfigSchema = {
  send_headers: {
    doc: 'Headers to capture into http.*.headers (list of names, case-insensitive). The boolean mode is send_all_headers; a literal true here is read as send_all_headers',
    format: 'string-list',
    default: [],
  },
  send_all_headers: { doc: 'Capture all headers', format: 'bool', default: false },
  split_cookie: { doc: 'Split Cookie and Set-Cookie headers into name/value objects', format: 'bool', default: false },
  real_ip_header: { doc: 'Header carrying the real client IP (e.g. X-Forwarded-For), published as network.forwarded_ip', format: 'string', default: '' },
  include_body_for: { doc: 'Content-type substrings whose request and response bodies are published', format: 'string-list', default: [] },
  include_request_body_for: { doc: 'Content-type substrings whose request bodies are published', format: 'string-list', default: [] },
  include_response_body_for: { doc: 'Content-type substrings whose response bodies are published', format: 'string-list', default: [] },
  decode_body: { doc: 'Decode gzip and deflate encoded bodies', format: 'bool', default: true },
  hide_keywords: { doc: 'Query/form parameters whose values are replaced by xxxxx', format: 'string-list', default: [] },
  redact_authorization: { doc: 'Obscure Authorization and Proxy-Authorization headers', format: 'bool', default: false },
  redact_headers: { doc: 'Captured headers whose values are replaced by REDACTED', format: 'string-list', default: [] },
  max_message_size: { doc: 'Maximum size in bytes of a message kept in memory', format: 'non-negative-int', default: DEFAULT_MAX_MESSAGE_SIZE },
};

/** The options digested for the parser and the event builder. */
export interface ResolvedHttpConfig {
  readonly sendHeaders: boolean;
  readonly sendAllHeaders: boolean;
  /** Lower-case names; used when `sendHeaders && !sendAllHeaders`. */
  readonly headersWhitelist: ReadonlySet<string>;
  readonly splitCookie: boolean;
  /** Lower-case, '' when unset. */
  readonly realIpHeader: string;
  readonly includeRequestBodyFor: readonly string[];
  readonly includeResponseBodyFor: readonly string[];
  readonly decodeBody: boolean;
  readonly hideKeywords: readonly string[];
  readonly redactAuthorization: boolean;
  /** Lower-case names. */
  readonly redactHeaders: readonly string[];
  readonly maxMessageSize: number;
  readonly sendRequest: boolean;
  readonly sendResponse: boolean;
  /** Microseconds. */
  readonly transactionTimeoutUs: number;
}

function list(value: unknown): string[] {
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  if (typeof value === 'string' && value !== '') return value.split(',').map((s) => s.trim()).filter((s) => s !== '');
  return [];
}

/**
 * Normalises a (possibly partial) config: missing keys take Packetbeat's
 * defaults, so the plugin works with whatever the loader hands it.
 */
export function resolveHttpConfig(raw: Partial<HttpOptions> & { send_request?: boolean; send_response?: boolean; transaction_timeout?: number }): ResolvedHttpConfig {
  const sendAll = raw.send_all_headers === true || raw.send_headers === true;
  const whitelist = new Set(list(raw.send_headers).map((h) => h.toLowerCase()));
  const includeBody = list(raw.include_body_for);
  const timeoutMs = typeof raw.transaction_timeout === 'number' && raw.transaction_timeout > 0 ? raw.transaction_timeout : 10_000;
  return {
    sendHeaders: sendAll || whitelist.size > 0,
    sendAllHeaders: sendAll,
    headersWhitelist: whitelist,
    splitCookie: raw.split_cookie === true,
    realIpHeader: (raw.real_ip_header ?? '').toLowerCase(),
    includeRequestBodyFor: [...includeBody, ...list(raw.include_request_body_for)],
    includeResponseBodyFor: [...includeBody, ...list(raw.include_response_body_for)],
    decodeBody: raw.decode_body !== false,
    hideKeywords: list(raw.hide_keywords),
    redactAuthorization: raw.redact_authorization === true,
    redactHeaders: list(raw.redact_headers).map((h) => h.toLowerCase()),
    maxMessageSize: typeof raw.max_message_size === 'number' && raw.max_message_size > 0 ? raw.max_message_size : DEFAULT_MAX_MESSAGE_SIZE,
    sendRequest: raw.send_request === true,
    sendResponse: raw.send_response === true,
    transactionTimeoutUs: timeoutMs * 1000,
  };
}
