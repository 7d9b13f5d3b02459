import { expect } from 'chai';
import { cidrContains, compareBytes, parseCIDR, parseIP } from '../../src/conditions/ip.js';

const bytes = (ip: string): number[] | null => {
  const b = parseIP(ip);
  return b === null ? null : Array.from(b);
};

describe('conditions: IP parsing', () => {
  it('parses IPv4 like Go (no leading zeros)', () => {
    expect(bytes('192.168.0.1')).to.deep.equal([192, 168, 0, 1]);
    expect(bytes('0.0.0.0')).to.deep.equal([0, 0, 0, 0]);
    for (const bad of ['256.1.1.1', '1.2.3', '1.2.3.4.5', '01.2.3.4', '1..2.3', ' 1.2.3.4', 'a.b.c.d', '']) {
      expect(parseIP(bad), bad).to.equal(null);
    }
  });

  it('parses IPv6 forms, mapping ::ffff:a.b.c.d to IPv4', () => {
    expect(bytes('::')).to.deep.equal(new Array<number>(16).fill(0));
    expect(bytes('::1')).to.deep.equal([...new Array<number>(15).fill(0), 1]);
    expect(bytes('2001:db8::ff00:42:8329')).to.deep.equal([0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0xff, 0x00, 0x00, 0x42, 0x83, 0x29]);
    expect(bytes('fe80:0001:0203:0405:0607:0809:0A0B:0C0D')).to.have.length(16);
    expect(bytes('::ffff:10.1.2.3')).to.deep.equal([10, 1, 2, 3]);
    expect(bytes('64:ff9b::1.2.3.4')).to.have.length(16);
    for (const bad of ['1:2:3:4:5:6:7:8:9', '1::2::3', '12345::', 'fe80::1%eth0', ':1:2', 'g::1', '1:2:3:4:5:6:7:8::']) {
      expect(parseIP(bad), bad).to.equal(null);
    }
  });

  it('parses CIDRs and tests membership', () => {
    const net = parseCIDR('172.16.0.0/12');
    expect(net).to.not.equal(null);
    if (net === null) return;
    expect(cidrContains(net, parseIP('172.31.1.1') ?? new Uint8Array())).to.equal(true);
    expect(cidrContains(net, parseIP('172.32.1.1') ?? new Uint8Array())).to.equal(false);
    expect(parseCIDR('::ffff:10.0.0.0/104')).to.deep.equal({ bytes: Uint8Array.from([10, 0, 0, 0]), prefix: 8 });
    for (const bad of ['10.0.0.0', '10.0.0.0/', '10.0.0.0/33', '::/129', 'x/8', '10.0.0.0/-1']) {
      expect(parseCIDR(bad), bad).to.equal(null);
    }
  });

  it('compares bytes lexicographically', () => {
    expect(compareBytes(Uint8Array.from([1, 2]), Uint8Array.from([1, 3]))).to.equal(-1);
    expect(compareBytes(Uint8Array.from([2]), Uint8Array.from([1, 9]))).to.equal(1);
    expect(compareBytes(Uint8Array.from([1, 2]), Uint8Array.from([1, 2]))).to.equal(0);
  });
});
