/** Where and why a capture file stopped making sense. Packets before `offset` were delivered. */
export interface CaptureDamage {
  /** Byte offset in the file of the record (block) that could not be read. */
  readonly offset: number;
  /** Short reason, e.g. "truncated record body". */
  readonly reason: string;
  /** A log line naming the file, the reason and the offset. */
  readonly message: string;
}

/** Called once when damage stops the reading of a capture file. */
export type CaptureDamageHandler = (damage: CaptureDamage) => void;

export function makeDamage(path: string, offset: number, reason: string): CaptureDamage {
  return { offset, reason, message: `capture file ${path} is damaged at byte offset ${offset}: ${reason}; stopped reading there` };
}

/** Largest captured length accepted for one packet (libpcap's MAXIMUM_SNAPLEN). */
export const MAX_CAPLEN = 262144;

/** The captured length above which a record counts as damage, for a given snaplen (0 = unknown). */
export function maxCapLenFor(snaplen: number): number {
  return snaplen > 0 ? Math.min(MAX_CAPLEN, snaplen * 2) : MAX_CAPLEN;
}
