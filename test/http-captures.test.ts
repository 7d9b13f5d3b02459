import { expect } from 'chai';
import { captureOrSkip, replayCapture, type FlatDoc } from './support/capture-run.js';

// End-to-end runs of the packetbeat binary on Elastic's HTTP captures, with the expectations of
// Elastic's own Packetbeat system tests (packetbeat/tests/system/test_00*_http_*.py).

/** HTTP settings for one capture, as YAML lines under `- type: http`. Flows are off: only HTTP documents are wanted. */
function httpConfig(ports: readonly number[], ...options: string[]): string[] {
  return [
    'packetbeat.flows.enabled: false',
    'packetbeat.protocols:',
    '  - type: http',
    `    ports: [${ports.join(', ')}]`,
    ...options.map((o) => `    ${o}`),
  ];
}

/** Replays `name` (skipping the test when the capture is absent) and returns its HTTP documents, checked for the fields every one must have. */
async function httpDocs(ctx: Mocha.Context, name: string, config: readonly string[]): Promise<FlatDoc[]> {
  const docs = await replayCapture(captureOrSkip(ctx, name), config);
  const http = docs.filter((d) => d['type'] === 'http');
  expect(http.length, `documents other than http: ${JSON.stringify(docs.filter((d) => d['type'] !== 'http'))}`).to.equal(docs.length);
  for (const d of http) checkCommonFields(d);
  return http;
}

function checkCommonFields(d: FlatDoc): void {
  const where = `in ${JSON.stringify(d)}`;
  expect(d['type'], where).to.equal('http');
  expect(d['event.dataset'], where).to.equal('http');
  // Ours: an "Unmatched request" document has no response, hence no event.end and no event.duration.
  if (d['error.message'] !== 'Unmatched request' || d['event.duration'] !== undefined) {
    expect(d['event.duration'], where).to.be.a('number').that.is.at.least(0);
  }
  expect(d['network.community_id'], where).to.be.a('string').that.matches(/^1:/);
  expect(d['source.ip'], where).to.be.a('string').that.equals(d['client.ip']);
  expect(d['related.ip'], where).to.be.an('array').that.includes(d['client.ip']).and.includes(d['server.ip']);
}

function unmatched(d: FlatDoc): boolean {
  return d['error.message'] === 'Unmatched response' || d['error.message'] === 'Unmatched request';
}

/** The documents that are not our "Unmatched" reports, after checking those reports carry status Error. */
function matchedOnly(docs: readonly FlatDoc[]): FlatDoc[] {
  for (const d of docs.filter(unmatched)) expect(d['status'], JSON.stringify(d)).to.equal('Error');
  return docs.filter((d) => !unmatched(d));
}

function pick(docs: readonly FlatDoc[], ...keys: string[]): Array<Record<string, unknown>> {
  return docs.map((d) => Object.fromEntries(keys.map((k) => [k, d[k]])));
}

