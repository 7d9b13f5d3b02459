/** A tiny builder of link/IP/transport frames for the decoder tests. */

export function u16be(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n & 0xffff);
  return b;
}

export function u32be(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
}

export function v4(text: string): Buffer {
  return Buffer.from(text.split('.').map((x) => Number(x)));
}

export function v6(text: string): Buffer {
  const out = Buffer.alloc(16);
  let tail = text;
  let v4tail: Buffer | null = null;
  const lastColon = text.lastIndexOf(':');
  if (text.slice(lastColon + 1).includes('.')) {
    v4tail = v4(text.slice(lastColon + 1));
    tail = text.slice(0, lastColon + 1) + '0:0';
  }
  const [head = '', rest] = tail.split('::');
  const hs = head === '' ? [] : head.split(':');
  const ts = rest === undefined || rest === '' ? [] : rest.split(':');
  const groups = rest === undefined ? hs : [...hs, ...Array<string>(8 - hs.length - ts.length).fill('0'), ...ts];
  groups.forEach((g, i) => out.writeUInt16BE(parseInt(g, 16), i * 2));
  if (v4tail) v4tail.copy(out, 12);
  return out;
}

export interface TcpOpts {
  sport?: number;
  dport?: number;
  seq?: number;
  ack?: number;
  flags?: number;
  window?: number;
  options?: Buffer;
  payload?: Buffer;
  dataOffset?: number;
}

export function tcp(o: TcpOpts = {}): Buffer {
  const opts = o.options ?? Buffer.alloc(0);
  const h = Buffer.alloc(20);
  h.writeUInt16BE(o.sport ?? 1234, 0);
  h.writeUInt16BE(o.dport ?? 80, 2);
  h.writeUInt32BE((o.seq ?? 1000) >>> 0, 4);
  h.writeUInt32BE((o.ack ?? 0) >>> 0, 8);
  h[12] = (o.dataOffset ?? (20 + opts.length) / 4) << 4;
  h[13] = o.flags ?? 0x18;
  h.writeUInt16BE(o.window ?? 65535, 14);
  return Buffer.concat([h, opts, o.payload ?? Buffer.alloc(0)]);
}

export function udp(sport: number, dport: number, payload: Buffer, length?: number): Buffer {
  const h = Buffer.alloc(8);
  h.writeUInt16BE(sport, 0);
  h.writeUInt16BE(dport, 2);
  h.writeUInt16BE(length ?? 8 + payload.length, 4);
  return Buffer.concat([h, payload]);
}

export function icmp(type: number, code: number, rest: Buffer = Buffer.alloc(4)): Buffer {
  return Buffer.concat([Buffer.from([type, code, 0, 0]), rest]);
}

export interface Ipv4Opts {
  src?: string;
  dst?: string;
  proto?: number;
  ttl?: number;
  id?: number;
  /** More-fragments flag. */
  mf?: boolean;
  df?: boolean;
  /** Fragment offset in bytes (a multiple of 8). */
  fragOffset?: number;
  options?: Buffer;
  totalLength?: number;
  version?: number;
  ihl?: number;
}

export function ipv4(payload: Buffer, o: Ipv4Opts = {}): Buffer {
  const opts = o.options ?? Buffer.alloc(0);
  const hl = 20 + opts.length;
  const h = Buffer.alloc(20);
  h[0] = ((o.version ?? 4) << 4) | (o.ihl ?? hl / 4);
  h.writeUInt16BE(o.totalLength ?? hl + payload.length, 2);
  h.writeUInt16BE(o.id ?? 1, 4);
  h.writeUInt16BE((o.df ? 0x4000 : 0) | (o.mf ? 0x2000 : 0) | ((o.fragOffset ?? 0) >> 3), 6);
  h[8] = o.ttl ?? 64;
  h[9] = o.proto ?? 6;
  v4(o.src ?? '10.0.0.1').copy(h, 12);
  v4(o.dst ?? '10.0.0.2').copy(h, 16);
  return Buffer.concat([h, opts, payload]);
}

