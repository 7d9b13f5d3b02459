import type { CommonProtocolConfig, ConnectionInfo, Direction, ProtocolContext, TcpHandlers, Transaction } from '@packetbeat-ts/protocol-sdk';
import { DEFAULT_QUEUE_MAX_BYTES, DEFAULT_QUEUE_MAX_MESSAGES, type RedisOptions } from '../../../src/protocols/redis/config.js';
import { redisPlugin, type RedisConnection } from '../../../src/protocols/redis/plugin.js';

export type TestConfig = Partial<RedisOptions & CommonProtocolConfig>;

const DEFAULTS: RedisOptions & CommonProtocolConfig = {
  enabled: true,
  ports: [6379],
  send_request: false,
  send_response: false,
  transaction_timeout: 10_000,
  queue_max_bytes: DEFAULT_QUEUE_MAX_BYTES,
  queue_max_messages: DEFAULT_QUEUE_MAX_MESSAGES,
};

export interface Harness {
  readonly reported: Transaction[];
  readonly counters: Record<string, number>;
  readonly state: RedisConnection;
  /** Sends bytes in `dir`: whole, byte by byte, or in chunks of n bytes. */
  send(dir: Direction, data: string | Uint8Array, split?: 'whole' | 'bytes' | number): Harness;
  req(data: string, split?: 'whole' | 'bytes' | number): Harness;
  resp(data: string, split?: 'whole' | 'bytes' | number): Harness;
  gap(dir: Direction, length: number): boolean;
  close(): void;
  expire(): void;
  at(us: number): Harness;
}

export function connection(): ConnectionInfo {
  return { id: 1, transport: 'tcp', client: { ip: '10.0.0.1', port: 40000 }, server: { ip: '10.0.0.2', port: 6379 }, vlans: [] };
}

export function harness(config: TestConfig = {}): Harness {
  let now = 1_000_000;
  const reported: Transaction[] = [];
  const counters: Record<string, number> = {};
  const ctx: ProtocolContext<RedisOptions> = {
    config: { ...DEFAULTS, ...config },
    now: () => now,
    report: (tx) => reported.push(tx),
    log: { debug() {}, info() {}, warn() {}, error() {}, isDebugEnabled: () => true },
    counter: (name) => ({
      inc(n = 1) {
        counters[name] = (counters[name] ?? 0) + n;
      },
    }),
  };
  const analyzer = redisPlugin.create(ctx);
  const tcp = analyzer.tcp as TcpHandlers<RedisConnection>;
  const conn = connection();
  const state = tcp.init(conn);
  const h: Harness = {
    reported,
    counters,
    state,
    send(dir, data, split = 'whole') {
      const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : Buffer.from(data);
      const size = split === 'whole' ? Math.max(1, bytes.length) : split === 'bytes' ? 1 : split;
      for (let i = 0; i < bytes.length; i += size) {
        const piece = bytes.subarray(i, Math.min(bytes.length, i + size));
        // A view into a scratch buffer scribbled over afterwards: proves the plugin copies what it keeps.
        const scratch = Buffer.alloc(piece.length + 8, 0x58);
        piece.copy(scratch, 4);
        tcp.onData(state, conn, dir, scratch.subarray(4, 4 + piece.length));
        scratch.fill(0x5a);
      }
      return h;
    },
    req: (data, split) => h.send(0, data, split),
    resp: (data, split) => h.send(1, data, split),
    gap: (dir, length) => tcp.onGap?.(state, conn, dir, length) ?? false,
    close: () => tcp.onClose?.(state, conn, 'end'),
    expire: () => analyzer.expire?.(now),
    at(us) {
      now = us;
      return h;
    },
  };
  return h;
}

/** A RESP array of bulk strings, as clients send commands. */
export function command(...args: string[]): string {
  return `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`;
}

/** The published protocol fields of a transaction, flat. */
export function summary(tx: Transaction): Record<string, unknown> {
  const redis = (tx.fields['redis'] ?? {}) as Record<string, unknown>;
  return {
    status: tx.status,
    method: tx.method,
    resource: tx.resource,
    query: tx.query,
    ...('return_value' in redis ? { return_value: redis['return_value'] } : {}),
    ...('error' in redis ? { error: redis['error'] } : {}),
  };
}
