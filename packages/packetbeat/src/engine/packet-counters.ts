import type { Counter, MetricsRegistry, PublishResult } from '@packetbeat-ts/libbeat';

/**
 * `packetbeat.packets.total` and `packetbeat.transactions.{published,dropped}`,
 * kept by whoever decodes packets and publishes transactions: the engine,
 * or the worker pool's coordinator (never both).
 */
export class PacketCounters {
  readonly packets: Counter;
  private readonly published: Counter;
  private readonly dropped: Counter;

  constructor(metrics: MetricsRegistry) {
    const m = metrics.scope('packetbeat');
    this.packets = m.counter('packets.total');
    this.published = m.counter('transactions.published');
    this.dropped = m.counter('transactions.dropped');
  }

  /** Counts one transaction by what publishing it gave. */
  transaction(result: PublishResult): void {
    if (result === 'dropped') this.dropped.value++;
    else this.published.value++;
  }
}
