import type { DecodeDrop } from './decoded-packet.js';

/*
 * Internal numeric result codes of the decoding stages. The public API
 * speaks `DecodeDrop` strings; the stages return small integers so the hot
 * path compares numbers and indexes counter arrays.
 */

export const OK = 0;
export const TRUNCATED = 1;
export const UNSUPPORTED_LINK = 2;
export const NOT_IP = 3;
export const BAD_IP_HEADER = 4;
export const BAD_TRANSPORT_HEADER = 5;
export const UNSUPPORTED_TRANSPORT = 6;
export const FRAGMENT_PENDING = 7;
export const FRAGMENT_DROPPED = 8;
/** Internal only: the IP layer found a fragment; hand it to the reassembler. */
export const FRAGMENT = 9;

/** `DecodeDrop` reason of each code (index = code; index 0 is OK, never a drop). */
export const DROP_NAMES: readonly DecodeDrop[] = [
  'truncated', // placeholder for OK, never used as a reason
  'truncated',
  'unsupported_link',
  'not_ip',
  'bad_ip_header',
  'bad_transport_header',
  'unsupported_transport',
  'fragment_pending',
  'fragment_dropped',
];

/** Every `DecodeDrop` reason, in code order. */
export const DROP_REASONS: readonly DecodeDrop[] = DROP_NAMES.slice(1);

/** Facts the IP decoders report beside `out`; one instance per decoder, reused. */
export class IpInfo {
  /**
   * Where the IP header says the packet ends (offset in the buffer), or -1
   * when it does not say (a length of 0: segmentation offload, jumbogram).
   * A header running past the captured bytes but not past this is
   * truncated; one running past this is bad (see `overrun`).
   */
  claimedEnd = -1;
  /* The rest is set only with FRAGMENT. */
  /** Offset of the IP header in the packet buffer. */
  ipOffset = 0;
  /** IPv4 identification or IPv6 fragment header identification. */
  id = 0;
  /** Byte offset of this fragment's data in the original datagram's fragmentable part. */
  fragOffset = 0;
  /** More-fragments flag. */
  more = false;
  /** False when the capture holds fewer bytes than the IP header says (snaplen), or it does not say. */
  complete = true;
}

/** Big-endian 16-bit read without bounds checks (the caller checked). */
export function u16(d: Buffer, i: number): number {
  return (d[i]! << 8) | d[i + 1]!;
}

/** Big-endian unsigned 32-bit read without bounds checks (the caller checked). */
export function u32(d: Buffer, i: number): number {
  return ((d[i]! << 24) | (d[i + 1]! << 16) | (d[i + 2]! << 8) | d[i + 3]!) >>> 0;
}

/**
 * The result for a header that needs bytes up to `need` but the packet ends
 * earlier: bad when the IP header says the packet ends before `need`,
 * truncated when only the capture is short.
 */
export function overrun(need: number, claimedEnd: number, bad: number): number {
  return claimedEnd >= 0 && need > claimedEnd ? bad : TRUNCATED;
}
