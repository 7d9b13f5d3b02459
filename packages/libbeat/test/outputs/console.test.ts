import { spawn } from 'node:child_process';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import type { BeatEvent } from '../../src/event.js';
import { consoleOutputFactory, createConsoleOutput } from '../../src/outputs/console.js';
import type { OutputClient } from '../../src/outputs/output.js';
import { makeBatch, makeContext, makeEvents } from './helpers.js';

const CHILD = fileURLToPath(new URL('./fixtures/console-child.js', import.meta.url));

interface ChildReport {
  kinds: string[];
  reason: string;
  batchSize: number;
  bytes: number;
  errors: number;
}

interface ChildResult {
  code: number | null;
  stdout: string;
  report: ChildReport;
  stderr: string;
}

function runChild(env: Record<string, string>, opts: { closeStdoutAfterFirstChunk?: boolean } = {}): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      stdout += chunk;
      if (opts.closeStdoutAfterFirstChunk === true) child.stdout.destroy();
    });
    child.stderr.on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const last = stderr.trim().split('\n').pop() ?? '';
      try {
        resolve({ code, stdout, stderr, report: JSON.parse(last) as ChildReport });
      } catch {
        reject(new Error(`child exited ${code}: ${stderr}`));
      }
    });
  });
}

describe('outputs: console', () => {
  it('writes one JSON line per event to stdout and acks (child process)', async () => {
    const r = await runChild({ EVENTS: '5', BATCHES: '2' });
    expect(r.code).to.equal(0);
    expect(r.report.kinds).to.deep.equal(['ack', 'ack']);
    expect(r.report.batchSize).to.equal(2048);
    expect(r.report.bytes).to.equal(Buffer.byteLength(r.stdout));
    const lines = r.stdout.split('\n');
    expect(lines.pop()).to.equal('');
    expect(lines).to.have.length(10);
    const events = makeEvents(5);
    lines.slice(0, 5).forEach((line, i) => {
      const e = events[i] as BeatEvent;
      expect(JSON.parse(line)).to.deep.equal({
        '@timestamp': e.timestamp.toISOString(),
        '@metadata': { beat: 'packetbeat', type: '_doc', version: '8.15.0' },
        ...e.fields,
      });
      expect(line.startsWith(`{"@timestamp":"${e.timestamp.toISOString()}","@metadata":{"beat":"packetbeat"`)).to.equal(true);
    });
  });

  it('pretty: true and codec.format (child process)', async () => {
    const pretty = await runChild({ EVENTS: '1', CONSOLE_CONFIG: JSON.stringify({ pretty: true, bulk_max_size: 10 }) });
    expect(pretty.report.batchSize).to.equal(10);
    expect(pretty.stdout).to.match(/^\{\n {2}"@timestamp": "2024-05-17T10:00:00.000Z",\n {2}"@metadata": \{\n/);
    expect(pretty.stdout.endsWith('\n}\n')).to.equal(true);
    const fmt = await runChild({ EVENTS: '2', CONSOLE_CONFIG: JSON.stringify({ codec: { format: { string: '%{[@timestamp]} %{[message]}' } } }) });
    expect(fmt.stdout).to.equal('2024-05-17T10:00:00.000Z event 0\n2024-05-17T10:00:00.001Z event 1\n');
  });

  it('EPIPE on stdout drops the batch with a reason instead of crashing (child process)', async function () {
    if (process.platform === 'win32') this.skip();
    const r = await runChild({ EVENTS: '2000', BATCHES: '500', STOP_ON_DROP: '1' }, { closeStdoutAfterFirstChunk: true });
    expect(r.code, r.stderr).to.equal(0);
    expect(r.report.kinds).to.include('drop');
    expect(r.report.reason).to.match(/stdout is closed|EPIPE/);
    expect(r.report.errors).to.be.greaterThan(0);
  });

  describe('with an in-process stream', () => {
    class SlowSink extends Writable {
      chunks: string[] = [];
      pending: ((err?: Error | null) => void)[] = [];
      failWith: Error | undefined;
      override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
        this.chunks.push(chunk.toString('utf8'));
        if (this.failWith !== undefined) cb(this.failWith);
        else this.pending.push(cb);
      }
      release(): void {
        for (const cb of this.pending.splice(0)) cb();
      }
    }

    it('acks only after the write callback (backpressure), with one write per batch', async () => {
      const sink = new SlowSink();
      const ctx = makeContext();
      const client = createConsoleOutput({}, ctx, sink).clients[0] as OutputClient;
      const batch = makeBatch(makeEvents(3));
      const p = client.publish(batch);
      await new Promise((r) => setImmediate(r));
      expect(batch.settlements).to.deep.equal([]);
      expect(sink.chunks).to.have.length(1);
      expect(sink.chunks[0]?.split('\n')).to.have.length(4);
      sink.release();
      await p;
      expect(batch.settlements).to.deep.equal([{ kind: 'ack' }]);
      await client.close();
    });

    it('a failing write drops the batch and counts write.errors; the stream error event is handled', async () => {
      const sink = new SlowSink();
      const epipe: NodeJS.ErrnoException = new Error('write EPIPE');
      epipe.code = 'EPIPE';
      sink.failWith = epipe;
      const ctx = makeContext();
      const client = createConsoleOutput({}, ctx, sink).clients[0] as OutputClient;
      const b1 = makeBatch(makeEvents(2));
      await client.publish(b1);
      expect(b1.settlements).to.have.length(1);
      expect(b1.settlements[0]?.kind).to.equal('drop');
      expect(b1.settlements[0]?.kind === 'drop' && b1.settlements[0].reason).to.match(/stdout is closed \(EPIPE\)/);
      const b2 = makeBatch(makeEvents(1));
      await client.publish(b2);
      expect(b2.settlements[0]?.kind).to.equal('drop');
      expect(ctx.metrics.counter('write.errors').value).to.equal(2);
      await client.close();
    });

    it('drops only events that fail to encode', async () => {
      const sink = new SlowSink();
      const client = createConsoleOutput({ codec: { format: { string: '%{[message]}' } } }, makeContext(), sink).clients[0] as OutputClient;
      const bad: BeatEvent = { timestamp: new Date(), fields: {} };
      const batch = makeBatch([...makeEvents(1), bad]);
      const p = client.publish(batch);
      await new Promise((r) => setImmediate(r));
      sink.release();
      await p;
      expect(batch.settlements).to.deep.equal([{ kind: 'retryEvents', failed: [], dropped: [bad] }]);
      expect(sink.chunks.join('')).to.equal('event 0\n');
    });
  });

  it('factory: schema keys', () => {
    expect(Object.keys(consoleOutputFactory.schema).sort()).to.deep.equal(['bulk_max_size', 'codec', 'pretty']);
  });
});