describe('packetbeat on Elastic\'s HTTP captures', () => {
  it('http_minitwit.pcap, ports [80]: three transactions of one connection, the third a 404', async function () {
    const docs = await httpDocs(this, 'http_minitwit.pcap', httpConfig([80]));
    const endpoints = { 'client.ip': '192.168.1.104', 'client.port': 54742, 'server.ip': '192.168.1.110', 'server.port': 80 };
    expect(pick(docs, 'client.ip', 'client.port', 'server.ip', 'server.port', 'query', 'status', 'http.response.status_code')).to.deep.equal([
      { ...endpoints, query: 'GET /', status: 'OK', 'http.response.status_code': 200 },
      { ...endpoints, query: 'GET /static/style.css', status: 'OK', 'http.response.status_code': 304 },
      { ...endpoints, query: 'GET /favicon.ico', status: 'Error', 'http.response.status_code': 404 },
    ]);
    for (const d of docs) expect(d['network.bytes'], JSON.stringify(d)).to.be.a('number').that.is.above(0);
  });

  it('http_minitwit.pcap, ports [80, 5000]: also the proxied hop to 127.0.0.1:5000', async function () {
    const docs = await httpDocs(this, 'http_minitwit.pcap', httpConfig([80, 5000]));
    expect(docs).to.have.length(6);
    const front = docs.filter((d) => d['server.port'] === 80);
    const proxied = docs.filter((d) => d['server.port'] === 5000);
    expect(pick(front, 'query', 'status')).to.deep.equal([
      { query: 'GET /', status: 'OK' },
      { query: 'GET /static/style.css', status: 'OK' },
      { query: 'GET /favicon.ico', status: 'Error' },
    ]);
    expect(pick(proxied, 'query', 'status')).to.deep.equal(pick(front, 'query', 'status'));
    for (const d of proxied) {
      expect(d['client.ip']).to.equal('127.0.0.1');
      expect(d['server.ip']).to.equal('127.0.0.1');
    }
    for (const d of docs) expect(d['network.bytes'], JSON.stringify(d)).to.be.a('number').that.is.above(0);
  });

  it('http_10_connection_close.pcap: an HTTP/1.0-style response ended by the close', async function () {
    const docs = await httpDocs(this, 'http_10_connection_close.pcap', httpConfig([8000], 'send_all_headers: true'));
    expect(docs).to.have.length(1);
    const d = docs[0] as FlatDoc;
    expect(d['status']).to.equal('OK');
    expect(d['http.response.headers.content-length']).to.equal(11422);
    expect(d['http.response.status_code']).to.equal(200);
    expect([d['client.ip'], d['client.port'], d['server.ip'], d['server.port']]).to.deep.equal(['127.0.0.1', 37885, '127.0.0.1', 8000]);
  });

  it('http_post.pcap: form parameters go to url.query, sorted', async function () {
    // Packetbeat publishes 1 document; ours also reports the capture's unmatched dropbox request and response.
    const docs = matchedOnly(await httpDocs(this, 'http_post.pcap', httpConfig([80])));
    expect(docs).to.have.length(1);
    const d = docs[0] as FlatDoc;
    expect(d['query']).to.equal('POST /register');
    expect(d['url.query']).to.equal('address=anklamerstr.14b&telephon=8932784368&user=monica');
    expect(d['url.query']).to.include('address=anklamerstr.14b').and.include('telephon=8932784368').and.include('user=monica');
  });

  it('http_url_params.pcap: one matched transaction; the rest are reported as Unmatched (ours, by design)', async function () {
    const all = await httpDocs(this, 'http_url_params.pcap', httpConfig([80]));
    const docs = matchedOnly(all);
    expect(docs).to.have.length(1);
    const d = docs[0] as FlatDoc;
    expect(d['query']).to.equal('GET /dashboard/transactions');
    expect(d['url.path']).to.equal('/dashboard/transactions');
    expect(d['url.query']).to.equal('input=packetbeat&src_ip=192.35.243.1');
    expect(d['error.message']).to.equal(undefined);
    expect(all.filter(unmatched).map((u) => u['error.message']).sort()).to.deep.equal(['Unmatched request', 'Unmatched response']);
  });

  it('hide_secret_GET.pcap: hide_keywords masks the password in url.query', async function () {
    const docs = await httpDocs(this, 'hide_secret_GET.pcap', httpConfig([80], 'hide_keywords: [pass, password]'));
    expect(docs).to.have.length(1);
    const d = docs[0] as FlatDoc;
    expect(d['query']).to.equal('GET /login');
    expect(d['url.query']).to.equal('pass=xxxxx&user=monica');
    expect(JSON.stringify(docs)).not.to.include('secret');
  });

  it('hide_secret_POST.pcap: hide_keywords masks url.query and the included form body', async function () {
    const docs = await httpDocs(
      this,
      'hide_secret_POST.pcap',
      httpConfig([80], 'hide_keywords: [pass, password]', 'include_body_for: [x-www-form-urlencoded]'),
    );
    expect(docs).to.have.length(1);
    const d = docs[0] as FlatDoc;
    expect(d['query']).to.equal('POST /login');
    expect(d['url.query']).to.equal('pass=xxxxx&user=monica');
    expect(d['http.request.body.content']).to.equal('pass=xxxxx&user=monica');
    expect(JSON.stringify(docs)).not.to.include('secret');
  });

  it('hide_secret_POST.pcap with send_request: the raw request text is not masked (as in Packetbeat)', async function () {
    // Without include_body_for the raw request stops after the headers; with it, the body is there unmasked.
    const docs = await httpDocs(
      this,
      'hide_secret_POST.pcap',
      httpConfig([80], 'hide_keywords: [pass, password]', 'send_request: true', 'include_body_for: [x-www-form-urlencoded]'),
    );
    expect(docs).to.have.length(1);
    const d = docs[0] as FlatDoc;
    expect(d['url.query']).to.equal('pass=xxxxx&user=monica');
    expect(d['request']).to.be.a('string').that.includes('user=monica&pass=secret');
  });

  it('http_realip.pcap: real_ip_header X-Forward-For gives network.forwarded_ip', async function () {
    const docs = await httpDocs(this, 'http_realip.pcap', httpConfig([8002], 'real_ip_header: "X-Forward-For"', 'send_all_headers: true'));
    expect(docs).to.have.length(1);
    expect(docs[0]?.['network.forwarded_ip']).to.equal('89.247.39.104');
    expect(docs[0]?.['http.request.headers.x-forward-for']).to.equal('89.247.39.104');
  });

  it('http_x_forwarded_for.pcap: real_ip_header X-Forwarded-For gives network.forwarded_ip', async function () {
    const docs = await httpDocs(this, 'http_x_forwarded_for.pcap', httpConfig([80], 'real_ip_header: "X-Forwarded-For"'));
    expect(docs).to.have.length(1);
    expect(docs[0]?.['network.forwarded_ip']).to.equal('89.247.39.104');
  });

  it('http_over_vlan.pcap: the transaction carries network.vlan.id, its flow flow.vlan', async function () {
    // Flows stay on here: Packetbeat reports VLAN ids in flows (flow.vlan); ours also sets network.vlan.id on the HTTP document.
    const capture = captureOrSkip(this, 'http_over_vlan.pcap');
    const docs = await replayCapture(capture, ['packetbeat.protocols:', '  - type: http', '    ports: [8080]']);
    const http = docs.filter((d) => d['type'] === 'http');
    for (const d of http) checkCommonFields(d);
    expect(pick(http, 'status', 'query', 'http.response.status_code', 'network.vlan.id')).to.deep.equal([
      { status: 'OK', query: 'GET /jpetstore/', 'http.response.status_code': 200, 'network.vlan.id': 1 },
    ]);
    const flows = docs.filter((d) => d['type'] === 'flow');
    expect(flows).to.not.be.empty;
    for (const f of flows) expect(f['flow.vlan'], JSON.stringify(f)).to.equal(1);
  });

  it('http_get_2k_file.pcap: a 2048-byte body', async function () {
    const docs = await httpDocs(this, 'http_get_2k_file.pcap', httpConfig([8000]));
    expect(docs).to.have.length(1);
    expect(docs[0]?.['status']).to.equal('OK');
    expect(docs[0]?.['http.response.body.bytes']).to.equal(2048);
  });

  it('gap_in_stream.pcap: a transaction with a gap in its response is published, with a note', async function () {
    const docs = await httpDocs(this, 'gap_in_stream.pcap', httpConfig([8000]));
    expect(pick(docs, 'query', 'status', 'error.message')).to.deep.equal([
      { query: 'GET /jszip.min.js', status: 'OK', 'error.message': 'Packet loss while capturing the response' },
    ]);
  });

  it('wsgi_loopback.pcap: doubled loopback packets give exactly one transaction', async function () {
    const docs = await httpDocs(this, 'wsgi_loopback.pcap', httpConfig([8888]));
    expect(pick(docs, 'query', 'status', 'http.response.status_code')).to.deep.equal([
      { query: 'GET /', status: 'OK', 'http.response.status_code': 200 },
    ]);
  });

  it('wsgi_drum.pcap: every request matched', async function () {
    const docs = await httpDocs(this, 'wsgi_drum.pcap', httpConfig([8888]));
    expect(docs.filter(unmatched), JSON.stringify(docs.filter(unmatched))).to.deep.equal([]);
    // Observed: 16 transactions, one per connection; 15 OK and GET /comment/ answered 500 (status Error).
    expect(docs).to.have.length(16);
    expect(docs.filter((d) => d['status'] === 'OK')).to.have.length(15);
    expect(pick(docs.filter((d) => d['status'] !== 'OK'), 'query', 'status', 'http.response.status_code')).to.deep.equal([
      { query: 'GET /comment/', status: 'Error', 'http.response.status_code': 500 },
    ]);
  });
});
