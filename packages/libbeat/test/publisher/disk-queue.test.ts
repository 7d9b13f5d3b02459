import { expect } from 'chai';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createEvent } from '../../src/event.js';
import { ev, harness, ManualClient, ScriptedClient, seqOf, tick, until } from './helpers.js';

function segments(dir: string): string[] {
  return fs.readdirSync(dir).filter((f) => f.endsWith('.seg'));
}

/** The saved ack position (0 before the first one). */
function ackedFrames(dir: string): number {
  if (!fs.existsSync(path.join(dir, 'state.json'))) return 0;
  return (JSON.parse(fs.readFileSync(path.join(dir, 'state.json'), 'utf8')) as { ackedFrames: number }).ackedFrames;
}

describe('publisher/disk queue (queue.disk)', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'diskq-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const settings = (over: { maxSizeBytes?: number; segmentSizeBytes?: number } = {}): { path: string; maxSizeBytes: number; segmentSizeBytes: number } => ({
    path: dir,
    maxSizeBytes: over.maxSizeBytes ?? 10e6,
    segmentSizeBytes: over.segmentSizeBytes ?? 1e6,
  });

  it('acks the producer once the event is on disk, before the output has it; removes it after the output acks', async () => {
    const out = new ManualClient();
    const h = harness({ clients: [out], batchSize: 4, diskQueue: settings() });
    const acks: number[] = [];
    const client = h.pipeline.connect({ onAck: (n) => acks.push(n) });
    const at = new Date('2026-11-24T01:02:03.456Z');
    for (let i = 0; i < 10; i++) expect(client.publish(createEvent({ seq: i, nested: { a: [1, 'x'] } }, at, i === 0 ? { pipeline: 'p1' } : undefined))).to.equal('queued');
    expect(acks).to.deep.equal([]);
    await tick();
    // Persisted: the producer heard, the output has not acked anything.
    expect(acks.reduce((a, b) => a + b, 0)).to.equal(10);
    expect(segments(dir)).to.have.length(1);
    expect(h.pipeline.outstanding).to.equal(10);
    expect(h.metric('libbeat.pipeline.queue.filled.events')).to.equal(10);
    expect(h.metric('libbeat.pipeline.queue.max_bytes')).to.equal(10e6);
    expect(h.metric('libbeat.pipeline.queue.filled.bytes')).to.be.above(10 * 30);

    const first = await out.next();
    expect(first.batch.events.map(seqOf)).to.deep.equal([0, 1, 2, 3]);
    // Read back from disk: same fields, timestamp and metadata.
    expect(first.batch.events[0]).to.deep.equal({ timestamp: at, fields: { seq: 0, nested: { a: [1, 'x'] } }, meta: { pipeline: 'p1' } });
    first.batch.ack();
    first.done();
    expect(ackedFrames(dir)).to.equal(4);
    expect(h.pipeline.outstanding).to.equal(6);
    for (;;) {
      const next = await out.next();
      next.batch.ack();
      next.done();
      if (h.pipeline.outstanding === 0) break;
    }
    expect(ackedFrames(dir)).to.equal(10);
    // The only segment is wholly acknowledged: it is gone, and its space with it.
    expect(segments(dir)).to.deep.equal([]);
    expect(h.metric('libbeat.pipeline.queue.filled.bytes')).to.equal(0);
    expect(h.metrics('output.events.acked', 'pipeline.queue.acked', 'pipeline.events.active')).to.deep.equal({
      'output.events.acked': 10,
      'pipeline.queue.acked': 10,
      'pipeline.events.active': 0,
    });
    await h.pipeline.close(100);
  });

  it('keeps what the output has not acked across a restart, and resends only that, in order', async () => {
    // Two output workers, so two batches are in flight at once.
    const outA = new ManualClient();
    const outB = new ManualClient();
    const h1 = harness({ clients: [outA, outB], batchSize: 5, diskQueue: settings({ segmentSizeBytes: 64 * 1024 }) });
    const c1 = h1.pipeline.connect();
    for (let i = 0; i < 20; i++) c1.publish(ev(i, { pad: 'p'.repeat(200) }));
    const [b1, b2] = (await Promise.all([outA.next(), outB.next()])).sort((x, y) => seqOf(x.batch.events[0]!) - seqOf(y.batch.events[0]!));
    if (b1 === undefined || b2 === undefined) throw new Error('two batches expected');
    expect(b1.batch.events.map(seqOf)).to.deep.equal([0, 1, 2, 3, 4]);
    // Acks arrive out of order: the second batch first. Only the first five may be forgotten.
    b2.batch.ack();
    b2.done();
    await tick();
    expect(ackedFrames(dir)).to.equal(0);
    b1.batch.ack();
    b1.done();
    expect(ackedFrames(dir)).to.equal(10);
    const closed = await h1.pipeline.close(0);
    expect(closed.dropped).to.equal(0);
    expect(h1.logger.matching('info', /10 events stay in/)).to.have.length(1);

    const seen: number[] = [];
    const h2 = harness({ clients: [new ScriptedClient((b) => {
      seen.push(...b.events.map(seqOf));
      b.ack();
    })], batchSize: 5, diskQueue: settings({ segmentSizeBytes: 64 * 1024 }) });
    expect(h2.logger.matching('info', /10 events from an earlier run/)).to.have.length(1);
    await until(() => h2.pipeline.outstanding === 0);
    expect(seen).to.deep.equal([10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
    // New events go after the old ones.
    h2.pipeline.connect().publish(ev(20));
    await until(() => seen.length === 11);
    expect(seen[10]).to.equal(20);
    await h2.pipeline.close(100);
    expect(segments(dir)).to.deep.equal([]);
  });

  it('rolls segments at segment_size and deletes each once all its events are acknowledged', async () => {
    const out = new ManualClient();
    const h = harness({ clients: [out], batchSize: 100, diskQueue: settings({ segmentSizeBytes: 64 * 1024 }) });
    const client = h.pipeline.connect();
    for (let i = 0; i < 300; i++) client.publish(ev(i, { pad: 'x'.repeat(1000) }));
    await tick();
    const before = segments(dir).length;
    expect(before).to.be.within(4, 6);
    const first = await out.next();
    first.batch.ack();
    first.done();
    // 100 events of ~1 KB: at least one whole segment behind the ack position.
    expect(segments(dir).length).to.be.below(before);
    while (h.pipeline.outstanding > 0) {
      const next = await out.next();
      next.batch.ack();
      next.done();
    }
    expect(segments(dir)).to.deep.equal([]);
    await h.pipeline.close(100);
  });

  it('is full at max_size: drop_if_full drops and counts, waiting modes hold until the output frees space', async () => {
    const out = new ManualClient();
    const h = harness({ clients: [out], batchSize: 100, diskQueue: settings({ maxSizeBytes: 20_000, segmentSizeBytes: 64 * 1024 }) });
    const dropper = h.pipeline.connect({ mode: 'drop_if_full' });
    const results: string[] = [];
    for (let i = 0; i < 30; i++) results.push(dropper.publish(ev(i, { pad: 'y'.repeat(1000) })));
    const queued = results.filter((r) => r === 'queued').length;
    expect(queued).to.be.within(18, 21);
    expect(results.slice(queued).every((r) => r === 'dropped')).to.equal(true);
    expect(h.metric('libbeat.pipeline.events.dropped')).to.equal(30 - queued);

    const waiter = h.pipeline.connect({ mode: 'default' });
    expect(waiter.publish(ev(100, { pad: 'z'.repeat(1000) }))).to.equal('held');
    let spaced = false;
    const space = waiter.waitForSpace().then(() => (spaced = true));
    const batch = await out.next();
    expect(batch.batch.events.map(seqOf)).to.deep.equal(Array.from({ length: queued }, (_, i) => i));
    await tick();
    expect(spaced).to.equal(false);
    batch.batch.ack();
    batch.done();
    await space;
    expect(spaced).to.equal(true);
    const next = await out.next();
    expect(next.batch.events.map(seqOf)).to.deep.equal([100]);
    next.batch.ack();
    next.done();
    await h.pipeline.close(100);
  });

  it('retries failed events before new ones, and drops them (counted) past max_retries', async () => {
    const calls: number[][] = [];
    const client = new ScriptedClient((b, call) => {
      calls.push(b.events.map(seqOf));
      if (call < 3) b.retryEvents(b.events.filter((e) => seqOf(e) === 1));
      else b.ack();
    });
    const h = harness({ clients: [client], batchSize: 10, maxRetries: 2, diskQueue: settings() });
    const p = h.pipeline.connect();
    for (let i = 0; i < 3; i++) p.publish(ev(i));
    await until(() => h.pipeline.outstanding === 0);
    expect(calls.slice(0, 3)).to.deep.equal([[0, 1, 2], [1], [1]]);
    expect(h.metric('libbeat.pipeline.events.dropped')).to.equal(1);
    expect(h.logger.matching('warn', /retry limit/)).to.have.length(1);
    expect(ackedFrames(dir)).to.equal(3);
    await h.pipeline.close(100);
  });

  it('a batch the output could not send at all (it is down) is retried past max_retries: an outage loses nothing', async () => {
    let calls = 0;
    const client = new ScriptedClient((b) => {
      calls++;
      if (calls <= 6) b.retry();
      else b.ack();
    });
    const h = harness({ clients: [client], batchSize: 10, maxRetries: 2, diskQueue: settings() });
    const p = h.pipeline.connect();
    for (let i = 0; i < 5; i++) p.publish(ev(i));
    await until(() => h.pipeline.outstanding === 0);
    expect(calls).to.equal(7);
    expect(client.calls[6]?.seqs).to.deep.equal([0, 1, 2, 3, 4]);
    expect(h.metrics('pipeline.events.dropped', 'output.events.acked', 'pipeline.events.retry')).to.deep.equal({
      'pipeline.events.dropped': 0,
      'output.events.acked': 5,
      'pipeline.events.retry': 30,
    });
    await h.pipeline.close(100);
  });

  it('recovers from a torn last frame: the intact frames are delivered, the damage is logged', async () => {
    const h1 = harness({ clients: [new ManualClient()], diskQueue: settings() });
    const c = h1.pipeline.connect();
    for (let i = 0; i < 5; i++) c.publish(ev(i));
    await tick();
    await h1.pipeline.close(0);
    const [seg] = segments(dir);
    const file = path.join(dir, seg as string);
    const size = fs.statSync(file).size;
    fs.truncateSync(file, size - 3); // the last frame loses its end
    const seen: number[] = [];
    const h2 = harness({ clients: [new ScriptedClient((b) => {
      seen.push(...b.events.map(seqOf));
      b.ack();
    })], diskQueue: settings() });
    expect(h2.logger.matching('warn', /torn or damaged/)).to.have.length(1);
    await until(() => h2.pipeline.outstanding === 0);
    expect(seen).to.deep.equal([0, 1, 2, 3]);
    await h2.pipeline.close(100);
  });

  it('one process per directory: a second live queue on the same path is refused', async () => {
    const h1 = harness({ clients: [new ManualClient()], diskQueue: settings() });
    // A lock naming another live process (pid 1) blocks the directory.
    fs.writeFileSync(path.join(dir, 'queue.lock'), '1');
    expect(() => harness({ clients: [new ManualClient()], diskQueue: settings() })).to.throw(/queue\.disk\.path: .* is in use by process 1/);
    await h1.pipeline.close(0);
  });
});
