import type { CommonProtocolConfig, ConnectionInfo, Direction, ProtocolAnalyzer, Transaction } from '@packetbeat-ts/protocol-sdk';
import { recordingContext } from '../../support/plugin-context.js';
import type { MemcacheOptions } from '../../../src/protocols/memcache/config.js';
import { memcachePlugin, type MemcacheTcpConnection } from '../../../src/protocols/memcache/plugin.js';

export type TestConfig = Partial<MemcacheOptions & CommonProtocolConfig>;

const DEFAULTS: MemcacheOptions & CommonProtocolConfig = {
  enabled: true,
  ports: [11211],
  send_request: false,
  send_response: false,
  transaction_timeout: 10_000,
  parseunknown: false,
  maxvalues: 0,
  maxbytespervalue: 0,
  udptransactiontimeout: '10s',
};

export const CLIENT: Direction = 0;
export const SERVER: Direction = 1;

export function tcpConn(): ConnectionInfo {
  return { id: 1, transport: 'tcp', client: { ip: '10.0.0.1', port: 40000 }, server: { ip: '10.0.0.2', port: 11211 }, vlans: [] };
}

export function udpConn(): ConnectionInfo {
  return { id: 2, transport: 'udp', client: { ip: '10.0.0.1', port: 40001 }, server: { ip: '10.0.0.2', port: 11211 }, vlans: [] };
}

export interface Harness {
  readonly reported: Transaction[];
  readonly counters: Record<string, number>;
  readonly analyzer: ProtocolAnalyzer<MemcacheTcpConnection>;
  readonly state: MemcacheTcpConnection;
  /** Sends TCP bytes, whole or in chunks of `split` bytes. */
  send(dir: Direction, data: string | Uint8Array, split?: number): void;
  gap(dir: Direction, length: number): boolean;
  close(): void;
  /** Sends one UDP datagram (the 8-byte frame header is added unless `raw`). */
  datagram(dir: Direction, data: string | Uint8Array, header?: { id?: number; seq?: number; count?: number } | 'raw'): void;
  expire(now?: number): void;
  at(us: number): Harness;
  /** `memcache.request` / `memcache.response` of transaction i. */
  mc(i: number): { request?: Record<string, unknown>; response?: Record<string, unknown>; protocol_type?: string };
}

export function bytes(data: string | Uint8Array): Uint8Array {
  return typeof data === 'string' ? Buffer.from(data, 'latin1') : data;
}

export function udpFrame(id: number, seq: number, count: number, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + body.length);
  out.set([id >> 8, id & 0xff, seq >> 8, seq & 0xff, count >> 8, count & 0xff, 0, 0]);
  out.set(body, 8);
  return out;
}

export function harness(config: TestConfig = {}): Harness {
  const { ctx, reported, counters, clock } = recordingContext<MemcacheOptions>({ ...DEFAULTS, ...config });
  const analyzer = memcachePlugin.create(ctx);
  const tcp = analyzer.tcp;
  const udp = analyzer.udp;
  if (tcp === undefined || udp === undefined) throw new Error('memcache analyzer lacks tcp or udp handlers');
  const conn = tcpConn();
  const uconn = udpConn();
  const state = tcp.init(conn);
  const h: Harness = {
    reported,
    counters,
    analyzer,
    state,
    send(dir, data, split) {
      const b = bytes(data);
      const step = split ?? Math.max(1, b.length);
      for (let i = 0; i < b.length; i += step) tcp.onData(state, conn, dir, b.subarray(i, i + step));
    },
    gap: (dir, length) => tcp.onGap?.(state, conn, dir, length) ?? false,
    close: () => tcp.onClose?.(state, conn, 'end'),
    datagram(dir, data, header) {
      const b = bytes(data);
      if (header === 'raw') udp.onDatagram(uconn, dir, b);
      else udp.onDatagram(uconn, dir, udpFrame(header?.id ?? 0, header?.seq ?? 0, header?.count ?? 1, b));
    },
    expire: (at = Number.POSITIVE_INFINITY) => analyzer.expire?.(at),
    at(us) {
      clock.now = us;
      return h;
    },
    mc(i) {
      const tx = reported[i];
      if (tx === undefined) throw new Error(`no transaction ${i} (${reported.length} reported)`);
      return tx.fields['memcache'] as ReturnType<Harness['mc']>;
    },
  };
  return h;
}

/** A binary protocol message. */
export function bin(opts: {
  magic?: number;
  opcode: number;
  key?: string;
  extras?: number[];
  value?: Uint8Array | string;
  status?: number;
  opaque?: number;
  cas?: number;
}): Uint8Array {
  const key = Buffer.from(opts.key ?? '', 'utf8');
  const extras = Uint8Array.from(opts.extras ?? []);
  const value = typeof opts.value === 'string' ? Buffer.from(opts.value, 'latin1') : (opts.value ?? new Uint8Array(0));
  const total = extras.length + key.length + value.length;
  const out = Buffer.alloc(24 + total);
  out[0] = opts.magic ?? 0x80;
  out[1] = opts.opcode;
  out.writeUInt16BE(key.length, 2);
  out[4] = extras.length;
  out.writeUInt16BE(opts.status ?? 0, 6);
  out.writeUInt32BE(total, 8);
  out.writeUInt32BE(opts.opaque ?? 0, 12);
  out.writeBigUInt64BE(BigInt(opts.cas ?? 0), 16);
  out.set(extras, 24);
  out.set(key, 24 + extras.length);
  out.set(value, 24 + extras.length + key.length);
  return out;
}

export const u32 = (n: number): number[] => [(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
export const u64 = (n: number): number[] => [...u32(Math.floor(n / 0x100000000)), ...u32(n >>> 0)];
