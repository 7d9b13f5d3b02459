/**
 * IP addresses as bytes, parsed the way Go's net.ParseIP does (which Beats
 * relies on): dotted IPv4 without leading zeros, IPv6 with `::` and an
 * optional trailing IPv4 part, no zone. IPv4-mapped IPv6 addresses
 * (`::ffff:a.b.c.d`) are returned as 4 bytes, since Go treats them as IPv4.
 */

export type IPBytes = Uint8Array;

function parseIPv4Into(text: string, out: Uint8Array, offset: number): boolean {
  const parts = text.split('.');
  if (parts.length !== 4) return false;
  for (let i = 0; i < 4; i++) {
    const part = parts[i] ?? '';
    // Go rejects empty parts, non-digits and leading zeros ("01").
    if (!/^\d{1,3}$/.test(part) || (part.length > 1 && part.startsWith('0'))) return false;
    const n = Number(part);
    if (n > 255) return false;
    out[offset + i] = n;
  }
  return true;
}

function parseIPv6(text: string): Uint8Array | null {
  const out = new Uint8Array(16);
  const halves = text.split('::');
  if (halves.length > 2) return null;

  // Parses one side of `::` into 16-bit groups (a trailing IPv4 part counts as two).
  const parseSide = (side: string, allowV4Tail: boolean): number[] | null => {
    if (side === '') return [];
    const groups = side.split(':');
    const words: number[] = [];
    for (let i = 0; i < groups.length; i++) {
      const g = groups[i] ?? '';
      if (allowV4Tail && i === groups.length - 1 && g.includes('.')) {
        const v4 = new Uint8Array(4);
        if (!parseIPv4Into(g, v4, 0)) return null;
        words.push(((v4[0] ?? 0) << 8) | (v4[1] ?? 0), ((v4[2] ?? 0) << 8) | (v4[3] ?? 0));
        continue;
      }
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return null;
      words.push(parseInt(g, 16));
    }
    return words;
  };

  let words: number[];
  if (halves.length === 2) {
    const head = parseSide(halves[0] ?? '', false);
    const tail = parseSide(halves[1] ?? '', true);
    if (head === null || tail === null) return null;
    // `::` must stand for at least one zero group.
    if (head.length + tail.length > 7) return null;
    words = [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
  } else {
    const all = parseSide(text, true);
    if (all === null || all.length !== 8) return null;
    words = all;
  }
  for (let i = 0; i < 8; i++) {
    const w = words[i] ?? 0;
    out[i * 2] = w >> 8;
    out[i * 2 + 1] = w & 0xff;
  }
  return out;
}

function isV4Mapped(b: Uint8Array): boolean {
  if (b.length !== 16) return false;
  for (let i = 0; i < 10; i++) if (b[i] !== 0) return false;
  return b[10] === 0xff && b[11] === 0xff;
}

/** Parses an IP address; returns 4 bytes for IPv4 (and IPv4-mapped IPv6), 16 for IPv6, or null. */
export function parseIP(text: string): IPBytes | null {
  if (text.includes(':')) {
    const v6 = parseIPv6(text);
    if (v6 === null) return null;
    return isV4Mapped(v6) ? v6.slice(12) : v6;
  }
  const v4 = new Uint8Array(4);
  return parseIPv4Into(text, v4, 0) ? v4 : null;
}

/** A network as address bytes and prefix length in bits. */
export interface CIDR {
  readonly bytes: IPBytes;
  readonly prefix: number;
}

/** Parses `addr/prefix` as Go's net.ParseCIDR does (host bits may be set); null if invalid. */
export function parseCIDR(text: string): CIDR | null {
  const slash = text.lastIndexOf('/');
  if (slash < 0) return null;
  const addrText = text.slice(0, slash);
  const prefixText = text.slice(slash + 1);
  if (!/^\d{1,3}$/.test(prefixText)) return null;
  let prefix = Number(prefixText);
  const isV6Text = addrText.includes(':');
  let bytes = isV6Text ? parseIPv6(addrText) : parseIP(addrText);
  if (bytes === null) return null;
  if (prefix > bytes.length * 8) return null;
  // An IPv4-mapped IPv6 network with a /96+ prefix is an IPv4 network, as in Go.
  if (bytes.length === 16 && isV4Mapped(bytes) && prefix >= 96) {
    bytes = bytes.slice(12);
    prefix -= 96;
  }
  return { bytes, prefix };
}

/** Whether `ip` lies in `net`; IPv4 never matches an IPv6 network and vice versa. */
export function cidrContains(net: CIDR, ip: IPBytes): boolean {
  if (ip.length !== net.bytes.length) return false;
  let bits = net.prefix;
  for (let i = 0; i < ip.length && bits > 0; i++) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if (((ip[i] ?? 0) & mask) !== ((net.bytes[i] ?? 0) & mask)) return false;
    bits -= 8;
  }
  return true;
}

/** Lexicographic byte comparison, as Go's bytes.Compare. */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}
