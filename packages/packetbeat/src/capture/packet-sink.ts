/**
 * How packet sources hand packets to the engine: one call per packet with
 * the bytes as a view into the source's large read buffer, no per-packet
 * objects. The view is valid only during the call; whoever keeps bytes
 * copies them (only protocols that claimed a connection do).
 */
export interface PacketSink {
  /**
   * @param data      the source's buffer; the packet is data[offset, offset + capLen)
   * @param capLen    bytes captured
   * @param origLen   bytes on the wire
   * @param tsSec     capture time, whole seconds since the epoch
   * @param tsNsec    and nanoseconds within the second (0..999,999,999)
   * @param linkType  the link-layer header type (LINKTYPE_* numbers of tcpdump.org)
   */
  packet(data: Buffer, offset: number, capLen: number, origLen: number, tsSec: number, tsNsec: number, linkType: number): void;
}

/** LINKTYPE_* values (https://www.tcpdump.org/linktypes.html) we decode. */
export const LinkType = {
  NULL: 0,
  ETHERNET: 1,
  RAW: 101,
  LOOP: 108,
  LINUX_SLL: 113,
  IPV4: 228,
  IPV6: 229,
  LINUX_SLL2: 276,
} as const;
