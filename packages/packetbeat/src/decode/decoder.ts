import {
  BAD_IP_HEADER,
  DROP_NAMES,
  DROP_REASONS,
  FRAGMENT,
  FRAGMENT_DROPPED,
  IpInfo,
  OK,
  TRUNCATED,
} from './codes.js';
import type { DecodeDrop, DecodedPacket } from './decoded-packet.js';
import { FragmentReassembler, type FragmentReassemblyOptions } from './fragments.js';
import { decodeIPv4 } from './ipv4.js';
import { decodeIPv6 } from './ipv6.js';
import { decodeLink } from './link.js';
import { decodeTransport } from './transport.js';

export interface PacketDecoderOptions {
  /** IP fragment reassembly limits, or `false` to drop every fragment as 'fragment_dropped'. */
  fragments?: FragmentReassemblyOptions | false;
}

/**
 * Decodes link, IP and transport headers of one packet at a time into a
 * reused `DecodedPacket`. One decoder per packet stream (it owns the
 * fragment reassembly state); not shared between threads.
 *
 * What `out` holds after `decode`:
 * - `null` (decoded): every field.
 * - 'unsupported_transport': the link and IP fields (`ipVersion`, addresses,
 *   `ttl`, `protocol`) with the IP payload as `payloadOffset`/`payloadLength`
 *   and ports 0, so flows can count such packets as IP-only flows.
 * - 'fragment_pending' / 'fragment_dropped': the link and IP fields of the
 *   fragment (its data as the payload); ports 0.
 * - other reasons: whatever was decoded before the failure (`ipVersion` is 0
 *   unless the IP header was valid); consumers should not read it.
 */
export class PacketDecoder {
  /** Packets for which `decode` returned null. */
  decoded = 0;
  /** Of those, put together from fragments. */
  reassembled = 0;
  /** The fragment reassembler (its own counters give datagram-level detail), or null when disabled. */
  readonly fragments: FragmentReassembler | null;

  /** Drops by result code (see codes.ts); read through `drops` / `dropCount`. */
  private readonly dropCounts = new Float64Array(DROP_NAMES.length);
  private readonly ip = new IpInfo();

  constructor(opts: PacketDecoderOptions = {}) {
    this.fragments = opts.fragments === false ? null : new FragmentReassembler(opts.fragments ?? {});
  }

  /**
   * Decodes the packet data[offset, offset + capLen) of link type `linkType`
   * into `out`. Returns null when it decoded to a TCP, UDP, ICMP or ICMPv6
   * packet, otherwise why not (also counted). Never throws on malformed input.
   */
  decode(
    data: Buffer,
    offset: number,
    capLen: number,
    origLen: number,
    tsSec: number,
    tsNsec: number,
    linkType: number,
    out: DecodedPacket,
  ): DecodeDrop | null {
    out.data = data;
    out.tsSec = tsSec;
    out.tsNsec = tsNsec;
    out.linkType = linkType;
    out.origLen = origLen;
    out.vlan0 = -1;
    out.vlan1 = -1;
    out.ipVersion = 0;
    out.srcIpOffset = 0;
    out.dstIpOffset = 0;
    out.ttl = 0;
    out.protocol = 0;
    out.reassembled = false;
    out.srcPort = 0;
    out.dstPort = 0;
    out.tcpSeq = 0;
    out.tcpAck = 0;
    out.tcpFlags = 0;
    out.tcpWindow = 0;
    out.payloadOffset = 0;
    out.payloadLength = 0;

    const reasm = this.fragments;
    if (reasm !== null && tsSec >= reasm.nextExpiry) reasm.expire(tsSec);

    let end = offset + capLen;
    if (end > data.length) end = data.length;
    let code: number;
    const ip = offset >= 0 && capLen >= 0 ? decodeLink(data, offset, end, linkType, out) : -TRUNCATED;
    if (ip < 0) {
      code = -ip;
    } else {
      code = out.ipVersion === 4 ? decodeIPv4(data, ip, end, out, this.ip) : decodeIPv6(data, ip, end, out, this.ip);
      if (code === FRAGMENT) code = this.reassemble(data, out, tsSec);
      if (code === OK) code = decodeTransport(out.data, this.ip.claimedEnd, out);
    }
    if (code === OK) {
      this.decoded++;
      return null;
    }
    this.dropCounts[code] = this.dropCounts[code]! + 1;
    return DROP_NAMES[code]!;
  }

  private reassemble(data: Buffer, out: DecodedPacket, tsSec: number): number {
    const reasm = this.fragments;
    if (reasm === null) return FRAGMENT_DROPPED;
    if (!this.ip.complete) return TRUNCATED; // the capture lost part of this fragment
    const code = reasm.add(data, out, this.ip, tsSec);
    if (code !== OK) return code;
    const buf = reasm.result;
    const len = reasm.resultLength;
    const ipVersion = out.ipVersion;
    out.data = buf;
    out.reassembled = true;
    this.reassembled++;
    // The rebuilt datagram is no fragment any more: decode it as a whole.
    const c = ipVersion === 4 ? decodeIPv4(buf, 0, len, out, this.ip) : decodeIPv6(buf, 0, len, out, this.ip);
    return c === FRAGMENT ? BAD_IP_HEADER : c; // a second fragment header inside the fragmented part
  }

  /** Expires pending fragments by packet time (the decoder also does this as packets arrive). */
  expire(tsSec: number): void {
    this.fragments?.expire(tsSec);
  }

  /**
   * Packets dropped for `reason`. 'fragment_dropped' also counts fragments
   * that were held (and counted as 'fragment_pending' then) and later
   * discarded: expired, evicted or part of an invalid datagram.
   */
  dropCount(reason: DecodeDrop): number {
    const i = DROP_REASONS.indexOf(reason) + 1;
    let n = this.dropCounts[i] ?? 0;
    if (reason === 'fragment_dropped' && this.fragments !== null) n += this.fragments.fragmentsDiscarded;
    return n;
  }

  /** A snapshot of every drop counter (for metrics). */
  get drops(): Record<DecodeDrop, number> {
    const r = {} as Record<DecodeDrop, number>;
    for (const reason of DROP_REASONS) r[reason] = this.dropCount(reason);
    return r;
  }
}
