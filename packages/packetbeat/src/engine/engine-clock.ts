import { packetMicros } from '../publish/timestamps.js';

/** Expiry (unanswered requests, idle connections, flow reports) runs once per second of packet time. */
export const EXPIRE_INTERVAL_US = 1_000_000;

/**
 * The engine's clock: the largest packet time seen, in microseconds, and
 * when the next expiry run is due. The single-threaded engine and the worker
 * pool's coordinator use the same clock, so workers see expiry at the
 * positions a single engine would.
 */
export class EngineClock {
  nowUs = 0;
  private lastExpireUs = 0;

  /** Moves the clock to a decoded packet's time; `true` when an expiry run is due now. */
  advance(tsSec: number, tsNsec: number): boolean {
    const now = packetMicros(tsSec, tsNsec);
    if (now > this.nowUs) this.nowUs = now;
    return this.nowUs - this.lastExpireUs >= EXPIRE_INTERVAL_US;
  }

  /** An expiry run happened at `now`. */
  expired(now: number): void {
    this.lastExpireUs = now;
  }
}
