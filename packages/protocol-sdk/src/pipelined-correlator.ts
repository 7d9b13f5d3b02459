import type { Micros } from './types.js';

export interface PipelinedCorrelatorOptions<Req> {
  /** The most requests waiting on one connection (default 1 000). */
  readonly maxPending?: number;
  /** Called with a request refused because `maxPending` requests wait. */
  readonly onDropped?: (req: Req) => void;
}

/**
 * Pairs responses with requests in order, for protocols whose server answers
 * requests in the order they came (Redis, HTTP/1.1 pipelining, Memcache
 * text): keep one per connection in the plugin's connection state.
 *
 * Full policy: when `maxPending` requests wait, `pushRequest` refuses the new
 * one (returns `false`, calls `onDropped`, counts it in `dropped`) and keeps
 * the waiting ones, since the next responses answer the oldest requests.
 */
export class PipelinedCorrelator<Req> {
  readonly maxPending: number;
  private readonly onDropped: ((req: Req) => void) | undefined;
  private items: Req[] = [];
  private times: Micros[] = [];
  private head = 0;
  private droppedCount = 0;

  constructor(options: PipelinedCorrelatorOptions<Req> = {}) {
    const max = options.maxPending ?? 1000;
    if (!Number.isInteger(max) || max < 1) throw new RangeError(`PipelinedCorrelator: maxPending must be a positive integer (got ${max})`);
    this.maxPending = max;
    this.onDropped = options.onDropped;
  }

  /** Requests waiting for their response. */
  get length(): number {
    return this.items.length - this.head;
  }

  /** Requests refused because the correlator was full. */
  get dropped(): number {
    return this.droppedCount;
  }

  /**
   * Queues a request. `now` (packet time) is only needed if you call
   * `expire`; requests pushed without it never expire (and, being in a
   * queue, hold back the expiry of those behind them).
   */
  pushRequest(req: Req, now: Micros = Number.POSITIVE_INFINITY): boolean {
    if (this.length >= this.maxPending) {
      this.droppedCount++;
      this.onDropped?.(req);
      return false;
    }
    this.items.push(req);
    this.times.push(now);
    return true;
  }

  /** The oldest waiting request, removed: the one the next response answers. */
  shiftRequest(): Req | undefined {
    if (this.head >= this.items.length) return undefined;
    const req = this.items[this.head] as Req;
    this.head++;
    this.compact();
    return req;
  }

  /** The oldest waiting request, left in place. */
  peekRequest(): Req | undefined {
    return this.head < this.items.length ? this.items[this.head] : undefined;
  }

  /**
   * Removes requests pushed more than `timeoutMicros` before `now`, oldest
   * first, calling `onExpired` for each. Returns how many expired.
   */
  expire(now: Micros, timeoutMicros: number, onExpired?: (req: Req, pushedAt: Micros) => void): number {
    const cutoff = now - timeoutMicros;
    let n = 0;
    while (this.head < this.items.length) {
      const at = this.times[this.head] as Micros;
      if (at > cutoff) break;
      const req = this.items[this.head] as Req;
      this.head++;
      n++;
      onExpired?.(req, at);
    }
    this.compact();
    return n;
  }

  /** Removes and returns every waiting request, oldest first (on close: report them unanswered). */
  drain(): Req[] {
    const out = this.items.slice(this.head);
    this.items = [];
    this.times = [];
    this.head = 0;
    return out;
  }

  private compact(): void {
    if (this.head === this.items.length) {
      this.items.length = 0;
      this.times.length = 0;
      this.head = 0;
    } else if (this.head >= 64 && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.times = this.times.slice(this.head);
      this.head = 0;
    }
  }
}
