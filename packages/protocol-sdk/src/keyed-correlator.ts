import type { Micros } from './types.js';

/** Why a pending request left a {@link KeyedCorrelator} without its response. */
export type EvictReason = 'duplicate' | 'capacity';

export interface KeyedCorrelatorOptions<K, Req> {
  /** The most requests kept waiting (default 10 000). */
  readonly maxPending?: number;
  /**
   * Called for a request that leaves without a response, other than by
   * `expire` or `drain`: replaced by a newer request with the same key
   * (`duplicate`), or the oldest when the correlator is full (`capacity`).
   * Report it as an unanswered transaction, or count it.
   */
  readonly onEvict?: (key: K, req: Req, reason: EvictReason) => void;
}

interface Pending<Req> {
  readonly req: Req;
  readonly at: Micros;
}

/**
 * Pairs responses with requests by a key (DNS: the query id plus the
 * client's address; Memcache over UDP: the request id). Keep one per
 * analyzer or per flow.
 *
 * - Duplicate keys: the newer request wins; the older one is handed to
 *   `onEvict(key, old, 'duplicate')` (a retransmitted or reused id means the
 *   first one will not be answered as such).
 * - Bounded: when `maxPending` requests wait, adding one evicts the oldest
 *   with `onEvict(key, req, 'capacity')`.
 * - Time is packet time: `expire(now, timeout)` reports requests older than
 *   `timeout`. Requests are kept in the order they were added, so expiry
 *   stops at the first request still in time (a request added with an
 *   earlier timestamp than its predecessor waits until they expire too).
 */
export class KeyedCorrelator<K, Req> {
  readonly maxPending: number;
  private readonly onEvict: ((key: K, req: Req, reason: EvictReason) => void) | undefined;
  private readonly pending = new Map<K, Pending<Req>>();

  constructor(options: KeyedCorrelatorOptions<K, Req> = {}) {
    const max = options.maxPending ?? 10_000;
    if (!Number.isInteger(max) || max < 1) throw new RangeError(`KeyedCorrelator: maxPending must be a positive integer (got ${max})`);
    this.maxPending = max;
    this.onEvict = options.onEvict;
  }

  /** Requests waiting for a response. */
  get size(): number {
    return this.pending.size;
  }

  /** Adds a request seen at packet time `now`. */
  add(key: K, req: Req, now: Micros): void {
    const old = this.pending.get(key);
    if (old !== undefined) {
      this.pending.delete(key);
      this.onEvict?.(key, old.req, 'duplicate');
    } else if (this.pending.size >= this.maxPending) {
      const oldest = this.pending.entries().next();
      if (oldest.done !== true) {
        const [oldKey, entry] = oldest.value;
        this.pending.delete(oldKey);
        this.onEvict?.(oldKey, entry.req, 'capacity');
      }
    }
    this.pending.set(key, { req, at: now });
  }

  /** Removes and returns the request waiting under `key` (the response's match). */
  take(key: K): Req | undefined {
    const entry = this.pending.get(key);
    if (entry === undefined) return undefined;
    this.pending.delete(key);
    return entry.req;
  }

  /** The request waiting under `key`, left in place. */
  peek(key: K): Req | undefined {
    return this.pending.get(key)?.req;
  }

  has(key: K): boolean {
    return this.pending.has(key);
  }

  /** When the request under `key` was added. */
  addedAt(key: K): Micros | undefined {
    return this.pending.get(key)?.at;
  }

  /**
   * Removes requests added more than `timeoutMicros` before `now`, calling
   * `onExpired` for each (oldest first). Returns how many expired.
   */
  expire(now: Micros, timeoutMicros: number, onExpired?: (key: K, req: Req, addedAt: Micros) => void): number {
    const cutoff = now - timeoutMicros;
    let n = 0;
    for (const [key, entry] of this.pending) {
      if (entry.at > cutoff) break;
      this.pending.delete(key);
      n++;
      onExpired?.(key, entry.req, entry.at);
    }
    return n;
  }

  /** Removes every waiting request, calling `onEach` oldest first (e.g. at the end of a capture). */
  drain(onEach?: (key: K, req: Req, addedAt: Micros) => void): number {
    const entries = [...this.pending];
    this.pending.clear();
    for (const [key, entry] of entries) onEach?.(key, entry.req, entry.at);
    return entries.length;
  }
}
