import { makeDamage, maxCapLenFor, type CaptureDamage, type CaptureDamageHandler } from './capture-damage.js';
import type { CaptureFileReader } from './capture-file.js';
import type { FileChunks } from './file-chunks.js';
import type { PacketSink } from './packet-sink.js';

// Block types (https://www.ietf.org/archive/id/draft-ietf-opsawg-pcapng-03.html).
const SHB = 0x0a0d0d0a;
const IDB = 0x00000001;
const PB_OBSOLETE = 0x00000002;
const SPB = 0x00000003;
const EPB = 0x00000006;

const BOM = 0x1a2b3c4d;
const OPT_ENDOFOPT = 0;
const IF_TSRESOL = 9;
const IF_TSOFFSET = 14;

/** A block that is not a packet is never larger than this unless it is skipped unread. */
const MAX_META_BLOCK = 1024 * 1024;
/** Units per second up to which the 16-bit long division is exact (u * 2^16 < 2^53). */
const EXACT_DIV_LIMIT = 2 ** 37;
const TWO32 = 4294967296;

const NOOP_SINK: PacketSink = { packet() {} };

/** What an Interface Description Block says, prepared for the per-packet timestamp arithmetic. */
interface Iface {
  readonly linkType: number;
  readonly snaplen: number;
  readonly maxCapLen: number;
  /** Timestamp units per second (if_tsresol; default 10^6). */
  readonly units: number;
  /** 1e9 / units when that is an integer, else 0. */
  readonly nsMul: number;
  /** units / 1e9 when that is an integer, else 0. */
  readonly nsDiv: number;
  /** if_tsoffset, seconds added to every timestamp. */
  readonly offsetSec: number;
}

/**
 * pcapng: sections (SHB, either byte order), interfaces (IDB: link type,
 * snaplen, if_tsresol incl. powers of 2, if_tsoffset), Enhanced, Simple and
 * obsolete Packet Blocks; every other block is skipped. Built by
 * openCaptureFile(), which has checked the first SHB's magic.
 */
export class PcapngReader implements CaptureFileReader {
  readonly format = 'pcapng';
  readonly path: string;
  done = false;
  damage: CaptureDamage | undefined = undefined;
  packets = 0;
  nextTsSec = 0;
  nextTsNsec = 0;
  /** Sections seen so far. */
  sections = 0;
  private le = true;
  private ifaces: Iface[] = [];
  /** Result of tsToTime(): no per-packet objects. */
  private tsSec = 0;
  private tsNsec = 0;

  constructor(
    private readonly chunks: FileChunks,
    private readonly onDamage: CaptureDamageHandler | undefined,
  ) {
    this.path = chunks.path;
  }

  get linkType(): number {
    return this.ifaces[0]?.linkType ?? -1;
  }

  /** The interfaces of the current section, in IDB order. */
  get interfaces(): ReadonlyArray<{ readonly linkType: number; readonly snaplen: number; readonly units: number; readonly offsetSec: number }> {
    return this.ifaces;
  }

