import type { BeatEvent } from '@packetbeat-ts/libbeat';
import type { DecodedPacket } from '../decode/decoded-packet.js';
import { flowEvent, type FlowReport, type InternalNetworkTest } from './flow-event.js';
import { addressFromKey, flowIdFromKey } from './flow-id.js';
import { KEY_WORDS, W_DST, W_PORTS, W_PROTO, W_SRC, W_VLAN, flowKeyHash, readFlowKey } from './flow-key.js';

/** Makes the text of the address at `offset` in `data` (4 bytes for IPv4, 16 for IPv6). */
export type FormatIp = (data: Uint8Array, offset: number, ipVersion: number) => string;

export interface FlowTableOptions {
  /** A flow idle longer than this (µs of packet time) is reported as final and forgotten. */
  timeoutUs: number;
  /** Reporting period of active flows (µs); <= 0 reports final flows only (Packetbeat's `period: -1`). */
  periodUs: number;
  /** Most flows tracked at once; packets of new flows beyond it are not tracked (counted as dropped). */
  maxFlows: number;
  formatIp: FormatIp;
  publish: (event: BeatEvent) => void;
  /** `packetbeat.interfaces.internal_networks`, for `network.direction`; none: no direction. */
  internalNetworks?: readonly InternalNetworkTest[];
  /** Flows room is made for up front (records double as needed, up to what `maxFlows` needs; 128 bytes each, at most 3/4 full). */
  initialCapacity?: number;
  /** For tests: ANDed into every flow hash, so a small mask forces hash collisions. */
  hashMask?: number;
}

/** The flow table's own metrics. */
export interface FlowCounters {
  /** Flows tracked now. */
  active: number;
  /** Flows created since the start. */
  created: number;
  /** Flows ended by the idle timeout. */
  expired: number;
  /** New flows not tracked because the table was full (`maxFlows`). */
  dropped: number;
  /** Flow documents published. */
  events: number;
}

const ETHERNET = 1;

/*
 * The table is open addressing with linear probing over fixed-size flow
 * records: a packet's hash picks its home record directly (no bucket array
 * to go through first), so looking up a flow costs one dependent memory
 * access (the record's two adjacent cache lines) however large the table.
 *
 * Record layout: 32 words (128 bytes).
 *   word 0        hash (0 flags = empty record)
 *   words 1-11    the flow key (flow-key.ts), in the flow's direction
 *   word 12       flags (live, dirty, has MACs)
 *   word 13       (ICMP type << 8 | code) + 1 of the first packet; 0 if not ICMP
 *   float64s 7-12 packets[2], bytes[2] (source→destination first), first and last packet time (µs)
 *   bytes 104-115 source then destination MAC of the first packet
 */
const RECORD_WORDS = 32;
const RECORD_BYTES = RECORD_WORDS * 4;
const RECORD_F64 = RECORD_WORDS / 2;
const R_HASH = 0;
const R_KEY = 1;
const R_FLAGS = R_KEY + KEY_WORDS;
const R_ICMP = R_FLAGS + 1;
const F_PACKETS = 7;
const F_BYTES = 9;
const F_FIRST = 11;
const F_LAST = 12;
const B_MACS = 104;

const FLAG_LIVE = 1;
const FLAG_DIRTY = 2;
const FLAG_MAC = 4;

/** Most records in use per record allocated (grow beyond it). */
const MAX_LOAD = 0.75;

/**
 * Packetbeat's network flows (`packetbeat.flows`): bidirectional flows keyed
 * by VLANs, IP pair, IP protocol and port pair; the first packet's source is
 * the flow's source. Each side counts packets and on-the-wire bytes.
 *
 * Flows live in one buffer of fixed-size records, found by a
 * direction-independent hash computed straight from the packet bytes (the
 * key words are compared on every hit, so colliding flows stay apart). A
 * packet of a known flow allocates nothing. Time is packet time: the engine
 * calls `tick` about once a second of it; periodic reports and the idle
 * timeout are decided there, not by timers.
 */
export class FlowTable {
  readonly counters: FlowCounters = { active: 0, created: 0, expired: 0, dropped: 0, events: 0 };

  private readonly timeoutUs: number;
  private readonly periodUs: number;
  private readonly maxFlows: number;
  private readonly formatIp: FormatIp;
  private readonly publish: (event: BeatEvent) => void;
  private readonly internal: readonly InternalNetworkTest[];
  private readonly hashMask: number;

  /** Records allocated (a power of two). */
  private slots: number;
  private slotMask: number;
  /** Most records in use before growing (then `maxFlows` caps it). */
  private growAt: number;
  /** The records; three views of one buffer. */
  private i32: Int32Array;
  private f64: Float64Array;
  private u8: Uint8Array;

