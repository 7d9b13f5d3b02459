import { expect } from 'chai';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { flattenFields } from '@packetbeat-ts/libbeat';
import { dnsPlugin } from '../../../src/protocols/dns/plugin.js';
import { replayCapture } from '../../../src/testing/replay.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../../..');
const PCAPS = path.resolve(repoRoot, '../shared/pcaps');
const GOLDEN = path.resolve(repoRoot, '../shared/golden/http_basic_auth-expected.json');

type Doc = Record<string, unknown>;

async function replay(file: string, config: Record<string, unknown> = {}): Promise<Doc[]> {
  const docs = await replayCapture(dnsPlugin, path.join(PCAPS, file), { config: { ports: [53], ...config } });
  return docs.map((d) => flattenFields(d));
}

function requireFile(ctx: Mocha.Context, file: string): void {
  if (existsSync(file)) return;
  if (process.env['REQUIRE_LIVE'] === '1') throw new Error(`${file} is missing (REQUIRE_LIVE=1)`);
  console.log(`    (skipped: ${file} is absent)`);
  ctx.skip();
}

/** Expected values from Elastic's packetbeat/tests/system/test_0032_dns.py, plus sizes and durations read from the captures. */
const EXPECTED: Record<string, { transport: string; query: string; resource: string; status: string; client: number; server: number; answers: number; extra?: Doc }> = {
  'dns_google_com.pcap': {
    transport: 'udp', query: 'class IN, type A, google.com', resource: 'google.com', status: 'OK', client: 28, server: 284, answers: 16,
    extra: { 'network.bytes': 312, 'event.start': '2015-08-27T08:00:55.638957Z', 'event.end': '2015-08-27T08:00:55.700739Z', 'event.duration': 61782000, 'client.ip': '192.168.238.68', 'client.port': 60893, 'server.ip': '192.168.238.1', 'dns.question.type': 'A' },
  },
  'dns_not_found.pcap': {
    transport: 'udp', query: 'class IN, type A, nothing.elastic.co', resource: 'nothing.elastic.co', status: 'Error', client: 36, server: 121, answers: 0,
    extra: { 'dns.response_code': 'NXDOMAIN', 'dns.answers_count': 0, 'dns.authorities_count': 1, 'dns.question.subdomain': 'nothing', 'dns.question.registered_domain': 'elastic.co' },
  },
  'dns_mx.pcap': { transport: 'udp', query: 'class IN, type MX, elastic.co', resource: 'elastic.co', status: 'OK', client: 28, server: 282, answers: 5, extra: { 'dns.question.type': 'MX' } },
  'dns_ns.pcap': { transport: 'udp', query: 'class IN, type NS, elastic.co', resource: 'elastic.co', status: 'OK', client: 28, server: 167, answers: 4, extra: { 'dns.question.type': 'NS' } },
  'dns_txt.pcap': { transport: 'udp', query: 'class IN, type TXT, elastic.co', resource: 'elastic.co', status: 'OK', client: 28, server: 261, answers: 2, extra: { 'server.ip': '8.8.8.8', 'destination.ip': '8.8.8.8' } },
  'dns_additional.pcap': { transport: 'udp', query: 'class IN, type A, heise.de', resource: 'heise.de', status: 'OK', client: 26, server: 184, answers: 1, extra: { 'dns.additionals_count': 1 } },
  'dns_tcp_axfr.pcap': { transport: 'tcp', query: 'class IN, type AXFR, etas.com', resource: 'etas.com', status: 'OK', client: 30, server: 197, answers: 4, extra: { 'dns.question.type': 'AXFR' } },
  'dns_udp_edns_ds.pcap': {
    transport: 'udp', query: 'class IN, type DS, ietf.org', resource: 'ietf.org', status: 'OK', client: 37, server: 284, answers: 3,
    extra: { 'dns.opt.do': true, 'dns.opt.version': '0', 'dns.opt.udp_size': 4000, 'dns.opt.ext_rcode': 'NOERROR', 'dns.question.type': 'DS' },
  },
};