export interface Ext {
  type: number;
  /** Body after the 2 generic bytes (next header, length), or the whole 6 fragment bytes. */
  body?: Buffer;
}

/** A generic extension header (hop-by-hop, routing, destination options) of `units` 8-byte units. */
export function extGeneric(type: number, units = 1): Ext {
  return { type, body: Buffer.alloc(units * 8 - 2, 0) };
}

/** An AH header with `words` 4-byte words of ICV beyond the 12 fixed bytes. */
export function extAH(words = 1): Ext {
  return { type: 51, body: Buffer.alloc(10 + words * 4) };
}

export function extFragment(fragOffset: number, more: boolean, id: number): Ext {
  const b = Buffer.alloc(6);
  b.writeUInt16BE((fragOffset & 0xfff8) | (more ? 1 : 0), 0);
  b.writeUInt32BE(id >>> 0, 2);
  return { type: 44, body: b };
}

export interface Ipv6Opts {
  src?: string;
  dst?: string;
  nextHeader?: number;
  hopLimit?: number;
  ext?: Ext[];
  payloadLength?: number;
}

export function ipv6(payload: Buffer, o: Ipv6Opts = {}): Buffer {
  const ext = o.ext ?? [];
  const parts: Buffer[] = [];
  for (let i = 0; i < ext.length; i++) {
    const e = ext[i]!;
    const next = i + 1 < ext.length ? ext[i + 1]!.type : (o.nextHeader ?? 6);
    const body = e.body ?? Buffer.alloc(6);
    const total = 2 + body.length;
    const lenByte = e.type === 51 ? total / 4 - 2 : e.type === 44 ? 0 : total / 8 - 1;
    parts.push(Buffer.from([next, lenByte]), body);
  }
  const extBytes = Buffer.concat(parts);
  const h = Buffer.alloc(40);
  h[0] = 0x60;
  h.writeUInt16BE(o.payloadLength ?? extBytes.length + payload.length, 4);
  h[6] = ext.length > 0 ? ext[0]!.type : (o.nextHeader ?? 6);
  h[7] = o.hopLimit ?? 64;
  v6(o.src ?? '2001:db8::1').copy(h, 8);
  v6(o.dst ?? '2001:db8::2').copy(h, 24);
  return Buffer.concat([h, extBytes, payload]);
}

export interface Vlan {
  tpid?: number;
  vid: number;
}

export function ethernet(payload: Buffer, type = 0x0800, vlans: Vlan[] = []): Buffer {
  const macs = Buffer.from([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  // TPID(outer) | TCI | TPID(next) | TCI … | type.
  const seq: Buffer[] = [macs];
  if (vlans.length === 0) seq.push(u16be(type));
  else {
    seq.push(u16be(vlans[0]!.tpid ?? 0x8100));
    for (let i = 0; i < vlans.length; i++) {
      seq.push(u16be(vlans[i]!.vid));
      seq.push(u16be(i + 1 < vlans.length ? (vlans[i + 1]!.tpid ?? 0x8100) : type));
    }
  }
  return Buffer.concat([...seq, payload]);
}

export function sll(payload: Buffer, protocol = 0x0800): Buffer {
  const h = Buffer.alloc(16);
  h.writeUInt16BE(0, 0); // to us
  h.writeUInt16BE(1, 2); // ARPHRD_ETHER
  h.writeUInt16BE(6, 4);
  h.writeUInt16BE(protocol, 14);
  return Buffer.concat([h, payload]);
}

export function sll2(payload: Buffer, protocol = 0x0800): Buffer {
  const h = Buffer.alloc(20);
  h.writeUInt16BE(protocol, 0);
  h.writeUInt32BE(2, 4); // ifindex
  h.writeUInt16BE(1, 8);
  h[11] = 6;
  return Buffer.concat([h, payload]);
}

/** BSD null/loopback header: the address family in little- or big-endian order. */
export function nullLink(payload: Buffer, family: number, littleEndian: boolean): Buffer {
  const h = Buffer.alloc(4);
  if (littleEndian) h.writeUInt32LE(family);
  else h.writeUInt32BE(family);
  return Buffer.concat([h, payload]);
}
