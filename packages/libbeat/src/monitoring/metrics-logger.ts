import { putField } from '../common/fields.js';
import { formatDuration } from '../config/duration.js';
import type { EventFields } from '../event.js';
import type { Logger } from '../logging/logger.js';
import type { MetricsRegistry } from './metrics.js';

/**
 * Metrics logged with their current value rather than their change, as Beats'
 * log reporter lists them. A name ending in `.*` covers everything under it.
 */
export const DEFAULT_GAUGES: readonly string[] = [
  'beat.info.uptime.ms',
  'beat.memstats.*',
  'beat.handles.*',
  'beat.runtime.goroutines',
  'beat.cgroup.*',
  'system.load.*',
  'system.cpu.cores',
  'libbeat.output.events.active',
  'libbeat.pipeline.events.active',
  'libbeat.pipeline.clients',
  'libbeat.pipeline.queue.max_events',
  'libbeat.pipeline.queue.max_bytes',
  'libbeat.pipeline.queue.filled.*',
  'libbeat.config.module.running',
];

export interface MetricsLoggerOptions {
  registry: MetricsRegistry;
  /** Lines are logged at info; use the `monitoring` logger as Beats does. */
  logger: Logger;
  /** `logging.metrics.period` in milliseconds (default 30000). */
  periodMs?: number;
  /** Metric names (or `prefix.*`) reported by value, in addition to DEFAULT_GAUGES. */
  gauges?: readonly string[];
  /** Only metrics under these prefixes are logged (default: all). */
  prefixes?: readonly string[];
}

class GaugeMatcher {
  private readonly exact = new Set<string>();
  private readonly prefixes: string[] = [];

  constructor(names: readonly string[]) {
    for (const n of names) {
      if (n.endsWith('.*')) this.prefixes.push(n.slice(0, -1));
      else this.exact.add(n);
    }
  }

  matches(name: string): boolean {
    return this.exact.has(name) || this.prefixes.some((p) => name.startsWith(p));
  }
}

function sameValue(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a === 'object' && typeof b === 'object' && a !== null && b !== null) {
    try {
      return JSON.stringify(a) === JSON.stringify(b);
    } catch {
      return false;
    }
  }
  return false;
}

/**
 * The periodic metrics log line: every period, one info line `Non-zero metrics
 * in the last 30s` with `monitoring.metrics` holding, nested by name, the
 * non-zero change of each counter since the previous line, the current value of
 * each non-zero gauge, and strings and booleans that changed. `stop()` logs
 * `Total metrics` with every value.
 */
export class MetricsLogger {
  private readonly registry: MetricsRegistry;
  private readonly logger: Logger;
  readonly periodMs: number;
  private readonly gauges: GaugeMatcher;
  private readonly prefixes: readonly string[] | undefined;
  private readonly periodText: string;
  private previous = new Map<string, unknown>();
  private timer: NodeJS.Timeout | undefined;

  constructor(options: MetricsLoggerOptions) {
    this.registry = options.registry;
    this.logger = options.logger;
    this.periodMs = options.periodMs ?? 30_000;
    if (!(this.periodMs > 0)) throw new RangeError(`logging.metrics.period must be positive, got ${this.periodMs}`);
    this.gauges = new GaugeMatcher([...DEFAULT_GAUGES, ...(options.gauges ?? [])]);
    this.prefixes = options.prefixes;
    this.periodText = formatDuration(this.periodMs);
  }

  get running(): boolean {
    return this.timer !== undefined;
  }

  /**
   * Starts the timer (unref'd: it does not keep the process alive). As in
   * Beats, the first line has the counts since the process started.
   */
  start(): void {
    if (this.timer !== undefined) return;
    this.timer = setInterval(() => this.tick(), this.periodMs);
    this.timer.unref();
  }

  /** Stops the timer and logs `Total metrics`. Does nothing when not running. */
  stop(): void {
    if (this.timer === undefined) return;
    clearInterval(this.timer);
    this.timer = undefined;
    this.logTotals();
  }

  /** Logs one period's line now; returns the metrics it logged (nested). */
  tick(): EventFields {
    let delta: EventFields = {};
    let empty = true;
    try {
      const cur = this.read();
      for (const [name, value] of cur) {
        const d = this.deltaOf(name, value, this.previous.get(name), this.previous.has(name));
        if (d === undefined) continue;
        putField(delta, name, d);
        empty = false;
      }
      this.previous = cur;
    } catch (err) {
      this.logger.warn('Failed to read the metrics', { error: err });
      delta = {};
      empty = true;
    }
    if (empty) this.logger.info(`No non-zero metrics in the last ${this.periodText}`);
    else this.logger.info(`Non-zero metrics in the last ${this.periodText}`, this.fields(delta));
    return delta;
  }

  /** Logs `Total metrics` with every current value; returns them (nested). */
  logTotals(): EventFields {
    const totals: EventFields = {};
    try {
      for (const [name, value] of this.read()) {
        if (value !== undefined && value !== null) putField(totals, name, value);
      }
    } catch (err) {
      this.logger.warn('Failed to read the metrics', { error: err });
    }
    this.logger.info('Total metrics', this.fields(totals));
    return totals;
  }

  private fields(metrics: EventFields): EventFields {
    return { monitoring: { metrics, 'ecs.version': '1.6.0' } };
  }

  private read(): Map<string, unknown> {
    if (this.prefixes === undefined) return this.registry.flat();
    const out = new Map<string, unknown>();
    for (const p of this.prefixes) for (const [k, v] of this.registry.flat(p)) out.set(k, v);
    return out;
  }

  /** What goes on the line for one metric, or undefined to leave it out. */
  private deltaOf(name: string, cur: unknown, prev: unknown, hadPrev: boolean): unknown {
    if (cur === undefined || cur === null) return undefined;
    if (typeof cur === 'number') {
      if (!Number.isFinite(cur)) return undefined;
      if (this.gauges.matches(name)) return cur === 0 ? undefined : cur;
      const d = typeof prev === 'number' && Number.isFinite(prev) ? cur - prev : cur;
      return d === 0 ? undefined : d;
    }
    if (typeof cur === 'bigint') {
      const d = typeof prev === 'bigint' ? cur - prev : cur;
      return d === 0n ? undefined : d.toString();
    }
    // Strings, booleans and anything else: logged when new or changed.
    if (hadPrev && sameValue(prev, cur)) return undefined;
    return cur;
  }
}
