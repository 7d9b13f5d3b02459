import { expect } from 'chai';
import type { BeatEvent } from '../../src/event.js';
import type { Processor } from '../../src/processors/processor.js';
import { ev, harness, ScriptedClient, until } from './helpers.js';

function proc(name: string, run: (e: BeatEvent) => BeatEvent | null): Processor {
  return { name, run };
}

describe('publisher/client: processors, fields, tags', () => {
  it('a preprocessed client passes events on untouched: no client or global processing', async () => {
    const seen: BeatEvent[] = [];
    const out = new ScriptedClient((b) => {
      seen.push(...b.events);
      b.ack();
    });
    const h = harness({ clients: [out], processors: [proc('global', (e) => ({ ...e, fields: { ...e.fields, global: true } }))], beatFields: { agent: { name: 'x' } } });
    const c = h.pipeline.connect({ preprocessed: true });
    expect(c.publish(ev(0))).to.equal('queued');
    await until(() => seen.length === 1);
    expect(seen[0]?.fields).to.deep.equal({ seq: 0 });
    // The same event through an ordinary client gets both.
    const plain = h.pipeline.connect();
    plain.publish(ev(1));
    await until(() => seen.length === 2);
    expect(seen[1]?.fields).to.deep.include({ seq: 1, global: true, agent: { name: 'x' } });
    expect(h.metric('libbeat.pipeline.events.published')).to.equal(2);
    expect(() => h.pipeline.connect({ preprocessed: true, tags: ['t'] })).to.throw(/preprocessed client takes no processors, fields or tags/);
    await h.pipeline.close(100);
  });

  it('runs client processors, then global processors; null filters and is counted', async () => {
    const out = new ScriptedClient();
    const order: string[] = [];
    const global = proc('global', (e) => {
      order.push(`global:${String(e.fields.seq)}`);
      e.fields.global = true;
      return e;
    });
    const h = harness({ clients: [out], processors: [global] });
    const dropOdd = proc('drop_odd', (e) => {
      order.push(`client:${String(e.fields.seq)}`);
      return (e.fields.seq as number) % 2 === 1 ? null : e;
    });
    const c = h.pipeline.connect({ processors: [dropOdd] });
    const results = [0, 1, 2, 3].map((i) => c.publish(ev(i)));
    expect(results).to.deep.equal(['queued', 'filtered', 'queued', 'filtered']);
    expect(order).to.deep.equal(['client:0', 'global:0', 'client:1', 'client:2', 'global:2', 'client:3']);
    await until(() => out.allSeqs.length === 2);
    expect(out.allSeqs).to.deep.equal([0, 2]);
    expect(h.metrics('pipeline.events.total', 'pipeline.events.filtered', 'pipeline.events.published', 'pipeline.events.dropped')).to.deep.equal({
      'pipeline.events.total': 4,
      'pipeline.events.filtered': 2,
      'pipeline.events.published': 2,
      'pipeline.events.dropped': 0,
    });
    // a global processor filtering counts the same way
    const h2 = harness({ clients: [new ScriptedClient()], processors: [proc('drop_all', () => null)] });
    expect(h2.pipeline.connect().publish(ev(0))).to.equal('filtered');
    expect(h2.metric('libbeat.pipeline.events.filtered')).to.equal(1);
    await h.pipeline.close(100);
    await h2.pipeline.close(100);
  });

  it('a processor that throws filters the event and logs (rate limited), publish never throws', async () => {
    const h = harness({ clients: [new ScriptedClient()] });
    const c = h.pipeline.connect({
      processors: [
        proc('boom', () => {
          throw new Error('boom');
        }),
      ],
    });
    expect(c.publish(ev(0))).to.equal('filtered');
    expect(c.publish(ev(1))).to.equal('filtered');
    expect(h.metric('libbeat.pipeline.events.filtered')).to.equal(2);
    expect(h.logger.matching('error', 'boom')).to.have.length(1);
    await h.pipeline.close(100);
  });

  it('fields go under `fields.` (merged with existing), tags are appended; client processors see them (Beats order)', async () => {
    const out = new ScriptedClient();
    const delivered: BeatEvent[] = [];
    const h = harness({
      clients: [
        new ScriptedClient((b) => {
          delivered.push(...b.events);
          b.ack();
        }),
      ],
    });
    let sawFields = false;
    const c = h.pipeline.connect({
      fields: { env: 'prod', nested: { a: 1 } },
      tags: ['t1', 't2'],
      processors: [
        proc('look', (e) => {
          sawFields = (e.fields.fields as Record<string, unknown> | undefined)?.env === 'prod';
          return e;
        }),
      ],
    });
    c.publish(ev(0, { fields: { own: 'x' }, tags: ['orig'] }));
    c.publish(ev(1));
    await until(() => delivered.length === 2);
    expect(sawFields).to.equal(true);
    expect(delivered[0]?.fields).to.deep.equal({ seq: 0, fields: { own: 'x', env: 'prod', nested: { a: 1 } }, tags: ['orig', 't1', 't2'] });
    expect(delivered[1]?.fields).to.deep.equal({ seq: 1, fields: { env: 'prod', nested: { a: 1 } }, tags: ['t1', 't2'] });
    // events never share the configured objects
    const f0 = delivered[0]?.fields.fields as { nested: { a: number } };
    f0.nested.a = 99;
    expect((delivered[1]?.fields.fields as { nested: { a: number } }).nested.a).to.equal(1);
    (delivered[1]?.fields.tags as string[]).push('mutated');
    c.publish(ev(2));
    await until(() => delivered.length === 3);
    expect(delivered[2]?.fields.tags).to.deep.equal(['t1', 't2']);
    expect(out.calls).to.have.length(0);
    await h.pipeline.close(100);
  });

  it('fieldsUnderRoot puts fields at the root, overwriting', async () => {
    const delivered: BeatEvent[] = [];
    const h = harness({
      clients: [
        new ScriptedClient((b) => {
          delivered.push(...b.events);
          b.ack();
        }),
      ],
    });
    const c = h.pipeline.connect({ fields: { env: 'prod', service: { name: 'dns' } }, fieldsUnderRoot: true });
    c.publish(ev(0, { env: 'dev', service: { type: 'x' } }));
    await until(() => delivered.length === 1);
    expect(delivered[0]?.fields).to.deep.equal({ seq: 0, env: 'prod', service: { type: 'x', name: 'dns' } });
    await h.pipeline.close(100);
  });

  it('beatFields: an object is merged without overwriting, before the global processors; a function may mutate', async () => {
    const delivered: BeatEvent[] = [];
    const recorder = new ScriptedClient((b) => {
      delivered.push(...b.events);
      b.ack();
    });
    let globalSawAgent = false;
    const h = harness({
      clients: [recorder],
      beatFields: { agent: { type: 'packetbeat', name: 'host1' }, ecs: { version: '8.0.0' } },
      processors: [
        proc('g', (e) => {
          globalSawAgent = (e.fields.agent as { type?: string } | undefined)?.type === 'packetbeat';
          return e;
        }),
      ],
    });
    h.pipeline.connect().publish(ev(0, { agent: { name: 'custom' } }));
    await until(() => delivered.length === 1);
    expect(globalSawAgent).to.equal(true);
    expect(delivered[0]?.fields).to.deep.equal({ seq: 0, agent: { name: 'custom', type: 'packetbeat' }, ecs: { version: '8.0.0' } });
    await h.pipeline.close(100);

    const delivered2: BeatEvent[] = [];
    const h2 = harness({
      clients: [
        new ScriptedClient((b) => {
          delivered2.push(...b.events);
          b.ack();
        }),
      ],
      beatFields: (e) => {
        e.fields.host = { name: 'h' };
      },
    });
    h2.pipeline.connect().publish(ev(1));
    await until(() => delivered2.length === 1);
    expect(delivered2[0]?.fields).to.deep.equal({ seq: 1, host: { name: 'h' } });
    await h2.pipeline.close(100);
  });

  it('exceptions thrown by onAck/onDrop callbacks are logged and do not break the pipeline', async () => {
    const h = harness({ clients: [new ScriptedClient()], queue: { events: 1 } });
    const c = h.pipeline.connect({
      mode: 'drop_if_full',
      onAck: () => {
        throw new Error('ack cb');
      },
      onDrop: () => {
        throw new Error('drop cb');
      },
    });
    c.publish(ev(0));
    expect(c.publish(ev(1))).to.equal('dropped');
    await until(() => h.metric('libbeat.pipeline.queue.acked') === 1);
    expect(c.publish(ev(2))).to.equal('queued');
    await until(() => h.metric('libbeat.pipeline.queue.acked') === 2);
    expect(h.logger.matching('error', 'ack cb')).to.have.length(2);
    expect(h.logger.matching('error', 'drop cb')).to.have.length(1);
    await h.pipeline.close(100);
  });
});
