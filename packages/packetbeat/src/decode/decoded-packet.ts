/**
 * The result of decoding one packet's link, IP and transport headers. One
 * instance is reused for every packet (no per-packet allocation): a decoder
 * overwrites all fields, and consumers read what they need during the call.
 * Addresses stay as bytes in `data`; strings are made only for emitted fields.
 */
export class DecodedPacket {
  /** The buffer holding the packet (the source's, or a reassembly buffer). */
  data: Buffer = Buffer.alloc(0);
  tsSec = 0;
  tsNsec = 0;
  linkType = 0;
  /** Bytes on the wire (for flow byte counts). */
  origLen = 0;

  /** Outer and inner 802.1Q VLAN ids, -1 when absent. */
  vlan0 = -1;
  vlan1 = -1;

  /** 4 or 6; 0 when the packet is not IP. */
  ipVersion = 0;
  /** Offsets in `data` of the source and destination addresses (4 or 16 bytes). */
  srcIpOffset = 0;
  dstIpOffset = 0;
  /** IPv4 TTL / IPv6 hop limit. */
  ttl = 0;
  /** IP protocol number of the transport: 6 TCP, 17 UDP, 1 ICMP, 58 ICMPv6. */
  protocol = 0;
  /** True when this packet was put together from IP fragments (data is a reassembly buffer). */
  reassembled = false;

  srcPort = 0;
  dstPort = 0;
  /** TCP only. */
  tcpSeq = 0;
  tcpAck = 0;
  tcpFlags = 0;
  tcpWindow = 0;

  /** The transport payload (or the ICMP message, type byte first) in `data`. */
  payloadOffset = 0;
  payloadLength = 0;
}

export const TcpFlag = { FIN: 0x01, SYN: 0x02, RST: 0x04, PSH: 0x08, ACK: 0x10, URG: 0x20 } as const;

/** Why a packet was not decoded; each reason is a counter in metrics. */
export type DecodeDrop =
  | 'truncated'
  | 'unsupported_link'
  | 'not_ip'
  | 'bad_ip_header'
  | 'bad_transport_header'
  | 'unsupported_transport'
  | 'fragment_pending'
  | 'fragment_dropped';
