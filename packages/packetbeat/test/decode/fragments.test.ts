import { expect } from 'chai';
import { LinkType } from '../../src/capture/packet-sink.js';
import { DecodedPacket, type DecodeDrop } from '../../src/decode/decoded-packet.js';
import { PacketDecoder } from '../../src/decode/decoder.js';
import { destinationIp, sourceIp } from '../../src/decode/ip-text.js';
import { ethernet, extFragment, extGeneric, ipv4, ipv6, udp, type Ipv4Opts } from './frame-builder.js';
import { payloadOf } from './helpers.js';

const ETH = LinkType.ETHERNET;

/** A UDP datagram of `size` payload bytes with a recognisable pattern. */
function datagram(size: number, sport = 5000): Buffer {
  const payload = Buffer.alloc(size);
  for (let i = 0; i < size; i++) payload[i] = (i * 7 + 3) & 0xff;
  return udp(sport, 53, payload);
}

/** Splits an IP payload into IPv4 fragments of `chunk` bytes (multiple of 8). */
function frags4(ipPayload: Buffer, chunk: number, o: Ipv4Opts = {}): Buffer[] {
  const out: Buffer[] = [];
  for (let off = 0; off < ipPayload.length; off += chunk) {
    const part = ipPayload.subarray(off, Math.min(ipPayload.length, off + chunk));
    out.push(ethernet(ipv4(part, { proto: 17, id: 4242, ...o, fragOffset: off, mf: off + chunk < ipPayload.length })));
  }
  return out;
}

function frag4(ipPayload: Buffer, from: number, to: number, more: boolean, o: Ipv4Opts = {}): Buffer {
  return ethernet(ipv4(ipPayload.subarray(from, to), { proto: 17, id: 4242, ...o, fragOffset: from, mf: more }));
}

function frags6(ipPayload: Buffer, chunk: number, id = 99): Buffer[] {
  const out: Buffer[] = [];
  for (let off = 0; off < ipPayload.length; off += chunk) {
    const part = ipPayload.subarray(off, Math.min(ipPayload.length, off + chunk));
    const more = off + chunk < ipPayload.length;
    out.push(ethernet(ipv6(part, { nextHeader: 17, ext: [extGeneric(0), extFragment(off, more, id)], src: 'fe80::1', dst: 'ff02::fb' }), 0x86dd));
  }
  return out;
}

function run(dec: PacketDecoder, frames: Buffer[], tsSec = 100, out = new DecodedPacket()): Array<DecodeDrop | null> {
  return frames.map((f) => dec.decode(f, 0, f.length, f.length, tsSec, 0, ETH, out));
}

function expectDatagram(out: DecodedPacket, size: number): void {
  expect(out.reassembled).to.equal(true);
  expect(out.protocol).to.equal(17);
  expect(out.srcPort).to.equal(5000);
  expect(out.dstPort).to.equal(53);
  expect(payloadOf(out).equals(datagram(size).subarray(8))).to.equal(true);
}

