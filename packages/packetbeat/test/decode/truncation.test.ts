import { expect } from 'chai';
import { LinkType } from '../../src/capture/packet-sink.js';
import { DecodedPacket } from '../../src/decode/decoded-packet.js';
import { PacketDecoder } from '../../src/decode/decoder.js';
import { ethernet, extAH, extFragment, extGeneric, icmp, ipv4, ipv6, nullLink, sll, sll2, tcp, udp } from './frame-builder.js';

/** Frames whose every strict prefix must decode to 'truncated'. */
const frames: Array<[string, number, Buffer]> = [
  ['Ethernet/IPv4/TCP with options', LinkType.ETHERNET, ethernet(ipv4(tcp({ options: Buffer.alloc(8, 1) }), { options: Buffer.alloc(4, 1) }))],
  ['QinQ/IPv6/UDP', LinkType.ETHERNET, ethernet(ipv6(udp(1, 2, Buffer.alloc(0)), { nextHeader: 17 }), 0x86dd, [{ tpid: 0x88a8, vid: 1 }, { vid: 2 }])],
  [
    'Ethernet/IPv6 ext chain/TCP',
    LinkType.ETHERNET,
    ethernet(ipv6(tcp(), { ext: [extGeneric(0), extGeneric(43, 2), extFragment(0, false, 1), extAH(2), extGeneric(60)] }), 0x86dd),
  ],
  ['SLL/IPv4/ICMP', LinkType.LINUX_SLL, sll(ipv4(icmp(0, 0, Buffer.alloc(0)), { proto: 1 }))],
  ['SLL2/IPv6/ICMPv6', LinkType.LINUX_SLL2, sll2(ipv6(icmp(1, 4, Buffer.alloc(0)), { nextHeader: 58 }), 0x86dd)],
  ['NULL/IPv4/TCP', LinkType.NULL, nullLink(ipv4(tcp()), 2, true)],
  ['RAW/IPv6/TCP', LinkType.RAW, ipv6(tcp())],
];

describe('decode: truncation and garbage', () => {
  for (const [name, linkType, frame] of frames) {
    it(`${name}: every prefix is truncated, the whole frame decodes`, () => {
      const dec = new PacketDecoder();
      const out = new DecodedPacket();
      expect(dec.decode(frame, 0, frame.length, frame.length, 1, 0, linkType, out)).to.equal(null);
      for (let n = 0; n < frame.length; n++) {
        // Also with trailing bytes in the buffer past capLen: they must not be read.
        const buf = Buffer.concat([frame.subarray(0, n), Buffer.alloc(64, 0xff)]);
        expect(dec.decode(buf, 0, n, frame.length, 1, 0, linkType, out), `${n} bytes`).to.equal('truncated');
      }
      expect(dec.dropCount('truncated')).to.equal(frame.length);
    });
  }

  it('capLen past the end of the buffer and negative values do not throw', () => {
    const dec = new PacketDecoder();
    const out = new DecodedPacket();
    const frame = ethernet(ipv4(tcp()));
    expect(dec.decode(frame, frame.length - 4, 1000, 1000, 1, 0, 1, out)).to.equal('truncated');
    expect(dec.decode(frame, 0, 1000, 1000, 1, 0, 1, out)).to.equal(null);
    expect(dec.decode(frame, -1, 10, 10, 1, 0, 1, out)).to.equal('truncated');
    expect(dec.decode(frame, 0, -5, 10, 1, 0, 1, out)).to.equal('truncated');
    expect(dec.decode(frame, 500, 10, 10, 1, 0, 1, out)).to.equal('truncated');
  });

  it('random truncations and random bytes never throw', () => {
    const dec = new PacketDecoder({ fragments: { maxPending: 16 } });
    const out = new DecodedPacket();
    let seed = 12345;
    const rnd = (n: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return (seed >>> 8) % n;
    };
    const linkTypes = [0, 1, 12, 101, 108, 113, 228, 229, 276, 147];
    let n = 0;
    for (let iter = 0; iter < 20000; iter++) {
      const [, linkType, base] = frames[rnd(frames.length)]!;
      const frame = Buffer.from(base);
      // Mutate a few bytes (sometimes none), then cut at a random length.
      const flips = rnd(4);
      for (let i = 0; i < flips; i++) frame[rnd(frame.length)] = rnd(256);
      const cut = rnd(frame.length + 1);
      dec.decode(frame, 0, cut, frame.length, iter >> 6, 0, linkType, out);
      // Pure garbage on every link type.
      const junk = Buffer.alloc(rnd(120));
      for (let i = 0; i < junk.length; i++) junk[i] = rnd(256);
      // Make garbage look like IP more often.
      if (junk.length > 0 && rnd(2) === 0) junk[0] = rnd(2) === 0 ? 0x45 : 0x60;
      dec.decode(junk, 0, junk.length, junk.length, iter >> 6, 0, linkTypes[rnd(linkTypes.length)]!, out);
      if (out.payloadOffset + out.payloadLength > out.data.length) throw new Error('payload past the buffer');
      n += 2;
    }
    const total = Object.values(dec.drops).reduce((a, b) => a + b, 0) + dec.decoded - (dec.fragments?.fragmentsDiscarded ?? 0);
    expect(total).to.equal(n);
  });
});
