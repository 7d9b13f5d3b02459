import type { DecodedPacket } from './decoded-packet.js';

/*
 * Address text and flow hashing. Addresses stay as bytes in the packet
 * buffer; these make strings only for fields that are emitted.
 */

const HEX: readonly string[] = Array.from({ length: 256 }, (_, i) => i.toString(16));

/*
 * IPv4 text comes from a small direct-mapped cache: the addresses of a
 * capture repeat (servers, busy clients), and every open connection keeps
 * its two strings, so sharing them and building them flat (one string, not
 * a chain of concatenations) saves memory at hundreds of thousands of
 * connections.
 */
const V4_CACHE_BITS = 12;
const v4CacheKeys = new Int32Array(1 << V4_CACHE_BITS);
const v4CacheTexts: (string | undefined)[] = new Array<string | undefined>(1 << V4_CACHE_BITS).fill(undefined);
const v4Scratch = Buffer.alloc(16);

/** The dotted-quad text of the 4 bytes at `off`. */
export function formatIPv4(d: Uint8Array, off: number): string {
  const addr = (d[off]! << 24) | (d[off + 1]! << 16) | (d[off + 2]! << 8) | d[off + 3]!;
  const slot = Math.imul(addr, 0x9e3779b1) >>> (32 - V4_CACHE_BITS);
  const cached = v4CacheTexts[slot];
  if (cached !== undefined && v4CacheKeys[slot] === addr) return cached;
  let n = 0;
  for (let i = 0; i < 4; i++) {
    if (i > 0) v4Scratch[n++] = 0x2e; // '.'
    n = writeDecimal(d[off + i]!, n);
  }
  const text = v4Scratch.toString('latin1', 0, n);
  v4CacheKeys[slot] = addr;
  v4CacheTexts[slot] = text;
  return text;
}

function writeDecimal(byte: number, at: number): number {
  if (byte >= 100) v4Scratch[at++] = 0x30 + ((byte / 100) | 0);
  if (byte >= 10) v4Scratch[at++] = 0x30 + (((byte / 10) | 0) % 10);
  v4Scratch[at++] = 0x30 + (byte % 10);
  return at;
}

function hexGroup(d: Uint8Array, i: number): string {
  const hi = d[i]!;
  const lo = d[i + 1]!;
  if (hi === 0) return HEX[lo]!;
  const l = HEX[lo]!;
  return HEX[hi]! + (l.length === 1 ? '0' + l : l);
}

/**
 * The RFC 5952 text of the 16 bytes at `off`: lower-case hex without
 * leading zeros, the longest run of two or more zero groups as `::` (the
 * first such run on ties, never a single group). IPv4-mapped addresses
 * print as plain `a.b.c.d`, as Go's net.IP does, so documents match Packetbeat's.
 */
export function formatIPv6(d: Uint8Array, off: number): string {
  // Longest zero run, leftmost on ties.
  let bestStart = -1;
  let bestLen = 1; // runs must be longer than this
  let runStart = -1;
  for (let g = 0; g < 8; g++) {
    const zero = d[off + 2 * g] === 0 && d[off + 2 * g + 1] === 0;
    if (zero) {
      if (runStart < 0) runStart = g;
      const len = g - runStart + 1;
      if (len > bestLen) {
        bestLen = len;
        bestStart = runStart;
      }
    } else {
      runStart = -1;
    }
  }
  // IPv4-mapped (::ffff:a.b.c.d): Go's net.IP.String() prints the IPv4 form.
  if (bestStart === 0 && bestLen === 5 && d[off + 10] === 0xff && d[off + 11] === 0xff) {
    return formatIPv4(d, off + 12);
  }
  let s = '';
  for (let g = 0; g < 8; g++) {
    if (g === bestStart) {
      s += '::';
      g += bestLen - 1;
      continue;
    }
    if (s.length !== 0 && !s.endsWith(':')) s += ':';
    s += hexGroup(d, off + 2 * g);
  }
  return s;
}

/** The text of the IPv4 (`version` 4) or IPv6 address at `off`. */
export function formatIp(d: Uint8Array, off: number, version: number): string {
  return version === 4 ? formatIPv4(d, off) : formatIPv6(d, off);
}

/** Source address text of a decoded packet ('' when it is not IP). */
export function sourceIp(p: DecodedPacket): string {
  return p.ipVersion === 0 ? '' : formatIp(p.data, p.srcIpOffset, p.ipVersion);
}

/** Destination address text of a decoded packet ('' when it is not IP). */
export function destinationIp(p: DecodedPacket): string {
  return p.ipVersion === 0 ? '' : formatIp(p.data, p.dstIpOffset, p.ipVersion);
}

// MurmurHash3 (x86, 32-bit) steps.
function mix(h: number, k: number): number {
  k = Math.imul(k, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, 0x1b873593);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function word(d: Uint8Array, i: number): number {
  return (d[i]! << 24) | (d[i + 1]! << 16) | (d[i + 2]! << 8) | d[i + 3]!;
}

function endpointHash(d: Uint8Array, off: number, addrLen: number, port: number): number {
  // Murmur3 over the address words, seeded with the port.
  let h = mix(0x9747b28c ^ port, word(d, off));
  if (addrLen === 16) {
    h = mix(h, word(d, off + 4));
    h = mix(h, word(d, off + 8));
    h = mix(h, word(d, off + 12));
  }
  return h >>> 0;
}

/**
 * A 32-bit hash (unsigned) of a 5-tuple that is the same for both
 * directions: each endpoint (address, port) is hashed on its own and the
 * two results are combined in sorted order with the protocol. `addrLen` is 4
 * or 16. No allocation.
 */
export function hashFiveTuple(
  d: Uint8Array,
  srcOff: number,
  dstOff: number,
  addrLen: number,
  srcPort: number,
  dstPort: number,
  protocol: number,
): number {
  const a = endpointHash(d, srcOff, addrLen, srcPort);
  const b = endpointHash(d, dstOff, addrLen, dstPort);
  let h = mix(protocol, a < b ? a : b);
  h = mix(h, a < b ? b : a);
  return fmix(h ^ addrLen);
}

/** `hashFiveTuple` of a decoded IP packet (ports are 0 for non-TCP/UDP). */
export function hashPacket(p: DecodedPacket): number {
  return hashFiveTuple(p.data, p.srcIpOffset, p.dstIpOffset, p.ipVersion === 4 ? 4 : 16, p.srcPort, p.dstPort, p.protocol);
}
