import { putField } from '../common/fields.js';
import type { EventFields } from '../event.js';

/** A monotonically increasing count. A plain field so the hot path pays one add. */
export class Counter {
  value = 0;
  inc(n = 1): void {
    this.value += n;
  }
}

/** A value that goes up and down (queue fill, active events). */
export class Gauge {
  value = 0;
  set(v: number): void {
    this.value = v;
  }
  add(n: number): void {
    this.value += n;
  }
}

type MetricValue = Counter | Gauge | (() => unknown);

/**
 * The registry of a beat's internal metrics, named with dots as Beats names
 * them (`libbeat.pipeline.events.total`). `snapshot()` nests them for `/stats`
 * and the periodic metrics log line.
 */
export class MetricsRegistry {
  private readonly entries: Map<string, MetricValue>;
  private readonly prefix: string;

  constructor(prefix = '', entries: Map<string, MetricValue> = new Map()) {
    this.prefix = prefix === '' || prefix.endsWith('.') ? prefix : `${prefix}.`;
    this.entries = entries;
  }

  /** A view of this registry whose names are under `prefix` (e.g. `libbeat.output`). */
  scope(prefix: string): MetricsRegistry {
    return new MetricsRegistry(this.prefix + prefix, this.entries);
  }

  counter(local: string): Counter {
    const name = this.prefix + local;
    const existing = this.entries.get(name);
    if (existing instanceof Counter) return existing;
    const c = new Counter();
    this.entries.set(name, c);
    return c;
  }

  gauge(local: string): Gauge {
    const name = this.prefix + local;
    const existing = this.entries.get(name);
    if (existing instanceof Gauge) return existing;
    const g = new Gauge();
    this.entries.set(name, g);
    return g;
  }

  /** A value computed when read (process memory, uptime). */
  func(local: string, read: () => unknown): void {
    this.entries.set(this.prefix + local, read);
  }

  remove(local: string): void {
    const prefix = this.prefix + local;
    for (const key of [...this.entries.keys()]) {
      if (key === prefix || key.startsWith(`${prefix}.`)) this.entries.delete(key);
    }
  }

  /** Current values as a flat map of dotted names (relative to this view's scope). */
  flat(prefix?: string): Map<string, unknown> {
    const out = new Map<string, unknown>();
    const full = prefix === undefined ? undefined : this.prefix + prefix;
    for (const [name, m] of this.entries) {
      if (!name.startsWith(this.prefix)) continue;
      if (full !== undefined && !(name === full || name.startsWith(`${full}.`))) continue;
      out.set(name.slice(this.prefix.length), typeof m === 'function' ? m() : m.value);
    }
    return out;
  }

  /** Current values nested by their dotted names. */
  snapshot(prefix?: string): EventFields {
    const root: EventFields = {};
    for (const [name, value] of this.flat(prefix)) putField(root, name, value);
    return root;
  }
}
