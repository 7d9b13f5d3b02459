import { NOT_IP, TRUNCATED, UNSUPPORTED_LINK, BAD_IP_HEADER, u16 } from './codes.js';
import type { DecodedPacket } from './decoded-packet.js';

/*
 * Link layers. `decodeLink` returns the offset of the IP header (>= 0) with
 * `out.ipVersion` set to 4 or 6 (and `out.vlan0`/`out.vlan1` when tagged), or
 * the negated result code (`-TRUNCATED`, `-NOT_IP`, …).
 */

export const EtherType = {
  IPV4: 0x0800,
  ARP: 0x0806,
  VLAN: 0x8100,
  IPV6: 0x86dd,
  MPLS: 0x8847,
  MPLS_MULTICAST: 0x8848,
  PPPOE_SESSION: 0x8864,
  QINQ: 0x88a8,
  QINQ_OLD: 0x9100,
  QINQ_OLD2: 0x9200,
} as const;

/** Address family values of BSD null/loopback headers that mean IPv4 / IPv6. */
const AF_INET = 2;
function isAfInet6(f: number): boolean {
  // 24: NetBSD/OpenBSD, 28: FreeBSD/DragonFly, 30: macOS/iOS, 23: Windows (Npcap loopback).
  return f === 24 || f === 28 || f === 30 || f === 23;
}

/** At most this many VLAN tags / MPLS labels are walked (deeper stacks are not IP we decode). */
const MAX_TAGS = 8;

export function decodeLink(d: Buffer, off: number, end: number, linkType: number, out: DecodedPacket): number {
  // Ethernet first and small enough to be inlined into the caller; the rest out of line.
  if (linkType === 1) {
    if (end - off < 14) return -TRUNCATED;
    return etherPayload(d, u16(d, off + 12), off + 14, end, out);
  }
  return otherLink(d, off, end, linkType, out);
}

function otherLink(d: Buffer, off: number, end: number, linkType: number, out: DecodedPacket): number {
  switch (linkType) {
    case 113: // LINUX_SLL: type(2) arphrd(2) addrlen(2) addr(8) protocol(2)
      if (end - off < 16) return -TRUNCATED;
      return etherPayload(d, u16(d, off + 14), off + 16, end, out);
    case 276: // LINUX_SLL2: protocol(2) reserved(2) ifindex(4) arphrd(2) pkttype(1) addrlen(1) addr(8)
      if (end - off < 20) return -TRUNCATED;
      return etherPayload(d, u16(d, off), off + 20, end, out);
    case 0: // NULL: 4-byte family in the capturing host's byte order
    case 108: {
      // LOOP: network byte order (both orders are accepted for either type)
      if (end - off < 4) return -TRUNCATED;
      let fam = (d[off]! | (d[off + 1]! << 8) | (d[off + 2]! << 16) | (d[off + 3]! << 24)) >>> 0;
      if (fam > 0xffff) fam = ((d[off]! << 24) | (d[off + 1]! << 16) | (d[off + 2]! << 8) | d[off + 3]!) >>> 0;
      if (fam === AF_INET) out.ipVersion = 4;
      else if (isAfInet6(fam)) out.ipVersion = 6;
      else return -NOT_IP;
      return off + 4;
    }
    case 101: // RAW (LINKTYPE)
    case 12: // DLT_RAW on most systems (live captures report DLT values)
    case 14: {
      // DLT_RAW on OpenBSD
      if (end - off < 1) return -TRUNCATED;
      const v = d[off]! >> 4;
      if (v !== 4 && v !== 6) return -BAD_IP_HEADER;
      out.ipVersion = v;
      return off;
    }
    case 228: // IPV4
      out.ipVersion = 4;
      return off;
    case 229: // IPV6
      out.ipVersion = 6;
      return off;
    default:
      return -UNSUPPORTED_LINK;
  }
}

/** Dispatches on an EtherType whose payload starts at `p`. IPv4 and IPv6 inline; tags and tunnels out of line. */
function etherPayload(d: Buffer, type: number, p: number, end: number, out: DecodedPacket): number {
  if (type === 0x0800) {
    out.ipVersion = 4;
    return p;
  }
  if (type === 0x86dd) {
    out.ipVersion = 6;
    return p;
  }
  return etherTagged(d, type, p, end, out);
}

/**
 * VLAN tag stacks (802.1Q, 802.1ad and the old 0x9100/0x9200 QinQ TPIDs),
 * PPPoE sessions and MPLS label stacks, walked down to IPv4/IPv6.
 */
function etherTagged(d: Buffer, type: number, p: number, end: number, out: DecodedPacket): number {
  let tags = 0;
  while (type === 0x8100 || type === 0x88a8 || type === 0x9100 || type === 0x9200) {
    if (end - p < 4) return -TRUNCATED;
    if (tags === 0) out.vlan0 = u16(d, p) & 0x0fff;
    else if (tags === 1) out.vlan1 = u16(d, p) & 0x0fff;
    if (++tags > MAX_TAGS) return -NOT_IP;
    type = u16(d, p + 2);
    p += 4;
  }
  if (type === 0x0800) {
    out.ipVersion = 4;
    return p;
  }
  if (type === 0x86dd) {
    out.ipVersion = 6;
    return p;
  }
  return etherTunnel(d, type, p, end, out);
}

function etherTunnel(d: Buffer, type: number, p: number, end: number, out: DecodedPacket): number {
  if (type === 0x8864) {
    // PPPoE session: ver/type(1) code(1) session(2) length(2), then the PPP protocol (2).
    if (end - p < 8) return -TRUNCATED;
    const proto = u16(d, p + 6);
    if (proto === 0x0021) out.ipVersion = 4;
    else if (proto === 0x0057) out.ipVersion = 6;
    else return -NOT_IP;
    return p + 8;
  }
  if (type === 0x8847 || type === 0x8848) {
    // MPLS: 4-byte labels until the bottom-of-stack bit, then IP by its version nibble.
    for (let n = 0; ; n++) {
      if (end - p < 4) return -TRUNCATED;
      const bottom = (d[p + 2]! & 1) !== 0;
      p += 4;
      if (bottom) break;
      if (n >= MAX_TAGS) return -NOT_IP;
    }
    if (end - p < 1) return -TRUNCATED;
    const v = d[p]! >> 4;
    if (v !== 4 && v !== 6) return -NOT_IP;
    out.ipVersion = v;
    return p;
  }
  return -NOT_IP;
}
