import { makeDamage, maxCapLenFor, type CaptureDamage, type CaptureDamageHandler } from './capture-damage.js';
import type { CaptureFileReader } from './capture-file.js';
import type { FileChunks } from './file-chunks.js';
import type { PacketSink } from './packet-sink.js';

const FILE_HEADER_LEN = 24;
const NOOP_SINK: PacketSink = { packet() {} };

/**
 * Classic libpcap format: a 24-byte file header, then records of a 16-byte
 * header (ts_sec, ts_frac, caplen, origlen) and the captured bytes. Both
 * byte orders, microsecond and nanosecond magic, and the "modified" format
 * of Alexey Kuznetzov's patches (8 more header bytes per record).
 * Built by openCaptureFile(), which has checked the magic.
 */
export class PcapReader implements CaptureFileReader {
  readonly format = 'pcap';
  readonly path: string;
  readonly linkType: number;
  readonly snaplen: number;
  readonly nanosecond: boolean;
  done = false;
  damage: CaptureDamage | undefined = undefined;
  packets = 0;
  nextTsSec = 0;
  nextTsNsec = 0;
  private readonly le: boolean;
  private readonly recHdrLen: number;
  private readonly maxCapLen: number;

  constructor(
    private readonly chunks: FileChunks,
    littleEndian: boolean,
    nanosecond: boolean,
    modified: boolean,
    private readonly onDamage: CaptureDamageHandler | undefined,
  ) {
    this.path = chunks.path;
    this.le = littleEndian;
    this.nanosecond = nanosecond;
    this.recHdrLen = modified ? 24 : 16;
    const b = chunks.buf;
    this.snaplen = littleEndian ? b.readUInt32LE(16) : b.readUInt32BE(16);
    // The low 26 bits are the link type; the upper bits may carry FCS information.
    this.linkType = (littleEndian ? b.readUInt32LE(20) : b.readUInt32BE(20)) & 0x03ffffff;
    this.maxCapLen = maxCapLenFor(this.snaplen);
    chunks.pos = FILE_HEADER_LEN;
  }

  readBatch(sink: PacketSink, maxPackets: number, untilSec = Infinity, untilNsec = 0): number {
    if (this.done) return 0;
    const c = this.chunks;
    const le = this.le;
    const hdrLen = this.recHdrLen;
    const maxCap = this.maxCapLen;
    const fracMax = this.nanosecond ? 1e9 : 1e6;
    const fracMul = this.nanosecond ? 1 : 1000;
    const linkType = this.linkType;
    let n = 0;
    while (n < maxPackets) {
      if (c.end - c.pos < hdrLen && !c.fill(hdrLen)) {
        if (c.end === c.pos) this.finish();
        else this.fail(c.offsetOf(c.pos), `truncated record header (${c.end - c.pos} of ${hdrLen} bytes)`);
        break;
      }
      const buf = c.buf;
      const dv = c.dv;
      const p = c.pos;
      let sec = dv.getUint32(p, le);
      let frac = dv.getUint32(p + 4, le);
      const capLen = dv.getUint32(p + 8, le);
      const origLen = dv.getUint32(p + 12, le);
      if (capLen > maxCap) {
        this.fail(c.offsetOf(p), `absurd captured length ${capLen} (snaplen ${this.snaplen})`);
        break;
      }
      const recLen = hdrLen + capLen;
      if (c.end - p < recLen) {
        if (!c.fill(recLen)) {
          this.fail(c.offsetOf(c.pos), `truncated record body (${c.end - c.pos - hdrLen} of ${capLen} bytes)`);
          break;
        }
        continue; // the buffer moved: parse the header again
      }
      if (frac >= fracMax) {
        sec += Math.floor(frac / fracMax);
        frac %= fracMax;
      }
      const nsec = frac * fracMul;
      if (sec > untilSec || (sec === untilSec && nsec > untilNsec)) {
        this.nextTsSec = sec;
        this.nextTsNsec = nsec;
        break;
      }
      c.pos = p + recLen;
      n++;
      sink.packet(buf, p + hdrLen, capLen, origLen, sec, nsec, linkType);
    }
    this.packets += n;
    return n;
  }

  peekNextTimestamp(): boolean {
    this.readBatch(NOOP_SINK, 1, -Infinity, 0);
    return !this.done;
  }

  rewind(): void {
    if (this.chunks.closed) return;
    this.chunks.seek(FILE_HEADER_LEN);
    this.done = false;
    this.damage = undefined;
    this.packets = 0;
  }

  close(): void {
    this.done = true;
    this.chunks.close();
  }

  private finish(): void {
    this.done = true;
  }

  private fail(offset: number, reason: string): void {
    this.done = true;
    this.damage = makeDamage(this.path, offset, reason);
    this.onDamage?.(this.damage);
  }
}
