import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import convict from 'convict';
import { registerBeatFormats } from '../../../src/config/formats.js';
import { isBeatError } from '../../../src/errors.js';
import type { BeatEvent } from '../../../src/event.js';
import { createEncoder } from '../../../src/outputs/codec.js';
import {
  createLogstashOutput,
  type LogstashClient,
  logstashOutputFactory,
  logstashSchema,
  parseHost,
  resolveLogstashConfig,
  Window,
  type LogstashOutputConfig,
} from '../../../src/outputs/logstash/index.js';
import type { OutputClient, OutputGroup } from '../../../src/outputs/output.js';
import { makeBatch, makeContext, makeEvents, TEST_BEAT, type TestBatch } from '../helpers.js';
import { LumberjackServer, waitFor } from './lumberjack-server.js';

type Ctx = ReturnType<typeof makeContext>;

/** The Beats JSON document of `event` as the logstash output must send it. */
function expectedDocs(events: readonly BeatEvent[], index = TEST_BEAT.beat): unknown[] {
  const enc = createEncoder({ beat: index, version: TEST_BEAT.version }, undefined);
  return events.map((e) => JSON.parse(enc.encode(e)) as unknown);
}

describe('outputs: logstash', function () {
  this.timeout(10_000);
  const servers: LumberjackServer[] = [];
  const groups: OutputGroup[] = [];

  async function server(): Promise<LumberjackServer> {
    const s = await LumberjackServer.start();
    servers.push(s);
    return s;
  }

  function output(config: LogstashOutputConfig, ctx: Ctx = makeContext()): { group: OutputGroup; client: OutputClient; ctx: Ctx } {
    const group = createLogstashOutput({ timeout: '5s', ...config }, ctx);
    groups.push(group);
    return { group, client: group.clients[0] as OutputClient, ctx };
  }

  afterEach(async () => {
    for (const g of groups.splice(0)) await Promise.all(g.clients.map((c) => c.close()));
    for (const s of servers.splice(0)) await s.close();
  });

  describe('wire format', () => {
    it('sends a window of JSON frames and acks the batch once the server acked it', async () => {
      const srv = await server();
      const { client, ctx } = output({ hosts: [srv.host], compression_level: 0 });
      const events = makeEvents(10);
      const batch = makeBatch(events);
      await client.publish(batch);
      expect(batch.settlements).to.deep.equal([{ kind: 'ack' }]);
      expect(srv.windows).to.deep.equal([{ connection: 1, count: 10, compressed: false }]);
      expect(srv.events).to.deep.equal(expectedDocs(events));
      expect(srv.acks).to.deep.equal([[1, 10]]);
      expect(ctx.metrics.flat().get('write.bytes')).to.be.greaterThan(10 * 100);
      expect(ctx.logger.lines.filter((l) => l.level === 'error')).to.deep.equal([]);
    });

    it('compresses the window when compression_level > 0, and the decoded events are the Beats documents', async () => {
      const srv = await server();
      const { client, ctx } = output({ hosts: [srv.host], compression_level: 3 });
      const events = makeEvents(500);
      events[3] = { timestamp: new Date(Date.UTC(2024, 0, 1)), fields: { message: 'héllo <b>&</b> 😀', nested: { a: [1, 2, { b: null }] } }, meta: { pipeline: 'p1' } };
      const batch = makeBatch(events);
      await client.publish(batch);
      expect(batch.settlements).to.deep.equal([{ kind: 'ack' }]);
      expect(srv.windows).to.deep.equal([{ connection: 1, count: 500, compressed: true }]);
      expect(srv.events).to.deep.equal(expectedDocs(events));
      const doc3 = srv.events[3] as { '@metadata': Record<string, unknown> };
      expect(doc3['@metadata']).to.deep.equal({ beat: 'packetbeat', type: '_doc', version: '8.15.0', pipeline: 'p1' });
      // Compressed: far fewer bytes than the JSON text.
      const json = expectedDocs(events).map((d) => JSON.stringify(d)).join('').length;
      expect(Number(ctx.metrics.flat().get('write.bytes'))).to.be.lessThan(json / 3);
    });

    it('sets @metadata.beat to the lower-cased index and escapes HTML when asked', async () => {
      const srv = await server();
      const { client } = output({ hosts: [srv.host], index: 'MyIndex', escape_html: true });
      const batch = makeBatch([{ timestamp: new Date(0), fields: { message: '<a>' } }]);
      await client.publish(batch);
      expect(batch.settlements).to.deep.equal([{ kind: 'ack' }]);
      expect(srv.events[0]).to.deep.equal({ '@timestamp': '1970-01-01T00:00:00.000Z', '@metadata': { beat: 'myindex', type: '_doc', version: '8.15.0' }, message: '<a>' });
    });

    it('acks an empty batch without touching the network', async () => {
      const srv = await server();
      const { client } = output({ hosts: [srv.host] });
      const batch = makeBatch([]);
      await client.publish(batch);
      expect(batch.settlements).to.deep.equal([{ kind: 'ack' }]);
      expect(srv.connections).to.equal(0);
    });
  });

  describe('acknowledgements', () => {
    it('follows partial acks to the final one', async () => {
      const srv = await server();
      srv.behaviour.partialAckEvery = 7;
      const { client } = output({ hosts: [srv.host] });
      const batch = makeBatch(makeEvents(30));
      await client.publish(batch);
      expect(batch.settlements).to.deep.equal([{ kind: 'ack' }]);
      expect(srv.acks.map(([, seq]) => seq)).to.deep.equal([7, 14, 21, 28, 30]);
    });

    it('waits for delayed acks, the timeout running from the last ack (keep-alives)', async () => {
      const srv = await server();
      srv.behaviour.ackDelayMs = 600;
      srv.behaviour.keepAliveMs = 50;
      const { client, ctx } = output({ hosts: [srv.host], timeout: '250ms' });
      const batch = makeBatch(makeEvents(5));
      const t0 = Date.now();
      await client.publish(batch);
      expect(Date.now() - t0).to.be.greaterThanOrEqual(550);
      expect(batch.settlements).to.deep.equal([{ kind: 'ack' }]);
      expect(srv.acks.filter(([, seq]) => seq === 0).length).to.be.greaterThan(3);
      expect(ctx.metrics.flat().get('read.errors')).to.equal(0);
    });

    it('retries the batch when no ack comes within timeout', async () => {
      const srv = await server();
      srv.behaviour.silent = true;
      const { client, ctx } = output({ hosts: [srv.host], timeout: '200ms' });
      const batch = makeBatch(makeEvents(5));
      const t0 = Date.now();
      await client.publish(batch);
      expect(Date.now() - t0).to.be.within(150, 2000);
      expect(batch.settlements).to.deep.equal([{ kind: 'retry' }]);
      expect(ctx.metrics.flat().get('read.errors')).to.equal(1);
      expect(ctx.metrics.flat().get('write.errors')).to.equal(0);
      await waitFor(() => srv.openConnections === 0, 'the client to close the connection');
    });

    it('treats an ack beyond the window as a protocol error: read error, connection closed, batch retried', async () => {
      const srv = await server();
      srv.behaviour.bogusAck = true;
      const { client, ctx } = output({ hosts: [srv.host] });
      const batch = makeBatch(makeEvents(4));
      await client.publish(batch);
      expect(batch.settlements).to.deep.equal([{ kind: 'retry' }]);
      expect(ctx.metrics.flat().get('read.errors')).to.equal(1);
      expect(ctx.logger.lines.filter((l) => l.level === 'error').map((l) => l.message).join()).to.match(/protocol error: ack for sequence 5 of a window of 4/);
      await waitFor(() => srv.openConnections === 0, 'the client to close the connection');
    });

    it('acks exactly what the server acked when the connection drops mid-window, and resends only the rest', async () => {
      const srv = await server();
      srv.behaviour.ackThenDrop = 30;
      const { client, ctx } = output({ hosts: [srv.host], compression_level: 0, bulk_max_size: 100 });
      const events = makeEvents(100);
      const batch = makeBatch(events);
      await client.publish(batch);
      expect(batch.settlements).to.have.length(1);
      const s = batch.settlements[0];
      expect(s?.kind).to.equal('retryEvents');
      if (s?.kind !== 'retryEvents') return;
      expect(s.failed).to.deep.equal(events.slice(30));
      expect(s.dropped).to.deep.equal([]);
      expect(srv.acked).to.deep.equal(expectedDocs(events.slice(0, 30)));

      // The pipeline resends the failed events: a new connection, with a smaller window.
      const again = makeBatch(s.failed);
      await client.publish(again);
      expect(again.settlements).to.deep.equal([{ kind: 'ack' }]);
      expect(srv.connections).to.equal(2);
      expect(srv.windows.map((w) => w.count)).to.deep.equal([100, 50, 20]);
      expect(srv.acked).to.deep.equal(expectedDocs(events));
      const errors = ctx.logger.lines.filter((l) => l.level === 'error');
      expect(errors).to.have.length(1);
      expect(errors[0]?.message).to.match(/connection to tcp:\/\/127\.0\.0\.1:\d+ failed/);
      expect(ctx.logger.lines.filter((l) => l.message.includes('restored'))).to.have.length(1);
      expect(ctx.metrics.flat().get('write.errors')).to.equal(1);
    });

    it('retries the whole batch when the connection drops before any ack, then delivers it', async () => {
      const srv = await server();
      srv.behaviour.dropAfterEvents = 5;
      const { client } = output({ hosts: [srv.host] });
      const events = makeEvents(20);
      const batch = makeBatch(events);
      await client.publish(batch);
      expect(batch.settlements).to.deep.equal([{ kind: 'retry' }]);
      expect(srv.acked).to.deep.equal([]);
      const again = makeBatch(events);
      await client.publish(again);
      expect(again.settlements).to.deep.equal([{ kind: 'ack' }]);
      expect(srv.acked).to.deep.equal(expectedDocs(events));
    });

    it('accounts exactly on a hand-made batch: acked, retried and dropped (unencodable) events', async () => {
      const srv = await server();
      const { client, ctx } = output({ hosts: [srv.host], bulk_max_size: 10 });
      const events = makeEvents(25);
      const bad: BeatEvent = { timestamp: new Date(Number.NaN), fields: { message: 'bad' } };
      events.splice(12, 0, bad);
      // Windows of 10 events: [0..9], [10..19] with the bad one left out (9 frames), [20..25].
      const batch = makeBatch(events);
      await client.publish(batch);
      expect(srv.windows.map((w) => w.count)).to.deep.equal([10, 9, 6]);
      expect(batch.settlements).to.have.length(1);
      const s = batch.settlements[0];
      expect(s?.kind).to.equal('retryEvents');
      if (s?.kind !== 'retryEvents') return;
      expect(s.failed).to.deep.equal([]);
      expect(s.dropped).to.deep.equal([bad]);
      expect(srv.acked).to.have.length(25);
      expect(ctx.logger.lines.filter((l) => l.level === 'warning' && l.message.includes('encode'))).to.have.length(1);
    });

    it('acks the windows sent before a failure and retries the failed window with the unsent tail', async () => {
      const srv = await server();
      const { client } = output({ hosts: [srv.host], bulk_max_size: 10, slow_start: true });
      const events = makeEvents(25);
      srv.behaviour.dropAfterEvents = 13; // 10 acked in window 1, then 3 of window 2 arrive unacked
      const batch = makeBatch(events);
      await client.publish(batch);
      const s = batch.settlements[0];
      expect(batch.settlements).to.have.length(1);
      expect(s?.kind).to.equal('retryEvents');
      if (s?.kind !== 'retryEvents') return;
      expect(s.failed).to.deep.equal(events.slice(10));
      expect(s.dropped).to.deep.equal([]);
      expect(srv.acked).to.deep.equal(expectedDocs(events.slice(0, 10)));
    });
  });

  describe('window', () => {
    it('grows by half after full windows, up to bulk_max_size, and halves after failures', () => {
      const w = new Window(10, 100);
      expect(w.get()).to.equal(10);
      w.grow(1000);
      expect(w.get()).to.equal(15);
      w.grow(1000);
      expect(w.get()).to.equal(23);
      w.grow(5); // window not filled: unchanged
      expect(w.get()).to.equal(23);
      w.grow(30); // never beyond what was waiting
      expect(w.get()).to.equal(30);
      for (let i = 0; i < 10; i++) w.grow(1000);
      expect(w.get()).to.equal(100);
      w.shrink();
      expect(w.get()).to.equal(50);
      w.grow(1000); // back towards the largest size that worked
      expect(w.get()).to.equal(75);
      w.grow(1000);
      expect(w.get()).to.equal(100);
      for (let i = 0; i < 10; i++) w.shrink();
      expect(w.get()).to.equal(1);
      w.grow(1000);
      expect(w.get()).to.equal(2);
    });

    it('shrinks until a choking server accepts the windows, then grows again (slow_start: false)', async () => {
      const srv = await server();
      srv.behaviour.maxWindow = 20;
      const { client } = output({ hosts: [srv.host], bulk_max_size: 64 });
      const events = makeEvents(64);
      let pending = events;
      for (let attempt = 0; attempt < 10 && pending.length > 0; attempt++) {
        const batch = makeBatch(pending);
        await client.publish(batch);
        const s = batch.settlements[0];
        if (s?.kind === 'ack') pending = [];
        else if (s?.kind === 'retry') continue;
        else if (s?.kind === 'retryEvents') pending = [...s.failed];
      }
      expect(pending).to.deep.equal([]);
      // 64 and 32 refused; 16 accepted, then 24 (16 * 1.5) refused, 12, 18, ...
      expect(srv.windows.map((w) => w.count).slice(0, 5)).to.deep.equal([64, 32, 16, 24, 12]);
      expect(srv.acked).to.deep.equal(expectedDocs(events));
    });

    it('starts at 10 events with slow_start and grows', async () => {
      const srv = await server();
      const { client } = output({ hosts: [srv.host], slow_start: true, compression_level: 0 });
      const batch = makeBatch(makeEvents(100));
      await client.publish(batch);
      expect(batch.settlements).to.deep.equal([{ kind: 'ack' }]);
      expect(srv.windows.map((w) => w.count)).to.deep.equal([10, 15, 23, 35, 17]);
    });
  });

  describe('connections', () => {
    it('pipelines batches of the clients sharing a connection', async () => {
      const srv = await server();
      srv.behaviour.ackDelayMs = 300;
      const { group } = output({ hosts: [srv.host], pipelining: 2 });
      expect(group.clients).to.have.length(2);
      const [a, b] = group.clients as [OutputClient, OutputClient];
      const ba = makeBatch(makeEvents(5));
      const bb = makeBatch(makeEvents(7, 1000));
      const pa = a.publish(ba);
      const pb = b.publish(bb);
      await waitFor(() => srv.windows.length === 2, 'two windows in flight');
      expect(srv.acks).to.deep.equal([]);
      await Promise.all([pa, pb]);
      expect(ba.settlements).to.deep.equal([{ kind: 'ack' }]);
      expect(bb.settlements).to.deep.equal([{ kind: 'ack' }]);
      expect(srv.connections).to.equal(1);
      // Both windows were in flight on one connection; which was written first depends on compression timing.
      expect([...srv.acks].sort((x, y) => (x[1] ?? 0) - (y[1] ?? 0))).to.deep.equal([
        [1, 5],
        [1, 7],
      ]);
    });

    it('fails every pipelined window of a dropped connection with its own accounting', async () => {
      const srv = await server();
      srv.behaviour.ackDelayMs = 5000;
      const { group } = output({ hosts: [srv.host], pipelining: 2 });
      const [a, b] = group.clients as [OutputClient, OutputClient];
      const ba = makeBatch(makeEvents(5));
      const bb = makeBatch(makeEvents(7, 1000));
      const pa = a.publish(ba);
      const pb = b.publish(bb);
      await waitFor(() => srv.events.length === 12, 'both windows');
      srv.dropConnections();
      await Promise.all([pa, pb]);
      expect(ba.settlements).to.deep.equal([{ kind: 'retry' }]);
      expect(bb.settlements).to.deep.equal([{ kind: 'retry' }]);
      // One broken connection is one failure: the shared window halves once.
      expect((a as LogstashClient).lane.window.get()).to.equal(1024);
    });

    it('load-balances over several hosts with worker connections each', async () => {
      const s1 = await server();
      const s2 = await server();
      const { group } = output({ hosts: [s1.host, s2.host], loadbalance: true, worker: 2, pipelining: 0 });
      expect(group.clients).to.have.length(4);
      const batches = group.clients.map((_, i) => makeBatch(makeEvents(3, i * 100)));
      await Promise.all(group.clients.map((c, i) => c.publish(batches[i] as TestBatch)));
      for (const b of batches) expect(b.settlements).to.deep.equal([{ kind: 'ack' }]);
      expect(s1.connections).to.equal(2);
      expect(s2.connections).to.equal(2);
      expect(s1.events).to.have.length(6);
      expect(s2.events).to.have.length(6);
    });

    it('fails over to the next host without loadbalance', async () => {
      const s1 = await server();
      const s2 = await server();
      const { group, ctx } = output({ hosts: [s1.host, s2.host], pipelining: 0 });
      expect(group.clients).to.have.length(1);
      const client = group.clients[0] as OutputClient;
      expect(client.toString()).to.equal(`failover(logstash(tcp://${s1.host}),logstash(tcp://${s2.host}))`);
      const b1 = makeBatch(makeEvents(3));
      await client.publish(b1);
      expect(b1.settlements).to.deep.equal([{ kind: 'ack' }]);
      expect(s1.events).to.have.length(3);
      await s1.close();
      servers.splice(servers.indexOf(s1), 1);
      const b2 = makeBatch(makeEvents(4));
      await client.publish(b2);
      expect(b2.settlements).to.deep.equal([{ kind: 'retry' }]);
      const b3 = makeBatch(makeEvents(4));
      await client.publish(b3);
      expect(b3.settlements).to.deep.equal([{ kind: 'ack' }]);
      expect(s2.events).to.have.length(4);
      expect(ctx.logger.lines.some((l) => l.message.includes('failing over'))).to.equal(true);
    });

    it('logs an outage once and its end once, however many attempts fail', async () => {
      const srv = await server();
      srv.behaviour.refuse = true;
      const { client, ctx } = output({ hosts: [srv.host] });
      for (let i = 0; i < 5; i++) {
        const b = makeBatch(makeEvents(2));
        await client.publish(b);
        expect(b.settlements).to.deep.equal([{ kind: 'retry' }]);
      }
      srv.behaviour.refuse = false;
      const ok = makeBatch(makeEvents(2));
      await client.publish(ok);
      expect(ok.settlements).to.deep.equal([{ kind: 'ack' }]);
      const notable = ctx.logger.lines.filter((l) => l.level === 'error' || l.message.includes('restored') || l.message.includes('established'));
      // The server accepts and then closes: connected once, then down until a window is acknowledged.
      expect(notable.map((l) => l.level)).to.deep.equal(['info', 'error', 'info']);
      expect(notable[0]?.message).to.include('established');
      expect(notable[2]?.message).to.include('restored');
      expect(ctx.metrics.flat().get('write.errors')).to.equal(5);
    });

    it('retries when nothing listens (connection refused)', async () => {
      const srv = await server();
      const host = srv.host;
      await srv.close();
      servers.splice(0);
      const { client } = output({ hosts: [host] });
      const b = makeBatch(makeEvents(2));
      await client.publish(b);
      expect(b.settlements).to.deep.equal([{ kind: 'retry' }]);
    });

    it('reconnects after ttl between windows', async () => {
      const srv = await server();
      const { client } = output({ hosts: [srv.host], ttl: '50ms', pipelining: 0 });
      await client.publish(makeBatch(makeEvents(2)));
      await client.publish(makeBatch(makeEvents(2)));
      expect(srv.connections).to.equal(1);
      await new Promise((r) => setTimeout(r, 70));
      const b = makeBatch(makeEvents(2));
      await client.publish(b);
      expect(b.settlements).to.deep.equal([{ kind: 'ack' }]);
      expect(srv.connections).to.equal(2);
      await waitFor(() => srv.openConnections === 1, 'the old connection to close');
    });

    it('settles in-flight batches when closed', async () => {
      const srv = await server();
      srv.behaviour.silent = true;
      const { client } = output({ hosts: [srv.host] });
      const b = makeBatch(makeEvents(3));
      const p = client.publish(b);
      await waitFor(() => srv.events.length === 3, 'the window');
      await client.close();
      await p;
      expect(b.settlements).to.deep.equal([{ kind: 'retry' }]);
    });
  });

  describe('TLS and healthcheck', () => {
    let dir: string;
    let cert: string;
    let key: string;

    before(function () {
      dir = mkdtempSync(join(tmpdir(), 'lj-tls-'));
      try {
        execFileSync('openssl', [
          'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost',
          '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
          '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
        ], { stdio: 'ignore' });
      } catch {
        this.skip();
      }
      cert = join(dir, 'cert.pem');
      key = join(dir, 'key.pem');
    });

    after(() => {
      rmSync(dir, { recursive: true, force: true });
    });

    async function tlsServer(): Promise<LumberjackServer> {
      const s = await LumberjackServer.start({ tls: { cert: readFileSync(cert), key: readFileSync(key) } });
      servers.push(s);
      return s;
    }

    it('publishes over TLS, verifying the server against the configured CA', async () => {
      const srv = await tlsServer();
      const { client } = output({ hosts: [`localhost:${srv.port}`], ssl: { certificate_authorities: [cert] } });
      expect(client.toString()).to.equal(`logstash(tls://localhost:${srv.port})`);
      const events = makeEvents(20);
      const b = makeBatch(events);
      await client.publish(b);
      expect(b.settlements).to.deep.equal([{ kind: 'ack' }]);
      expect(srv.events).to.deep.equal(expectedDocs(events));
    });

    it('refuses an unverified server certificate unless verification_mode is none', async () => {
      const srv = await tlsServer();
      const strict = output({ hosts: [srv.host], ssl: { enabled: true } });
      const b = makeBatch(makeEvents(1));
      await strict.client.publish(b);
      expect(b.settlements).to.deep.equal([{ kind: 'retry' }]);
      expect(srv.events).to.deep.equal([]);
      const lax = output({ hosts: [srv.host], ssl: { enabled: true, verification_mode: 'none' } });
      const b2 = makeBatch(makeEvents(1));
      await lax.client.publish(b2);
      expect(b2.settlements).to.deep.equal([{ kind: 'ack' }]);
    });

    it('healthcheck reports each host, TLS handshake included', async () => {
      const srv = await tlsServer();
      const ctx = makeContext();
      if (logstashOutputFactory.healthcheck === undefined) throw new Error('no healthcheck');
      const report = await logstashOutputFactory.healthcheck({ hosts: [`localhost:${srv.port}`], ssl: { certificate_authorities: [cert] } }, ctx);
      expect(report).to.equal(`tls://localhost:${srv.port}: connection and TLS handshake OK`);
    });

    it('healthcheck fails with the reason for an unreachable host', async () => {
      const srv = await server();
      const host = srv.host;
      await srv.close();
      servers.splice(0);
      if (logstashOutputFactory.healthcheck === undefined) throw new Error('no healthcheck');
      let error: unknown;
      try {
        await logstashOutputFactory.healthcheck({ hosts: [host], timeout: '2s' }, makeContext());
      } catch (err) {
        error = err;
      }
      expect(isBeatError(error) && error.code).to.equal('BEAT_ERR_OUTPUT_FAILED');
      expect((error as Error).message).to.match(/ECONNREFUSED/);
    });
  });

  describe('config', () => {
    it('resolves Beats defaults', () => {
      const cfg = resolveLogstashConfig({ hosts: ['ls1', 'ls2:5045', '[::1]:6000'] }, 'packetbeat');
      expect(cfg.hosts.map((h) => h.label)).to.deep.equal(['ls1:5044', 'ls2:5045', '[::1]:6000']);
      expect(cfg).to.include({
        loadbalance: false,
        worker: 1,
        compressionLevel: 3,
        escapeHtml: false,
        index: 'packetbeat',
        ttlMs: 0,
        pipelining: 2,
        timeoutMs: 30_000,
        maxRetries: 3,
        bulkMaxSize: 2048,
        slowStart: false,
        backoffInitMs: 1000,
        backoffMaxMs: 60_000,
      });
      expect(parseHost('tcp://example.org')).to.deep.equal({ host: 'example.org', port: 5044, label: 'example.org:5044' });
    });

    it('rejects missing or bad hosts and bad settings with the key at fault', () => {
      const bad: [LogstashOutputConfig, string][] = [
        [{}, 'output.logstash.hosts'],
        [{ hosts: ['a:99999'] }, 'output.logstash.hosts'],
        [{ hosts: ['a'], compression_level: 12 }, 'output.logstash.compression_level'],
        [{ hosts: ['a'], timeout: 'soon' }, 'output.logstash.timeout'],
        [{ hosts: ['a'], bulk_max_size: 0 }, 'output.logstash.bulk_max_size'],
      ];
      for (const [config, key] of bad) {
        let error: unknown;
        try {
          resolveLogstashConfig(config, 'packetbeat');
        } catch (err) {
          error = err;
        }
        expect(isBeatError(error) && error.key, JSON.stringify(config)).to.equal(key);
      }
    });

    it('has a convict schema that validates and whose defaults create the output', () => {
      registerBeatFormats();
      const conf = convict(logstashSchema as convict.Schema<LogstashOutputConfig>, { args: [], env: {} });
      conf.load({ hosts: ['127.0.0.1:5044'], ttl: '1m', ssl: { verification_mode: 'none' } });
      conf.validate({ allowed: 'strict' });
      const props = conf.getProperties();
      expect(resolveLogstashConfig(props, 'packetbeat').ttlMs).to.equal(60_000);
      const group = output(props);
      expect(group.group.clients).to.have.length(2);
      expect(group.group.batchSize).to.equal(2048);
      expect(group.group.maxRetries).to.equal(3);
      const invalid = convict(logstashSchema as convict.Schema<LogstashOutputConfig>, { args: [], env: {} });
      invalid.load({ hosts: ['x'], compression_level: 11 });
      expect(() => invalid.validate({ allowed: 'strict' })).to.throw(/compression_level/);
    });
  });
});
