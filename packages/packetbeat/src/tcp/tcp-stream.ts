/** A segment that arrived ahead of the next expected byte, copied (the source's buffer is reused). */
interface PendingSegment {
  seq: number;
  data: Buffer;
}

/** The empty pending list every idle stream shares (never written: `hold` swaps in its own). */
const NO_PENDING: PendingSegment[] = [];

const STARTED = 1;
const FIN_SEEN = 2;
const FIN_DELIVERED = 4;

/** Signed distance from `b` to `a` in 32-bit sequence space (handles wrap-around). */
export function seqDiff(a: number, b: number): number {
  return (a - b) | 0;
}

/**
 * Receives one direction's segments and hands the bytes out in order.
 * Out-of-order segments wait (copied, bounded by `maxBuffered`); what
 * arrives again is trimmed; what is known lost is declared a gap.
 */
export class TcpStream {
  /**
   * Next expected sequence number, kept as a signed 32-bit value (compare
   * with `seqDiff`): V8 stores it inline, where an unsigned one above 2^31
   * would take a boxed number in each of hundreds of thousands of streams.
   * Meaningless until `started`.
   */
  nextSeq = 0;
  /** Sequence number of this direction's FIN (signed 32-bit), meaningful when `finSeen`. */
  finSeq = 0;
  /** STARTED | FIN_SEEN | FIN_DELIVERED: one field instead of three (V8 gives each boolean a word). */
  private flags = 0;
  bufferedBytes = 0;
  /** Segments waiting for a hole to fill; the shared empty list while there are none. */
  private pending: PendingSegment[] = NO_PENDING;

  constructor(private readonly maxBuffered: number) {}

  /** A first segment was seen: `nextSeq` means something. */
  get started(): boolean {
    return (this.flags & STARTED) !== 0;
  }

  get finSeen(): boolean {
    return (this.flags & FIN_SEEN) !== 0;
  }

  /** The tracker told the protocol about this direction's FIN. */
  get finDelivered(): boolean {
    return (this.flags & FIN_DELIVERED) !== 0;
  }

  set finDelivered(delivered: boolean) {
    this.flags = delivered ? this.flags | FIN_DELIVERED : this.flags & ~FIN_DELIVERED;
  }

  get hasPending(): boolean {
    return this.pending.length > 0;
  }

  /**
   * Accepts a segment. Calls `deliver` with in-order bytes (views valid only
   * during the call) and `gap` with the size of a hole it gave up on.
   * Returns the number of retransmitted bytes it discarded.
   */
  segment(
    seq: number,
    syn: boolean,
    fin: boolean,
    data: Buffer,
    deliver: (bytes: Buffer) => void,
    gap: (length: number) => void,
  ): number {
    let start = seq | 0;
    if (syn) {
      start = (start + 1) | 0;
      if (!this.started || seqDiff(start, this.nextSeq) > 0) this.nextSeq = start;
      this.flags |= STARTED;
    }
    if (!this.started) {
      this.nextSeq = start;
      this.flags |= STARTED;
    }
    if (fin) {
      this.finSeq = (start + data.length) | 0;
      this.flags |= FIN_SEEN;
    }

    let discarded = 0;
    if (data.length > 0) {
      const rel = seqDiff(start, this.nextSeq);
      if (rel <= 0) {
        if (-rel >= data.length) {
          discarded = data.length;
        } else {
          discarded = -rel;
          const fresh = rel === 0 ? data : data.subarray(-rel);
          this.nextSeq = (this.nextSeq + fresh.length) | 0;
          deliver(fresh);
          this.drain(deliver);
        }
      } else {
        this.hold(start, data, deliver, gap);
      }
    }
    return discarded;
  }

  /** The other side acknowledged up to `ack`: bytes before it that we never saw are lost. */
  acknowledged(ack: number, deliver: (bytes: Buffer) => void, gap: (length: number) => void): void {
    if (!this.started || this.pending.length === 0) return;
    const first = this.pending[0];
    if (first === undefined) return;
    // Only when the receiver has everything up to a waiting segment is the hole certain.
    if (seqDiff(ack, first.seq) >= 0) this.skipTo(first.seq, deliver, gap);
  }

  /** Gives up on every hole: delivers what is waiting, declaring the holes gaps (at close or expiry). */
  flush(deliver: (bytes: Buffer) => void, gap: (length: number) => void): void {
    while (this.pending.length > 0) {
      const first = this.pending[0];
      if (first === undefined) break;
      this.skipTo(first.seq, deliver, gap);
    }
  }

  /** True once every byte up to the FIN has been delivered. */
  get finished(): boolean {
    return this.finSeen && this.nextSeq === this.finSeq;
  }

  private hold(seq: number, data: Buffer, deliver: (bytes: Buffer) => void, gap: (length: number) => void): void {
    if (this.pending === NO_PENDING) this.pending = [];
    // Keep the list sorted by sequence; identical starts keep the longer segment.
    let i = this.pending.length;
    while (i > 0 && seqDiff((this.pending[i - 1] as PendingSegment).seq, seq) > 0) i--;
    const before = this.pending[i - 1];
    if (before !== undefined && before.seq === seq) {
      if (before.data.length >= data.length) return;
      this.bufferedBytes -= before.data.length;
      this.pending.splice(i - 1, 1);
      i--;
    }
    this.pending.splice(i, 0, { seq: seq | 0, data: Buffer.from(data) });
    this.bufferedBytes += data.length;
    // Bounded: past the cap, the oldest hole is given up as a gap.
    while (this.bufferedBytes > this.maxBuffered && this.pending.length > 0) {
      const first = this.pending[0] as PendingSegment;
      this.skipTo(first.seq, deliver, gap);
    }
  }

  private skipTo(seq: number, deliver: (bytes: Buffer) => void, gap: (length: number) => void): void {
    const missing = seqDiff(seq, this.nextSeq);
    if (missing > 0) {
      gap(missing);
      this.nextSeq = seq | 0;
    }
    this.drain(deliver);
  }

  /** Delivers waiting segments that are now in order, trimming overlaps. */
  private drain(deliver: (bytes: Buffer) => void): void {
    while (this.pending.length > 0) {
      const first = this.pending[0] as PendingSegment;
      const rel = seqDiff(first.seq, this.nextSeq);
      if (rel > 0) return;
      this.pending.shift();
      if (this.pending.length === 0) this.pending = NO_PENDING; // a drained list keeps its capacity
      this.bufferedBytes -= first.data.length;
      if (-rel >= first.data.length) continue;
      const fresh = rel === 0 ? first.data : first.data.subarray(-rel);
      this.nextSeq = (this.nextSeq + fresh.length) | 0;
      deliver(fresh);
    }
  }
}
