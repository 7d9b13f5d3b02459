import type { DecodedPacket } from '../decode/decoded-packet.js';

/*
 * A flow key is KEY_WORDS 32-bit words, read straight from the packet bytes
 * (no allocation): what identifies a bidirectional flow.
 *
 *   word 0      (ipVersion << 8) | IP protocol
 *   word 1      ((vlan0 + 1) << 16) | (vlan1 + 1)   (0 = no tag)
 *   words 2-5   source address (IPv4: word 2 only, the rest 0)
 *   words 6-9   destination address
 *   word 10     (source port << 16) | destination port
 *               (ICMP/ICMPv6 echo: the echo identifier on both sides, so
 *               request and reply share a flow and each ping session is one)
 *
 * Words are stored as signed 32-bit integers (as Int32Array holds them).
 */
export const KEY_WORDS = 11;
export const W_PROTO = 0;
export const W_VLAN = 1;
export const W_SRC = 2;
export const W_DST = 6;
export const W_PORTS = 10;

/** Big-endian 32-bit word at `o`, as a signed int. */
function word(d: Uint8Array, o: number): number {
  return (d[o]! << 24) | (d[o + 1]! << 16) | (d[o + 2]! << 8) | d[o + 3]!;
}

/** ICMPv4 echo request/reply and ICMPv6 echo request/reply carry an identifier. */
function isEcho(protocol: number, type: number): boolean {
  return protocol === 1 ? type === 8 || type === 0 : type === 128 || type === 129;
}

/**
 * Writes the key of `pkt` (an IPv4 or IPv6 packet) into `out` in the
 * packet's own direction.
 */
export function readFlowKey(pkt: DecodedPacket, out: Int32Array): void {
  const d = pkt.data;
  const s = pkt.srcIpOffset;
  const t = pkt.dstIpOffset;
  const proto = pkt.protocol;
  out[W_PROTO] = (pkt.ipVersion << 8) | proto;
  out[W_VLAN] = ((pkt.vlan0 + 1) << 16) | ((pkt.vlan1 + 1) & 0xffff);
  if (pkt.ipVersion === 4) {
    out[2] = word(d, s);
    out[3] = 0;
    out[4] = 0;
    out[5] = 0;
    out[6] = word(d, t);
    out[7] = 0;
    out[8] = 0;
    out[9] = 0;
  } else {
    out[2] = word(d, s);
    out[3] = word(d, s + 4);
    out[4] = word(d, s + 8);
    out[5] = word(d, s + 12);
    out[6] = word(d, t);
    out[7] = word(d, t + 4);
    out[8] = word(d, t + 8);
    out[9] = word(d, t + 12);
  }
  if ((proto === 1 || proto === 58) && pkt.payloadLength >= 8) {
    const p = pkt.payloadOffset;
    if (isEcho(proto, d[p]!)) {
      const id = (d[p + 4]! << 8) | d[p + 5]!;
      out[W_PORTS] = (id << 16) | id;
      return;
    }
  }
  out[W_PORTS] = ((pkt.srcPort & 0xffff) << 16) | (pkt.dstPort & 0xffff);
}

/** A 32-bit finaliser (good avalanche in a handful of operations). */
function mix(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  return x ^ (x >>> 16);
}

/** One endpoint: its address words from `base` and a 16-bit port. */
function side(k: Int32Array, base: number, port: number): number {
  return mix(
    (k[base]! + Math.imul(k[base + 1]!, 0x9e3779b1) + Math.imul(k[base + 2]!, 0x85ebca77) + Math.imul(k[base + 3]!, 0xc2b2ae3d) + Math.imul(port + 1, 0x27d4eb2f)) | 0,
  );
}

/**
 * A 32-bit hash of a flow key that is the same in both directions: the two
 * endpoints are hashed on their own and combined by addition. Cheap rather
 * than collision-proof: the table compares the key words on every hit.
 */
export function flowKeyHash(k: Int32Array): number {
  const ports = k[W_PORTS]!;
  const ends = (side(k, W_SRC, ports >>> 16) + side(k, W_DST, ports & 0xffff)) | 0;
  return mix(ends ^ Math.imul(k[W_PROTO]!, 0x165667b1) ^ Math.imul(k[W_VLAN]! + 1, 0xd3a2646c));
}
