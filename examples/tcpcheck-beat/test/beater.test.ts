import { expect } from 'chai';
import {
  MetricsRegistry,
  type BeatEvent,
  type BeaterContext,
  type ClientOptions,
  type Logger,
  type PipelineClient,
  type PublishResult,
} from '@packetbeat-ts/libbeat';
import { TcpcheckBeater } from '../src/beater.js';
import { parseTarget, type TcpTarget } from '../src/target.js';
import { checkTcp } from '../src/check.js';
import { closedPort, listen } from './helpers.js';

const silent: Logger = {
  name: 'test',
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  isDebugEnabled: () => false,
  named: () => silent,
};

/** A pipeline client that records events, answers with `results` in turn and acks at once (or never). */
class FakeClient implements PipelineClient {
  readonly events: BeatEvent[] = [];
  waits = 0;
  closed = false;
  /** Whether a publish happened while a 'held' had not been followed by waitForSpace. */
  publishedWhileHeld = false;
  private held = false;

  constructor(
    private readonly options: ClientOptions,
    private readonly results: PublishResult[],
    private readonly ack: boolean,
  ) {}

  publish(event: BeatEvent): PublishResult {
    if (this.held) this.publishedWhileHeld = true;
    this.events.push(event);
    const r = this.results.shift() ?? 'queued';
    if (r === 'held') this.held = true;
    if (r === 'dropped') this.options.onDrop?.(1, 'test');
    if (this.ack && (r === 'queued' || r === 'held')) setTimeout(() => this.options.onAck?.(1), 5);
    return r;
  }

  waitForSpace(): Promise<void> {
    this.waits++;
    this.held = false;
    return new Promise((resolve) => setTimeout(resolve, 20));
  }

  close(): void {
    this.closed = true;
  }
}

function context(signal: AbortSignal, results: PublishResult[] = [], ack = true): { ctx: BeaterContext; client: () => FakeClient; metrics: MetricsRegistry } {
  let client: FakeClient | undefined;
  const metrics = new MetricsRegistry();
  const ctx = {
    signal,
    logger: silent,
    metrics,
    flags: {},
    pipeline: {
      connect: (options: ClientOptions = {}) => (client = new FakeClient(options, results, ack)),
    },
  } as unknown as BeaterContext;
  return {
    ctx,
    metrics,
    client: () => {
      if (client === undefined) throw new Error('the beater did not connect');
      return client;
    },
  };
}

function target(port: number): TcpTarget {
  const t = parseTarget(`127.0.0.1:${port}`);
  if (typeof t === 'string') throw new Error(t);
  return t;
}

describe('tcpcheck: checkTcp', () => {
  it('is up when the port accepts and down with the error when it refuses', async () => {
    const srv = await listen();
    try {
      const up = await checkTcp(target(srv.port), 2000);
      expect(up.up).to.equal(true);
      expect(up.error).to.equal(undefined);
      expect(up.durationUs).to.be.a('number').and.at.least(0);
      const down = await checkTcp(target(await closedPort()), 2000);
      expect(down.up).to.equal(false);
      expect(down.error).to.match(/ECONNREFUSED/);
    } finally {
      await srv.close();
    }
  });

  it('ends at once when its signal aborts', async () => {
    const abort = new AbortController();
    abort.abort();
    const r = await checkTcp(target(9), 10_000, abort.signal);
    expect(r.up).to.equal(false);
    expect(r.error).to.equal('check aborted');
  });
});

describe('tcpcheck: TcpcheckBeater', () => {
  it('runs max_checks rounds, one event per target in config order, then resolves', async () => {
    const srv = await listen();
    const closed = await closedPort();
    try {
      const beater = new TcpcheckBeater({ targets: [target(srv.port), target(closed)], scheduleMs: 30, timeoutMs: 2000, maxChecks: 3 });
      const { ctx, client, metrics } = context(new AbortController().signal);
      await beater.run(ctx);
      const events = client().events;
      expect(events).to.have.length(6);
      expect(events.map((e) => (e.fields['monitor'] as { status: string }).status)).to.deep.equal(['up', 'down', 'up', 'down', 'up', 'down']);
      const first = events[0]?.fields;
      expect(first).to.deep.include({ event: { dataset: 'tcpcheck' } });
      expect(first?.['url']).to.deep.equal({ scheme: 'tcp', domain: '127.0.0.1', port: srv.port, full: `tcp://127.0.0.1:${srv.port}` });
      expect(first?.['error']).to.equal(undefined);
      const second = events[1]?.fields;
      expect((second?.['error'] as { message: string }).message).to.match(/ECONNREFUSED/);
      expect(client().closed).to.equal(true);
      expect(srv.accepted()).to.be.at.least(1);
      expect(metrics.counter('tcpcheck.checks.up').value).to.equal(3);
      expect(metrics.counter('tcpcheck.checks.down').value).to.equal(3);
    } finally {
      await srv.close();
    }
  });

  it('awaits waitForSpace after a held publish before publishing again', async () => {
    const srv = await listen();
    try {
      const beater = new TcpcheckBeater({ targets: [target(srv.port)], scheduleMs: 1, timeoutMs: 2000, maxChecks: 3 });
      const { ctx, client } = context(new AbortController().signal, ['held', 'queued', 'held']);
      await beater.run(ctx);
      expect(client().events).to.have.length(3);
      expect(client().waits).to.equal(2);
      expect(client().publishedWhileHeld).to.equal(false);
    } finally {
      await srv.close();
    }
  });

  it('after max_checks, waits for the output to acknowledge its events (filtered and dropped ones do not count)', async () => {
    const srv = await listen();
    try {
      const beater = new TcpcheckBeater({ targets: [target(srv.port)], scheduleMs: 1, timeoutMs: 2000, maxChecks: 2 });
      // never acks: run() must keep waiting, until the signal aborts
      const abort = new AbortController();
      const { ctx } = context(abort.signal, ['queued', 'queued'], false);
      let resolved = false;
      const running = beater.run(ctx).then(() => (resolved = true));
      await new Promise((r) => setTimeout(r, 200));
      expect(resolved).to.equal(false);
      abort.abort();
      await running;

      const beater2 = new TcpcheckBeater({ targets: [target(srv.port)], scheduleMs: 1, timeoutMs: 2000, maxChecks: 2 });
      const { ctx: ctx2, client } = context(new AbortController().signal, ['filtered', 'dropped'], false);
      await beater2.run(ctx2); // nothing outstanding: resolves although nothing is acked
      expect(client().events).to.have.length(2);
    } finally {
      await srv.close();
    }
  });

  it('stops promptly when the signal aborts between rounds, clearing its timer', async () => {
    const srv = await listen();
    try {
      const beater = new TcpcheckBeater({ targets: [target(srv.port)], scheduleMs: 60_000, timeoutMs: 2000, maxChecks: 0 });
      const abort = new AbortController();
      const { ctx, client } = context(abort.signal);
      const running = beater.run(ctx);
      await new Promise((r) => setTimeout(r, 150));
      const t0 = Date.now();
      abort.abort();
      await running;
      expect(Date.now() - t0).to.be.below(1000);
      expect(client().events).to.have.length(1);
      expect(client().closed).to.equal(true);
    } finally {
      await srv.close();
    }
  });
});
