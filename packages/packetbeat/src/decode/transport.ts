import { BAD_TRANSPORT_HEADER, OK, UNSUPPORTED_TRANSPORT, overrun, u16, u32 } from './codes.js';
import type { DecodedPacket } from './decoded-packet.js';

/**
 * Decodes the transport header at `out.payloadOffset` (the IP payload is
 * `out.payloadLength` bytes; the IP header says it ends at `claimedEnd`, -1 if it does not say) and narrows
 * `payloadOffset`/`payloadLength` to the transport payload.
 *
 * - TCP (6): ports, seq, ack, flags (the whole flags byte, CWR/ECE included),
 *   window; the data offset must be >= 5 and its header captured.
 * - UDP (17): ports; the payload is clipped to the UDP length (0 — GSO or a
 *   jumbogram — trusts the IP payload length; below 8 is a bad header).
 * - ICMP (1) / ICMPv6 (58): the payload is the whole ICMP message (type byte
 *   first, at least the 4-byte type/code/checksum), ports stay 0.
 * - Anything else: `UNSUPPORTED_TRANSPORT`, with the IP fields and the IP
 *   payload left filled so flows can still count the packet.
 * A header running past `claimedEnd` is a bad header; one cut short only by
 * the end of the capture is `TRUNCATED`.
 */
export function decodeTransport(d: Buffer, claimedEnd: number, out: DecodedPacket): number {
  // Small dispatch so the engine can inline the common protocol decoders.
  const proto = out.protocol;
  if (proto === 6) return decodeTcp(d, claimedEnd, out);
  if (proto === 17) return decodeUdp(d, claimedEnd, out);
  if (proto === 1 || proto === 58) return out.payloadLength < 4 ? overrun(out.payloadOffset + 4, claimedEnd, BAD_TRANSPORT_HEADER) : OK;
  return UNSUPPORTED_TRANSPORT;
}

function decodeTcp(d: Buffer, claimedEnd: number, out: DecodedPacket): number {
  const p = out.payloadOffset;
  const len = out.payloadLength;
  if (len < 20) return overrun(p + 20, claimedEnd, BAD_TRANSPORT_HEADER);
  const hl = (d[p + 12]! >> 4) << 2;
  if (hl < 20) return BAD_TRANSPORT_HEADER;
  if (len < hl) return overrun(p + hl, claimedEnd, BAD_TRANSPORT_HEADER);
  out.srcPort = u16(d, p);
  out.dstPort = u16(d, p + 2);
  out.tcpSeq = u32(d, p + 4);
  out.tcpAck = u32(d, p + 8);
  out.tcpFlags = d[p + 13]!;
  out.tcpWindow = u16(d, p + 14);
  out.payloadOffset = p + hl;
  out.payloadLength = len - hl;
  return OK;
}

function decodeUdp(d: Buffer, claimedEnd: number, out: DecodedPacket): number {
  const p = out.payloadOffset;
  const len = out.payloadLength;
  if (len < 8) return overrun(p + 8, claimedEnd, BAD_TRANSPORT_HEADER);
  const ulen = u16(d, p + 4);
  if (ulen !== 0 && ulen < 8) return BAD_TRANSPORT_HEADER;
  out.srcPort = u16(d, p);
  out.dstPort = u16(d, p + 2);
  out.payloadOffset = p + 8;
  out.payloadLength = ulen !== 0 && ulen < len ? ulen - 8 : len - 8;
  return OK;
}
