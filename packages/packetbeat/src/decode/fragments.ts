import { FRAGMENT_DROPPED, FRAGMENT_PENDING, OK, type IpInfo } from './codes.js';
import type { DecodedPacket } from './decoded-packet.js';

export interface FragmentReassemblyOptions {
  /** Datagrams being reassembled at once; the oldest is dropped to make room. Default 1024. */
  maxPending?: number;
  /**
   * Largest reassembled payload (the bytes after the IP header) in bytes.
   * Default and ceiling 65535 (IPv4: 65515, what its total length can hold).
   */
  maxDatagramBytes?: number;
  /** Seconds of packet time after its first fragment a datagram is given up. Default 30. */
  timeoutSec?: number;
}

/** One datagram being put together. Its buffer holds a normalized IP header then the payload. */
class Pending {
  /** Received byte ranges of the payload, sorted and merged: [start0, end0, start1, end1, …]. */
  ranges: number[] = [];
  /** Payload length, known once the last fragment (MF = 0) arrived; -1 before. */
  total = -1;
  fragments = 0;
  haveFirst = false;
  constructor(
    readonly key: string,
    readonly version: number,
    readonly protocol: number,
    readonly firstTs: number,
    readonly hdrLen: number,
    public buf: Buffer,
  ) {}
}

/**
 * IPv4 and IPv6 fragment reassembly, keyed by (version, source, destination,
 * identification, protocol). Fragments may come in any order, duplicated or
 * overlapping: bytes already received win over later copies (first-wins, so
 * a retransmitted overlap cannot rewrite data already seen). Inconsistent
 * datagrams (two different ends, data past the end) are dropped.
 *
 * Bounded: at most `maxPending` datagrams of at most `maxDatagramBytes`
 * each; expiry runs on packet time (`expire(tsSec)`, also driven by the
 * decoder on every packet at the cost of one comparison). No timers.
 *
 * The completed datagram is a fresh buffer (`result`, `resultLength`): an
 * IPv4 header without options (IHL 5, total length set, fragment fields
 * cleared), or the IPv6 fixed header with the fragment's next header and the
 * payload length set (the unfragmentable extension headers are left out),
 * followed by the payload.
 */
export class FragmentReassembler {
  readonly maxPending: number;
  readonly maxDatagramBytes: number;
  readonly timeoutSec: number;

  /** Datagrams completed. */
  datagramsReassembled = 0;
  /** Datagrams given up after the timeout. */
  datagramsExpired = 0;
  /** Datagrams dropped to make room for a new one. */
  datagramsEvicted = 0;
  /** Datagrams dropped as too large or inconsistent. */
  datagramsInvalid = 0;
  /** Fragments held pending and later discarded (expired, evicted or invalid datagrams). */
  fragmentsDiscarded = 0;

  /** Packet time (s) at which the oldest pending datagram expires; Infinity when none. */
  nextExpiry = Infinity;

  /** After `add` returned OK: the reassembled IP datagram is result[0, resultLength). */
  result: Buffer = Buffer.alloc(0);
  resultLength = 0;

  private readonly pending = new Map<string, Pending>();

  constructor(opts: FragmentReassemblyOptions = {}) {
    this.maxPending = Math.max(1, opts.maxPending ?? 1024);
    this.maxDatagramBytes = Math.min(65535, Math.max(8, opts.maxDatagramBytes ?? 65535));
    this.timeoutSec = opts.timeoutSec ?? 30;
  }

  /** Datagrams currently pending. */
  get pendingCount(): number {
    return this.pending.size;
  }

