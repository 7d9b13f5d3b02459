import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from '@elastic/elasticsearch';
import { expect } from 'chai';
import type { BeatEvent } from '../../../src/event.js';
import {
  createElasticsearchOutput,
  elasticsearchOutputFactory,
  makeHostUrl,
  resolveElasticsearchConfig,
  type ElasticsearchOutputConfig,
} from '../../../src/outputs/elasticsearch/index.js';
import type { OutputClient } from '../../../src/outputs/output.js';
import { makeBatch, makeContext, makeEvents, type Settlement } from '../helpers.js';
import { EsTestServer, waitUntil } from '../../../src/testing/es-test-server.js';
import { TEST_CA_CERT, TEST_OTHER_CERT, TEST_OTHER_KEY, TEST_SERVER_CERT, TEST_SERVER_KEY } from './tls-fixtures.js';

const AGENT = { type: 'packetbeat', version: '8.15.0' };

function events(n: number): BeatEvent[] {
  return makeEvents(n).map((e) => ({ ...e, fields: { ...e.fields, agent: AGENT } }));
}

async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

describe('elasticsearch output', function () {
  this.timeout(10_000);
  let server: EsTestServer;
  const opened: OutputClient[] = [];

  beforeEach(async () => {
    server = await EsTestServer.start();
  });

  afterEach(async () => {
    for (const c of opened.splice(0)) await c.close();
    await server.close();
  });

  function open(config: ElasticsearchOutputConfig = {}, ctx = makeContext()): { client: OutputClient; ctx: ReturnType<typeof makeContext> } {
    const group = createElasticsearchOutput({ hosts: [server.host], ...config }, ctx);
    const client = group.clients[0] as OutputClient;
    opened.push(...group.clients);
    return { client, ctx };
  }

  async function publish(client: OutputClient, evs: readonly BeatEvent[]): Promise<Settlement[]> {
    const batch = makeBatch(evs);
    await client.publish(batch);
    return batch.settlements;
  }

  describe('config', () => {
    it('builds host URLs as Beats does', () => {
      expect(makeHostUrl('localhost', '', '').toString()).to.equal('http://localhost:9200/');
      expect(makeHostUrl('es:9201', 'https', '').toString()).to.equal('https://es:9201/');
      expect(makeHostUrl('https://es.example.com', '', '').toString()).to.equal('https://es.example.com:9200/');
      expect(makeHostUrl('https://es.example.com:443', '', '').toString()).to.equal('https://es.example.com/');
      expect(makeHostUrl('http://es:9200/base', '', '/proxy').toString()).to.equal('http://es:9200/base/proxy');
      expect(() => makeHostUrl('es', 'ftp', '')).to.throw(/protocol/);
    });

    it('applies the Beats defaults', () => {
      const ctx = makeContext();
      const group = createElasticsearchOutput({}, ctx);
      opened.push(...group.clients);
      expect(group.batchSize).to.equal(1600);
      expect(group.maxRetries).to.equal(3);
      expect(group.backoff).to.deep.equal({ initMs: 1000, maxMs: 60_000 });
      expect(group.clients.map(String)).to.deep.equal(['elasticsearch(http://localhost:9200)']);
      const r = resolveElasticsearchConfig({}, 'packetbeat');
      expect(r.index).to.equal('packetbeat-%{[agent.version]}');
      expect(r.timeoutMs).to.equal(90_000);
      expect(r.compression).to.equal(true);
    });

    it('creates worker clients per host, or failover clients without loadbalance', () => {
      const ctx = makeContext();
      const lb = createElasticsearchOutput({ hosts: ['a:9200', 'b:9200'], worker: 2, bulk_max_size: 50, max_retries: -1, backoff: { init: '2s', max: '1m' } }, ctx);
      opened.push(...lb.clients);
      expect(lb.clients.map(String)).to.deep.equal(['elasticsearch(http://a:9200)', 'elasticsearch(http://a:9200)', 'elasticsearch(http://b:9200)', 'elasticsearch(http://b:9200)']);
      expect(lb.batchSize).to.equal(50);
      expect(lb.maxRetries).to.equal(-1);
      expect(lb.backoff).to.deep.equal({ initMs: 2000, maxMs: 60_000 });
      const fo = createElasticsearchOutput({ hosts: ['a:9200', 'b:9200'], loadbalance: false }, ctx);
      opened.push(...fo.clients);
      expect(fo.clients.map(String)).to.deep.equal(['elasticsearch(http://a:9200,http://b:9200)']);
    });

    it('rejects bad settings with the key', () => {
      const ctx = makeContext();
      expect(() => createElasticsearchOutput({ index: 'x-%{[a' }, ctx)).to.throw(/output\.elasticsearch\.index/);
      expect(() => createElasticsearchOutput({ indices: [{ index: 'x', when: { bogus: {} } }] }, ctx)).to.throw(/indices\.0\.when/);
      expect(() => createElasticsearchOutput({ compression_level: 12 }, ctx)).to.throw(/compression_level/);
      expect(() => createElasticsearchOutput({ timeout: 'soon' }, ctx)).to.throw(/timeout/);
      expect(() => createElasticsearchOutput({ api_key: 'a:b', username: 'u' }, ctx)).to.throw(/api_key/);
    });
  });

  describe('publishing', () => {
    it('acks a batch once Elasticsearch stored every document', async () => {
      const { client, ctx } = open();
      const evs = events(5);
      expect(await publish(client, evs)).to.deep.equal([{ kind: 'ack' }]);
      const docs = server.docs.get('packetbeat-8.15.0') ?? [];
      expect(docs).to.have.length(5);
      expect(docs.every((d) => d.op === 'create')).to.equal(true);
      expect(docs[0]?._source).to.deep.equal({
        '@timestamp': '2024-05-17T10:00:00.000Z',
        message: 'event 0',
        seq: 0,
        type: 'dns',
        network: { transport: 'udp', bytes: 100 },
        agent: AGENT,
      });
      expect(server.bulkRequests).to.equal(1);
      expect(ctx.metrics.counter('write.bytes').value).to.be.greaterThan(0);
      expect(ctx.metrics.counter('write.errors').value).to.equal(0);
    });

    it('retries only the items rejected with 429 and 5xx, then recovers', async () => {
      const { client, ctx } = open();
      const evs = events(6);
      server.rejectNextItems(2, 429);
      server.rejectNextItems(1, 503);
      const first = await publish(client, evs);
      expect(first).to.have.length(1);
      const s = first[0] as Extract<Settlement, { kind: 'retryEvents' }>;
      expect(s.kind).to.equal('retryEvents');
      expect(s.failed).to.deep.equal(evs.slice(0, 3));
      expect(s.dropped).to.deep.equal([]);
      expect(server.count()).to.equal(3);
      expect(ctx.logger.lines.filter((l) => l.level === 'warning' && /rejects events/.test(l.message))).to.have.length(1);

      expect(await publish(client, s.failed)).to.deep.equal([{ kind: 'ack' }]);
      expect(server.sources('packetbeat-8.15.0').map((d) => d['seq'])).to.have.members([0, 1, 2, 3, 4, 5]);
      expect(ctx.logger.lines.filter((l) => /accepts events again/.test(l.message))).to.have.length(1);
    });

    it('drops documents Elasticsearch cannot index (400) and logs the reason', async () => {
      const { client, ctx } = open();
      const evs = events(8);
      server.mappingErrors((doc) => (doc['seq'] as number) % 2 === 1);
      const [s] = await publish(client, evs);
      expect(s).to.deep.equal({ kind: 'retryEvents', failed: [], dropped: [1, 3, 5, 7].map((i) => evs[i]) });
      expect(server.count()).to.equal(4);
      const warns = ctx.logger.lines.filter((l) => l.level === 'warning');
      expect(warns.filter((l) => /cannot index event/.test(l.message))).to.have.length(3);
      expect(String(warns[0]?.fields?.['reason'])).to.match(/document_parsing_exception: .*failed to parse field \[bytes\]/);
      expect(warns[0]?.fields?.['status']).to.equal(400);
      expect(warns.some((l) => /more events could not be indexed/.test(l.message) && l.fields?.['count'] === 1)).to.equal(true);
    });

    it('non_indexable_policy.dead_letter_index: refused documents go, wrapped, to that index; dropped only if it refuses them too', async () => {
      const { client, ctx } = open({ non_indexable_policy: { dead_letter_index: { index: 'failed-docs' } } });
      const evs = events(4);
      server.mappingErrors((doc) => doc['seq'] === 1);
      const [first] = await publish(client, evs);
      // The refused event comes back for a retry, bound for the dead-letter index.
      expect(first).to.deep.equal({ kind: 'retryEvents', failed: [evs[1]], dropped: [] });
      expect(ctx.logger.lines.some((l) => /sending it to the dead-letter index failed-docs/.test(l.message))).to.equal(true);
      expect(await publish(client, [evs[1] as BeatEvent])).to.deep.equal([{ kind: 'ack' }]);
      const [letter] = server.sources('failed-docs');
      expect(letter?.['@timestamp']).to.equal((evs[1] as BeatEvent).timestamp.toISOString());
      expect(letter?.['error.type']).to.equal(400);
      expect(String(letter?.['error.message'])).to.match(/document_parsing_exception/);
      expect(JSON.parse(String(letter?.['message']))).to.deep.include({ seq: 1, message: 'event 1' });
      expect(server.sources('packetbeat-8.15.0').map((d) => d['seq'])).to.have.members([0, 2, 3]);

      // When the dead-letter index refuses it as well, it is dropped: no loop.
      const more = events(2).map((e) => ({ ...e, fields: { ...e.fields, seq: 10 + (e.fields['seq'] as number) } }));
      server.mappingErrors(() => true);
      const [s1] = await publish(client, more);
      expect(s1).to.deep.equal({ kind: 'retryEvents', failed: more, dropped: [] });
      expect(await publish(client, more)).to.deep.equal([{ kind: 'retryEvents', failed: [], dropped: more }]);
    });

    it('non_indexable_policy: one policy, and dead_letter_index needs its index', () => {
      expect(() => resolveElasticsearchConfig({ non_indexable_policy: { dead_letter_index: {} } }, 'packetbeat')).to.throw(/non_indexable_policy\.dead_letter_index\.index: an index name is required/);
      expect(() => resolveElasticsearchConfig({ non_indexable_policy: { drop: null, dead_letter_index: { index: 'x' } } }, 'packetbeat')).to.throw(/only one policy/);
      expect(resolveElasticsearchConfig({ non_indexable_policy: { drop: null } }, 'packetbeat').deadLetterIndex).to.equal(undefined);
    });

    it('acks documents that already exist (409 on a create with _id)', async () => {
      const { client } = open();
      const ev: BeatEvent = { ...(events(1)[0] as BeatEvent), meta: { _id: 'fixed-id' } };
      expect(await publish(client, [ev])).to.deep.equal([{ kind: 'ack' }]);
      expect(await publish(client, [ev])).to.deep.equal([{ kind: 'ack' }]);
      expect(server.docs.get('packetbeat-8.15.0')?.map((d) => d._id)).to.deep.equal(['fixed-id']);
    });

    it('retries the whole batch on a 5xx response, logging the outage once and the recovery once', async () => {
      const { client, ctx } = open();
      const evs = events(3);
      server.failNextRequests(2, 503);
      expect(await publish(client, evs)).to.deep.equal([{ kind: 'retry' }]);
      expect(await publish(client, evs)).to.deep.equal([{ kind: 'retry' }]);
      expect(server.count()).to.equal(0);
      expect(ctx.metrics.counter('write.errors').value).to.equal(2);
      const errors = ctx.logger.lines.filter((l) => l.level === 'error');
      expect(errors).to.have.length(1);
      expect(String(errors[0]?.fields?.['reason'])).to.match(/status 503: unavailable_shards_exception/);
      expect(await publish(client, evs)).to.deep.equal([{ kind: 'ack' }]);
      expect(server.count()).to.equal(3);
      expect(ctx.logger.lines.filter((l) => /restored/.test(l.message))).to.have.length(1);
    });

    it('settles nothing before Elasticsearch answered', async () => {
      const { client } = open();
      server.delayNextResponses(1, 300);
      const batch = makeBatch(events(2));
      const done = client.publish(batch);
      await waitUntil(() => server.bulkRequests === 1, 5000, 'the bulk request');
      expect(batch.settlements).to.deep.equal([]);
      await done;
      expect(batch.settlements).to.deep.equal([{ kind: 'ack' }]);
    });

    it('retries the whole batch on a whole-request 429', async () => {
      const { client } = open();
      server.failNextRequests(1, 429);
      expect(await publish(client, events(2))).to.deep.equal([{ kind: 'retry' }]);
    });

    it('retries the whole batch when the server closes the connection', async () => {
      const { client, ctx } = open();
      server.dropNextConnections(1);
      expect(await publish(client, events(2))).to.deep.equal([{ kind: 'retry' }]);
      expect(server.count()).to.equal(0);
      const err = ctx.logger.lines.find((l) => l.level === 'error');
      expect(String(err?.fields?.['reason'])).to.match(/closed|socket|reset/i);
      expect(await publish(client, events(2))).to.deep.equal([{ kind: 'ack' }]);
    });

    it('retries the whole batch when the response is slower than timeout', async () => {
      const { client, ctx } = open({ timeout: '150ms' });
      // undici checks its timeouts on a coarse (about 1 s) clock: the answer comes well after that.
      server.delayNextResponses(1, 4000);
      const t0 = Date.now();
      expect(await publish(client, events(2))).to.deep.equal([{ kind: 'retry' }]);
      expect(Date.now() - t0).to.be.lessThan(3000);
      // The server did store them: at-least-once, the retry may write duplicates (as in Beats).
      expect(server.count()).to.equal(2);
      expect(String(ctx.logger.lines.find((l) => l.level === 'error')?.fields?.['reason'])).to.match(/timed out/);
    });

    it('retries the whole batch when nothing listens (connection refused)', async () => {
      const port = await freePort();
      const ctx = makeContext();
      const group = createElasticsearchOutput({ hosts: [`127.0.0.1:${port}`] }, ctx);
      opened.push(...group.clients);
      const batch = makeBatch(events(1));
      await (group.clients[0] as OutputClient).publish(batch);
      expect(batch.settlements).to.deep.equal([{ kind: 'retry' }]);
      expect(String(ctx.logger.lines.find((l) => l.level === 'error')?.fields?.['reason'])).to.match(/connection refused/);
    });

    it('gzips the request body unless compression_level is 0', async () => {
      const a = open();
      await publish(a.client, events(2));
      const b = open({ compression_level: 0 });
      await publish(b.client, events(2));
      const [gz, plain] = server.bulkRequestsSeen();
      expect(gz?.headers['content-encoding']).to.equal('gzip');
      expect(plain?.headers['content-encoding']).to.equal(undefined);
      expect(server.count()).to.equal(4);
    });

    it('sends the path prefix, headers and parameters', async () => {
      const { client } = open({ path: '/', headers: { 'x-test': 'yes' }, parameters: { refresh: 'false' } });
      await publish(client, events(1));
      const [req] = server.bulkRequestsSeen();
      expect(req?.path).to.equal('/_bulk');
      expect(req?.headers['x-test']).to.equal('yes');
      expect(req?.query.get('refresh')).to.equal('false');
    });
  });

  describe('index selection', () => {
    it('expands index format strings with event fields and dates', async () => {
      const { client } = open({ index: 'pb-%{[agent.version]}-%{+yyyy.MM.dd}' });
      expect(await publish(client, events(2))).to.deep.equal([{ kind: 'ack' }]);
      expect([...server.docs.keys()]).to.deep.equal(['pb-8.15.0-2024.05.17']);
    });

    it('uses the first matching indices rule, else index; lower-cases the result', async () => {
      const { client } = open({
        index: 'Other-%{[agent.version]}',
        indices: [
          { index: 'DNS-%{[type]}', when: { equals: { type: 'dns' } } },
          { index: 'by-missing-%{[no.such.field]}' },
          { index: '%{[type]}', mappings: { http: 'Web-Traffic' }, default: 'unmapped' },
        ],
      });
      const evs = events(3);
      (evs[1] as BeatEvent).fields['type'] = 'http';
      evs[2] = { ...(evs[2] as BeatEvent), fields: { ...(evs[2] as BeatEvent).fields, type: 'icmp' } };
      expect(await publish(client, evs)).to.deep.equal([{ kind: 'ack' }]);
      expect(server.sources('dns-dns').map((d) => d['seq'])).to.deep.equal([0]);
      expect(server.sources('web-traffic').map((d) => d['seq'])).to.deep.equal([1]);
      expect(server.sources('unmapped').map((d) => d['seq'])).to.deep.equal([2]);
    });

    it('falls back to index when no rule matches', async () => {
      const { client } = open({ index: 'fallback', indices: [{ index: 'never', when: { equals: { type: 'nope' } } }] });
      await publish(client, events(1));
      expect([...server.docs.keys()]).to.deep.equal(['fallback']);
    });

    it('lets @metadata.index win, and honours @metadata._id, op_type and pipeline', async () => {
      const { client } = open({ pipeline: 'default-pipeline' });
      const evs = events(3);
      evs[0] = { ...(evs[0] as BeatEvent), meta: { index: 'Custom-Index' } };
      evs[1] = { ...(evs[1] as BeatEvent), meta: { raw_index: 'raw', _id: 'id-1', op_type: 'index', pipeline: 'own' } };
      expect(await publish(client, evs)).to.deep.equal([{ kind: 'ack' }]);
      expect(server.docs.get('custom-index')?.[0]?.pipeline).to.equal('default-pipeline');
      expect(server.docs.get('raw')?.[0]).to.include({ _id: 'id-1', op: 'index', pipeline: 'own' });
      expect(server.sources('packetbeat-8.15.0').map((d) => d['seq'])).to.deep.equal([2]);
      const body = server.bulkRequestsSeen()[0]?.body ?? '';
      expect(body).not.to.include('@metadata');
    });

    it('drops events whose index cannot be selected and sends the rest', async () => {
      const { client, ctx } = open();
      const evs = events(2);
      evs[0] = { ...(evs[0] as BeatEvent), fields: { seq: 0 } };
      const [s] = await publish(client, evs);
      expect(s).to.deep.equal({ kind: 'retryEvents', failed: [], dropped: [evs[0]] });
      expect(server.count()).to.equal(1);
      expect(ctx.logger.lines.some((l) => /cannot encode events/.test(l.message))).to.equal(true);
    });
  });

  describe('authentication', () => {
    it('sends basic auth', async () => {
      await server.close();
      server = await EsTestServer.start({ username: 'elastic', password: 's3cret' });
      const { client } = open({ username: 'elastic', password: 's3cret' });
      expect(await publish(client, events(1))).to.deep.equal([{ kind: 'ack' }]);
      expect(server.requests[0]?.headers.authorization).to.equal(`Basic ${Buffer.from('elastic:s3cret').toString('base64')}`);
    });

    it('sends an api_key as ApiKey base64(id:key)', async () => {
      const encoded = Buffer.from('my-id:my-key').toString('base64');
      await server.close();
      server = await EsTestServer.start({ apiKey: encoded });
      const { client } = open({ api_key: 'my-id:my-key' });
      expect(await publish(client, events(1))).to.deep.equal([{ kind: 'ack' }]);
      expect(server.requests[0]?.headers.authorization).to.equal(`ApiKey ${encoded}`);
    });

    it('retries on 401 with a clear reason', async () => {
      await server.close();
      server = await EsTestServer.start({ username: 'elastic', password: 'right' });
      const { client, ctx } = open({ username: 'elastic', password: 'wrong' });
      expect(await publish(client, events(1))).to.deep.equal([{ kind: 'retry' }]);
      expect(String(ctx.logger.lines.find((l) => l.level === 'error')?.fields?.['reason'])).to.match(/status 401: security_exception/);
    });
  });

  describe('TLS', () => {
    async function https(cert: string, key: string): Promise<void> {
      await server.close();
      server = await EsTestServer.start({ tls: { cert, key } });
    }

    it('verifies the server with ssl.certificate_authorities (inline PEM or file)', async () => {
      await https(TEST_SERVER_CERT, TEST_SERVER_KEY);
      const { client } = open({ protocol: 'https', ssl: { certificate_authorities: [TEST_CA_CERT] } });
      expect(await publish(client, events(1))).to.deep.equal([{ kind: 'ack' }]);
      expect(String(client)).to.equal(`elasticsearch(https://${server.host})`);
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'es-ca-'));
      try {
        const file = path.join(dir, 'ca.pem');
        fs.writeFileSync(file, TEST_CA_CERT);
        const fromFile = open({ hosts: [server.url], ssl: { certificate_authorities: [file] } });
        expect(await publish(fromFile.client, events(1))).to.deep.equal([{ kind: 'ack' }]);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });

    it('refuses an unknown CA, and verification_mode: none accepts it', async () => {
      await https(TEST_SERVER_CERT, TEST_SERVER_KEY);
      const strict = open({ hosts: [server.url] });
      expect(await publish(strict.client, events(1))).to.deep.equal([{ kind: 'retry' }]);
      expect(String(strict.ctx.logger.lines.find((l) => l.level === 'error')?.fields?.['reason'])).to.match(/certificate/i);
      const none = open({ hosts: [server.url], ssl: { verification_mode: 'none' } });
      expect(await publish(none.client, events(1))).to.deep.equal([{ kind: 'ack' }]);
    });

    it('checks the host name in full mode but not in certificate mode', async () => {
      await https(TEST_OTHER_CERT, TEST_OTHER_KEY);
      const full = open({ hosts: [server.url], ssl: { certificate_authorities: [TEST_CA_CERT] } });
      expect(await publish(full.client, events(1))).to.deep.equal([{ kind: 'retry' }]);
      expect(String(full.ctx.logger.lines.find((l) => l.level === 'error')?.fields?.['reason'])).to.match(/altnames|hostname|IP/i);
      const cert = open({ hosts: [server.url], ssl: { certificate_authorities: [TEST_CA_CERT], verification_mode: 'certificate' } });
      expect(await publish(cert.client, events(1))).to.deep.equal([{ kind: 'ack' }]);
    });
  });

  describe('healthcheck (test output)', () => {
    it('reports the version of every host', async () => {
      const other = await EsTestServer.start({ version: '9.1.0' });
      try {
        expect(typeof elasticsearchOutputFactory.healthcheck).to.equal('function');
        const out = await elasticsearchOutputFactory.healthcheck?.({ hosts: [server.host, other.host] }, makeContext());
        expect(out).to.equal(
          `elasticsearch: ${server.url}... connection... OK, version: 8.19.0\n` + `elasticsearch: ${other.url}... connection... OK, version: 9.1.0`,
        );
      } finally {
        await other.close();
      }
    });

    it('fails with a clear reason when the connection is refused', async () => {
      const port = await freePort();
      let error: unknown;
      try {
        await elasticsearchOutputFactory.healthcheck?.({ hosts: [`127.0.0.1:${port}`] }, makeContext());
      } catch (err) {
        error = err;
      }
      expect(error).to.be.instanceOf(Error);
      expect((error as { code?: string }).code).to.equal('BEAT_ERR_OUTPUT_FAILED');
      expect((error as Error).message).to.match(new RegExp(`^elasticsearch: http://127\\.0\\.0\\.1:${port}\\.\\.\\. connection\\.\\.\\. ERROR connection refused`));
    });

    it('fails on bad credentials', async () => {
      await server.close();
      server = await EsTestServer.start({ username: 'elastic', password: 'right' });
      let error: unknown;
      try {
        await elasticsearchOutputFactory.healthcheck?.({ hosts: [server.host], username: 'elastic', password: 'wrong' }, makeContext());
      } catch (err) {
        error = err;
      }
      expect((error as Error).message).to.match(/ERROR status 401/);
    });
  });

  describe('test server with the official client', () => {
    it('serves index templates, ILM policies and data streams', async () => {
      const es = new Client({ node: server.url });
      try {
        await es.indices.putIndexTemplate({ name: 'packetbeat-8.15.0', index_patterns: ['packetbeat-8.15.0'], data_stream: {}, priority: 150 });
        expect(await es.indices.existsIndexTemplate({ name: 'packetbeat-8.15.0' })).to.equal(true);
        expect(await es.indices.existsIndexTemplate({ name: 'nope' })).to.equal(false);
        const t = await es.indices.getIndexTemplate({ name: 'packetbeat-8.15.0' });
        expect(t.index_templates[0]?.index_template.index_patterns).to.deep.equal(['packetbeat-8.15.0']);
        await es.ilm.putLifecycle({ name: 'packetbeat', policy: { phases: { hot: { actions: { rollover: { max_age: '30d' } } } } } });
        const p = await es.ilm.getLifecycle({ name: 'packetbeat' });
        expect(p['packetbeat']?.policy.phases.hot?.actions).to.deep.equal({ rollover: { max_age: '30d' } });
        await es.indices.createDataStream({ name: 'packetbeat-8.15.0' });
        const ds = await es.indices.getDataStream({ name: 'packetbeat-8.15.0' });
        expect(ds.data_streams[0]?.name).to.equal('packetbeat-8.15.0');
        const info = await es.info();
        expect(info.version.number).to.equal('8.19.0');
      } finally {
        await es.close();
      }
    });

    it('rejects index actions into a data stream, as Elasticsearch does', async () => {
      server.dataStreams.add('packetbeat-8.15.0');
      const { client } = open();
      const evs = events(2);
      evs[1] = { ...(evs[1] as BeatEvent), meta: { op_type: 'index' } };
      const [s] = await publish(client, evs);
      expect(s).to.deep.equal({ kind: 'retryEvents', failed: [], dropped: [evs[1]] });
    });

    it('answers concurrent workers independently', async () => {
      const ctx = makeContext();
      const group = createElasticsearchOutput({ hosts: [server.host], worker: 3, bulk_max_size: 10 }, ctx);
      opened.push(...group.clients);
      const all = events(30);
      const batches = group.clients.map((c, i) => {
        const b = makeBatch(all.slice(i * 10, i * 10 + 10));
        return c.publish(b).then(() => b.settlements);
      });
      const results = await Promise.all(batches);
      expect(results).to.deep.equal([[{ kind: 'ack' }], [{ kind: 'ack' }], [{ kind: 'ack' }]]);
      await waitUntil(() => server.count() === 30, 2000, '30 documents');
      expect(server.bulkRequests).to.equal(3);
    });
  });
});
