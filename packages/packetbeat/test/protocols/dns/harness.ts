import type { CommonProtocolConfig, ConnectionInfo, Direction, Transaction } from '@packetbeat-ts/protocol-sdk';
import { recordingContext } from '../../support/plugin-context.js';
import type { DnsOptions } from '../../../src/protocols/dns/config.js';
import { dnsPlugin, type DnsTcpState } from '../../../src/protocols/dns/plugin.js';

export type TestConfig = Partial<DnsOptions & CommonProtocolConfig>;

const DEFAULTS: DnsOptions & CommonProtocolConfig = {
  enabled: true,
  ports: [53],
  send_request: false,
  send_response: false,
  transaction_timeout: 10_000,
  include_authorities: false,
  include_additionals: false,
  max_pending_queries: 10_000,
};

export interface Harness {
  readonly reported: Transaction[];
  readonly counters: Record<string, number>;
  udp(dir: Direction, data: Uint8Array, conn?: ConnectionInfo): void;
  tcp(dir: Direction, data: Uint8Array): void;
  tcpState(): DnsTcpState;
  expire(now?: number): void;
  now: number;
}

export function conn(transport: 'udp' | 'tcp', clientPort = 40000): ConnectionInfo {
  return { id: clientPort, transport, client: { ip: '10.0.0.1', port: clientPort }, server: { ip: '10.0.0.53', port: 53 }, vlans: [] };
}

export function harness(config: TestConfig = {}): Harness {
  const h = { now: 1_700_000_000_000_000 } as Harness;
  const { ctx, reported, counters } = recordingContext<DnsOptions>({ ...DEFAULTS, ...config }, h);
  const analyzer = dnsPlugin.create(ctx);
  const tcpConn = conn('tcp', 50000);
  let state: DnsTcpState | undefined;
  Object.assign(h, {
    reported,
    counters,
    udp: (dir: Direction, data: Uint8Array, c = conn('udp')) => analyzer.udp?.onDatagram(c, dir, data),
    tcp: (dir: Direction, data: Uint8Array) => {
      state ??= analyzer.tcp?.init(tcpConn);
      analyzer.tcp?.onData(state as DnsTcpState, tcpConn, dir, data);
    },
    tcpState: () => {
      state ??= analyzer.tcp?.init(tcpConn);
      return state as DnsTcpState;
    },
    expire: (now = h.now) => analyzer.expire?.(now),
  });
  return h;
}

// ---- a small DNS message builder for tests ----

export function name(n: string): number[] {
  if (n === '.' || n === '') return [0];
  const out: number[] = [];
  for (const label of n.replace(/\.$/, '').split('.')) {
    out.push(label.length, ...Buffer.from(label, 'latin1'));
  }
  out.push(0);
  return out;
}

export const u16 = (v: number): number[] => [(v >> 8) & 0xff, v & 0xff];
export const u32 = (v: number): number[] => [(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];

export interface Rr {
  name: string;
  type: number;
  class?: number;
  ttl?: number;
  rdata: number[];
}

export interface MsgSpec {
  id?: number;
  response?: boolean;
  flags?: number; // raw 16-bit flags beyond QR
  rcode?: number;
  questions?: { name: string; type: number; class?: number }[];
  answers?: Rr[];
  authorities?: Rr[];
  additionals?: Rr[];
}

function rr(r: Rr): number[] {
  return [...name(r.name), ...u16(r.type), ...u16(r.class ?? 1), ...u32(r.ttl ?? 300), ...u16(r.rdata.length), ...r.rdata];
}

export function msg(spec: MsgSpec): Uint8Array {
  const flags = (spec.response === true ? 0x8000 : 0) | (spec.flags ?? 0x0100) | (spec.rcode ?? 0);
  const qs = spec.questions ?? [{ name: 'www.example.com', type: 1 }];
  const an = spec.answers ?? [];
  const ns = spec.authorities ?? [];
  const ar = spec.additionals ?? [];
  const bytes = [...u16(spec.id ?? 0x1234), ...u16(flags), ...u16(qs.length), ...u16(an.length), ...u16(ns.length), ...u16(ar.length)];
  for (const q of qs) bytes.push(...name(q.name), ...u16(q.type), ...u16(q.class ?? 1));
  for (const r of [...an, ...ns, ...ar]) bytes.push(...rr(r));
  return Uint8Array.from(bytes);
}

export function tcpFrame(m: Uint8Array): Uint8Array {
  return Uint8Array.from([...u16(m.length), ...m]);
}

export function fields(tx: Transaction | undefined): Record<string, unknown> {
  if (tx === undefined) throw new Error('no transaction');
  return tx.fields['dns'] as Record<string, unknown>;
}
