import type { CommonProtocolConfig, ConnectionInfo, Direction, TcpHandlers, Transaction } from '@packetbeat-ts/protocol-sdk';
import { recordingContext } from '../../support/plugin-context.js';
import { DEFAULT_MAX_MESSAGE_SIZE, type HttpOptions } from '../../../src/protocols/http/config.js';
import { httpPlugin, type HttpConnection } from '../../../src/protocols/http/plugin.js';

export type TestConfig = Partial<HttpOptions & CommonProtocolConfig>;

const DEFAULTS: HttpOptions & CommonProtocolConfig = {
  enabled: true,
  ports: [80],
  send_request: false,
  send_response: false,
  transaction_timeout: 10_000,
  send_headers: [],
  send_all_headers: false,
  split_cookie: false,
  real_ip_header: '',
  include_body_for: [],
  include_request_body_for: [],
  include_response_body_for: [],
  decode_body: true,
  hide_keywords: [],
  redact_authorization: false,
  redact_headers: [],
  max_message_size: DEFAULT_MAX_MESSAGE_SIZE,
};

export type Split = 'whole' | 'bytes' | number;

export interface Harness {
  readonly reported: Transaction[];
  readonly counters: Record<string, number>;
  readonly conn: ConnectionInfo;
  readonly state: HttpConnection;
  /** Sends bytes in `dir`, whole, byte by byte, or in chunks of n bytes. */
  send(dir: Direction, data: string | Uint8Array, split?: Split): void;
  gap(dir: Direction, length: number): boolean;
  fin(dir: Direction): void;
  close(): void;
  expire(): void;
  /** Sets the packet clock (µs). */
  at(us: number): Harness;
}

export function connection(serverPort = 80): ConnectionInfo {
  return { id: 1, transport: 'tcp', client: { ip: '10.0.0.1', port: 40000 }, server: { ip: '10.0.0.2', port: serverPort }, vlans: [] };
}

export function harness(config: TestConfig = {}, conn: ConnectionInfo = connection()): Harness {
  const { ctx, reported, counters, clock } = recordingContext<HttpOptions>({ ...DEFAULTS, ...config });
  const analyzer = httpPlugin.create(ctx);
  const tcp = analyzer.tcp as TcpHandlers<HttpConnection>;
  const state = tcp.init(conn);
  const h: Harness = {
    reported,
    counters,
    conn,
    state,
    send(dir, data, split = 'whole') {
      // Hand the plugin a view into a bigger buffer that we scribble over
      // afterwards, to prove it copies what it keeps.
      const bytes = typeof data === 'string' ? Buffer.from(data, 'latin1') : Buffer.from(data);
      const size = split === 'whole' ? bytes.length : split === 'bytes' ? 1 : split;
      for (let i = 0; i < bytes.length; i += size) {
        const piece = bytes.subarray(i, Math.min(bytes.length, i + size));
        const scratch = Buffer.alloc(piece.length + 8, 0x58);
        piece.copy(scratch, 4);
        const view = scratch.subarray(4, 4 + piece.length);
        tcp.onData(state, conn, dir, view);
        scratch.fill(0x5a);
      }
    },
    gap: (dir, length) => tcp.onGap?.(state, conn, dir, length) ?? false,
    fin: (dir) => tcp.onFin?.(state, conn, dir),
    close: () => tcp.onClose?.(state, conn, 'fin'),
    expire: () => analyzer.expire?.(clock.now),
    at(us) {
      clock.now = us;
      return h;
    },
  };
  return h;
}

/** Flattens nested objects into dotted keys (arrays and non-objects are leaves). */
export function flatten(value: Record<string, unknown>, prefix = '', out: Record<string, unknown> = {}): Record<string, unknown> {
  for (const [key, v] of Object.entries(value)) {
    const name = prefix === '' ? key : `${prefix}.${key}`;
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) flatten(v as Record<string, unknown>, name, out);
    else out[name] = v;
  }
  return out;
}

/** The transaction's protocol fields flattened, with the root fields Packetbeat puts beside them. */
export function doc(tx: Transaction): Record<string, unknown> {
  const out = flatten(tx.fields);
  out['type'] = tx.type;
  out['status'] = tx.status;
  if (tx.method !== undefined) out['method'] = tx.method;
  if (tx.query !== undefined) out['query'] = tx.query;
  return out;
}

export function only<T>(list: readonly T[]): T {
  if (list.length !== 1) throw new Error(`expected exactly one item, got ${list.length}`);
  return list[0] as T;
}
