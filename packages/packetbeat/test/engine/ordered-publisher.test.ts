import { expect } from 'chai';
import { createEvent, MetricsRegistry, Pipeline, type Batch, type Logger, type LogFields, type OutputClient, type PipelineClient, type PublishResult } from '@packetbeat-ts/libbeat';
import { OrderedPublisher } from '../../src/engine/ordered-publisher.js';

class SilentLogger implements Logger {
  readonly name = 'publisher';
  debug(_message: string, _fields?: LogFields): void {}
  info(_message: string, _fields?: LogFields): void {}
  warn(_message: string, _fields?: LogFields): void {}
  error(_message: string, _fields?: LogFields): void {}
  isDebugEnabled(): boolean {
    return false;
  }
  named(): Logger {
    return this;
  }
}

/** An output that writes down the `n` field of each event it receives, acknowledging each batch a turn later. */
class RecordingOutput implements OutputClient {
  readonly received: string[] = [];
  async publish(batch: Batch): Promise<void> {
    await new Promise((resolve) => setImmediate(resolve));
    for (const e of batch.events) this.received.push(String(e.fields['n']));
    batch.ack();
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
  toString(): string {
    return 'recording';
  }
}

function pipelineWithTinyQueue(output: OutputClient): Pipeline {
  return new Pipeline({
    queue: { events: 4, flushMinEvents: 1, flushTimeoutMs: 0 },
    output: { clients: [output], batchSize: 2, maxRetries: 3, backoff: { initMs: 1, maxMs: 4 } },
    metrics: new MetricsRegistry(),
    logger: new SilentLogger(),
  });
}

/** Publishes in bursts, as the engine does (a burst per packet batch), waiting for space between bursts when asked to. */
async function publishInBursts(publish: (client: PipelineClient, n: string) => PublishResult, waitForSpace: () => Promise<void>, clients: PipelineClient[]): Promise<string[]> {
  const order: string[] = [];
  let n = 0;
  for (let burst = 0; burst < 20; burst++) {
    let held = false;
    // Each burst mixes the clients unevenly, so their held events would interleave differently.
    for (let i = 0; i < 7; i++) {
      const client = clients[(burst + i * i) % clients.length] as PipelineClient;
      const name = `${clients.indexOf(client)}:${n++}`;
      order.push(name);
      if (publish(client, name) === 'held') held = true;
    }
    if (held) await waitForSpace();
  }
  await waitForSpace();
  return order;
}

describe('ordered publisher', () => {
  it('keeps the publish order across clients while the queue is full', async () => {
    const output = new RecordingOutput();
    const pipeline = pipelineWithTinyQueue(output);
    const clients = [pipeline.connect(), pipeline.connect(), pipeline.connect()];
    const publisher = new OrderedPublisher(clients);
    const order = await publishInBursts(
      (client, n) => publisher.publish(client, createEvent({ n })),
      () => publisher.waitForSpace(),
      clients,
    );
    await pipeline.close(5_000);
    expect(output.received).to.have.length(order.length);
    expect(output.received).to.deep.equal(order);
  });

  it('(the reason for it) the pipeline alone lets clients pass each other when it holds events', async () => {
    const output = new RecordingOutput();
    const pipeline = pipelineWithTinyQueue(output);
    const clients = [pipeline.connect(), pipeline.connect(), pipeline.connect()];
    const order = await publishInBursts(
      (client, n) => client.publish(createEvent({ n })),
      async () => {
        await Promise.all(clients.map((c) => c.waitForSpace()));
      },
      clients,
    );
    await pipeline.close(5_000);
    expect([...output.received].sort()).to.deep.equal([...order].sort());
    expect(output.received).to.not.deep.equal(order);
  });
});
