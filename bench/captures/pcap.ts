/**
 * What the corpus builder needs of pcap files: a small reader for the
 * captures tcpdump recorded (classic pcap, loaded whole), our own
 * PcapWriter (packages/packetbeat) for writing, and builders for
 * Ethernet/IPv4/TCP/UDP frames with correct checksums.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { PcapWriter, PcapWriterOptions } from '../../packages/packetbeat/src/capture/pcap-writer.js';

export type { PcapWriter } from '../../packages/packetbeat/src/capture/pcap-writer.js';

export const LINKTYPE_ETHERNET = 1;

/** One packet of a loaded capture: `data` is a view into the file's bytes. */
export interface PcapPacket {
  readonly tsSec: number;
  readonly tsNsec: number;
  readonly data: Buffer;
  readonly origLen: number;
}

export interface LoadedPcap {
  readonly linkType: number;
  readonly packets: PcapPacket[];
}

/** Reads a whole classic pcap file (either byte order, micro- or nanosecond). */
export function readPcap(file: string): LoadedPcap {
  const buf = fs.readFileSync(file);
  if (buf.length < 24) throw new Error(`${file}: not a pcap file (${buf.length} bytes)`);
  const magicLE = buf.readUInt32LE(0);
  let le: boolean;
  let nano: boolean;
  if (magicLE === 0xa1b2c3d4 || magicLE === 0xa1b23c4d) {
    le = true;
    nano = magicLE === 0xa1b23c4d;
  } else {
    const magicBE = buf.readUInt32BE(0);
    if (magicBE !== 0xa1b2c3d4 && magicBE !== 0xa1b23c4d) throw new Error(`${file}: not a classic pcap file (pcapng is not read here)`);
    le = false;
    nano = magicBE === 0xa1b23c4d;
  }
  const u32 = (off: number): number => (le ? buf.readUInt32LE(off) : buf.readUInt32BE(off));
  const linkType = u32(20) & 0x0fffffff;
  const packets: PcapPacket[] = [];
  let off = 24;
  while (off + 16 <= buf.length) {
    const capLen = u32(off + 8);
    if (off + 16 + capLen > buf.length) break; // cut short at the end (tcpdump stopped mid-write)
    const frac = u32(off + 4);
    packets.push({ tsSec: u32(off), tsNsec: nano ? frac : frac * 1000, origLen: u32(off + 12), data: buf.subarray(off + 16, off + 16 + capLen) });
    off += 16 + capLen;
  }
  return { linkType, packets };
}

interface PcapWriterModule {
  readonly PcapWriter: new (path: string, linkType: number, options?: PcapWriterOptions) => PcapWriter;
}

let writerModule: PcapWriterModule | undefined;

/**
 * Our pcap writer, from packetbeat's compiled output (it is not a public
 * export of the package; loaded by path as the outputs bench loads libbeat's
 * Lumberjack test server).
 */
