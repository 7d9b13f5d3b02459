import { BAD_IP_HEADER, FRAGMENT, OK, TRUNCATED, u16, type IpInfo } from './codes.js';
import type { DecodedPacket } from './decoded-packet.js';

/**
 * Decodes the IPv4 header at `off` (the captured packet ends at `end`).
 * On `OK` (and on `FRAGMENT`) fills the IP fields of `out` and sets
 * `payloadOffset`/`payloadLength` to the IP payload: the total length clips
 * trailing link padding; a total length of 0 (TCP segmentation offload)
 * trusts the captured length; a capture shorter than the total length
 * (snaplen) keeps what was captured.
 * Options are skipped; the header checksum is not checked (offloading
 * makes captured checksums unreliable).
 */
export function decodeIPv4(d: Buffer, off: number, end: number, out: DecodedPacket, info: IpInfo): number {
  if (end - off < 20) return TRUNCATED;
  const b0 = d[off]!;
  if (b0 >> 4 !== 4) return BAD_IP_HEADER;
  const hl = (b0 & 0x0f) << 2;
  if (hl < 20) return BAD_IP_HEADER;
  const total = u16(d, off + 2);
  if (total !== 0 && total < hl) return BAD_IP_HEADER;
  if (end - off < hl) return TRUNCATED;
  const claimedEnd = total !== 0 ? off + total : -1;
  info.claimedEnd = claimedEnd;
  const ipEnd = total !== 0 && claimedEnd < end ? claimedEnd : end;
  out.ipVersion = 4;
  out.ttl = d[off + 8]!;
  out.protocol = d[off + 9]!;
  out.srcIpOffset = off + 12;
  out.dstIpOffset = off + 16;
  out.payloadOffset = off + hl;
  out.payloadLength = ipEnd - off - hl;
  const ff = u16(d, off + 6);
  if ((ff & 0x3fff) === 0) return OK; // neither MF nor a fragment offset
  info.ipOffset = off;
  info.id = u16(d, off + 4);
  info.fragOffset = (ff & 0x1fff) << 3;
  info.more = (ff & 0x2000) !== 0;
  info.complete = total !== 0 && claimedEnd <= end;
  return FRAGMENT;
}
