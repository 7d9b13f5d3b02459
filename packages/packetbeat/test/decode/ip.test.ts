import { expect } from 'chai';
import { LinkType } from '../../src/capture/packet-sink.js';
import { destinationIp, sourceIp } from '../../src/decode/ip-text.js';
import { extAH, extFragment, extGeneric, ipv4, ipv6, tcp, udp, type Ext } from './frame-builder.js';
import { decodeFrame, payloadOf } from './helpers.js';

const RAW = LinkType.RAW;

describe('decode: IPv4', () => {
  it('reads TTL, protocol and addresses', () => {
    const { drop, out } = decodeFrame(ipv4(udp(5353, 53, Buffer.from('q')), { proto: 17, ttl: 3, src: '1.2.3.4', dst: '255.0.10.200' }), RAW);
    expect(drop).to.equal(null);
    expect(out.ttl).to.equal(3);
    expect(out.protocol).to.equal(17);
    expect(sourceIp(out)).to.equal('1.2.3.4');
    expect(destinationIp(out)).to.equal('255.0.10.200');
    expect(out.reassembled).to.equal(false);
  });

  it('skips options', () => {
    const options = Buffer.from([0x94, 0x04, 0, 0, 0x01, 0x01, 0x01, 0x00]); // router alert, NOPs, EOL
    const { drop, out } = decodeFrame(ipv4(tcp({ sport: 9, payload: Buffer.from('opt') }), { options }), RAW);
    expect(drop).to.equal(null);
    expect(out.srcPort).to.equal(9);
    expect(payloadOf(out).toString()).to.equal('opt');
  });

  it('clips trailing link padding to the total length', () => {
    const frame = Buffer.concat([ipv4(tcp({ payload: Buffer.from('ab') })), Buffer.alloc(6, 0x55)]);
    const { drop, out } = decodeFrame(frame, RAW);
    expect(drop).to.equal(null);
    expect(payloadOf(out).toString()).to.equal('ab');
  });

  it('trusts the captured length when the total length is 0 (TSO)', () => {
    const { drop, out } = decodeFrame(ipv4(tcp({ payload: Buffer.alloc(3000, 1) }), { totalLength: 0 }), RAW);
    expect(drop).to.equal(null);
    expect(out.payloadLength).to.equal(3000);
  });

  it('keeps what was captured when the capture is shorter than the total length (snaplen)', () => {
    const full = ipv4(tcp({ payload: Buffer.alloc(100, 1) }));
    const { drop, out } = decodeFrame(full.subarray(0, 60), RAW);
    expect(drop).to.equal(null);
    expect(out.payloadLength).to.equal(20);
  });

  it('rejects bad headers', () => {
    const p = tcp();
    expect(decodeFrame(ipv4(p, { ihl: 4 }), RAW).drop).to.equal('bad_ip_header');
    expect(decodeFrame(ipv4(p, { totalLength: 19 }), RAW).drop).to.equal('bad_ip_header');
    expect(decodeFrame(ipv4(p, { version: 5 }), LinkType.IPV4).drop).to.equal('bad_ip_header');
    expect(decodeFrame(ipv4(p, { ihl: 15 }), RAW).drop).to.equal('bad_ip_header'); // header longer than the total length
    expect(decodeFrame(ipv4(p, { ihl: 15, totalLength: 80 }), RAW).drop).to.equal('truncated'); // 60-byte header, 40 captured
  });

  it('a total length cutting into the TCP header is a bad transport header', () => {
    expect(decodeFrame(ipv4(tcp(), { totalLength: 30 }), RAW).drop).to.equal('bad_transport_header');
  });

  it('other protocols are unsupported_transport with the IP fields filled', () => {
    const { drop, out } = decodeFrame(ipv4(Buffer.alloc(24, 9), { proto: 47, src: '9.9.9.9' }), RAW);
    expect(drop).to.equal('unsupported_transport');
    expect(out.ipVersion).to.equal(4);
    expect(out.protocol).to.equal(47);
    expect(sourceIp(out)).to.equal('9.9.9.9');
    expect(out.payloadLength).to.equal(24);
    expect(out.srcPort).to.equal(0);
  });
});

describe('decode: IPv6', () => {
  it('reads the fixed header', () => {
    const { drop, out } = decodeFrame(ipv6(udp(1, 2, Buffer.from('x')), { nextHeader: 17, hopLimit: 9, src: '::1', dst: '::ffff:10.0.0.1' }), RAW);
    expect(drop).to.equal(null);
    expect(out.ttl).to.equal(9);
    expect(out.protocol).to.equal(17);
    expect(sourceIp(out)).to.equal('::1');
    expect(destinationIp(out)).to.equal('10.0.0.1');
    expect(payloadOf(out).toString()).to.equal('x');
  });

  const cases: Array<[string, Ext[]]> = [
    ['hop-by-hop', [extGeneric(0)]],
    ['routing', [extGeneric(43, 3)]],
    ['destination options', [extGeneric(60, 2)]],
    ['AH', [extAH(3)]],
    ['atomic fragment', [extFragment(0, false, 77)]],
    ['a chain of all of them', [extGeneric(0, 2), extGeneric(60), extGeneric(43), extFragment(0, false, 5), extAH(1), extGeneric(60, 1)]],
  ];
  for (const [name, ext] of cases) {
    it(`walks ${name}`, () => {
      const { drop, out } = decodeFrame(ipv6(tcp({ dport: 8443, payload: Buffer.from('ext') }), { ext }), RAW);
      expect(drop).to.equal(null);
      expect(out.protocol).to.equal(6);
      expect(out.dstPort).to.equal(8443);
      expect(payloadOf(out).toString()).to.equal('ext');
    });
  }

  it('ESP and No Next Header are unsupported_transport', () => {
    let r = decodeFrame(ipv6(Buffer.alloc(32), { nextHeader: 50 }), RAW);
    expect(r.drop).to.equal('unsupported_transport');
    expect(r.out.protocol).to.equal(50);
    expect(r.out.ipVersion).to.equal(6);
    r = decodeFrame(ipv6(Buffer.alloc(0), { nextHeader: 59, ext: [extGeneric(0)] }), RAW);
    expect(r.drop).to.equal('unsupported_transport');
    expect(r.out.protocol).to.equal(59);
  });

  it('clips to the payload length and trusts captured length when it is 0', () => {
    const frame = Buffer.concat([ipv6(tcp({ payload: Buffer.from('abc') })), Buffer.alloc(5)]);
    expect(payloadOf(decodeFrame(frame, RAW).out).toString()).to.equal('abc');
    const jumbo = ipv6(tcp({ payload: Buffer.alloc(70000, 2) }), { payloadLength: 0, ext: [extGeneric(0)] });
    const r = decodeFrame(jumbo, RAW);
    expect(r.drop).to.equal(null);
    expect(r.out.payloadLength).to.equal(70000);
  });

  it('an extension header longer than the payload length is a bad header; one past the capture is truncated', () => {
    const frame = ipv6(tcp(), { ext: [extGeneric(0, 4)], payloadLength: 16 });
    expect(decodeFrame(frame, RAW).drop).to.equal('bad_ip_header');
    const cut = ipv6(tcp(), { ext: [extGeneric(0, 4)] }).subarray(0, 50);
    expect(decodeFrame(cut, RAW).drop).to.equal('truncated');
  });

  it('rejects a wrong version', () => {
    const b = ipv6(tcp());
    b[0] = 0x40;
    expect(decodeFrame(b, LinkType.IPV6).drop).to.equal('bad_ip_header');
  });
});