export async function createPcapWriter(file: string, linkType: number, options?: PcapWriterOptions): Promise<PcapWriter> {
  if (writerModule === undefined) {
    const here = path.dirname(fileURLToPath(import.meta.url)); // bench/dist/captures
    const js = path.resolve(here, '../../../packages/packetbeat/dist/src/capture/pcap-writer.js');
    writerModule = (await import(pathToFileURL(js).href)) as PcapWriterModule;
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  return new writerModule.PcapWriter(file, linkType, { bufferSize: 4 * 1024 * 1024, ...options });
}

// ---------------------------------------------------------------- checksums

/** The ones'-complement sum of buf[start, end) as 16-bit big-endian words (not folded, not inverted). */
function sum16(buf: Uint8Array, start: number, end: number, acc = 0): number {
  let s = acc;
  let i = start;
  for (; i + 1 < end; i += 2) s += ((buf[i] ?? 0) << 8) | (buf[i + 1] ?? 0);
  if (i < end) s += (buf[i] ?? 0) << 8;
  return s;
}

function fold(s: number): number {
  let x = s;
  while (x > 0xffff) x = (x & 0xffff) + Math.floor(x / 0x10000);
  return x;
}

/**
 * Recomputes the IPv4 header checksum and the TCP/UDP checksum of the
 * Ethernet frame `f` (IPv4 at offset 14).
 */
export function fixChecksums(f: Buffer): void {
  const ip = 14;
  const ihl = ((f[ip] ?? 0) & 0x0f) * 4;
  f.writeUInt16BE(0, ip + 10);
  f.writeUInt16BE(~fold(sum16(f, ip, ip + ihl)) & 0xffff, ip + 10);
  const proto = f[ip + 9];
  const totalLen = f.readUInt16BE(ip + 2);
  const l4 = ip + ihl;
  const l4Len = totalLen - ihl;
  const csumOff = proto === 6 ? l4 + 16 : proto === 17 ? l4 + 6 : -1;
  if (csumOff < 0) return;
  f.writeUInt16BE(0, csumOff);
  let s = sum16(f, ip + 12, ip + 20); // pseudo header: addresses
  s += (proto ?? 0) + l4Len;
  s = sum16(f, l4, l4 + l4Len, s);
  let c = ~fold(s) & 0xffff;
  if (c === 0 && proto === 17) c = 0xffff;
  f.writeUInt16BE(c, csumOff);
}

/**
 * Updates a checksum stored at `csumOff` for 16-bit words that changed from
 * `oldWords` to `newWords` (RFC 1624: HC' = ~(~HC + ~m + m')).
 */
export function adjustChecksum(f: Buffer, csumOff: number, oldWords: readonly number[], newWords: readonly number[]): void {
  let s = ~f.readUInt16BE(csumOff) & 0xffff;
  for (let i = 0; i < oldWords.length; i++) s += (~(oldWords[i] ?? 0) & 0xffff) + (newWords[i] ?? 0);
  f.writeUInt16BE(~fold(s) & 0xffff, csumOff);
}

// ---------------------------------------------------------------- frames

export const TCP_FIN = 0x01;
export const TCP_SYN = 0x02;
export const TCP_RST = 0x04;
export const TCP_PSH = 0x08;
export const TCP_ACK = 0x10;

/** An IPv4 address as a 32-bit unsigned number. */
export function ip4(a: number, b: number, c: number, d: number): number {
  return ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;
}

function frameHeader(f: Buffer, proto: number, totalLen: number, src: number, dst: number, ipId: number): void {
  // Ethernet: made-up locally administered MACs, type IPv4.
  f.writeUInt32BE(0x02000000, 0);
  f.writeUInt16BE(0x0001, 4);
  f.writeUInt32BE(0x02000000, 6);
  f.writeUInt16BE(0x0002, 10);
  f.writeUInt16BE(0x0800, 12);
  f[14] = 0x45;
  f[15] = 0;
  f.writeUInt16BE(totalLen, 16);
  f.writeUInt16BE(ipId & 0xffff, 18);
  f.writeUInt16BE(0x4000, 20); // don't fragment
  f[22] = 64;
  f[23] = proto;
  f.writeUInt32BE(src, 26);
  f.writeUInt32BE(dst, 30);
}

/** An Ethernet/IPv4/TCP frame (20-byte TCP header, no options) into `out`; returns its length. */
export function tcpFrame(out: Buffer, src: number, sport: number, dst: number, dport: number, seq: number, ack: number, flags: number, payload?: Buffer): number {
  const plen = payload?.length ?? 0;
  const len = 14 + 20 + 20 + plen;
  frameHeader(out, 6, 20 + 20 + plen, src, dst, seq);
  const t = 34;
  out.writeUInt16BE(sport, t);
  out.writeUInt16BE(dport, t + 2);
  out.writeUInt32BE(seq >>> 0, t + 4);
  out.writeUInt32BE(ack >>> 0, t + 8);
  out[t + 12] = 5 << 4;
  out[t + 13] = flags;
  out.writeUInt16BE(65_535, t + 14);
  out.writeUInt16BE(0, t + 16);
  out.writeUInt16BE(0, t + 18);
  if (payload !== undefined) payload.copy(out, t + 20);
  fixChecksums(out.subarray(0, len));
  return len;
}

/** An Ethernet/IPv4/UDP frame into `out`; returns its length. */
export function udpFrame(out: Buffer, src: number, sport: number, dst: number, dport: number, payload: Buffer, ipId: number): number {
  const len = 14 + 20 + 8 + payload.length;
  frameHeader(out, 17, 20 + 8 + payload.length, src, dst, ipId);
  const u = 34;
  out.writeUInt16BE(sport, u);
  out.writeUInt16BE(dport, u + 2);
  out.writeUInt16BE(8 + payload.length, u + 4);
  out.writeUInt16BE(0, u + 6);
  payload.copy(out, u + 8);
  fixChecksums(out.subarray(0, len));
  return len;
}

// ---------------------------------------------------------------- DNS

export const DNS_A = 1;
export const DNS_TXT = 16;
export const DNS_AAAA = 28;
export const DNS_MX = 15;

function encodeName(name: string): Buffer {
  const parts: Buffer[] = [];
  for (const label of name.split('.').filter((l) => l !== '')) {
    const b = Buffer.from(label, 'ascii');
    parts.push(Buffer.from([b.length]), b);
  }
  parts.push(Buffer.from([0]));
  return Buffer.concat(parts);
}

/** A recursive DNS query for one name (class IN). */
export function dnsQuery(id: number, name: string, qtype: number): Buffer {
  const h = Buffer.alloc(12);
  h.writeUInt16BE(id & 0xffff, 0);
  h.writeUInt16BE(0x0100, 2); // RD
  h.writeUInt16BE(1, 4);
  const q = Buffer.alloc(4);
  q.writeUInt16BE(qtype, 0);
  q.writeUInt16BE(1, 2);
  return Buffer.concat([h, encodeName(name), q]);
}

/** The answer to `dnsQuery(id, name, DNS_A)`: one A record (TTL 300) pointing at `addr`. */
export function dnsAnswerA(id: number, name: string, addr: number): Buffer {
  const h = Buffer.alloc(12);
  h.writeUInt16BE(id & 0xffff, 0);
  h.writeUInt16BE(0x8180, 2); // QR RD RA, NOERROR
  h.writeUInt16BE(1, 4);
  h.writeUInt16BE(1, 6);
  const q = Buffer.alloc(4);
  q.writeUInt16BE(DNS_A, 0);
  q.writeUInt16BE(1, 2);
  const rr = Buffer.alloc(16);
  rr.writeUInt16BE(0xc00c, 0); // name: pointer to the question
  rr.writeUInt16BE(DNS_A, 2);
  rr.writeUInt16BE(1, 4);
  rr.writeUInt32BE(300, 6);
  rr.writeUInt16BE(4, 10);
  rr.writeUInt32BE(addr, 12);
  return Buffer.concat([h, encodeName(name), q, rr]);
}
