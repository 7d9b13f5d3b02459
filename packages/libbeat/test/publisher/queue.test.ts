import { expect } from 'chai';
import { ev, harness, ManualClient, ScriptedClient, seqOf, sleep, tick, until } from './helpers.js';

describe('publisher/memqueue: queue full policies', () => {
  it('drop_if_full drops and counts when the queue is full (in-flight events hold their slots)', async () => {
    const out = new ManualClient();
    const h = harness({ clients: [out], queue: { events: 4 } });
    const drops: [number, string][] = [];
    const client = h.pipeline.connect({ mode: 'drop_if_full', onDrop: (n, r) => drops.push([n, r]) });
    for (let i = 0; i < 4; i++) expect(client.publish(ev(i))).to.equal('queued');
    const first = await out.next(); // handed out, but its slots are still occupied
    expect(first.batch.events.map(seqOf)).to.deep.equal([0, 1, 2, 3]);
    expect(client.publish(ev(4))).to.equal('dropped');
    expect(client.publish(ev(5))).to.equal('dropped');
    expect(drops).to.deep.equal([
      [1, 'queue full'],
      [1, 'queue full'],
    ]);
    expect(h.metrics('pipeline.events.total', 'pipeline.events.published', 'pipeline.events.dropped', 'pipeline.events.failed', 'pipeline.events.active', 'pipeline.queue.filled.events', 'pipeline.queue.filled.pct')).to.deep.equal({
      'pipeline.events.total': 6,
      'pipeline.events.published': 4,
      'pipeline.events.dropped': 2,
      'pipeline.events.failed': 2,
      'pipeline.events.active': 4,
      'pipeline.queue.filled.events': 4,
      'pipeline.queue.filled.pct': 1,
    });
    first.batch.ack();
    first.done();
    expect(h.metric('libbeat.pipeline.queue.filled.events')).to.equal(0);
    expect(client.publish(ev(6))).to.equal('queued');
    const second = await out.next();
    expect(second.batch.events.map(seqOf)).to.deep.equal([6]);
    second.batch.ack();
    second.done();
    await h.pipeline.close(100);
  });

  for (const mode of ['default', 'guaranteed'] as const) {
    it(`${mode}: a full queue holds events, then queues them in order as space frees; waitForSpace resolves`, async () => {
      const out = new ManualClient();
      const h = harness({ clients: [out], queue: { events: 4 } });
      const acks: number[] = [];
      const client = h.pipeline.connect({ mode, onAck: (n) => acks.push(n) });
      for (let i = 0; i < 4; i++) expect(client.publish(ev(i))).to.equal('queued');
      expect(client.publish(ev(4))).to.equal('held');
      expect(client.publish(ev(5))).to.equal('held');
      let spaced = false;
      const space = client.waitForSpace().then(() => {
        spaced = true;
      });
      const first = await out.next();
      expect(first.batch.events.map(seqOf)).to.deep.equal([0, 1, 2, 3]);
      await tick();
      expect(spaced).to.equal(false);
      expect(h.metrics('pipeline.events.published', 'pipeline.events.active', 'pipeline.events.dropped')).to.deep.equal({
        'pipeline.events.published': 4,
        'pipeline.events.active': 6,
        'pipeline.events.dropped': 0,
      });
      first.batch.ack();
      first.done();
      await space;
      expect(spaced).to.equal(true);
      expect(h.metric('libbeat.pipeline.events.published')).to.equal(6);
      // newer events queue after the held ones
      expect(client.publish(ev(6))).to.equal('queued');
      const second = await out.next();
      expect(second.batch.events.map(seqOf)).to.deep.equal([4, 5, 6]);
      second.batch.ack();
      second.done();
      expect(acks).to.deep.equal([4, 3]);
      expect(h.metric('libbeat.pipeline.events.active')).to.equal(0);
      expect(h.metric('libbeat.pipeline.queue.acked')).to.equal(7);
      await h.pipeline.close(100);
    });
  }

  it('waitForSpace resolves at once when there is room, and held events of several clients are served oldest waiter first', async () => {
    const out = new ManualClient();
    const h = harness({ clients: [out], queue: { events: 2 } });
    const a = h.pipeline.connect();
    const b = h.pipeline.connect();
    await a.waitForSpace();
    expect(a.publish(ev(0))).to.equal('queued');
    expect(a.publish(ev(1))).to.equal('queued');
    expect(b.publish(ev(10))).to.equal('held');
    expect(a.publish(ev(2))).to.equal('held');
    const first = await out.next();
    let bSpace = false;
    const bWait = b.waitForSpace().then(() => {
      bSpace = true;
    });
    first.batch.ack();
    first.done();
    const second = await out.next();
    expect(second.batch.events.map(seqOf)).to.deep.equal([10, 2]);
    // b was served first: its event was queued while a slot was still free
    await bWait;
    expect(bSpace).to.equal(true);
    second.batch.ack();
    second.done();
    await a.waitForSpace();
    await h.pipeline.close(100);
  });

  it('held events of several clients go into the queue in the order they were published', async () => {
    // A slow output (a turn per batch) and a 4-event queue: most publishes are held, by all three clients.
    const out = new ScriptedClient(async (batch) => {
      await tick();
      batch.ack();
    });
    const h = harness({ clients: [out], queue: { events: 4 }, batchSize: 2 });
    const clients = [h.pipeline.connect(), h.pipeline.connect(), h.pipeline.connect()];
    const order: number[] = [];
    let seq = 0;
    for (let burst = 0; burst < 20; burst++) {
      let held = false;
      // Each burst mixes the clients unevenly, so their held events interleave.
      for (let i = 0; i < 7; i++) {
        const client = clients[(burst + i * i) % clients.length]!;
        order.push(seq);
        if (client.publish(ev(seq++)) === 'held') held = true;
      }
      if (held) await Promise.all(clients.map((c) => c.waitForSpace()));
    }
    await until(() => h.metric('libbeat.pipeline.queue.acked') === order.length);
    expect(out.allSeqs).to.deep.equal(order);
    await h.pipeline.close(100);
  });

  it('a producer that honours held/waitForSpace delivers everything in order through a small queue', async () => {
    const out = new ScriptedClient();
    const h = harness({ clients: [out], queue: { events: 8 }, batchSize: 3 });
    const client = h.pipeline.connect();
    for (let i = 0; i < 100; i++) {
      if (client.publish(ev(i)) === 'held') await client.waitForSpace();
    }
    await until(() => h.metric('libbeat.pipeline.queue.acked') === 100);
    expect(out.allSeqs).to.deep.equal([...Array(100).keys()]);
    expect(Math.max(...out.calls.map((c) => c.seqs.length))).to.equal(3);
    await h.pipeline.close(100);
  });

  it('retried events keep their slots: the queue stays full until they are acked', async () => {
    const out = new ManualClient();
    const h = harness({ clients: [out], queue: { events: 2 }, backoff: { initMs: 0, maxMs: 0 } });
    const c = h.pipeline.connect({ mode: 'drop_if_full' });
    c.publish(ev(0));
    c.publish(ev(1));
    const first = await out.next();
    first.batch.retry();
    first.done();
    expect(c.publish(ev(2))).to.equal('dropped');
    const second = await out.next();
    expect(second.batch.events.map(seqOf)).to.deep.equal([0, 1]);
    expect(c.publish(ev(3))).to.equal('dropped');
    second.batch.ack();
    second.done();
    expect(c.publish(ev(4))).to.equal('queued');
    const third = await out.next();
    third.batch.ack();
    third.done();
    expect(h.metrics('pipeline.events.dropped', 'pipeline.events.retry', 'pipeline.queue.acked')).to.deep.equal({
      'pipeline.events.dropped': 2,
      'pipeline.events.retry': 2,
      'pipeline.queue.acked': 3,
    });
    await h.pipeline.close(100);
  });

  it('closing a client keeps its held events: they are still delivered', async () => {
    const out = new ManualClient();
    const h = harness({ clients: [out], queue: { events: 1 } });
    let acked = 0;
    const c = h.pipeline.connect({ onAck: (n) => (acked += n) });
    c.publish(ev(0));
    expect(c.publish(ev(1))).to.equal('held');
    c.close();
    await c.waitForSpace();
    const first = await out.next();
    first.batch.ack();
    first.done();
    const second = await out.next();
    expect(second.batch.events.map(seqOf)).to.deep.equal([1]);
    second.batch.ack();
    second.done();
    expect(acked).to.equal(2);
    expect(h.metric('libbeat.pipeline.events.active')).to.equal(0);
    await h.pipeline.close(100);
  });

  it('publishing on a closed client or pipeline returns dropped and counts it, never throws', async () => {
    const out = new ScriptedClient();
    const h = harness({ clients: [out] });
    const drops: string[] = [];
    const c1 = h.pipeline.connect({ onDrop: (_n, r) => drops.push(r) });
    const c2 = h.pipeline.connect();
    expect(h.metric('libbeat.pipeline.clients')).to.equal(2);
    c1.close();
    c1.close();
    expect(h.metric('libbeat.pipeline.clients')).to.equal(1);
    expect(c1.publish(ev(0))).to.equal('dropped');
    await h.pipeline.close(100);
    expect(h.metric('libbeat.pipeline.clients')).to.equal(0);
    expect(c2.publish(ev(1))).to.equal('dropped');
    await c2.waitForSpace();
    expect(drops).to.deep.equal(['client closed']);
    expect(h.metrics('pipeline.events.total', 'pipeline.events.dropped', 'pipeline.events.failed', 'pipeline.events.published')).to.deep.equal({
      'pipeline.events.total': 2,
      'pipeline.events.dropped': 2,
      'pipeline.events.failed': 2,
      'pipeline.events.published': 0,
    });
  });
});