describe('decode: IP fragment reassembly', () => {
  it('IPv4 in order', () => {
    const dec = new PacketDecoder();
    const out = new DecodedPacket();
    const frames = frags4(datagram(3000), 1480, { src: '10.1.1.1', dst: '10.2.2.2', ttl: 33 });
    expect(frames.length).to.equal(3);
    expect(run(dec, frames, 100, out)).to.deep.equal(['fragment_pending', 'fragment_pending', null]);
    expectDatagram(out, 3000);
    expect(sourceIp(out)).to.equal('10.1.1.1');
    expect(destinationIp(out)).to.equal('10.2.2.2');
    expect(out.ttl).to.equal(33);
    expect(dec.reassembled).to.equal(1);
    expect(dec.dropCount('fragment_pending')).to.equal(2);
    expect(dec.fragments?.pendingCount).to.equal(0);
  });

  it('IPv4 reversed and shuffled', () => {
    const frames = frags4(datagram(5000), 512);
    const dec = new PacketDecoder();
    const out = new DecodedPacket();
    const res = run(dec, [...frames].reverse(), 100, out);
    expect(res.slice(0, -1).every((r) => r === 'fragment_pending')).to.equal(true);
    expect(res.at(-1)).to.equal(null);
    expectDatagram(out, 5000);
    const order = [3, 7, 0, 9, 1, 8, 2, 6, 4, 5];
    const res2 = run(dec, order.map((i) => frames[i]!), 100, out);
    expect(res2.at(-1)).to.equal(null);
    expectDatagram(out, 5000);
  });

  it('overlapping and duplicated fragments: bytes first received win', () => {
    const p = datagram(2000);
    const dec = new PacketDecoder();
    const out = new DecodedPacket();
    // Overlapping pieces covering [0, 2008): [0,800) [400,1200) [1200,1600) dup [400,1200) [1000,2008 last).
    const frames = [frag4(p, 0, 800, true), frag4(p, 400, 1200, true), frag4(p, 1200, 1600, true), frag4(p, 400, 1200, true), frag4(p, 1000, 2008, false)];
    expect(run(dec, frames, 100, out)).to.deep.equal(['fragment_pending', 'fragment_pending', 'fragment_pending', 'fragment_pending', null]);
    expectDatagram(out, 2000);

    // A later overlap with different bytes does not rewrite what was received.
    const forged = Buffer.from(p);
    forged.fill(0x41, 100, 300);
    const res = run(dec, [frag4(p, 0, 400, true), frag4(forged, 96, 400, true), frag4(p, 400, 2008, false)], 100, out);
    expect(res.at(-1)).to.equal(null);
    expectDatagram(out, 2000);
  });

  it('IPv6 fragments (with a hop-by-hop header before the fragment header)', () => {
    const dec = new PacketDecoder();
    const out = new DecodedPacket();
    const frames = frags6(datagram(4000), 1232);
    expect(frames.length).to.equal(4);
    const res = run(dec, [frames[2]!, frames[0]!, frames[3]!, frames[1]!], 100, out);
    expect(res).to.deep.equal(['fragment_pending', 'fragment_pending', 'fragment_pending', null]);
    expectDatagram(out, 4000);
    expect(out.ipVersion).to.equal(6);
    expect(sourceIp(out)).to.equal('fe80::1');
    expect(destinationIp(out)).to.equal('ff02::fb');
  });

  it('keeps datagrams apart by id, addresses, protocol and IP version', () => {
    const dec = new PacketDecoder();
    const out = new DecodedPacket();
    const a = frags4(datagram(1000), 512, { id: 1 });
    const b = frags4(datagram(1000, 6000), 512, { id: 2 });
    const c = frags4(datagram(1000), 512, { id: 1, src: '10.9.9.9' });
    expect(run(dec, [a[0]!, b[0]!, c[0]!], 100, out)).to.deep.equal(['fragment_pending', 'fragment_pending', 'fragment_pending']);
    expect(dec.fragments?.pendingCount).to.equal(3);
    expect(run(dec, [b[1]!], 100, out)).to.deep.equal([null]);
    expect(out.srcPort).to.equal(6000);
    expect(run(dec, [a[1]!, c[1]!], 100, out)).to.deep.equal([null, null]);
    expect(dec.fragments?.pendingCount).to.equal(0);
  });

  it('drops a datagram larger than 64 KiB (and one over the configured limit)', () => {
    const dec = new PacketDecoder();
    const out = new DecodedPacket();
    const big = Buffer.alloc(65520); // 8 fragments of 8192 bytes; the last one ends past 65515
    const frames = frags4(big, 8192);
    expect(frames.length).to.equal(8);
    const res = run(dec, frames, 100, out);
    expect(res.slice(0, -1).every((r) => r === 'fragment_pending')).to.equal(true);
    expect(res.at(-1)).to.equal('fragment_dropped');
    expect(dec.fragments?.pendingCount).to.equal(0);
    // The 7 pending fragments were discarded with it.
    expect(dec.dropCount('fragment_dropped')).to.equal(1 + 7);

    const small = new PacketDecoder({ fragments: { maxDatagramBytes: 2000 } });
    expect(run(small, frags4(datagram(3000), 1480), 100, out)).to.deep.equal(['fragment_pending', 'fragment_dropped', 'fragment_dropped']);
  });

  it('drops inconsistent datagrams (two different ends, data past the end)', () => {
    const p = datagram(2000);
    const dec = new PacketDecoder();
    expect(run(dec, [frag4(p, 0, 800, true), frag4(p, 1000, 1600, false), frag4(p, 800, 1800, false)])).to.deep.equal([
      'fragment_pending',
      'fragment_pending',
      'fragment_dropped',
    ]);
    expect(run(dec, [frag4(p, 800, 1600, false), frag4(p, 1600, 2008, true)])).to.deep.equal(['fragment_pending', 'fragment_dropped']);
    expect(dec.fragments?.datagramsInvalid).to.equal(2);
    expect(dec.dropCount('fragment_dropped')).to.equal(2 + 3);
  });

  it('expires pending fragments after 30 s of packet time', () => {
    const dec = new PacketDecoder();
    const out = new DecodedPacket();
    const frames = frags4(datagram(3000), 1480);
    run(dec, [frames[0]!], 1000, out);
    run(dec, [frames[1]!], 1029, out);
    expect(dec.fragments?.pendingCount).to.equal(1);
    // Any packet 30 s after the first fragment expires it, not only fragments.
    const other = ethernet(ipv4(datagram(10), { proto: 17 }));
    expect(dec.decode(other, 0, other.length, other.length, 1030, 0, ETH, out)).to.equal(null);
    expect(dec.fragments?.pendingCount).to.equal(0);
    expect(dec.fragments?.datagramsExpired).to.equal(1);
    expect(dec.dropCount('fragment_dropped')).to.equal(2);
    // The last fragment alone now starts a new datagram.
    expect(run(dec, [frames[2]!], 1031, out)).to.deep.equal(['fragment_pending']);
    // expire() can be called directly.
    dec.expire(1060);
    expect(dec.fragments?.pendingCount).to.equal(1);
    dec.expire(1061);
    expect(dec.fragments?.pendingCount).to.equal(0);
    expect(dec.dropCount('fragment_dropped')).to.equal(3);
  });

  it('evicts the oldest datagram when too many are pending', () => {
    const dec = new PacketDecoder({ fragments: { maxPending: 4 } });
    const out = new DecodedPacket();
    for (let id = 1; id <= 6; id++) run(dec, [frags4(datagram(1000), 512, { id })[0]!], 100 + id, out);
    expect(dec.fragments?.pendingCount).to.equal(4);
    expect(dec.fragments?.datagramsEvicted).to.equal(2);
    // id 1 was evicted: its second half starts a new datagram; id 6 completes.
    expect(run(dec, [frags4(datagram(1000), 512, { id: 1 })[1]!], 110, out)).to.deep.equal(['fragment_pending']);
    expect(run(dec, [frags4(datagram(1000), 512, { id: 6 })[1]!], 110, out)).to.deep.equal([null]);
  });

  it('a fragment cut by the capture is truncated; reassembly can be disabled', () => {
    const dec = new PacketDecoder();
    const f = frags4(datagram(3000), 1480)[0]!;
    expect(dec.decode(f, 0, 600, f.length, 1, 0, ETH, new DecodedPacket())).to.equal('truncated');
    const off = new PacketDecoder({ fragments: false });
    expect(off.decode(f, 0, f.length, f.length, 1, 0, ETH, new DecodedPacket())).to.equal('fragment_dropped');
  });

  it('a pending fragment still reports its IP fields', () => {
    const dec = new PacketDecoder();
    const out = new DecodedPacket();
    run(dec, [frags4(datagram(3000), 1480, { src: '1.1.1.1' })[1]!], 100, out);
    expect(out.ipVersion).to.equal(4);
    expect(sourceIp(out)).to.equal('1.1.1.1');
    expect(out.protocol).to.equal(17);
    expect(out.reassembled).to.equal(false);
  });
});