  /**
   * Adds the fragment decoded into `out` (IP fields, `protocol`, and the
   * fragment data as `payloadOffset`/`payloadLength`) with `frag` facts.
   * Returns OK (the datagram is complete: see `result`), FRAGMENT_PENDING or
   * FRAGMENT_DROPPED.
   */
  add(d: Buffer, out: DecodedPacket, frag: IpInfo, tsSec: number): number {
    const v = out.ipVersion;
    const addrLen = v === 4 ? 4 : 16;
    const key =
      String.fromCharCode(v, out.protocol) + frag.id.toString(36) + ':' + d.toString('latin1', out.srcIpOffset, out.srcIpOffset + 2 * addrLen);
    const start = frag.fragOffset;
    const len = out.payloadLength;
    const end = start + len;
    const limit = v === 4 ? Math.min(this.maxDatagramBytes, 65515) : this.maxDatagramBytes;
    let p = this.pending.get(key);

    if (end > limit) return this.invalid(p);
    if (p !== undefined) {
      const maxEnd = p.ranges.length === 0 ? 0 : p.ranges[p.ranges.length - 1]!;
      if (!frag.more) {
        if ((p.total >= 0 && p.total !== end) || maxEnd > end) return this.invalid(p);
      } else if (p.total >= 0 && end > p.total) {
        return this.invalid(p);
      }
    } else {
      if (this.pending.size >= this.maxPending) this.evictOldest();
      const hdrLen = v === 4 ? 20 : 40;
      p = new Pending(key, v, out.protocol, tsSec, hdrLen, Buffer.allocUnsafe(hdrLen + Math.min(limit, Math.max(end, 2048))));
      this.pending.set(key, p);
      if (this.pending.size === 1) this.nextExpiry = tsSec + this.timeoutSec;
    }

    if (p.fragments === 0 || (start === 0 && !p.haveFirst)) {
      // The header of the first fragment (offset 0) is the datagram's; until it comes, any fragment's.
      d.copy(p.buf, 0, frag.ipOffset, frag.ipOffset + p.hdrLen);
      if (start === 0) p.haveFirst = true;
    }
    const need = p.hdrLen + end;
    if (need > p.buf.length) {
      const grown = Buffer.allocUnsafe(Math.min(p.hdrLen + limit, Math.max(need, p.buf.length * 2)));
      p.buf.copy(grown, 0, 0, p.buf.length);
      p.buf = grown;
    }
    fill(p, d, out.payloadOffset, start, end);
    p.fragments++;
    if (!frag.more) p.total = end;

    const r = p.ranges;
    if (p.total < 0 || r.length !== 2 || r[0] !== 0 || r[1] !== p.total) return FRAGMENT_PENDING;

    // Complete.
    this.remove(p);
    const b = p.buf;
    const total = p.total;
    if (v === 4) {
      b[0] = 0x45;
      b.writeUInt16BE(20 + total, 2);
      b.writeUInt16BE(0, 6);
      b.writeUInt16BE(0, 10);
    } else {
      b.writeUInt16BE(total, 4);
      b[6] = p.protocol;
    }
    this.result = b;
    this.resultLength = p.hdrLen + total;
    this.datagramsReassembled++;
    return OK;
  }

  /** Drops the datagrams whose first fragment is `timeoutSec` or more older than `tsSec`. Returns how many. */
  expire(tsSec: number): number {
    let n = 0;
    for (const p of this.pending.values()) {
      if (tsSec - p.firstTs < this.timeoutSec) break;
      this.fragmentsDiscarded += p.fragments;
      this.pending.delete(p.key);
      n++;
    }
    this.datagramsExpired += n;
    this.updateNextExpiry();
    return n;
  }

  /** Drops every pending datagram (e.g. at the end of a capture). Returns how many. */
  clear(): number {
    const n = this.pending.size;
    for (const p of this.pending.values()) this.fragmentsDiscarded += p.fragments;
    this.pending.clear();
    this.nextExpiry = Infinity;
    return n;
  }

  private invalid(p: Pending | undefined): number {
    if (p !== undefined) {
      this.fragmentsDiscarded += p.fragments;
      this.remove(p);
    }
    this.datagramsInvalid++;
    return FRAGMENT_DROPPED;
  }

  private evictOldest(): void {
    for (const p of this.pending.values()) {
      this.fragmentsDiscarded += p.fragments;
      this.datagramsEvicted++;
      this.remove(p);
      return;
    }
  }

  private remove(p: Pending): void {
    this.pending.delete(p.key);
    this.updateNextExpiry();
  }

  private updateNextExpiry(): void {
    this.nextExpiry = Infinity;
    // Map order is insertion order, so the first entry is the oldest.
    for (const p of this.pending.values()) {
      this.nextExpiry = p.firstTs + this.timeoutSec;
      return;
    }
  }
}

/**
 * Copies the parts of payload range [start, end) (from d at `src`) that no
 * earlier fragment supplied, then merges the range into `p.ranges`.
 */
function fill(p: Pending, d: Buffer, src: number, start: number, end: number): void {
  const r = p.ranges;
  const base = p.hdrLen;
  let cur = start;
  for (let i = 0; i < r.length && cur < end; i += 2) {
    const a = r[i]!;
    const b = r[i + 1]!;
    if (b <= cur) continue;
    if (a >= end) break;
    if (a > cur) d.copy(p.buf, base + cur, src + (cur - start), src + (a - start));
    cur = b;
  }
  if (cur < end) d.copy(p.buf, base + cur, src + (cur - start), src + (end - start));

  // Merge [start, end) with every range it overlaps or touches.
  let lo = start;
  let hi = end;
  const merged: number[] = [];
  let placed = false;
  for (let i = 0; i < r.length; i += 2) {
    const a = r[i]!;
    const b = r[i + 1]!;
    if (b < lo) merged.push(a, b);
    else if (a > hi) {
      if (!placed) {
        merged.push(lo, hi);
        placed = true;
      }
      merged.push(a, b);
    } else {
      if (a < lo) lo = a;
      if (b > hi) hi = b;
    }
  }
  if (!placed) merged.push(lo, hi);
  p.ranges = merged;
}