describe('dns plugin: Elastic captures', function () {
  for (const [file, e] of Object.entries(EXPECTED)) {
    it(`${file}: one transaction as Packetbeat writes it`, async function () {
      requireFile(this, path.join(PCAPS, file));
      const docs = await replay(file);
      expect(docs).to.have.length(1);
      const d = docs[0]!;
      expect(d).to.include({
        type: 'dns', 'network.protocol': 'dns', 'network.transport': e.transport, method: 'QUERY', query: e.query, resource: e.resource,
        status: e.status, 'client.bytes': e.client, 'source.bytes': e.client, 'server.bytes': e.server, 'destination.bytes': e.server,
        'server.port': 53, 'dns.type': 'answer',
      });
      expect(d).to.have.property('network.community_id');
      expect((d['dns.answers'] as unknown[] | undefined)?.length ?? 0).to.equal(e.answers);
      for (const [k, v] of Object.entries(e.extra ?? {})) expect(d[k], k).to.deep.equal(v);
      expect(d).to.not.have.property('request');
      expect(d).to.not.have.property('dns.authorities');
      expect(d).to.not.have.property('dns.additionals');
    });
  }

  it('dns_tcp_axfr.pcap: every answer name is in etas.com; send_request / send_response', async function () {
    requireFile(this, path.join(PCAPS, 'dns_tcp_axfr.pcap'));
    const [d] = await replay('dns_tcp_axfr.pcap', { send_request: true, send_response: true });
    expect((d!['dns.answers'] as Doc[]).every((a) => String(a['name']).includes('etas.com'))).to.equal(true);
    expect(d!['request']).to.be.a('string').that.includes('etas.com');
    expect(d!['response']).to.be.a('string').that.includes('ANSWER');
  });

  it('dns_txt.pcap with send_request / send_response', async function () {
    requireFile(this, path.join(PCAPS, 'dns_txt.pcap'));
    const [d] = await replay('dns_txt.pcap', { send_request: true, send_response: true });
    expect(d!['request']).to.include('elastic.co');
    expect(d!['response']).to.include('include:_spf.google.com');
    expect((d!['dns.answers'] as Doc[]).every((a) => a['type'] === 'TXT')).to.equal(true);
  });

  it('dns_not_found.pcap with include_authorities; dns_additional.pcap with include_additionals', async function () {
    requireFile(this, path.join(PCAPS, 'dns_not_found.pcap'));
    const [nf] = await replay('dns_not_found.pcap', { include_authorities: true });
    expect(nf!['dns.authorities']).to.deep.equal([
      { name: 'elastic.co', type: 'SOA', class: 'IN', ttl: '838', data: 'ns-1183.awsdns-19.org', rname: 'awsdns-hostmaster.amazon.com', serial: 1, refresh: 7200, retry: 900, expire: 1209600, minimum: 86400 },
    ]);
    requireFile(this, path.join(PCAPS, 'dns_additional.pcap'));
    const [ad] = await replay('dns_additional.pcap', { include_additionals: true });
    expect(ad!['dns.additionals']).to.deep.equal([{ name: 'ns.heise.de', type: 'A', class: 'IN', ttl: '1298', data: '193.99.145.37' }]);
  });

  it('http_basicauth.pcap: matches every key of Packetbeat\'s golden DNS document', async function () {
    requireFile(this, path.join(PCAPS, 'http_basicauth.pcap'));
    requireFile(this, GOLDEN);
    const golden = (JSON.parse(readFileSync(GOLDEN, 'utf8')) as Doc[]).find((d) => d['type'] === 'dns');
    expect(golden, 'golden DNS document').to.not.equal(undefined);
    const docs = await replay('http_basicauth.pcap');
    expect(docs).to.have.length(1);
    const d = docs[0]!;
    for (const [k, v] of Object.entries(golden!)) expect(d[k], k).to.deep.equal(v);
    // …and no dns.* key Packetbeat does not write.
    const extra = Object.keys(d).filter((k) => k.startsWith('dns.') && !(k in golden!));
    expect(extra).to.deep.equal([]);
  });
});