  private readonly scratch = new Int32Array(KEY_WORDS);
  private nextReportUs = Number.NaN;
  /** Where a chunked `finishSome` goes on. */
  private finishCursor = 0;

  constructor(opts: FlowTableOptions) {
    if (!(opts.timeoutUs > 0)) throw new RangeError('flows: timeout must be positive');
    if (!(opts.maxFlows >= 1)) throw new RangeError('flows: maxFlows must be at least 1');
    this.timeoutUs = opts.timeoutUs;
    this.periodUs = opts.periodUs > 0 ? opts.periodUs : 0;
    this.maxFlows = Math.floor(opts.maxFlows);
    this.formatIp = opts.formatIp;
    this.publish = opts.publish;
    this.internal = opts.internalNetworks ?? [];
    this.hashMask = opts.hashMask ?? -1;

    this.slots = slotsFor(Math.min(this.maxFlows, Math.max(1, Math.floor(opts.initialCapacity ?? 4096))));
    this.slotMask = this.slots - 1;
    this.growAt = Math.floor(this.slots * MAX_LOAD);
    const buf = new ArrayBuffer(this.slots * RECORD_BYTES);
    this.i32 = new Int32Array(buf);
    this.f64 = new Float64Array(buf);
    this.u8 = new Uint8Array(buf);
  }

  /** Counts one decoded IP packet (any transport) at packet time `nowUs`. */
  packet(pkt: DecodedPacket, nowUs: number): void {
    const v = pkt.ipVersion;
    if (v !== 4 && v !== 6) return;
    const k = this.scratch;
    readFlowKey(pkt, k);
    const h = flowKeyHash(k) & this.hashMask;
    if (this.nextReportUs !== this.nextReportUs) this.startClock(nowUs);

    const r = this.i32;
    const mask = this.slotMask;
    const k0 = k[0]!;
    const k1 = k[1]!;
    let s = h & mask;
    let dir = 0;
    for (;;) {
      const b = s * RECORD_WORDS;
      if (r[b + R_FLAGS] === 0) {
        s = this.create(pkt, h, s, nowUs);
        if (s < 0) return;
        break;
      }
      if (r[b + R_HASH] === h && r[b + R_KEY] === k0 && r[b + R_KEY + 1] === k1) {
        const q = b + R_KEY;
        if (
          r[q + 2] === k[2] && r[q + 3] === k[3] && r[q + 4] === k[4] && r[q + 5] === k[5] &&
          r[q + 6] === k[6] && r[q + 7] === k[7] && r[q + 8] === k[8] && r[q + 9] === k[9] &&
          r[q + 10] === k[10]
        ) {
          break;
        }
        const ports = k[10]!;
        if (
          r[q + 2] === k[6] && r[q + 3] === k[7] && r[q + 4] === k[8] && r[q + 5] === k[9] &&
          r[q + 6] === k[2] && r[q + 7] === k[3] && r[q + 8] === k[4] && r[q + 9] === k[5] &&
          r[q + 10] === ((ports << 16) | (ports >>> 16))
        ) {
          dir = 1;
          break;
        }
      }
      s = (s + 1) & mask;
    }

    const f = this.f64;
    const fb = s * RECORD_F64;
    f[fb + F_PACKETS + dir]! += 1;
    f[fb + F_BYTES + dir]! += pkt.origLen;
    if (nowUs > f[fb + F_LAST]!) f[fb + F_LAST] = nowUs;
    this.i32[s * RECORD_WORDS + R_FLAGS]! |= FLAG_DIRTY;
  }

  /**
   * Called about once a second of packet time: every `period` reports the
   * flows that saw packets since their last report (cumulative counters,
   * `flow.final: false`); flows idle longer than `timeout` are reported as
   * final and forgotten.
   */
  tick(nowUs: number): void {
    if (this.nextReportUs !== this.nextReportUs) this.startClock(nowUs);
    let report = false;
    if (this.periodUs > 0 && nowUs >= this.nextReportUs) {
      report = true;
      // Missed periods (a gap in the capture) are skipped, not caught up.
      const missed = Math.floor((nowUs - this.nextReportUs) / this.periodUs);
      this.nextReportUs += (missed + 1) * this.periodUs;
    }
    if (this.counters.active === 0) return;
    const timeout = this.timeoutUs;
    for (let s = 0; s < this.slots; s++) {
      const flags = this.i32[s * RECORD_WORDS + R_FLAGS]!;
      if (flags === 0) continue;
      if (nowUs - this.f64[s * RECORD_F64 + F_LAST]! > timeout) {
        this.report(s, true, nowUs);
        this.remove(s);
        this.counters.expired++;
        // Removal may shift a later record into this one: look at it again.
        // (A record shifted here from the start of the table, already seen,
        // is seen twice; harmless: it was neither expired nor left dirty.)
        s--;
      } else if (report && (flags & FLAG_DIRTY) !== 0) {
        this.report(s, false, nowUs);
      }
    }
  }

