import { expect } from 'chai';
import { BeatError, ErrorCodes } from '../../src/errors.js';
import { ev, harness, ManualClient, ScriptedClient, seqOf, sleep } from './helpers.js';

describe('publisher/pipeline: shutdown', () => {
  it('delivers what was queued at once (no flush.timeout wait), then closes the output clients', async () => {
    const out = new ScriptedClient();
    const h = harness({ clients: [out], queue: { events: 100, flushMinEvents: 50, flushTimeoutMs: 60_000 } });
    let acked = 0;
    const c = h.pipeline.connect({ onAck: (n) => (acked += n) });
    for (let i = 0; i < 10; i++) c.publish(ev(i));
    await sleep(10);
    expect(out.calls).to.have.length(0);
    const start = Date.now();
    const result = await h.pipeline.close(5000);
    expect(Date.now() - start).to.be.below(1000);
    expect(result).to.deep.equal({ acked: 10, dropped: 0 });
    expect(acked).to.equal(10);
    expect(out.allSeqs).to.deep.equal([...Array(10).keys()]);
    expect(out.closed).to.equal(1);
    expect(c.publish(ev(99))).to.equal('dropped');
    expect(h.metrics('pipeline.events.dropped', 'pipeline.events.active', 'pipeline.clients')).to.deep.equal({
      'pipeline.events.dropped': 1,
      'pipeline.events.active': 0,
      'pipeline.clients': 0,
    });
    expect(h.logger.matching('warn', 'not acknowledged')).to.have.length(0);
  });

  it('held events are delivered too, in order, and in-flight retries continue until acked', async () => {
    let failures = 0;
    const out = new ScriptedClient(async (b) => {
      await sleep(2);
      if (failures++ < 2) b.retry();
      else b.ack();
    });
    const h = harness({ clients: [out], queue: { events: 4 }, batchSize: 4 });
    const c = h.pipeline.connect();
    const results = [...Array(10).keys()].map((i) => c.publish(ev(i)));
    expect(results.filter((r) => r === 'held')).to.have.length(6);
    const result = await h.pipeline.close(5000);
    expect(result).to.deep.equal({ acked: 10, dropped: 0 });
    const firstSeen = [...new Set(out.allSeqs)];
    expect(firstSeen).to.deep.equal([...Array(10).keys()]);
    expect(h.metric('libbeat.pipeline.events.active')).to.equal(0);
  });

  it('shutdown timeout: undelivered events are counted as dropped and logged with their count', async () => {
    const out = new ManualClient();
    const h = harness({ clients: [out], queue: { events: 4 } });
    const drops: [number, string][] = [];
    const c = h.pipeline.connect({ onDrop: (n, r) => drops.push([n, r]) });
    for (let i = 0; i < 6; i++) c.publish(ev(i)); // 4 queued, 2 held
    const inFlight = await out.next();
    const start = Date.now();
    const result = await h.pipeline.close(50);
    expect(Date.now() - start).to.be.at.least(45);
    expect(result).to.deep.equal({ acked: 0, dropped: 6 });
    expect(drops).to.deep.equal([
      [4, 'shutdown_timeout'],
      [2, 'shutdown_timeout'],
    ]);
    expect(h.logger.matching('warn', '6 events were not acknowledged by the output before shutdown_timeout and are dropped')).to.have.length(1);
    expect(h.metrics('pipeline.events.dropped', 'pipeline.events.active', 'pipeline.queue.filled.events', 'output.events.active')).to.deep.equal({
      'pipeline.events.dropped': 6,
      'pipeline.events.active': 0,
      'pipeline.queue.filled.events': 0,
      'output.events.active': 0,
    });
    expect(out.closed).to.equal(1);
    // a late ack of the abandoned batch changes nothing
    inFlight.batch.ack();
    inFlight.done();
    expect(h.metric('libbeat.output.events.acked')).to.equal(0);
    expect(h.metric('libbeat.pipeline.queue.acked')).to.equal(0);
  });

  it('acks received before the timeout are delivered even when an earlier batch is abandoned', async () => {
    const w1 = new ManualClient('w1');
    const w2 = new ManualClient('w2');
    const h = harness({ clients: [w1, w2], batchSize: 2 });
    const acks: number[] = [];
    const c = h.pipeline.connect({ onAck: (n) => acks.push(n) });
    for (let i = 0; i < 4; i++) c.publish(ev(i));
    await w1.next();
    const b2 = await w2.next();
    expect(b2.batch.events.map(seqOf)).to.deep.equal([2, 3]);
    b2.batch.ack();
    b2.done();
    const result = await h.pipeline.close(20);
    expect(result).to.deep.equal({ acked: 2, dropped: 2 });
    expect(acks).to.deep.equal([2]);
    expect(h.metric('libbeat.pipeline.queue.acked')).to.equal(2);
  });

  it('timeout 0 does not wait: what remains is dropped at once and logged in one line', async () => {
    const out = new ScriptedClient();
    const h = harness({ clients: [out], queue: { events: 100, flushMinEvents: 50, flushTimeoutMs: 60_000 } });
    const c = h.pipeline.connect();
    for (let i = 0; i < 5; i++) c.publish(ev(i));
    const result = await h.pipeline.close(0);
    expect(result).to.deep.equal({ acked: 0, dropped: 5 });
    expect(out.calls).to.have.length(0);
    expect(h.logger.matching('warn', /^5 events were not acknowledged/)).to.have.length(1);
    expect(h.metric('libbeat.pipeline.events.dropped')).to.equal(5);
  });

  it('a backoff wait is cut short by the shutdown timeout (guaranteed events dropped only then)', async () => {
    const out = new ScriptedClient((b) => b.retry());
    const h = harness({ clients: [out], maxRetries: 0, backoff: { initMs: 60_000, maxMs: 60_000 } });
    const drops: [number, string][] = [];
    const c = h.pipeline.connect({ mode: 'guaranteed', onDrop: (n, r) => drops.push([n, r]) });
    c.publish(ev(0));
    await sleep(20);
    expect(out.calls).to.have.length(1);
    const start = Date.now();
    const result = await h.pipeline.close(50);
    expect(Date.now() - start).to.be.below(1000);
    expect(result).to.deep.equal({ acked: 0, dropped: 1 });
    expect(drops).to.deep.equal([[1, 'shutdown_timeout']]);
  });

  it('close is idempotent; connect after close throws PIPELINE_CLOSED; waitForSpace resolves', async () => {
    const out = new ManualClient();
    const h = harness({ clients: [out], queue: { events: 1 } });
    const c = h.pipeline.connect();
    c.publish(ev(0));
    expect(c.publish(ev(1))).to.equal('held');
    const space = c.waitForSpace();
    const p1 = h.pipeline.close(30);
    const p2 = h.pipeline.close(10_000);
    expect(p2).to.equal(p1);
    await space;
    const [r1, r2] = await Promise.all([p1, p2]);
    expect(r1).to.deep.equal({ acked: 0, dropped: 2 });
    expect(r2).to.equal(r1);
    expect(await h.pipeline.close(0)).to.equal(r1);
    expect(out.closed).to.equal(1);
    expect(h.metric('libbeat.pipeline.events.dropped')).to.equal(2);
    expect(() => h.pipeline.connect()).to.throw(BeatError).with.property('code', ErrorCodes.PIPELINE_CLOSED);
  });

  it('output client close() failures are logged', async () => {
    const out = new ScriptedClient();
    out.close = () => Promise.reject(new Error('close failed'));
    const h = harness({ clients: [out] });
    await h.pipeline.close(10);
    expect(h.logger.matching('error', 'close failed')).to.have.length(1);
  });
});
