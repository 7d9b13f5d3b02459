import { request } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import type { BeatInfo } from '../../src/beat/info.js';
import { MetricsRegistry } from '../../src/monitoring/metrics.js';
import { MonitoringHttpServer } from '../../src/monitoring/http-server.js';

const info: BeatInfo = {
  beat: 'testbeat',
  name: 'my-name',
  version: '9.9.9',
  id: '11111111-2222-3333-4444-555555555555',
  ephemeralId: 'eph-1',
  hostname: 'host-a',
  startTime: new Date(),
};

describe('monitoring: HTTP endpoint', () => {
  let registry: MetricsRegistry;
  let server: MonitoringHttpServer;
  let base: string;

  beforeEach(async () => {
    registry = new MetricsRegistry();
    server = new MonitoringHttpServer({
      host: '127.0.0.1',
      port: 0,
      info,
      registry,
      stateProvider: () => ({ beat: { name: info.name }, output: { name: 'console' }, queue: { name: 'mem' } }),
      build: { commit: 'abc123', time: '2026-01-01T00:00:00.000Z' },
    });
    const addr = await server.start();
    expect(addr.host).to.equal('127.0.0.1');
    expect(addr.port).to.be.greaterThan(0);
    base = `http://127.0.0.1:${addr.port}`;
  });

  afterEach(async () => {
    await server.stop();
  });

  it('GET / returns the beat info', async () => {
    const res = await fetch(`${base}/`);
    expect(res.status).to.equal(200);
    expect(res.headers.get('content-type')).to.match(/^application\/json/);
    const body = (await res.json()) as Record<string, unknown>;
    expect(Object.keys(body).sort()).to.deep.equal(
      [
        'beat',
        'binary_arch',
        'build_commit',
        'build_time',
        'elastic_licensed',
        'ephemeral_id',
        'gid',
        'hostname',
        'name',
        'uid',
        'username',
        'uuid',
        'version',
      ].sort(),
    );
    expect(body).to.include({
      beat: 'testbeat',
      name: 'my-name',
      hostname: 'host-a',
      uuid: info.id,
      ephemeral_id: 'eph-1',
      version: '9.9.9',
      build_commit: 'abc123',
      build_time: '2026-01-01T00:00:00.000Z',
      elastic_licensed: false,
    });
    expect(body['binary_arch']).to.be.a('string').and.not.equal('x64');
  });

  it('GET /stats returns the registry nested, with live values', async () => {
    const c = registry.counter('libbeat.pipeline.events.total');
    registry.gauge('libbeat.pipeline.queue.filled.events').set(3);
    c.inc(2);
    let body = (await (await fetch(`${base}/stats`)).json()) as Record<string, unknown>;
    expect(body).to.deep.equal({ libbeat: { pipeline: { events: { total: 2 }, queue: { filled: { events: 3 } } } } });
    c.inc();
    body = (await (await fetch(`${base}/stats`)).json()) as Record<string, unknown>;
    expect((body as { libbeat: { pipeline: { events: { total: number } } } }).libbeat.pipeline.events.total).to.equal(3);
  });

  it('GET /state returns the state provider\'s object', async () => {
    const body = (await (await fetch(`${base}/state`)).json()) as Record<string, unknown>;
    expect(body).to.deep.equal({ beat: { name: 'my-name' }, output: { name: 'console' }, queue: { name: 'mem' } });
  });

  it('?pretty indents the JSON; without it the JSON is compact', async () => {
    registry.counter('a.b').inc();
    const pretty = await (await fetch(`${base}/stats?pretty`)).text();
    expect(pretty).to.equal('{\n  "a": {\n    "b": 1\n  }\n}\n');
    const compact = await (await fetch(`${base}/stats`)).text();
    expect(compact).to.equal('{"a":{"b":1}}');
  });

  it('unknown paths are 404 JSON, other methods 405', async () => {
    const res = await fetch(`${base}/nope`);
    expect(res.status).to.equal(404);
    expect(await res.json()).to.deep.equal({ error: 'not found', path: '/nope' });
    const post = await fetch(`${base}/stats`, { method: 'POST' });
    expect(post.status).to.equal(405);
    expect(post.headers.get('allow')).to.equal('GET, HEAD');
    await post.arrayBuffer();
  });

  it('a throwing state provider gives a 500 JSON, and the server keeps serving', async () => {
    const s = new MonitoringHttpServer({
      host: '127.0.0.1',
      port: 0,
      info,
      registry,
      stateProvider: () => {
        throw new Error('state broke');
      },
    });
    const { port } = await s.start();
    try {
      const res = await fetch(`http://127.0.0.1:${port}/state`);
      expect(res.status).to.equal(500);
      expect(await res.json()).to.deep.equal({ error: 'state broke' });
      expect((await fetch(`http://127.0.0.1:${port}/`)).status).to.equal(200);
    } finally {
      await s.stop();
    }
  });

  it('a port in use rejects start() naming host:port', async () => {
    const port = server.address?.port ?? 0;
    const other = new MonitoringHttpServer({ host: '127.0.0.1', port, info, registry });
    let err: unknown;
    try {
      await other.start();
    } catch (e) {
      err = e;
    }
    expect(err).to.be.instanceOf(Error);
    expect((err as Error).message).to.contain(`127.0.0.1:${port}`);
    expect((err as Error).message).to.contain('address already in use');
    await other.stop();
  });

  it('stop() is idempotent and frees the port', async () => {
    const port = server.address?.port ?? 0;
    await server.stop();
    await server.stop();
    const again = new MonitoringHttpServer({ host: '127.0.0.1', port, info, registry });
    const addr = await again.start();
    expect(addr.port).to.equal(port);
    await again.stop();
  });
});

describe('monitoring: HTTP endpoint on a unix socket', () => {
  if (process.platform === 'win32') return;

  it('listens on unix:///path and serves /stats', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mon-sock-'));
    const sock = join(dir, 'beat.sock');
    const registry = new MetricsRegistry();
    registry.counter('x.y').inc(5);
    const server = new MonitoringHttpServer({ host: `unix://${sock}`, info, registry });
    try {
      const addr = await server.start();
      expect(addr.socketPath).to.equal(sock);
      const body = await new Promise<string>((resolve, reject) => {
        const req = request({ socketPath: sock, path: '/stats', method: 'GET' }, (res) => {
          let data = '';
          res.setEncoding('utf8');
          res.on('data', (d: string) => (data += d));
          res.on('end', () => resolve(data));
        });
        req.on('error', reject);
        req.end();
      });
      expect(JSON.parse(body)).to.deep.equal({ x: { y: 5 } });
    } finally {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
