import { expect } from 'chai';
import { formatIPv4, formatIPv6, formatIp, hashFiveTuple, hashPacket } from '../../src/decode/ip-text.js';
import { DecodedPacket } from '../../src/decode/decoded-packet.js';
import { PacketDecoder } from '../../src/decode/decoder.js';
import { ipv4, ipv6, tcp, v4, v6 } from './frame-builder.js';

function fmt6(bytes: number[]): string {
  return formatIPv6(Buffer.from(bytes), 0);
}

function groups(...g: number[]): number[] {
  const out: number[] = [];
  for (const x of g) out.push(x >> 8, x & 0xff);
  return out;
}

describe('ip-text', () => {
  it('IPv4', () => {
    expect(formatIPv4(Buffer.from([0, 0, 0, 0]), 0)).to.equal('0.0.0.0');
    expect(formatIPv4(Buffer.from([9, 192, 168, 1, 255]), 1)).to.equal('192.168.1.255');
    expect(formatIp(Buffer.from([10, 0, 0, 1]), 0, 4)).to.equal('10.0.0.1');
  });

  it('IPv4 text stays right when many addresses share the cache', () => {
    // 70,000 addresses: far more than the cache's slots, so slots are reused.
    const seen = new Map<string, string>();
    for (let i = 0; i < 70_000; i++) {
      const bytes = [(i * 7) & 0xff, (i >> 8) & 0xff, i & 0xff, (i * 13) & 0xff];
      const text = formatIPv4(Buffer.from(bytes), 0);
      expect(text).to.equal(bytes.join('.'));
      seen.set(bytes.join('.'), text);
    }
    // And again, in another order, after the cache was overwritten.
    for (const [expected] of [...seen].reverse().slice(0, 5000)) {
      expect(formatIPv4(Buffer.from(expected.split('.').map(Number)), 0)).to.equal(expected);
    }
  });

  it('IPv6 per RFC 5952', () => {
    expect(fmt6(groups(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1))).to.equal('2001:db8::1');
    expect(fmt6(groups(0, 0, 0, 0, 0, 0, 0, 0))).to.equal('::');
    expect(fmt6(groups(0, 0, 0, 0, 0, 0, 0, 1))).to.equal('::1');
    expect(fmt6(groups(1, 0, 0, 0, 0, 0, 0, 0))).to.equal('1::');
    // Longest run wins.
    expect(fmt6(groups(0x2001, 0, 0, 1, 0, 0, 0, 1))).to.equal('2001:0:0:1::1');
    // Leftmost on ties.
    expect(fmt6(groups(0x2001, 0xdb8, 0, 0, 1, 0, 0, 1))).to.equal('2001:db8::1:0:0:1');
    // No :: for a single zero group.
    expect(fmt6(groups(0x2001, 0xdb8, 0, 1, 1, 1, 1, 1))).to.equal('2001:db8:0:1:1:1:1:1');
    // Lower case, no leading zeros.
    expect(fmt6(groups(0xfe80, 0, 0, 0, 0x0abc, 0x00de, 0xf00d, 0x000f))).to.equal('fe80::abc:de:f00d:f');
    expect(fmt6(groups(0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff))).to.equal(
      'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff',
    );
    // IPv4-mapped.
    // IPv4-mapped prints as Go's net.IP does (what Packetbeat's documents hold).
    expect(fmt6(groups(0, 0, 0, 0, 0, 0xffff, 0xc000, 0x0280))).to.equal('192.0.2.128');
    // Not mapped: IPv4-compatible (deprecated) stays hex; ::ffff:0:x is not mapped.
    expect(fmt6(groups(0, 0, 0, 0, 0, 0, 0xc000, 0x0280))).to.equal('::c000:280');
    expect(fmt6(groups(0, 0, 0, 0, 0xffff, 0, 0xc000, 0x0280))).to.equal('::ffff:0:c000:280');
    expect(formatIPv6(Buffer.concat([Buffer.alloc(3), v6('2001:db8:1:2:3:4:5:6')]), 3)).to.equal('2001:db8:1:2:3:4:5:6');
  });

  it('round trips through the builder parser', () => {
    for (const a of ['2001:db8::1', '::', '::1', 'fe80::1:2', '2001:db8:0:0:1::1', '1:2:3:4:5:6:7::']) {
      expect(formatIp(v6(a), 0, 6)).to.equal(a === '2001:db8:0:0:1::1' ? '2001:db8::1:0:0:1' : a === '1:2:3:4:5:6:7::' ? '1:2:3:4:5:6:7:0' : a);
    }
  });

  it('the 5-tuple hash is symmetric and spreads', () => {
    const b = Buffer.concat([v4('10.0.0.1'), v4('10.0.0.2')]);
    const ab = hashFiveTuple(b, 0, 4, 4, 1234, 80, 6);
    const ba = hashFiveTuple(b, 4, 0, 4, 80, 1234, 6);
    expect(ab).to.equal(ba);
    expect(ab).to.be.at.least(0).and.below(2 ** 32);
    expect(hashFiveTuple(b, 0, 4, 4, 1234, 80, 17)).to.not.equal(ab);
    expect(hashFiveTuple(b, 0, 4, 4, 1235, 80, 6)).to.not.equal(ab);
    // Swapping only the ports is a different flow.
    expect(hashFiveTuple(b, 0, 4, 4, 80, 1234, 6)).to.not.equal(ab);
    const c = Buffer.concat([v6('2001:db8::1'), v6('2001:db8::2')]);
    expect(hashFiveTuple(c, 0, 16, 16, 5, 6, 6)).to.equal(hashFiveTuple(c, 16, 0, 16, 6, 5, 6));
    // Spread: 65536 source ports over 1024 buckets.
    const buckets = new Uint32Array(1024);
    for (let p = 0; p < 65536; p++) buckets[hashFiveTuple(b, 0, 4, 4, p, 80, 6) & 1023]!++;
    expect(Math.max(...buckets)).to.be.below(120);
    expect(Math.min(...buckets)).to.be.above(20);
  });

  it('hashPacket matches for both directions of a decoded connection', () => {
    const dec = new PacketDecoder();
    const out = new DecodedPacket();
    const f1 = ipv6(tcp({ sport: 40000, dport: 443 }), { src: '2001:db8::1', dst: '2001:db8::2' });
    const f2 = ipv6(tcp({ sport: 443, dport: 40000 }), { src: '2001:db8::2', dst: '2001:db8::1' });
    dec.decode(f1, 0, f1.length, f1.length, 0, 0, 101, out);
    const h1 = hashPacket(out);
    dec.decode(f2, 0, f2.length, f2.length, 0, 0, 101, out);
    expect(hashPacket(out)).to.equal(h1);
    const f3 = ipv4(tcp({ sport: 443, dport: 40000 }));
    dec.decode(f3, 0, f3.length, f3.length, 0, 0, 101, out);
    expect(hashPacket(out)).to.not.equal(h1);
  });
});
