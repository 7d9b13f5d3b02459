// Builders of pcap / pcapng bytes for the capture reader tests, and a sink that keeps copies.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PacketSink } from '../../src/capture/packet-sink.js';

export interface Got {
  data: Buffer;
  capLen: number;
  origLen: number;
  sec: number;
  nsec: number;
  linkType: number;
}

/** A sink that copies every packet (the views are only valid during the call). */
export class CollectSink implements PacketSink {
  readonly got: Got[] = [];
  packet(data: Buffer, offset: number, capLen: number, origLen: number, tsSec: number, tsNsec: number, linkType: number): void {
    this.got.push({ data: Buffer.from(data.subarray(offset, offset + capLen)), capLen, origLen, sec: tsSec, nsec: tsNsec, linkType });
  }
}

/** Deterministic packet bytes of length n. */
export function bytes(n: number, seed = 1): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + seed * 7) & 0xff;
  return b;
}

export interface PcapRec {
  sec: number;
  frac: number;
  data: Buffer;
  origLen?: number;
}

export function pcapFile(opts: { le?: boolean; ns?: boolean; linkType?: number; snaplen?: number }, recs: readonly PcapRec[]): Buffer {
  const le = opts.le ?? true;
  const parts: Buffer[] = [];
  const h = Buffer.alloc(24);
  const u32 = (b: Buffer, v: number, o: number): void => void (le ? b.writeUInt32LE(v, o) : b.writeUInt32BE(v, o));
  const u16 = (b: Buffer, v: number, o: number): void => void (le ? b.writeUInt16LE(v, o) : b.writeUInt16BE(v, o));
  u32(h, opts.ns ? 0xa1b23c4d : 0xa1b2c3d4, 0);
  u16(h, 2, 4);
  u16(h, 4, 6);
  u32(h, opts.snaplen ?? 65535, 16);
  u32(h, opts.linkType ?? 1, 20);
  parts.push(h);
  for (const r of recs) {
    const rh = Buffer.alloc(16);
    u32(rh, r.sec, 0);
    u32(rh, r.frac, 4);
    u32(rh, r.data.length, 8);
    u32(rh, r.origLen ?? r.data.length, 12);
    parts.push(rh, r.data);
  }
  return Buffer.concat(parts);
}

/** pcapng block writer for one byte order. */
export class Ng {
  constructor(readonly le: boolean) {}

  private u32(v: number): Buffer {
    const b = Buffer.alloc(4);
    if (this.le) b.writeUInt32LE(v >>> 0);
    else b.writeUInt32BE(v >>> 0);
    return b;
  }
  private u16(v: number): Buffer {
    const b = Buffer.alloc(2);
    if (this.le) b.writeUInt16LE(v);
    else b.writeUInt16BE(v);
    return b;
  }
  private pad(b: Buffer): Buffer {
    const n = (4 - (b.length % 4)) % 4;
    return n === 0 ? b : Buffer.concat([b, Buffer.alloc(n)]);
  }
  private opt(code: number, value: Buffer): Buffer {
    return Buffer.concat([this.u16(code), this.u16(value.length), this.pad(value)]);
  }

  block(type: number, body: Buffer): Buffer {
    const len = 12 + body.length;
    if (len % 4 !== 0) throw new Error('unpadded body');
    return Buffer.concat([this.u32(type), this.u32(len), body, this.u32(len)]);
  }

  shb(): Buffer {
    const sectionLen = Buffer.alloc(8, 0xff); // -1: unknown
    const body = Buffer.concat([this.u32(0x1a2b3c4d), this.u16(1), this.u16(0), sectionLen, this.opt(4, Buffer.from('mocha')), this.opt(0, Buffer.alloc(0))]);
    return this.block(0x0a0d0d0a, body);
  }

  idb(linkType: number, snaplen: number, o: { tsresol?: number; tsoffset?: bigint } = {}): Buffer {
    const opts: Buffer[] = [this.opt(2, Buffer.from('eth-test'))];
    if (o.tsresol !== undefined) opts.push(this.opt(9, Buffer.from([o.tsresol])));
    if (o.tsoffset !== undefined) {
      const v = Buffer.alloc(8);
      if (this.le) v.writeBigInt64LE(o.tsoffset);
      else v.writeBigInt64BE(o.tsoffset);
      opts.push(this.opt(14, v));
    }
    opts.push(this.opt(0, Buffer.alloc(0)));
    return this.block(1, Buffer.concat([this.u16(linkType), this.u16(0), this.u32(snaplen), ...opts]));
  }

  /** ts in interface units. */
  epb(ifId: number, ts: bigint, data: Buffer, origLen = data.length): Buffer {
    const hi = Number(ts >> 32n);
    const lo = Number(ts & 0xffffffffn);
    return this.block(6, Buffer.concat([this.u32(ifId), this.u32(hi), this.u32(lo), this.u32(data.length), this.u32(origLen), this.pad(data), this.opt(1, Buffer.from('c')), this.opt(0, Buffer.alloc(0))]));
  }

  /** Obsolete Packet Block (type 2). */
  pb(ifId: number, ts: bigint, data: Buffer, origLen = data.length): Buffer {
    const hi = Number(ts >> 32n);
    const lo = Number(ts & 0xffffffffn);
    return this.block(2, Buffer.concat([this.u16(ifId), this.u16(0), this.u32(hi), this.u32(lo), this.u32(data.length), this.u32(origLen), this.pad(data)]));
  }

  spb(data: Buffer, origLen = data.length): Buffer {
    return this.block(3, Buffer.concat([this.u32(origLen), this.pad(data)]));
  }

  unknown(type: number, bodyLen: number): Buffer {
    return this.block(type, bytes(bodyLen, 9));
  }
}

/** Splits seconds + nanoseconds into interface units. */
export function units(sec: number, nsec: number, perSecond: bigint): bigint {
  return BigInt(sec) * perSecond + (BigInt(nsec) * perSecond) / 1_000_000_000n;
}

export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), 'pb-capture-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The monorepo root: the nearest package.json with workspaces above this file. */
export function repoRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pj = path.join(dir, 'package.json');
    if (existsSync(pj) && (JSON.parse(readFileSync(pj, 'utf8')) as { workspaces?: unknown }).workspaces !== undefined) return dir;
    const up = path.dirname(dir);
    if (up === dir) throw new Error('repository root not found');
    dir = up;
  }
}