  /** End of capture: every flow is reported as final and the table emptied. */
  finish(nowUs: number): void {
    while (!this.finishSome(nowUs, Number.POSITIVE_INFINITY));
  }

  /**
   * `finish` a chunk at a time: reports up to `max` flows as final; `true`
   * once all were (the table is then empty). Between calls the table must
   * not see packets.
   */
  finishSome(nowUs: number, max: number): boolean {
    if (this.counters.active === 0) {
      this.finishCursor = 0;
      return true;
    }
    let reported = 0;
    let s = this.finishCursor;
    for (; s < this.slots && reported < max; s++) {
      if (this.i32[s * RECORD_WORDS + R_FLAGS] === 0) continue;
      this.report(s, true, nowUs);
      reported++;
    }
    if (s < this.slots) {
      this.finishCursor = s;
      return false;
    }
    this.finishCursor = 0;
    this.u8.fill(0);
    this.counters.active = 0;
    return true;
  }

  /** Flow records allocated now (a power of two; grows up to what `maxFlows` needs). */
  get allocatedSlots(): number {
    return this.slots;
  }

  private startClock(nowUs: number): void {
    // Reports fall on multiples of the period, as Packetbeat aligns its worker.
    this.nextReportUs = this.periodUs > 0 ? (Math.floor(nowUs / this.periodUs) + 1) * this.periodUs : Number.POSITIVE_INFINITY;
  }

  /** A new flow for `pkt` in the empty record `s` (or another one after growing); -1 when full. */
  private create(pkt: DecodedPacket, h: number, s: number, nowUs: number): number {
    const c = this.counters;
    if (c.active >= this.maxFlows) {
      c.dropped++;
      return -1;
    }
    if (c.active >= this.growAt) {
      this.grow();
      s = this.emptyFrom(h);
    }
    const r = this.i32;
    const b = s * RECORD_WORDS;
    const k = this.scratch;
    r[b + R_HASH] = h;
    for (let i = 0; i < KEY_WORDS; i++) r[b + R_KEY + i] = k[i]!;
    r[b + R_ICMP] = (pkt.protocol === 1 || pkt.protocol === 58) && pkt.payloadLength >= 2
      ? ((pkt.data[pkt.payloadOffset]! << 8) | pkt.data[pkt.payloadOffset + 1]!) + 1
      : 0;
    r[b + R_FLAGS] = FLAG_LIVE | (this.copyMacs(pkt, s) ? FLAG_MAC : 0);
    const f = this.f64;
    const fb = s * RECORD_F64;
    f[fb + F_PACKETS] = 0;
    f[fb + F_PACKETS + 1] = 0;
    f[fb + F_BYTES] = 0;
    f[fb + F_BYTES + 1] = 0;
    f[fb + F_FIRST] = nowUs;
    f[fb + F_LAST] = nowUs;
    c.active++;
    c.created++;
    return s;
  }

  /** The first empty record probing from the home of hash `h`. */
  private emptyFrom(h: number): number {
    let s = h & this.slotMask;
    while (this.i32[s * RECORD_WORDS + R_FLAGS] !== 0) s = (s + 1) & this.slotMask;
    return s;
  }

  /**
   * The Ethernet addresses of the first packet. The packet does not say where
   * its frame starts, so it is found back from the IP header: 14 bytes of
   * Ethernet header plus 4 per VLAN tag before it, checked by the EtherType.
   */
  private copyMacs(pkt: DecodedPacket, s: number): boolean {
    if (pkt.linkType !== ETHERNET || pkt.reassembled) return false;
    const ipStart = pkt.srcIpOffset - (pkt.ipVersion === 4 ? 12 : 8);
    const tags = (pkt.vlan0 >= 0 ? 1 : 0) + (pkt.vlan1 >= 0 ? 1 : 0);
    const eth = ipStart - 14 - 4 * tags;
    if (eth < 0) return false;
    const d = pkt.data;
    const etherType = (d[eth + 12]! << 8) | d[eth + 13]!;
    const expected = tags > 0 ? etherType === 0x8100 || etherType === 0x88a8 || etherType === 0x9100 : etherType === (pkt.ipVersion === 4 ? 0x0800 : 0x86dd);
    if (!expected) return false;
    const m = s * RECORD_BYTES + B_MACS;
    for (let i = 0; i < 6; i++) {
      this.u8[m + i] = d[eth + 6 + i]!; // source
      this.u8[m + 6 + i] = d[eth + i]!; // destination
    }
    return true;
  }

