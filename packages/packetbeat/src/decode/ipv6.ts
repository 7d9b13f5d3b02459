import { BAD_IP_HEADER, FRAGMENT, OK, TRUNCATED, overrun, u16, u32, type IpInfo } from './codes.js';
import type { DecodedPacket } from './decoded-packet.js';

/** Extension headers in the generic (next header, length in 8-byte units - 1) format. */
function isGenericExtension(nh: number): boolean {
  // 0 hop-by-hop, 43 routing, 60 destination options, 135 mobility, 139 HIP, 140 shim6
  return nh === 0 || nh === 43 || nh === 60 || nh === 135 || nh === 139 || nh === 140;
}

/**
 * Decodes the IPv6 header at `off` and walks its extension headers
 * (hop-by-hop, routing, destination options, mobility/HIP/shim6, AH, and
 * fragment) to the upper-layer protocol, which lands in `out.protocol` with
 * `payloadOffset`/`payloadLength` at its header. ESP (50) and No Next Header
 * (59) end the walk like any other upper-layer protocol (the transport stage
 * reports them as unsupported). A payload length of 0 (jumbogram or
 * segmentation offload) trusts the captured length.
 * Returns `FRAGMENT` for a non-atomic fragment, with `out.protocol` the
 * fragment header's next header and the payload at the fragment data.
 */
export function decodeIPv6(d: Buffer, off: number, end: number, out: DecodedPacket, info: IpInfo): number {
  if (end - off < 40) return TRUNCATED;
  if (d[off]! >> 4 !== 6) return BAD_IP_HEADER;
  const plen = u16(d, off + 4);
  const claimedEnd = plen !== 0 ? off + 40 + plen : -1;
  info.claimedEnd = claimedEnd;
  const ipEnd = plen !== 0 && claimedEnd < end ? claimedEnd : end;
  out.ipVersion = 6;
  out.ttl = d[off + 7]!;
  out.srcIpOffset = off + 8;
  out.dstIpOffset = off + 24;
  let nh = d[off + 6]!;
  let p = off + 40;
  for (;;) {
    if (isGenericExtension(nh) || nh === 51) {
      if (ipEnd - p < 2) return overrun(p + 2, claimedEnd, BAD_IP_HEADER);
      // AH counts its length in 4-byte units minus 2; the others in 8-byte units minus 1.
      const len = nh === 51 ? (d[p + 1]! + 2) << 2 : (d[p + 1]! + 1) << 3;
      if (ipEnd - p < len) return overrun(p + len, claimedEnd, BAD_IP_HEADER);
      nh = d[p]!;
      p += len;
    } else if (nh === 44) {
      if (ipEnd - p < 8) return overrun(p + 8, claimedEnd, BAD_IP_HEADER);
      const fo = u16(d, p + 2);
      const next = d[p]!;
      if ((fo & 0xfff9) === 0) {
        // An atomic fragment (offset 0, no more fragments; RFC 6946): just a header.
        nh = next;
        p += 8;
        continue;
      }
      out.protocol = next;
      out.payloadOffset = p + 8;
      out.payloadLength = ipEnd - p - 8;
      info.ipOffset = off;
      info.id = u32(d, p + 4);
      info.fragOffset = fo & 0xfff8;
      info.more = (fo & 1) !== 0;
      info.complete = plen !== 0 && claimedEnd <= end;
      return FRAGMENT;
    } else {
      out.protocol = nh;
      out.payloadOffset = p;
      out.payloadLength = ipEnd - p;
      return OK;
    }
  }
}
