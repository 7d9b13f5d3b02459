import { expect } from 'chai';
import { decodeDnsMessage } from '../../../src/protocols/dns/decoder.js';
import { domainParts } from '../../../src/protocols/dns/public-suffix.js';
import { dnsDocument, dnsToString } from '../../../src/protocols/dns/render.js';
import { msg, name, u16, u32, type Rr } from './harness.js';

function answers(records: Rr[], opts: { additionals?: Rr[] } = {}): Record<string, unknown>[] {
  const m = decodeDnsMessage(msg({ response: true, answers: records, additionals: opts.additionals ?? [] }));
  expect(m, 'decodes').to.not.equal(undefined);
  const doc = dnsDocument(m!, true, true);
  return (doc.dns['answers'] ?? []) as Record<string, unknown>[];
}

describe('dns records: rendering as Packetbeat', function () {
  it('A, AAAA (RFC 5952 text), resolved_ip', function () {
    const m = decodeDnsMessage(
      msg({
        response: true,
        answers: [
          { name: 'a.example.com', type: 1, rdata: [93, 184, 216, 34] },
          { name: 'a.example.com', type: 28, rdata: [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1] },
        ],
      }),
    )!;
    const doc = dnsDocument(m, false, false);
    expect(doc.dns['answers']).to.deep.equal([
      { name: 'a.example.com', type: 'A', class: 'IN', ttl: '300', data: '93.184.216.34' },
      { name: 'a.example.com', type: 'AAAA', class: 'IN', ttl: '300', data: '2001:db8::1' },
    ]);
    expect(doc.dns['resolved_ip']).to.deep.equal(['93.184.216.34', '2001:db8::1']);
  });

  it('CNAME, NS, PTR, MX, SRV, SOA without trailing dots; numbers stay numbers', function () {
    const a = answers([
      { name: 'www.example.com', type: 5, rdata: name('example.com') },
      { name: 'example.com', type: 2, rdata: name('ns1.example.com') },
      { name: '1.0.0.10.in-addr.arpa', type: 12, rdata: name('host.example.com') },
      { name: 'example.com', type: 15, rdata: [...u16(10), ...name('mail.example.com')] },
      { name: '_sip._tcp.example.com', type: 33, rdata: [...u16(1), ...u16(5), ...u16(5060), ...name('sip.example.com')] },
      { name: 'example.com', type: 6, rdata: [...name('ns1.example.com'), ...name('hostmaster.example.com'), ...u32(2024010101), ...u32(7200), ...u32(3600), ...u32(1209600), ...u32(300)] },
    ]);
    expect(a.map((r) => r['data'])).to.deep.equal(['example.com', 'ns1.example.com', 'host.example.com', 'mail.example.com', 'sip.example.com', 'ns1.example.com']);
    expect(a[3]).to.include({ preference: 10, type: 'MX' });
    expect(a[4]).to.include({ priority: 1, weight: 5, port: 5060, type: 'SRV' });
    expect(a[5]).to.include({ rname: 'hostmaster.example.com', serial: 2024010101, refresh: 7200, retry: 3600, expire: 1209600, minimum: 300 });
  });

  it('TXT joins strings with a space and escapes quotes, backslashes and unprintables', function () {
    const s1 = Buffer.from('v=spf1 include:_spf.google.com ~all');
    const s2 = Buffer.from('a"b\\c\x01');
    const a = answers([{ name: 'example.com', type: 16, rdata: [s1.length, ...s1, s2.length, ...s2] }]);
    expect(a[0]!['data']).to.equal('v=spf1 include:_spf.google.com ~all a\\"b\\\\c\\001');
  });

  it('DS, DNSKEY, RRSIG, NSEC, NSEC3, NSEC3PARAM', function () {
    const a = answers([
      { name: 'example.com', type: 43, rdata: [...u16(12345), 8, 2, 0xab, 0xcd, 0xef] },
      { name: 'example.com', type: 48, rdata: [...u16(257), 3, 13, 1, 2, 3] },
      { name: 'example.com', type: 46, rdata: [...u16(1), 8, 2, ...u32(3600), ...u32(1700000000), ...u32(1690000000), ...u16(4242), ...name('example.com'), 0xff, 0xee] },
      { name: 'example.com', type: 47, rdata: [...name('a.example.com'), 0, 6, 0x40, 0x01, 0x00, 0x00, 0x00, 0x03] },
      { name: 'abc.example.com', type: 50, rdata: [1, 0, ...u16(10), 2, 0xaa, 0xbb, 5, 1, 2, 3, 4, 5, 0, 1, 0x40] },
      { name: 'example.com', type: 51, rdata: [1, 0, ...u16(0), 0] },
    ]);
    expect(a[0]).to.include({ key_tag: '12345', algorithm: 'RSASHA256', digest_type: 'SHA256', data: 'ABCDEF' });
    expect(a[1]).to.include({ flags: '257', protocol: '3', algorithm: 'ECDSAP256SHA256', data: 'AQID' });
    expect(a[2]).to.include({
      type_covered: 'A',
      algorithm: 'RSASHA256',
      labels: '2',
      original_ttl: '3600',
      expiration: '20231114221320',
      inception: '20230722042640',
      key_tag: '4242',
      signer_name: 'example.com',
      data: '/+4=',
    });
    expect(a[3]).to.include({ data: 'a.example.com.', type_bits: 'A MX RRSIG NSEC' });
    expect(a[4]).to.include({ hash: 'SHA1', flags: '0', iterations: '10', salt: 'AABB', data: '04106105', type_bits: 'A' });
    expect(a[5]).to.include({ hash: 'SHA1', data: '-' });
  });

  it('CAA, HTTPS and SVCB in their presentation format', function () {
    const caa = [0, 5, ...Buffer.from('issueletsencrypt.org')];
    // HTTPS 1 . alpn=h2,h3 port=443 ipv4hint=192.0.2.1 ipv6hint=2001:db8::1
    const alpn = [2, ...Buffer.from('h2'), 2, ...Buffer.from('h3')];
    const ipv6 = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
    const https = [...u16(1), 0, ...u16(1), ...u16(alpn.length), ...alpn, ...u16(3), ...u16(2), ...u16(443), ...u16(4), ...u16(4), 192, 0, 2, 1, ...u16(6), ...u16(16), ...ipv6];
    const a = answers([
      { name: 'example.com', type: 257, rdata: caa },
      { name: 'example.com', type: 65, rdata: https },
      { name: '_dns.example.com', type: 64, rdata: [...u16(0), ...name('svc.example.com')] },
      { name: '_x.example.com', type: 64, rdata: [...u16(2), 0, ...u16(2), ...u16(0), ...u16(9), ...u16(1), 7] },
    ]);
    expect(a[0]).to.deep.equal({ name: 'example.com', type: 'CAA', class: 'IN', ttl: '300', data: '0 issue "letsencrypt.org"' });
    expect(a[1]).to.include({ type: 'HTTPS', data: '1 . alpn="h2,h3" port="443" ipv4hint="192.0.2.1" ipv6hint="2001:db8::1"' });
    expect(a[2]).to.include({ type: 'SVCB', data: '0 svc.example.com' });
    expect(a[3]).to.include({ type: 'SVCB', data: '2 . no-default-alpn key9="\\007"' });
  });

  it('OPT: dns.opt with DO bit, version, udp_size, ext_rcode and options; not counted as an additional', function () {
    const opt: Rr = { name: '.', type: 41, class: 4096, ttl: 0x00008000, rdata: [...u16(3), ...u16(2), 0xbe, 0xef, ...u16(8), ...u16(7), ...u16(1), 24, 0, 192, 0, 2, ...u16(10), ...u16(8), 1, 2, 3, 4, 5, 6, 7, 8] };
    const m = decodeDnsMessage(msg({ response: true, additionals: [opt, { name: 'ns.example.com', type: 1, rdata: [1, 2, 3, 4] }] }))!;
    const doc = dnsDocument(m, false, true);
    expect(doc.dns['opt']).to.deep.equal({ do: true, version: '0', udp_size: 4096, ext_rcode: 'NOERROR', nsid: 'beef', subnet: '192.0.2.0/24/0', cookie: '0102030405060708' });
    expect(doc.dns['additionals_count']).to.equal(1);
    expect(doc.dns['additionals']).to.have.length(1);
    expect(doc.dns['header_flags']).to.deep.equal(['RD', 'DO']);
  });

  it('extended rcode from OPT joins the header rcode (BADVERS/BADSIG = 16)', function () {
    const opt: Rr = { name: '.', type: 41, class: 1232, ttl: 0x01000000, rdata: [] };
    const m = decodeDnsMessage(msg({ response: true, additionals: [opt] }))!;
    expect(dnsDocument(m, false, false).dns['response_code']).to.equal('BADSIG');
  });

  it('follows compression pointers, refuses loops and garbage', function () {
    // question www.example.com at 12; answer name = pointer to 12
    const base = msg({ response: true });
    const ans = [0xc0, 12, ...u16(1), ...u16(1), ...u32(60), ...u16(4), 1, 2, 3, 4];
    const bytes = Uint8Array.from([...base, ...ans]);
    bytes[7] = 1; // ancount
    const m = decodeDnsMessage(bytes)!;
    expect(m.answers[0]!.name).to.equal('www.example.com.');
    const loop = Uint8Array.from([...u16(1), 0x01, 0x00, ...u16(1), 0, 0, 0, 0, 0, 0, 0xc0, 12, ...u16(1), ...u16(1)]);
    expect(decodeDnsMessage(loop)).to.equal(undefined);
    expect(decodeDnsMessage(new Uint8Array(12))).to.equal(undefined);
    expect(decodeDnsMessage(Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'))).to.equal(undefined);
  });

  it('escapes special characters in labels like miekg/dns', function () {
    const m = decodeDnsMessage(Uint8Array.from([...u16(1), 1, 0, ...u16(1), 0, 0, 0, 0, 0, 0, 3, 0x61, 0x2e, 0x01, 0, ...u16(1), ...u16(1)]))!;
    expect(m.questions[0]!.name).to.equal('a\\.\\001');
  });

  it('dnsToString writes the message as Packetbeat', function () {
    const m = decodeDnsMessage(msg({ id: 7, response: true, flags: 0x0180, answers: [{ name: 'example.com', type: 15, rdata: [...u16(10), ...name('mx.example.com')] }] }))!;
    expect(dnsToString(m)).to.equal('ID 7; QR response; OPCODE QUERY; FLAGS rd ra; RCODE NOERROR; QUESTION class IN, type A, www.example.com; ANSWER mx.example.com');
  });

  it('public suffix fields: registered_domain, top_level_domain, subdomain, etld_plus_one', function () {
    expect(domainParts('www.example.com')).to.deep.equal({ etld_plus_one: 'example.com', registered_domain: 'example.com', top_level_domain: 'com', subdomain: 'www' });
    expect(domainParts('a.b.example.co.uk')).to.deep.equal({ etld_plus_one: 'example.co.uk', registered_domain: 'example.co.uk', top_level_domain: 'co.uk', subdomain: 'a.b' });
    expect(domainParts('example.com')).to.deep.equal({ etld_plus_one: 'example.com', registered_domain: 'example.com', top_level_domain: 'com' });
    expect(domainParts('foo.example.test')).to.deep.equal({ etld_plus_one: 'example.test', registered_domain: 'example.test', top_level_domain: 'test', subdomain: 'foo' });
    // A name that is itself a public suffix with one dot: Packetbeat's fallback.
    expect(domainParts('co.uk')).to.deep.equal({ top_level_domain: 'uk', registered_domain: 'co.uk' });
    expect(domainParts('com')).to.deep.equal({});
  });
});
