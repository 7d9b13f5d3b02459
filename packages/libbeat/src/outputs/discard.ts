import type { Batch, OutputClient, OutputContext, OutputFactory, OutputGroup } from './output.js';

/**
 * `output.discard`: acknowledges every batch without looking at it (Beats'
 * testing/benchmark output). It counts no bytes; the pipeline counts the
 * acknowledged events.
 */

export type DiscardOutputConfig = Record<string, never>;

export const DISCARD_BATCH_SIZE = 2048;

export const discardSchema: Record<string, unknown> = {};

export class DiscardClient implements OutputClient {
  publish(batch: Batch): Promise<void> {
    batch.ack();
    return Promise.resolve();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  toString(): string {
    return 'discard';
  }
}

export function createDiscardOutput(_config?: unknown, _ctx?: OutputContext): OutputGroup {
  return {
    clients: [new DiscardClient()],
    batchSize: DISCARD_BATCH_SIZE,
    maxRetries: 0,
    backoff: { initMs: 1000, maxMs: 60_000 },
  };
}

export const discardOutputFactory: OutputFactory<DiscardOutputConfig> = {
  type: 'discard',
  schema: discardSchema,
  create: (config, ctx) => createDiscardOutput(config, ctx),
  healthcheck: () => Promise.resolve('discard output: nothing to check'),
};