  /** Empties record `s`, shifting later records of the probe run back (no tombstones). */
  private remove(s: number): void {
    const r = this.i32;
    const mask = this.slotMask;
    let hole = s;
    let j = s;
    for (;;) {
      j = (j + 1) & mask;
      const b = j * RECORD_WORDS;
      if (r[b + R_FLAGS] === 0) break;
      const home = r[b + R_HASH]! & mask;
      // The record stays if its home lies cyclically in (hole, j].
      const stays = hole <= j ? home > hole && home <= j : home > hole || home <= j;
      if (!stays) {
        this.u8.copyWithin(hole * RECORD_BYTES, j * RECORD_BYTES, (j + 1) * RECORD_BYTES);
        hole = j;
      }
    }
    this.u8.fill(0, hole * RECORD_BYTES, (hole + 1) * RECORD_BYTES);
    this.counters.active--;
  }

  private grow(): void {
    const slots = slotsFor(Math.min(this.maxFlows, Math.max(this.counters.active + 1, Math.floor(this.slots * MAX_LOAD) * 2)));
    if (slots <= this.slots) {
      this.growAt = this.maxFlows;
      return;
    }
    const oldI32 = this.i32;
    const oldSlots = this.slots;
    const buf = new ArrayBuffer(slots * RECORD_BYTES);
    this.i32 = new Int32Array(buf);
    this.f64 = new Float64Array(buf);
    this.u8 = new Uint8Array(buf);
    this.slots = slots;
    this.slotMask = slots - 1;
    this.growAt = Math.floor(slots * MAX_LOAD);
    for (let s = 0; s < oldSlots; s++) {
      if (oldI32[s * RECORD_WORDS + R_FLAGS] === 0) continue;
      const from = s * RECORD_WORDS;
      const to = this.emptyFrom(oldI32[from + R_HASH]!) * RECORD_WORDS;
      for (let w = 0; w < RECORD_WORDS; w++) this.i32[to + w] = oldI32[from + w]!;
    }
  }

  private report(s: number, final: boolean, nowUs: number): void {
    const r = this.i32;
    const f = this.f64;
    const b = s * RECORD_WORDS;
    const q = b + R_KEY;
    const fb = s * RECORD_F64;
    const proto = r[q + W_PROTO]!;
    const ipVersion = (proto >>> 8) & 0xff;
    const vlanWord = r[q + W_VLAN]!;
    const vlans: number[] = [];
    if (vlanWord >>> 16 !== 0) vlans.push((vlanWord >>> 16) - 1);
    if ((vlanWord & 0xffff) !== 0) vlans.push((vlanWord & 0xffff) - 1);
    const ports = r[q + W_PORTS]!;
    const srcBytes = addressFromKey(r, q, W_SRC);
    const dstBytes = addressFromKey(r, q, W_DST);
    const icmp = r[b + R_ICMP]! - 1;
    const flags = r[b + R_FLAGS]!;
    const m = s * RECORD_BYTES + B_MACS;

    const rep: FlowReport = {
      id: flowIdFromKey(r, q),
      final,
      reportUs: nowUs,
      startUs: f[fb + F_FIRST]!,
      endUs: f[fb + F_LAST]!,
      ipVersion,
      protocol: proto & 0xff,
      vlans,
      sourceIp: this.formatIp(srcBytes, 0, ipVersion),
      destinationIp: this.formatIp(dstBytes, 0, ipVersion),
      sourceIpBytes: srcBytes,
      destinationIpBytes: dstBytes,
      sourcePort: ports >>> 16,
      destinationPort: ports & 0xffff,
      icmpType: icmp >= 0 ? icmp >>> 8 : -1,
      icmpCode: icmp >= 0 ? icmp & 0xff : -1,
      ...((flags & FLAG_MAC) !== 0 ? { sourceMac: formatMac(this.u8, m), destinationMac: formatMac(this.u8, m + 6) } : {}),
      sourcePackets: f[fb + F_PACKETS]!,
      sourceBytes: f[fb + F_BYTES]!,
      destinationPackets: f[fb + F_PACKETS + 1]!,
      destinationBytes: f[fb + F_BYTES + 1]!,
    };
    r[b + R_FLAGS] = flags & ~FLAG_DIRTY;
    this.counters.events++;
    this.publish(flowEvent(rep, this.internal));
  }
}

/** Records for `flows` flows at most MAX_LOAD full: a power of two. */
function slotsFor(flows: number): number {
  let n = 16;
  while (n * MAX_LOAD < flows) n *= 2;
  return n;
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).toUpperCase().padStart(2, '0'));

/** ECS MAC text: upper-case hex pairs joined by `-`, as Packetbeat writes it. */
function formatMac(d: Uint8Array, o: number): string {
  let s = HEX[d[o]!]!;
  for (let i = 1; i < 6; i++) s += '-' + HEX[d[o + i]!]!;
  return s;
}
