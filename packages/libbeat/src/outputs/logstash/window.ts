/**
 * The number of events sent per Lumberjack window, as Beats' logstash output
 * adapts it: it grows by half (up to `bulk_max_size`) after a window was
 * acknowledged and halves (down to 1) after a failure, so a Logstash that
 * chokes on large windows still makes progress.
 *
 * Beats starts at 10 events with `slow_start: true`, otherwise at the maximum.
 */
export const MIN_WINDOW_SIZE = 1;
export const SLOW_START_WINDOW_SIZE = 10;

export class Window {
  private size: number;
  /** Largest window that was sent successfully. */
  private maxOk = 0;
  readonly max: number;

  constructor(start: number, max: number) {
    this.max = Math.max(MIN_WINDOW_SIZE, max);
    this.size = Math.min(this.max, Math.max(MIN_WINDOW_SIZE, start));
  }

  get(): number {
    return this.size;
  }

  /**
   * A window was acknowledged; `available` is how many events were waiting
   * when it was cut (the window never grows beyond what there was to send).
   */
  grow(available: number): void {
    const size = this.size;
    if (size > available) return; // the window was not filled: no evidence a larger one works
    if (size >= this.maxOk) {
      // At the largest size known to work: try half as much again.
      this.maxOk = size;
      this.size = Math.min(Math.ceil(size * 1.5), available, this.max);
    } else {
      // Recovering after a shrink: grow back towards the size that worked.
      this.size = Math.min(Math.ceil(size * 1.5), this.maxOk);
    }
  }

  /** Sending a window failed. */
  shrink(): void {
    this.size = Math.max(MIN_WINDOW_SIZE, Math.floor(this.size / 2));
  }

  /** Back to `start` (a new connection after `ttl`). */
  reset(start: number): void {
    this.size = Math.min(this.max, Math.max(MIN_WINDOW_SIZE, start));
  }
}
