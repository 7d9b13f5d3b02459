import { closeSync, openSync, writeSync } from 'node:fs';
import { BeatError, ErrorCodes, errorMessage } from '@packetbeat-ts/libbeat';
import { MAX_CAPLEN } from './capture-damage.js';
import type { PacketSink } from './packet-sink.js';

export interface PcapWriterOptions {
  /** Nanosecond timestamps (magic 0xa1b23c4d, as Packetbeat's `--dump`), else microseconds. Default true. */
  readonly nanosecond?: boolean;
  /** The header's snaplen; longer packets are cut to it (origLen kept). Default 262144. */
  readonly snaplen?: number;
  /** Write buffer size in bytes. Default 1 MiB. */
  readonly bufferSize?: number;
}

/**
 * Name of a `--dump` file as Packetbeat makes it: `<prefix>-<YYYYMMDDhhmmss>.pcap`
 * in local time (Go layout "20060102150405").
 */
export function dumpFileName(prefix: string, now: Date = new Date()): string {
  const p2 = (n: number): string => String(n).padStart(2, '0');
  const stamp = `${now.getFullYear()}${p2(now.getMonth() + 1)}${p2(now.getDate())}${p2(now.getHours())}${p2(now.getMinutes())}${p2(now.getSeconds())}`;
  return `${prefix}-${stamp}.pcap`;
}

/**
 * Writes a classic little-endian pcap file (nanosecond resolution by
 * default) through a write buffer. Also a PacketSink, so it can be handed
 * straight to a reader or teed from the capture loop. Write errors (disk
 * full) throw the fs error.
 */
export class PcapWriter implements PacketSink {
  readonly path: string;
  readonly linkType: number;
  readonly snaplen: number;
  readonly nanosecond: boolean;
  /** Packets written. */
  packets = 0;
  private fd: number;
  private buf: Buffer;
  private dv: DataView;
  private len = 0;

  constructor(path: string, linkType: number, options: PcapWriterOptions = {}) {
    this.path = path;
    this.linkType = linkType;
    this.nanosecond = options.nanosecond ?? true;
    this.snaplen = options.snaplen ?? MAX_CAPLEN;
    this.buf = Buffer.allocUnsafe(Math.max(4096, options.bufferSize ?? 1024 * 1024));
    this.dv = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
    try {
      this.fd = openSync(path, 'w');
    } catch (err) {
      throw new BeatError(ErrorCodes.CONFIG_INVALID, `cannot create dump file ${path}: ${errorMessage(err)}`, { file: path, cause: err });
    }
    const b = this.buf;
    b.writeUInt32LE(this.nanosecond ? 0xa1b23c4d : 0xa1b2c3d4, 0);
    b.writeUInt16LE(2, 4);
    b.writeUInt16LE(4, 6);
    b.writeInt32LE(0, 8); // thiszone
    b.writeUInt32LE(0, 12); // sigfigs
    b.writeUInt32LE(this.snaplen, 16);
    b.writeUInt32LE(linkType, 20);
    this.len = 24;
  }

  /** Appends one packet: data[offset, offset + capLen), cut to the snaplen. */
  write(data: Buffer | Uint8Array, offset: number, capLen: number, origLen: number, tsSec: number, tsNsec: number): void {
    if (this.fd < 0) throw new Error(`dump file ${this.path} is closed`);
    const n = capLen > this.snaplen ? this.snaplen : capLen;
    if (this.len + 16 + n > this.buf.length) {
      this.flush();
      if (16 + n > this.buf.length) {
        this.buf = Buffer.allocUnsafe(16 + n);
        this.dv = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
      }
    }
    const b = this.buf;
    const dv = this.dv;
    const p = this.len;
    dv.setUint32(p, tsSec >>> 0, true);
    dv.setUint32(p + 4, this.nanosecond ? tsNsec : Math.floor(tsNsec / 1000), true);
    dv.setUint32(p + 8, n, true);
    dv.setUint32(p + 12, origLen, true);
    if (n <= 128) {
      for (let i = 0, q = p + 16; i < n; i++) b[q + i] = data[offset + i] ?? 0;
    } else {
      b.set(data.subarray(offset, offset + n), p + 16);
    }
    this.len = p + 16 + n;
    this.packets++;
  }

  packet(data: Buffer, offset: number, capLen: number, origLen: number, tsSec: number, tsNsec: number, _linkType: number): void {
    this.write(data, offset, capLen, origLen, tsSec, tsNsec);
  }

  /** Writes the buffered bytes to the file. */
  flush(): void {
    let off = 0;
    while (off < this.len) off += writeSync(this.fd, this.buf, off, this.len - off);
    this.len = 0;
  }

  get closed(): boolean {
    return this.fd < 0;
  }

  /** Flushes and closes; idempotent. */
  close(): void {
    if (this.fd < 0) return;
    try {
      this.flush();
    } finally {
      closeSync(this.fd);
      this.fd = -1;
    }
  }
}

/** Creates `path` (truncating it) with a pcap file header for `linkType`. */
export function openPcapWriter(path: string, linkType: number, options: PcapWriterOptions = {}): PcapWriter {
  return new PcapWriter(path, linkType, options);
}