describe('publisher/memqueue: flushing and batches', () => {
  it('flush.min_events: nothing is handed out before min_events are ready', async () => {
    const out = new ScriptedClient();
    const h = harness({ clients: [out], queue: { events: 100, flushMinEvents: 5, flushTimeoutMs: 60_000 } });
    const client = h.pipeline.connect();
    for (let i = 0; i < 4; i++) client.publish(ev(i));
    await sleep(30);
    expect(out.calls).to.have.length(0);
    client.publish(ev(4));
    await until(() => out.calls.length === 1);
    expect(out.calls[0]?.seqs).to.deep.equal([0, 1, 2, 3, 4]);
    await h.pipeline.close(100);
  });

  it('flush.timeout: fewer than min_events are handed out once the oldest has waited the timeout (one batch)', async () => {
    const out = new ScriptedClient();
    const h = harness({ clients: [out], queue: { events: 100, flushMinEvents: 50, flushTimeoutMs: 80 } });
    const client = h.pipeline.connect();
    const start = Date.now();
    client.publish(ev(0));
    await sleep(20);
    client.publish(ev(1));
    client.publish(ev(2));
    await sleep(20);
    expect(out.calls).to.have.length(0);
    await until(() => out.calls.length === 1);
    expect(out.calls[0]?.at).to.be.at.least(start + 75);
    expect(out.calls[0]?.seqs).to.deep.equal([0, 1, 2]);
    // the timer restarts with the next event
    const second = Date.now();
    client.publish(ev(3));
    await until(() => out.calls.length === 2);
    expect(out.calls[1]?.at).to.be.at.least(second + 75);
    await h.pipeline.close(100);
  });

  it('flush.min_events <= 1 hands events out immediately, a synchronous burst as one batch', async () => {
    const out = new ScriptedClient();
    const h = harness({ clients: [out], queue: { events: 100, flushMinEvents: 1, flushTimeoutMs: 60_000 } });
    const client = h.pipeline.connect();
    client.publish(ev(0));
    await until(() => out.calls.length === 1);
    for (let i = 1; i <= 5; i++) client.publish(ev(i));
    await until(() => out.calls.length === 2);
    expect(out.calls.map((c) => c.seqs)).to.deep.equal([[0], [1, 2, 3, 4, 5]]);
    await h.pipeline.close(100);
  });

  it('a zero flush.timeout means immediately, whatever min_events', async () => {
    const out = new ScriptedClient();
    const h = harness({ clients: [out], queue: { events: 100, flushMinEvents: 50, flushTimeoutMs: 0 } });
    h.pipeline.connect().publish(ev(0));
    await until(() => out.calls.length === 1);
    await h.pipeline.close(100);
  });

  it('batches are capped at output.batchSize, in order', async () => {
    const out = new ScriptedClient();
    const h = harness({ clients: [out], batchSize: 3, queue: { events: 100, flushMinEvents: 1 } });
    const client = h.pipeline.connect();
    for (let i = 0; i < 10; i++) client.publish(ev(i));
    await until(() => out.allSeqs.length === 10);
    expect(out.calls.map((c) => c.seqs)).to.deep.equal([[0, 1, 2], [3, 4, 5], [6, 7, 8], [9]]);
    expect(h.metric('libbeat.output.events.batches')).to.equal(4);
    await h.pipeline.close(100);
  });

  it('min_events above batchSize waits only for a full batch', async () => {
    const out = new ScriptedClient();
    const h = harness({ clients: [out], batchSize: 3, queue: { events: 100, flushMinEvents: 1000, flushTimeoutMs: 60_000 } });
    const client = h.pipeline.connect();
    client.publish(ev(0));
    client.publish(ev(1));
    await sleep(20);
    expect(out.calls).to.have.length(0);
    client.publish(ev(2));
    await until(() => out.calls.length === 1);
    expect(out.calls[0]?.seqs).to.deep.equal([0, 1, 2]);
    await h.pipeline.close(100);
  });

  it('the ring wraps around many times without losing or reordering events', async () => {
    const out = new ScriptedClient();
    const h = harness({ clients: [out], batchSize: 4, queue: { events: 7, flushMinEvents: 3, flushTimeoutMs: 5 } });
    const client = h.pipeline.connect();
    for (let i = 0; i < 500; i++) {
      if (client.publish(ev(i)) === 'held') await client.waitForSpace();
    }
    await until(() => h.metric('libbeat.pipeline.queue.acked') === 500);
    expect(out.allSeqs).to.deep.equal([...Array(500).keys()]);
    expect(h.metric('libbeat.pipeline.queue.filled.events')).to.equal(0);
    expect(h.metric('libbeat.pipeline.queue.max_events')).to.equal(7);
    await h.pipeline.close(100);
  });
});
