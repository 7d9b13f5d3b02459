import type { BackoffSettings } from '../outputs/output.js';

/**
 * Exponential backoff with "equal jitter", as Beats' `EqualJitterBackoff`:
 * the n-th consecutive failure waits a random time in `[d/2, d]` where
 * `d = min(initMs * 2^(n-1), maxMs)`. `reset()` after a success starts over
 * at `initMs`. A pending `wait()` can be cancelled (shutdown timeout).
 */
export class Backoff {
  private readonly initMs: number;
  private readonly maxMs: number;
  private readonly random: () => number;
  private current: number;
  private timer: NodeJS.Timeout | undefined;
  private resolveWait: ((completed: boolean) => void) | undefined;
  private cancelled = false;

  constructor(settings: BackoffSettings, random: () => number = Math.random) {
    this.initMs = Math.max(0, settings.initMs);
    this.maxMs = Math.max(this.initMs, settings.maxMs);
    this.random = random;
    this.current = this.initMs;
  }

  /** The delay of the next `wait()` before jitter (the current step). */
  get step(): number {
    return this.current;
  }

  /** Computes the next jittered delay and advances the step. */
  nextDelay(): number {
    const d = this.current;
    this.current = Math.min(this.maxMs, d === 0 ? 0 : d * 2);
    const half = d / 2;
    return half + this.random() * half;
  }

  /** Back to `initMs` (called after a successful publish). */
  reset(): void {
    this.current = this.initMs;
  }

  /**
   * Waits the next delay. Resolves `true` when the delay elapsed, `false`
   * when cancelled (immediately if `cancel()` was already called).
   */
  wait(): Promise<boolean> {
    if (this.cancelled) return Promise.resolve(false);
    const delay = this.nextDelay();
    return new Promise<boolean>((resolve) => {
      this.resolveWait = resolve;
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.resolveWait = undefined;
        resolve(true);
      }, delay);
    });
  }

  /** Cancels a pending wait and every later one. */
  cancel(): void {
    this.cancelled = true;
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    const resolve = this.resolveWait;
    this.resolveWait = undefined;
    if (resolve !== undefined) resolve(false);
  }
}