  readBatch(sink: PacketSink, maxPackets: number, untilSec = Infinity, untilNsec = 0): number {
    if (this.done) return 0;
    const c = this.chunks;
    let n = 0;
    while (n < maxPackets) {
      if (c.end - c.pos < 12 && !c.fill(12)) {
        if (c.end === c.pos) this.done = true;
        else this.fail(c.offsetOf(c.pos), `truncated block header (${c.end - c.pos} of 12 bytes)`);
        break;
      }
      let buf = c.buf;
      let dv = c.dv;
      let p = c.pos;
      const le = this.le;
      const type = dv.getUint32(p, le);
      if (type === SHB) {
        if (!this.sectionHeader()) break;
        continue;
      }
      const len = dv.getUint32(p + 4, le);
      if (len < 12 || (len & 3) !== 0) {
        this.fail(c.offsetOf(p), `invalid block length ${len} (block type 0x${type.toString(16)})`);
        break;
      }
      if (type === EPB || type === SPB || type === PB_OBSOLETE) {
        if (len > 32 + 262144 + 65536) {
          this.fail(c.offsetOf(p), `absurd packet block length ${len}`);
          break;
        }
        if (c.end - p < len) {
          if (!c.fill(len)) {
            this.fail(c.offsetOf(c.pos), `truncated block (${c.end - c.pos} of ${len} bytes)`);
            break;
          }
          buf = c.buf;
          dv = c.dv;
          p = c.pos;
        }
        if (dv.getUint32(p + len - 4, le) !== len) {
          this.fail(c.offsetOf(p), `block length ${len} does not match the trailing length`);
          break;
        }
        let ifc: Iface | undefined;
        let capLen: number, origLen: number, dataOff: number;
        let sec: number, nsec: number;
        if (type === SPB) {
          ifc = this.ifaces[0];
          if (ifc === undefined) {
            this.fail(c.offsetOf(p), 'simple packet block before any interface description');
            break;
          }
          origLen = dv.getUint32(p + 8, le);
          capLen = Math.min(origLen, len - 16);
          if (ifc.snaplen > 0 && capLen > ifc.snaplen) capLen = ifc.snaplen;
          dataOff = 12;
          // A simple packet block has no timestamp: keep the last one seen so packet time never goes back.
          sec = this.tsSec;
          nsec = this.tsNsec;
        } else {
          const id = type === EPB ? dv.getUint32(p + 8, le) : dv.getUint16(p + 8, le);
          ifc = this.ifaces[id];
          if (ifc === undefined) {
            this.fail(c.offsetOf(p), `packet for undeclared interface ${id}`);
            break;
          }
          const hi = dv.getUint32(p + 12, le);
          const lo = dv.getUint32(p + 16, le);
          capLen = dv.getUint32(p + 20, le);
          origLen = dv.getUint32(p + 24, le);
          if (32 + capLen > len) {
            this.fail(c.offsetOf(p), `captured length ${capLen} overruns the block (length ${len})`);
            break;
          }
          dataOff = 28;
          this.tsToTime(ifc, hi, lo);
          sec = this.tsSec;
          nsec = this.tsNsec;
        }
        if (capLen > ifc.maxCapLen) {
          this.fail(c.offsetOf(p), `absurd captured length ${capLen} (snaplen ${ifc.snaplen})`);
          break;
        }
        if (sec > untilSec || (sec === untilSec && nsec > untilNsec)) {
          this.nextTsSec = sec;
          this.nextTsNsec = nsec;
          break;
        }
        c.pos = p + len;
        n++;
        sink.packet(buf, p + dataOff, capLen, origLen, sec, nsec, ifc.linkType);
      } else if (type === IDB) {
        if (!this.interfaceDescription(len)) break;
      } else {
        // Name resolution, statistics, custom, decryption secrets, …: not needed.
        if (len > c.remaining()) {
          this.fail(c.offsetOf(p), `truncated block (type 0x${type.toString(16)}, ${c.remaining()} of ${len} bytes)`);
          break;
        }
        c.skip(len);
      }
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
    this.chunks.seek(0);
    this.done = false;
    this.damage = undefined;
    this.packets = 0;
    this.sections = 0;
    this.ifaces = [];
    this.le = true;
    this.tsSec = 0;
    this.tsNsec = 0;
  }

  close(): void {
    this.done = true;
    this.chunks.close();
  }

  /** Reads the SHB at chunks.pos: byte order, version; forgets the previous section's interfaces. */
  private sectionHeader(): boolean {
    const c = this.chunks;
    if (!c.fill(28)) {
      this.fail(c.offsetOf(c.pos), `truncated section header block (${c.end - c.pos} of 28 bytes)`);
      return false;
    }
    const p = c.pos;
    const bom = c.buf.readUInt32LE(p + 8);
    let le: boolean;
    if (bom === BOM) le = true;
    else if (bom === 0x4d3c2b1a) le = false;
    else {
      this.fail(c.offsetOf(p), `section header block without byte-order magic (0x${bom.toString(16)})`);
      return false;
    }
    const len = le ? c.buf.readUInt32LE(p + 4) : c.buf.readUInt32BE(p + 4);
    const major = le ? c.buf.readUInt16LE(p + 12) : c.buf.readUInt16BE(p + 12);
    if (len < 28 || (len & 3) !== 0) {
      this.fail(c.offsetOf(p), `invalid section header block length ${len}`);
      return false;
    }
    if (major !== 1) {
      this.fail(c.offsetOf(p), `unsupported pcapng major version ${major}`);
      return false;
    }
    if (len > c.remaining()) {
      this.fail(c.offsetOf(p), `truncated section header block (${c.remaining()} of ${len} bytes)`);
      return false;
    }
    this.le = le;
    this.ifaces = [];
    this.sections++;
    c.skip(len);
    return true;
  }

  /** Reads the IDB of length `len` at chunks.pos. */
  private interfaceDescription(len: number): boolean {
    const c = this.chunks;
    const start = c.pos;
    if (len < 20 || len > MAX_META_BLOCK) {
      this.fail(c.offsetOf(start), `invalid interface description block length ${len}`);
      return false;
    }
    if (!c.fill(len)) {
      this.fail(c.offsetOf(c.pos), `truncated interface description block (${c.end - c.pos} of ${len} bytes)`);
      return false;
    }
    const b = c.buf;
    const p = c.pos;
    const le = this.le;
    const u16 = (o: number): number => (le ? b.readUInt16LE(o) : b.readUInt16BE(o));
    const u32 = (o: number): number => (le ? b.readUInt32LE(o) : b.readUInt32BE(o));
    if (u32(p + len - 4) !== len) {
      this.fail(c.offsetOf(p), `block length ${len} does not match the trailing length`);
      return false;
    }
    const linkType = u16(p + 8);
    const snaplen = u32(p + 12);
    let units = 1e6;
    let offsetSec = 0;
    let o = p + 16;
    const optEnd = p + len - 4;
    while (o + 4 <= optEnd) {
      const code = u16(o);
      const olen = u16(o + 2);
      if (code === OPT_ENDOFOPT) break;
      if (o + 4 + olen > optEnd) {
        this.fail(c.offsetOf(p), `interface description option ${code} overruns the block`);
        return false;
      }
      if (code === IF_TSRESOL && olen >= 1) {
        const r = b.readUInt8(o + 4);
        units = r & 0x80 ? 2 ** (r & 0x7f) : 10 ** r;
      } else if (code === IF_TSOFFSET && olen === 8) {
        const hi = le ? b.readInt32LE(o + 8) : b.readInt32BE(o + 4);
        const lo = le ? b.readUInt32LE(o + 4) : b.readUInt32BE(o + 8);
        offsetSec = hi * TWO32 + lo;
      }
      o += 4 + ((olen + 3) & ~3);
    }
    if (!Number.isFinite(units) || units < 1) {
      this.fail(c.offsetOf(p), `unusable timestamp resolution (${units} units per second)`);
      return false;
    }
    this.ifaces.push({
      linkType,
      snaplen,
      maxCapLen: maxCapLenFor(snaplen),
      units,
      nsMul: Number.isInteger(1e9 / units) ? 1e9 / units : 0,
      nsDiv: units >= 1e9 && Number.isInteger(units / 1e9) ? units / 1e9 : 0,
      offsetSec,
    });
    c.pos = p + len;
    return true;
  }

  /** Splits the 64-bit timestamp hi:lo (in ifc.units per second) into tsSec/tsNsec exactly. */
  private tsToTime(ifc: Iface, hi: number, lo: number): void {
    const u = ifc.units;
    let sec: number, rem: number;
    if (hi < 0x200000) {
      // hi:lo < 2^53: plain double arithmetic is exact.
      const v = hi * TWO32 + lo;
      sec = Math.floor(v / u);
      rem = v - sec * u;
      if (rem < 0) {
        sec--;
        rem += u;
      } else if (rem >= u) {
        sec++;
        rem -= u;
      }
    } else if (u >= 65536 && u <= 0x40000000) {
      // Nanoseconds and the like: the double quotient is off by at most one, and the
      // remainder is exact modulo 2^32 (the hi * 2^32 part vanishes), which is enough
      // since the true remainder lies in [-u, 2u) ⊂ int32.
      sec = Math.floor((hi * TWO32 + lo) / u);
      rem = (lo - Math.imul(sec, u)) | 0;
      if (rem < 0) {
        sec--;
        rem += u;
      } else if (rem >= u) {
        sec++;
        rem -= u;
      }
    } else if (u < EXACT_DIV_LIMIT) {
      // Long division in 16-bit digits; every partial value stays below 2^53.
      let cur = hi >>> 16;
      let q = Math.floor(cur / u);
      rem = cur - q * u;
      sec = q;
      cur = rem * 65536 + (hi & 0xffff);
      q = Math.floor(cur / u);
      rem = cur - q * u;
      sec = sec * 65536 + q;
      cur = rem * 65536 + (lo >>> 16);
      q = Math.floor(cur / u);
      rem = cur - q * u;
      sec = sec * 65536 + q;
      cur = rem * 65536 + (lo & 0xffff);
      q = Math.floor(cur / u);
      rem = cur - q * u;
      sec = sec * 65536 + q;
    } else {
      const v = (BigInt(hi) << 32n) | BigInt(lo);
      const bu = BigInt(u);
      sec = Number(v / bu);
      rem = Number(v % bu);
    }
    this.tsSec = sec + ifc.offsetSec;
    this.tsNsec = ifc.nsMul > 0 ? rem * ifc.nsMul : ifc.nsDiv > 0 ? Math.floor(rem / ifc.nsDiv) : Math.floor((rem * 1e9) / u);
  }

  private fail(offset: number, reason: string): void {
    this.done = true;
    this.damage = makeDamage(this.path, offset, reason);
    this.onDamage?.(this.damage);
  }
}
