import { expect } from 'chai';
import { ev, harness, ManualClient, ScriptedClient, seqOf, sleep, until } from './helpers.js';

const ALL = [
  'pipeline.events.total',
  'pipeline.events.published',
  'pipeline.events.filtered',
  'pipeline.events.failed',
  'pipeline.events.dropped',
  'pipeline.events.retry',
  'pipeline.events.active',
  'pipeline.queue.acked',
  'pipeline.queue.filled.events',
  'output.events.total',
  'output.events.acked',
  'output.events.failed',
  'output.events.dropped',
  'output.events.batches',
  'output.events.active',
];

function expected(values: Partial<Record<string, number>>): Record<string, number> {
  return Object.fromEntries(ALL.map((n) => [n, values[n] ?? 0]));
}

describe('publisher/output: ack, retry, retryEvents, drop accounting', () => {
  it('ack: every counter exact', async () => {
    const out = new ScriptedClient();
    const h = harness({ clients: [out] });
    let acked = 0;
    const client = h.pipeline.connect({ onAck: (n) => (acked += n) });
    for (let i = 0; i < 10; i++) client.publish(ev(i));
    await until(() => acked === 10);
    expect(h.metrics(...ALL)).to.deep.equal(
      expected({
        'pipeline.events.total': 10,
        'pipeline.events.published': 10,
        'pipeline.queue.acked': 10,
        'output.events.total': 10,
        'output.events.acked': 10,
        'output.events.batches': 1,
      }),
    );
    await h.pipeline.close(100);
  });

  it('retry() resends the whole batch after a backoff; counters exact', async () => {
    const out = new ScriptedClient((b, call) => (call === 0 ? b.retry() : b.ack()));
    const h = harness({ clients: [out] });
    let acked = 0;
    const client = h.pipeline.connect({ onAck: (n) => (acked += n) });
    for (let i = 0; i < 10; i++) client.publish(ev(i));
    await until(() => acked === 10);
    expect(out.calls.map((c) => c.seqs.length)).to.deep.equal([10, 10]);
    expect(h.metrics(...ALL)).to.deep.equal(
      expected({
        'pipeline.events.total': 10,
        'pipeline.events.published': 10,
        'pipeline.events.retry': 10,
        'pipeline.queue.acked': 10,
        'output.events.total': 20,
        'output.events.acked': 10,
        'output.events.failed': 10,
        'output.events.batches': 2,
      }),
    );
    await h.pipeline.close(100);
  });

  it('retryEvents(failed, dropped): the rest is acked, failed resent first, dropped counted', async () => {
    const out = new ScriptedClient((b, call) => {
      if (call === 0) b.retryEvents([b.events[7]!, b.events[2]!], [b.events[5]!]);
      else b.ack();
    });
    const h = harness({ clients: [out] });
    let acked = 0;
    const drops: [number, string][] = [];
    const client = h.pipeline.connect({ onAck: (n) => (acked += n), onDrop: (n, r) => drops.push([n, r]) });
    for (let i = 0; i < 10; i++) client.publish(ev(i));
    await until(() => acked === 9);
    // failed events keep publish order within the retried batch
    expect(out.calls.map((c) => c.seqs)).to.deep.equal([[0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [2, 7]]);
    expect(drops).to.deep.equal([[1, 'dropped by the output']]);
    expect(h.metrics(...ALL)).to.deep.equal(
      expected({
        'pipeline.events.total': 10,
        'pipeline.events.published': 10,
        'pipeline.events.retry': 2,
        'pipeline.events.dropped': 1,
        'pipeline.queue.acked': 9,
        'output.events.total': 12,
        'output.events.acked': 9,
        'output.events.failed': 2,
        'output.events.dropped': 1,
        'output.events.batches': 2,
      }),
    );
    await h.pipeline.close(100);
  });

  it('retried events go to the front, before newer fresh events', async () => {
    const out = new ManualClient();
    const h = harness({ clients: [out], batchSize: 3 });
    const client = h.pipeline.connect();
    for (let i = 0; i < 6; i++) client.publish(ev(i));
    const first = await out.next();
    expect(first.batch.events.map(seqOf)).to.deep.equal([0, 1, 2]);
    first.batch.retryEvents([first.batch.events[1]!]);
    first.done();
    const second = await out.next();
    expect(second.batch.events.map(seqOf)).to.deep.equal([1]);
    second.batch.ack();
    second.done();
    const third = await out.next();
    expect(third.batch.events.map(seqOf)).to.deep.equal([3, 4, 5]);
    third.batch.ack();
    third.done();
    await h.pipeline.close(100);
  });

  it('drop(reason): counted as dropped by the output and the pipeline, reported to onDrop', async () => {
    const out = new ScriptedClient((b) => b.drop('mapping conflict'));
    const h = harness({ clients: [out] });
    const drops: [number, string][] = [];
    const client = h.pipeline.connect({ onDrop: (n, r) => drops.push([n, r]) });
    for (let i = 0; i < 10; i++) client.publish(ev(i));
    await until(() => drops.length === 1);
    expect(drops).to.deep.equal([[10, 'mapping conflict']]);
    expect(h.logger.matching('warn', 'mapping conflict')).to.have.length(1);
    expect(h.metrics(...ALL)).to.deep.equal(
      expected({
        'pipeline.events.total': 10,
        'pipeline.events.published': 10,
        'pipeline.events.dropped': 10,
        'output.events.total': 10,
        'output.events.dropped': 10,
        'output.events.batches': 1,
      }),
    );
    await h.pipeline.close(100);
  });

  it('max_retries: an event is attempted 1 + max_retries times, then dropped', async () => {
    const out = new ScriptedClient((b) => b.retry());
    const h = harness({ clients: [out], maxRetries: 2 });
    const drops: [number, string][] = [];
    const client = h.pipeline.connect({ onDrop: (n, r) => drops.push([n, r]) });
    for (let i = 0; i < 10; i++) client.publish(ev(i));
    await until(() => drops.length === 1);
    expect(drops).to.deep.equal([[10, 'max_retries reached']]);
    expect(out.calls).to.have.length(3);
    expect(h.metrics(...ALL)).to.deep.equal(
      expected({
        'pipeline.events.total': 10,
        'pipeline.events.published': 10,
        'pipeline.events.retry': 20,
        'pipeline.events.dropped': 10,
        'output.events.total': 30,
        'output.events.failed': 30,
        'output.events.batches': 3,
      }),
    );
    expect(h.logger.matching('warn', 'max_retries: 2')).to.have.length(1);
    await h.pipeline.close(100);
  });

  it('max_retries 0 drops on the first failure; a negative max_retries retries forever', async () => {
    const out0 = new ScriptedClient((b) => b.retry());
    const h0 = harness({ clients: [out0], maxRetries: 0 });
    h0.pipeline.connect().publish(ev(0));
    await until(() => h0.metric('libbeat.pipeline.events.dropped') === 1);
    expect(out0.calls).to.have.length(1);
    await h0.pipeline.close(100);

    const outForever = new ScriptedClient((b, call) => (call < 20 ? b.retry() : b.ack()));
    const hf = harness({ clients: [outForever], maxRetries: -1, backoff: { initMs: 0, maxMs: 0 } });
    hf.pipeline.connect().publish(ev(0));
    await until(() => hf.metric('libbeat.pipeline.queue.acked') === 1);
    expect(hf.metric('libbeat.pipeline.events.retry')).to.equal(20);
    expect(hf.metric('libbeat.pipeline.events.dropped')).to.equal(0);
    await hf.pipeline.close(100);
  });

  it('guaranteed events are never dropped for retries; default ones in the same batch are', async () => {
    const out = new ScriptedClient((b, call) => (call < 5 ? b.retry() : b.ack()));
    const h = harness({ clients: [out], maxRetries: 0, backoff: { initMs: 0, maxMs: 0 } });
    let gAcked = 0;
    let dDropped = 0;
    const g = h.pipeline.connect({ mode: 'guaranteed', onAck: (n) => (gAcked += n) });
    const d = h.pipeline.connect({ mode: 'default', onDrop: (n) => (dDropped += n) });
    g.publish(ev(0));
    d.publish(ev(1));
    g.publish(ev(2));
    await until(() => gAcked === 2);
    expect(dDropped).to.equal(1);
    expect(out.calls.map((c) => c.seqs)).to.deep.equal([[0, 1, 2], [0, 2], [0, 2], [0, 2], [0, 2], [0, 2]]);
    expect(h.metrics('pipeline.events.retry', 'pipeline.events.dropped', 'pipeline.queue.acked', 'pipeline.events.active')).to.deep.equal({
      'pipeline.events.retry': 10,
      'pipeline.events.dropped': 1,
      'pipeline.queue.acked': 2,
      'pipeline.events.active': 0,
    });
    await h.pipeline.close(100);
  });

  it('a rejected publish, or one that resolves without settling, retries the whole batch and logs', async () => {
    const out = new ScriptedClient(async (b, call) => {
      if (call === 0) throw new Error('connection reset');
      if (call === 1) return;
      b.ack();
      return Promise.resolve();
    });
    const h = harness({ clients: [out] });
    let acked = 0;
    const client = h.pipeline.connect({ onAck: (n) => (acked += n) });
    for (let i = 0; i < 3; i++) client.publish(ev(i));
    await until(() => acked === 3);
    expect(out.calls).to.have.length(3);
    expect(h.logger.matching('error', 'connection reset')).to.have.length(1);
    expect(h.logger.matching('error', 'without settling')).to.have.length(1);
    expect(h.metrics('output.events.failed', 'pipeline.events.retry', 'output.events.acked')).to.deep.equal({
      'output.events.failed': 6,
      'pipeline.events.retry': 6,
      'output.events.acked': 3,
    });
    await h.pipeline.close(100);
  });

  it('a batch settled twice keeps its first settlement (logged)', async () => {
    const out = new ScriptedClient((b) => {
      b.ack();
      b.retry();
      b.drop('x');
    });
    const h = harness({ clients: [out] });
    h.pipeline.connect().publish(ev(0));
    await until(() => h.metric('libbeat.pipeline.queue.acked') === 1);
    await sleep(10);
    expect(out.calls).to.have.length(1);
    expect(h.logger.matching('warn', 'twice')).to.have.length(2);
    expect(h.metrics('output.events.acked', 'output.events.failed', 'output.events.dropped')).to.deep.equal({
      'output.events.acked': 1,
      'output.events.failed': 0,
      'output.events.dropped': 0,
    });
    await h.pipeline.close(100);
  });
});

describe('publisher/output: backoff', () => {
  it('waits exponentially longer after consecutive failures, capped, and resets after a success', async () => {
    // fails 4 times, succeeds, then (next event) fails 2 times and succeeds
    const failOn = new Set([0, 1, 2, 3, 5, 6]);
    const out = new ScriptedClient((b, call) => (failOn.has(call) ? b.retry() : b.ack()));
    const h = harness({ clients: [out], maxRetries: -1, backoff: { initMs: 20, maxMs: 80 }, random: () => 1 });
    const client = h.pipeline.connect();
    client.publish(ev(0));
    await until(() => out.calls.length === 5);
    client.publish(ev(1));
    await until(() => out.calls.length === 8);
    const at = out.calls.map((c) => c.at);
    const gaps = at.slice(1).map((t, i) => t - (at[i] ?? 0));
    // attempts 0..4 for event 0: waits 20, 40, 80, 80 (capped)
    const expectedGaps: [number, number][] = [
      [0, 20],
      [1, 40],
      [2, 80],
      [3, 80],
      [5, 20],
      [6, 40],
    ];
    for (const [i, ms] of expectedGaps) {
      expect(gaps[i], `gap ${i}`).to.be.at.least(ms - 3);
      expect(gaps[i], `gap ${i}`).to.be.below(ms + 60);
    }
    // the gap 4 → 5 is a new event after a success: no backoff wait
    expect(gaps[4]).to.be.below(60);
    expect(out.calls[5]?.seqs).to.deep.equal([1]);
    await h.pipeline.close(100);
  });
});

describe('publisher/output: acks in publish order', () => {
  it('two workers completing out of order: acks wait for earlier events, then arrive in publish order', async () => {
    const w1 = new ManualClient('w1');
    const w2 = new ManualClient('w2');
    const h = harness({ clients: [w1, w2], batchSize: 2 });
    const log: string[] = [];
    const x = h.pipeline.connect({ onAck: (n) => log.push(`x:${n}`) });
    const y = h.pipeline.connect({ onAck: (n) => log.push(`y:${n}`) });
    x.publish(ev(0));
    x.publish(ev(1));
    y.publish(ev(2));
    x.publish(ev(3));
    const b1 = await w1.next();
    const b2 = await w2.next();
    expect(b1.batch.events.map(seqOf)).to.deep.equal([0, 1]);
    expect(b2.batch.events.map(seqOf)).to.deep.equal([2, 3]);
    b2.batch.ack();
    b2.done();
    expect(log).to.deep.equal([]);
    expect(h.metrics('output.events.acked', 'pipeline.queue.acked', 'pipeline.queue.filled.events')).to.deep.equal({
      'output.events.acked': 2,
      'pipeline.queue.acked': 0,
      'pipeline.queue.filled.events': 4,
    });
    b1.batch.ack();
    b1.done();
    expect(log).to.deep.equal(['x:2', 'y:1', 'x:1']);
    expect(h.metrics('pipeline.queue.acked', 'pipeline.queue.filled.events', 'pipeline.events.active')).to.deep.equal({
      'pipeline.queue.acked': 4,
      'pipeline.queue.filled.events': 0,
      'pipeline.events.active': 0,
    });
    await h.pipeline.close(100);
  });

  it('a batch retried on one worker does not block acks of later batches beyond its own slots', async () => {
    const w1 = new ManualClient('w1');
    const w2 = new ManualClient('w2');
    const h = harness({ clients: [w1, w2], batchSize: 2, backoff: { initMs: 0, maxMs: 0 } });
    const acks: number[] = [];
    const c = h.pipeline.connect({ onAck: (n) => acks.push(n) });
    for (let i = 0; i < 4; i++) c.publish(ev(i));
    const b1 = await w1.next();
    const b2 = await w2.next();
    b2.batch.ack();
    b2.done();
    b1.batch.retry();
    b1.done();
    // the retry goes to whichever worker is free first
    const again = await Promise.race([w1.next(), w2.next()]);
    expect(again.batch.events.map(seqOf)).to.deep.equal([0, 1]);
    expect(acks).to.deep.equal([]);
    again.batch.ack();
    again.done();
    expect(acks).to.deep.equal([4]);
    await h.pipeline.close(100);
  });
});
