import type { BeatEvent } from '@packetbeat-ts/libbeat';
import { DecodedPacket } from '../../src/decode/decoded-packet.js';
import { FlowTable, type FlowTableOptions } from '../../src/flows/flow-table.js';

/** IPv4 dotted quad or uncompressed IPv6 groups: enough for tests (the real one is decode/ip-text.ts). */
export function testFormatIp(data: Uint8Array, offset: number, ipVersion: number): string {
  if (ipVersion === 4) return `${data[offset]}.${data[offset + 1]}.${data[offset + 2]}.${data[offset + 3]}`;
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((((data[offset + i] ?? 0) << 8) | (data[offset + i + 1] ?? 0)).toString(16));
  return groups.join(':');
}

export function ipBytes(ip: string): number[] {
  if (ip.includes('.')) return ip.split('.').map(Number);
  const out: number[] = [];
  for (const g of ip.split(':')) {
    const n = parseInt(g, 16);
    out.push(n >> 8, n & 0xff);
  }
  return out;
}

export interface PacketSpec {
  src: string;
  dst: string;
  /** 6 TCP (default), 17 UDP, 1 ICMP, 58 ICMPv6, other. */
  proto?: number;
  sport?: number;
  dport?: number;
  len?: number;
  vlan0?: number;
  vlan1?: number;
  /** ICMP type, code, identifier (the message is put in the payload). */
  icmp?: [number, number, number];
  /** Build an Ethernet frame with these MACs before the IP header. */
  macs?: [number[], number[]];
}

/** A hand-filled DecodedPacket: addresses (and an ICMP message) in a small Buffer. */
export function packet(spec: PacketSpec, pkt = new DecodedPacket()): DecodedPacket {
  const src = ipBytes(spec.src);
  const dst = ipBytes(spec.dst);
  const v6 = src.length === 16;
  const bytes: number[] = [];
  let srcOff: number;
  if (spec.macs !== undefined) {
    bytes.push(...spec.macs[1], ...spec.macs[0]); // destination, source
    const tags = [spec.vlan0, spec.vlan1].filter((v): v is number => v !== undefined && v >= 0);
    for (const t of tags) bytes.push(0x81, 0x00, t >> 8, t & 0xff);
    bytes.push(v6 ? 0x86 : 0x08, v6 ? 0xdd : 0x00);
  }
  const ipStart = bytes.length;
  if (v6) {
    bytes.push(...new Array<number>(8).fill(0));
    srcOff = ipStart + 8;
  } else {
    bytes.push(...new Array<number>(12).fill(0));
    srcOff = ipStart + 12;
  }
  bytes.push(...src, ...dst);
  const payloadOffset = bytes.length;
  if (spec.icmp !== undefined) {
    const [type, code, id] = spec.icmp;
    bytes.push(type, code, 0, 0, id >> 8, id & 0xff, 0, 1);
  }
  pkt.data = Buffer.from(bytes);
  pkt.linkType = spec.macs !== undefined ? 1 : 101;
  pkt.ipVersion = v6 ? 6 : 4;
  pkt.srcIpOffset = srcOff;
  pkt.dstIpOffset = srcOff + src.length;
  pkt.protocol = spec.proto ?? 6;
  pkt.srcPort = spec.sport ?? 0;
  pkt.dstPort = spec.dport ?? 0;
  pkt.vlan0 = spec.vlan0 ?? -1;
  pkt.vlan1 = spec.vlan1 ?? -1;
  pkt.origLen = spec.len ?? 100;
  pkt.payloadOffset = payloadOffset;
  pkt.payloadLength = bytes.length - payloadOffset;
  pkt.reassembled = false;
  return pkt;
}

export const SEC = 1_000_000;

export function makeTable(opts: Partial<FlowTableOptions> = {}): { table: FlowTable; events: BeatEvent[] } {
  const events: BeatEvent[] = [];
  const table = new FlowTable({
    timeoutUs: 30 * SEC,
    periodUs: 10 * SEC,
    maxFlows: 1000,
    formatIp: testFormatIp,
    publish: (e) => events.push(e),
    ...opts,
  });
  return { table, events };
}
