import { expect } from 'chai';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { freePort, packetbeatBin, readNdjson, start, tempDir, waitForDocuments, writeConfig } from './support/run-process.js';

/** Live capture needs root and libpcap; CI sets REQUIRE_LIVE=1 so a missing piece fails instead of skipping. */
async function liveCaptureUnavailable(): Promise<string | undefined> {
  if (typeof process.getuid === 'function' && process.getuid() !== 0) return 'live capture needs root';
  try {
    const { liveCaptureBackend } = await import('@packetbeat-ts/packetbeat');
    liveCaptureBackend();
  } catch {
    return 'no libpcap binding is built (ours or the cap package)';
  }
  return undefined;
}

describe('live capture on lo (HTTP)', () => {
  let dir: string;
  let server: http.Server;
  let port: number;

  beforeEach(async function () {
    const reason = await liveCaptureUnavailable();
    if (reason !== undefined) {
      if (process.env['REQUIRE_LIVE'] === '1') throw new Error(`${reason} (REQUIRE_LIVE=1)`);
      console.log(`      skipped: ${reason}`);
      this.skip();
    }
    dir = tempDir('pb-live-');
    port = await freePort();
    server = http.createServer((req, res) => {
      let body = 0;
      req.on('data', (d: Buffer) => (body += d.length));
      req.on('end', () => {
        const status = req.url?.startsWith('/missing') === true ? 404 : 200;
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(req.method === 'HEAD' ? undefined : JSON.stringify({ method: req.method, body }));
      });
    });
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  });

  afterEach(async () => {
    if (server !== undefined) await new Promise<void>((resolve) => server.close(() => resolve()));
    if (dir !== undefined) fs.rmSync(dir, { recursive: true, force: true });
  });

  for (const workers of [1, 2]) it(`sees exactly the N requests it sends, with the right fields (packetbeat.workers: ${workers})`, async () => {
    writeConfig(
      dir,
      'packetbeat.yml',
      [
        'packetbeat.interfaces.device: lo',
        'packetbeat.flows.enabled: false',
        `packetbeat.workers: ${workers}`,
        'packetbeat.shutdown_timeout: 5s',
        'packetbeat.protocols:',
        '  - type: http',
        `    ports: [${port}]`,
        '    send_headers: [content-type]',
        'queue.mem.flush.timeout: 50ms',
        'output.file.path: ${path.home}/out',
        'logging.to_files: false',
        'logging.metrics.enabled: false',
      ].join('\n'),
    );
    const beat = start(packetbeatBin, ['--path.home', dir, '-e']);
    try {
      await beat.waitForStderr('capturing on lo');
      const base = `http://127.0.0.1:${port}`;
      const sent: Array<{ method: string; path: string; status: number }> = [];
      const send = async (method: string, p: string, body?: string): Promise<void> => {
        const res = await fetch(`${base}${p}`, { method, ...(body !== undefined ? { body, headers: { 'content-type': 'application/json' } } : {}) });
        await res.arrayBuffer();
        sent.push({ method, path: p, status: res.status });
      };
      for (let i = 0; i < 4; i++) await send('GET', `/items?page=${i}`);
      for (let i = 0; i < 3; i++) await send('POST', '/items', JSON.stringify({ n: i, pad: 'x'.repeat(100 * i) }));
      await send('GET', '/missing/1');
      await send('GET', '/missing/2');
      await send('HEAD', '/items');
      await waitForDocuments(path.join(dir, 'out'), 10);
    } finally {
      beat.child.kill('SIGTERM');
    }
    const result = await beat.done;
    expect(result.code, result.stderr).to.equal(0);

    const docs = readNdjson(path.join(dir, 'out')) as Array<Record<string, Record<string, unknown>>>;
    expect(docs, result.stderr).to.have.length(10);
    const summary = docs.map((d) => `${String(d['http']?.['request'] && (d['http']['request'] as Record<string, unknown>)['method'])} ${String(d['url']?.['path'])} ${String((d['http']?.['response'] as Record<string, unknown>)['status_code'])}`).sort();
    expect(summary).to.deep.equal(
      [
        ...[0, 1, 2, 3].map(() => 'GET /items 200'),
        ...[0, 1, 2].map(() => 'POST /items 200'),
        'GET /missing/1 404',
        'GET /missing/2 404',
        'HEAD /items 200',
      ].sort(),
    );
    for (const d of docs) {
      expect(d['type']).to.equal('http');
      expect(d['client']?.['ip']).to.equal('127.0.0.1');
      expect(d['server']).to.include({ ip: '127.0.0.1', port });
      expect(d['network']).to.include({ transport: 'tcp', protocol: 'http', type: 'ipv4' });
      expect(d['event']?.['duration']).to.be.a('number');
      const status = (d['http']?.['response'] as Record<string, unknown>)['status_code'] as number;
      expect(d['status']).to.equal(status >= 400 ? 'Error' : 'OK');
    }
    const queries = docs.map((d) => d['url']?.['query']).filter((q) => q !== undefined).sort();
    expect(queries).to.deep.equal(['page=0', 'page=1', 'page=2', 'page=3']);
    const posts = docs.filter((d) => (d['http']?.['request'] as Record<string, unknown>)['method'] === 'POST');
    const bodySizes = [0, 1, 2].map((i) => Buffer.byteLength(JSON.stringify({ n: i, pad: 'x'.repeat(100 * i) })));
    const seen = posts.map((d) => ((d['http']?.['request'] as Record<string, Record<string, unknown>>)['body'] ?? {})['bytes'] as number);
    expect(seen.sort((a, b) => a - b)).to.deep.equal(bodySizes);
  });
});
