import { expect } from 'chai';
import { LinkType } from '../../src/capture/packet-sink.js';
import { PacketDecoder } from '../../src/decode/decoder.js';
import { sourceIp, destinationIp } from '../../src/decode/ip-text.js';
import { ethernet, ipv4, ipv6, nullLink, sll, sll2, tcp } from './frame-builder.js';
import { decodeFrame, payloadOf } from './helpers.js';

const tcp4 = ipv4(tcp({ payload: Buffer.from('hello') }), { src: '192.168.1.1', dst: '192.168.1.2' });
const tcp6 = ipv6(tcp({ payload: Buffer.from('hello6') }), { src: '2001:db8::a', dst: 'fe80::1' });

describe('decode: link layers', () => {
  it('Ethernet IPv4 and IPv6', () => {
    let { drop, out } = decodeFrame(ethernet(tcp4), LinkType.ETHERNET);
    expect(drop).to.equal(null);
    expect(out.ipVersion).to.equal(4);
    expect(out.vlan0).to.equal(-1);
    expect(out.vlan1).to.equal(-1);
    expect(sourceIp(out)).to.equal('192.168.1.1');
    expect(destinationIp(out)).to.equal('192.168.1.2');
    expect(payloadOf(out).toString()).to.equal('hello');
    ({ drop, out } = decodeFrame(ethernet(tcp6, 0x86dd), LinkType.ETHERNET));
    expect(drop).to.equal(null);
    expect(out.ipVersion).to.equal(6);
    expect(sourceIp(out)).to.equal('2001:db8::a');
    expect(destinationIp(out)).to.equal('fe80::1');
    expect(payloadOf(out).toString()).to.equal('hello6');
  });

  it('802.1Q VLAN fills vlan0', () => {
    const { drop, out } = decodeFrame(ethernet(tcp4, 0x0800, [{ vid: 100 }]), LinkType.ETHERNET);
    expect(drop).to.equal(null);
    expect(out.vlan0).to.equal(100);
    expect(out.vlan1).to.equal(-1);
    expect(payloadOf(out).toString()).to.equal('hello');
  });

  for (const tpid of [0x88a8, 0x9100, 0x8100]) {
    it(`QinQ with outer TPID 0x${tpid.toString(16)} fills vlan0 and vlan1`, () => {
      const { drop, out } = decodeFrame(ethernet(tcp6, 0x86dd, [{ tpid, vid: 4094 }, { vid: 7 }]), LinkType.ETHERNET);
      expect(drop).to.equal(null);
      expect(out.vlan0).to.equal(4094);
      expect(out.vlan1).to.equal(7);
      expect(out.ipVersion).to.equal(6);
    });
  }

  it('a third VLAN tag is walked but not recorded', () => {
    const { drop, out } = decodeFrame(ethernet(tcp4, 0x0800, [{ tpid: 0x88a8, vid: 1 }, { vid: 2 }, { vid: 3 }]), LinkType.ETHERNET);
    expect(drop).to.equal(null);
    expect([out.vlan0, out.vlan1]).to.deep.equal([1, 2]);
  });

  it('VLAN priority bits are not part of the id', () => {
    const { out } = decodeFrame(ethernet(tcp4, 0x0800, [{ vid: 0xe000 | 42 }]), LinkType.ETHERNET);
    expect(out.vlan0).to.equal(42);
  });

  it('non-IP ethertypes are not_ip', () => {
    expect(decodeFrame(ethernet(Buffer.alloc(28), 0x0806), LinkType.ETHERNET).drop).to.equal('not_ip');
    expect(decodeFrame(ethernet(Buffer.alloc(28), 0x0806, [{ vid: 5 }]), LinkType.ETHERNET).drop).to.equal('not_ip');
    expect(decodeFrame(ethernet(Buffer.alloc(40), 0x0026), LinkType.ETHERNET).drop).to.equal('not_ip'); // 802.3 length
  });

  it('PPPoE session and MPLS carry IP', () => {
    const pppoe = Buffer.concat([Buffer.from([0x11, 0, 0, 1, 0, tcp4.length + 2, 0x00, 0x21]), tcp4]);
    expect(decodeFrame(ethernet(pppoe, 0x8864), LinkType.ETHERNET).drop).to.equal(null);
    const mpls = Buffer.concat([Buffer.from([0, 1, 0, 64, 0, 2, 1, 64]), tcp6]);
    const r = decodeFrame(ethernet(mpls, 0x8847), LinkType.ETHERNET);
    expect(r.drop).to.equal(null);
    expect(r.out.ipVersion).to.equal(6);
  });

  it('Linux SLL and SLL2', () => {
    let r = decodeFrame(sll(tcp4), LinkType.LINUX_SLL);
    expect(r.drop).to.equal(null);
    expect(payloadOf(r.out).toString()).to.equal('hello');
    r = decodeFrame(sll(tcp6, 0x86dd), LinkType.LINUX_SLL);
    expect(r.drop).to.equal(null);
    expect(r.out.ipVersion).to.equal(6);
    r = decodeFrame(sll(Buffer.concat([Buffer.from([0, 9, 0x08, 0x00]), tcp4]), 0x8100), LinkType.LINUX_SLL);
    expect(r.drop).to.equal(null);
    expect(r.out.vlan0).to.equal(9);
    r = decodeFrame(sll2(tcp4), LinkType.LINUX_SLL2);
    expect(r.drop).to.equal(null);
    expect(payloadOf(r.out).toString()).to.equal('hello');
    r = decodeFrame(sll2(tcp6, 0x86dd), LinkType.LINUX_SLL2);
    expect(r.drop).to.equal(null);
    expect(r.out.ipVersion).to.equal(6);
    expect(decodeFrame(sll(Buffer.alloc(28), 0x0806), LinkType.LINUX_SLL).drop).to.equal('not_ip');
    expect(decodeFrame(sll2(Buffer.alloc(28), 0x0806), LinkType.LINUX_SLL2).drop).to.equal('not_ip');
  });

  it('BSD null in both byte orders and LOOP', () => {
    for (const le of [true, false]) {
      const r4 = decodeFrame(nullLink(tcp4, 2, le), LinkType.NULL);
      expect(r4.drop).to.equal(null);
      expect(r4.out.ipVersion).to.equal(4);
      for (const af6 of [24, 28, 30]) {
        const r6 = decodeFrame(nullLink(tcp6, af6, le), LinkType.NULL);
        expect(r6.drop, `AF ${af6} ${le ? 'LE' : 'BE'}`).to.equal(null);
        expect(r6.out.ipVersion).to.equal(6);
      }
      expect(decodeFrame(nullLink(tcp4, 7, le), LinkType.NULL).drop).to.equal('not_ip');
    }
    expect(decodeFrame(nullLink(tcp4, 2, false), LinkType.LOOP).drop).to.equal(null);
    expect(decodeFrame(nullLink(tcp6, 30, false), LinkType.LOOP).out.ipVersion).to.equal(6);
  });

  it('raw IP link types', () => {
    expect(decodeFrame(tcp4, LinkType.RAW).out.ipVersion).to.equal(4);
    expect(decodeFrame(tcp6, LinkType.RAW).out.ipVersion).to.equal(6);
    expect(decodeFrame(tcp4, 12).drop).to.equal(null); // DLT_RAW
    expect(decodeFrame(tcp4, LinkType.IPV4).drop).to.equal(null);
    expect(decodeFrame(tcp6, LinkType.IPV6).drop).to.equal(null);
    expect(decodeFrame(tcp6, LinkType.IPV4).drop).to.equal('bad_ip_header');
    expect(decodeFrame(tcp4, LinkType.IPV6).drop).to.equal('bad_ip_header');
    expect(decodeFrame(Buffer.from([0x50, 0, 0, 0]), LinkType.RAW).drop).to.equal('bad_ip_header');
  });

  it('unknown link types are unsupported_link and counted', () => {
    const dec = new PacketDecoder();
    expect(decodeFrame(tcp4, 147, dec).drop).to.equal('unsupported_link');
    expect(decodeFrame(ethernet(Buffer.alloc(28), 0x0806), LinkType.ETHERNET, dec).drop).to.equal('not_ip');
    expect(decodeFrame(ethernet(ipv4(Buffer.alloc(8), { proto: 47 })), LinkType.ETHERNET, dec).drop).to.equal('unsupported_transport');
    expect(decodeFrame(ethernet(tcp4), LinkType.ETHERNET, dec).drop).to.equal(null);
    expect(dec.dropCount('unsupported_link')).to.equal(1);
    expect(dec.dropCount('not_ip')).to.equal(1);
    expect(dec.decoded).to.equal(1);
    expect(dec.drops).to.deep.equal({
      truncated: 0,
      unsupported_link: 1,
      not_ip: 1,
      bad_ip_header: 0,
      bad_transport_header: 0,
      unsupported_transport: 1,
      fragment_pending: 0,
      fragment_dropped: 0,
    });
  });

  it('fills the packet metadata and resets fields of the reused instance', () => {
    const dec = new PacketDecoder();
    const { out } = decodeFrame(ethernet(tcp4, 0x0800, [{ vid: 3 }]), LinkType.ETHERNET, dec);
    expect(out.vlan0).to.equal(3);
    expect(out.tsSec).to.equal(1000);
    expect(out.tsNsec).to.equal(500);
    expect(out.linkType).to.equal(1);
    expect(out.origLen).to.equal(14 + 4 + tcp4.length);
    decodeFrame(ethernet(Buffer.alloc(28), 0x0806), LinkType.ETHERNET, dec, 1, out);
    expect(out.vlan0).to.equal(-1);
    expect(out.ipVersion).to.equal(0);
    expect(out.srcPort).to.equal(0);
    expect(out.payloadLength).to.equal(0);
  });
});
