import type { Logger, MetricsRegistry } from '@packetbeat-ts/libbeat';
import type { CommonProtocolConfig, Micros, PluginLogger, ProtocolContext, Transaction } from '@packetbeat-ts/protocol-sdk';

/** What a plugin's context needs from the engine. */
export interface PluginHost {
  now(): Micros;
  report(protocol: string, tx: Transaction): void;
}

/** The context handed to a plugin's `create`: packet-time clock, report, logging and counters. */
export function pluginContext<C>(name: string, config: C & CommonProtocolConfig, host: PluginHost, logger: Logger, metrics: MetricsRegistry): ProtocolContext<C> {
  const log: PluginLogger = {
    debug: (m, f) => logger.debug(m, f),
    info: (m, f) => logger.info(m, f),
    warn: (m, f) => logger.warn(m, f),
    error: (m, f) => logger.error(m, f),
    isDebugEnabled: () => logger.isDebugEnabled(),
  };
  const scoped = metrics.scope(`packetbeat.${name}`);
  return {
    config,
    now: () => host.now(),
    report: (tx) => host.report(name, tx),
    log,
    counter: (counter) => scoped.counter(counter),
  };
}
