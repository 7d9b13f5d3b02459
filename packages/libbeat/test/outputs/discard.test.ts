import { expect } from 'chai';
import { discardOutputFactory } from '../../src/outputs/discard.js';
import type { OutputClient } from '../../src/outputs/output.js';
import { defaultOutputRegistry, OutputRegistry } from '../../src/outputs/registry.js';
import { makeBatch, makeContext, makeEvents } from './helpers.js';

describe('outputs: discard', () => {
  it('acks every batch once and writes nothing', async () => {
    const ctx = makeContext();
    const group = await discardOutputFactory.create({}, ctx);
    const client = group.clients[0] as OutputClient;
    for (const n of [0, 1, 2048]) {
      const batch = makeBatch(makeEvents(n));
      await client.publish(batch);
      expect(batch.settlements).to.deep.equal([{ kind: 'ack' }]);
    }
    expect(ctx.metrics.flat().size).to.equal(0);
    expect(group.batchSize).to.equal(2048);
    expect(client.toString()).to.equal('discard');
    await client.close();
  });
});

describe('outputs: registry', () => {
  it('is pre-filled with the built-in outputs', () => {
    const r = new OutputRegistry();
    expect(r.types()).to.deep.equal(['console', 'discard', 'elasticsearch', 'file', 'logstash', 'redis']);
    expect(r.get('file')?.type).to.equal('file');
    expect(r.get('kafka')).to.equal(undefined);
    expect(r.has('console')).to.equal(true);
    for (const t of r.types()) expect(r.get(t)?.schema).to.not.have.property('enabled');
  });

  it('accepts new types and rejects duplicates or bad names', () => {
    const r = new OutputRegistry();
    r.register<{ url?: string }>({
      type: 'custom',
      schema: { url: { doc: 'u', format: String, default: '' } },
      create: (config) => {
        expect(config.url).to.equal('x');
        return { clients: [], batchSize: 1, maxRetries: 0, backoff: { initMs: 1, maxMs: 2 } };
      },
    });
    expect(r.types()).to.include('custom');
    expect(() => r.register(discardOutputFactory)).to.throw(/already registered/);
    expect(() => r.register({ ...discardOutputFactory, type: 'Bad Name' })).to.throw(/invalid output type/);
    expect(new OutputRegistry({ builtins: false }).types()).to.deep.equal([]);
    // each default registry is independent
    expect(defaultOutputRegistry().types()).to.deep.equal(['console', 'discard', 'elasticsearch', 'file', 'logstash', 'redis']);
  });
});
