import type { Micros } from '@packetbeat-ts/protocol-sdk';

export interface HttpVersion {
  readonly major: number;
  readonly minor: number;
}

/** One shared object per version a message can carry (messages only read them). */
const VERSIONS: readonly (readonly HttpVersion[])[] = [0, 1].map((major) => [0, 1, 2].map((minor) => Object.freeze({ major, minor })));
export const HTTP_1_0: HttpVersion = versionOf(1, 0);

/** The shared object of HTTP/`major`.`minor` (major 0–1, minor 0–2). */
export function versionOf(major: number, minor: number): HttpVersion {
  return VERSIONS[major]?.[minor] ?? Object.freeze({ major, minor });
}

/** One parsed HTTP request or response. */
export interface HttpMessage {
  isRequest: boolean;
  /** Packet time of the message's first byte. */
  ts: Micros;
  /** Packet time of the message's last byte (or of the FIN/close that ended it). */
  endTs: Micros;
  version: HttpVersion;
  /** Requests. */
  method: string;
  requestUri: string;
  /** Responses. */
  statusCode: number;
  statusPhrase: string;

  hasContentLength: boolean;
  /** Content-Length, or the decoded size of a chunked / close-delimited body once read. */
  contentLength: number;
  contentType: string;
  /** `Connection` header, lower-cased. */
  connection: string;
  isChunked: boolean;
  /** Content-Encoding then non-chunked Transfer-Encoding codings, lower-case, in the order applied by the sender. */
  encodings: string[];
  host: string;
  referer: string;
  userAgent: string;
  realIp: string;
  /** Captured headers (per send_headers), lower-case names, duplicates joined with ", ". */
  headers: Map<string, string>;

  /** Start line + headers + blank line, as captured (redaction rewrites it). */
  rawHeaders: Buffer;
  /** Length of the start line including its CRLF. */
  headerOffset: number;
  /** Bytes on the wire: headers plus body (chunk framing included). */
  size: number;

  /** The body is published (content type matches include_*_body_for). */
  sendBody: boolean;
  /** The body is kept (sendBody, or a url-encoded form to read parameters from). */
  saveBody: boolean;
  body: Buffer;

  notes: string[];
  username: string;
}

/** The empty bytes every message starts with (length 0: nothing can write into it). */
export const NO_BYTES: Buffer = Buffer.alloc(0);

export function versionString(v: HttpVersion): string {
  return `${v.major}.${v.minor}`;
}

export function newMessage(ts: Micros): HttpMessage {
  return {
    isRequest: false,
    ts,
    endTs: ts,
    version: HTTP_1_0,
    method: '',
    requestUri: '',
    statusCode: 0,
    statusPhrase: '',
    hasContentLength: false,
    contentLength: 0,
    contentType: '',
    connection: '',
    isChunked: false,
    encodings: [],
    host: '',
    referer: '',
    userAgent: '',
    realIp: '',
    headers: new Map(),
    rawHeaders: NO_BYTES,
    headerOffset: 0,
    size: 0,
    sendBody: false,
    saveBody: false,
    body: NO_BYTES,
    notes: [],
    username: '',
  };
}
