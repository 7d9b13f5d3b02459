import { expect } from 'chai';
import { LinkType } from '../../src/capture/packet-sink.js';
import { TcpFlag } from '../../src/decode/decoded-packet.js';
import { ethernet, icmp, ipv4, ipv6, tcp, udp } from './frame-builder.js';
import { decodeFrame, payloadOf } from './helpers.js';

const ETH = LinkType.ETHERNET;

describe('decode: transport', () => {
  it('TCP fields', () => {
    const seg = tcp({ sport: 51000, dport: 443, seq: 0xfffffff0, ack: 0x80000001, flags: TcpFlag.SYN | TcpFlag.ACK, window: 29200, payload: Buffer.from('data') });
    const { drop, out } = decodeFrame(ethernet(ipv4(seg)), ETH);
    expect(drop).to.equal(null);
    expect(out.protocol).to.equal(6);
    expect(out.srcPort).to.equal(51000);
    expect(out.dstPort).to.equal(443);
    expect(out.tcpSeq).to.equal(0xfffffff0);
    expect(out.tcpAck).to.equal(0x80000001);
    expect(out.tcpFlags & 0x3f).to.equal(TcpFlag.SYN | TcpFlag.ACK);
    expect(out.tcpWindow).to.equal(29200);
    expect(payloadOf(out).toString()).to.equal('data');
  });

  it('TCP options are skipped by the data offset', () => {
    const options = Buffer.from([2, 4, 5, 0xb4, 1, 1, 4, 2, 1, 3, 3, 7]);
    const { drop, out } = decodeFrame(ethernet(ipv6(tcp({ options, flags: TcpFlag.SYN, payload: Buffer.from('z') }), {}), 0x86dd), ETH);
    expect(drop).to.equal(null);
    expect(out.tcpFlags).to.equal(TcpFlag.SYN);
    expect(payloadOf(out).toString()).to.equal('z');
  });

  it('TCP with no payload', () => {
    const { drop, out } = decodeFrame(ethernet(ipv4(tcp({ flags: TcpFlag.FIN | TcpFlag.ACK }))), ETH);
    expect(drop).to.equal(null);
    expect(out.payloadLength).to.equal(0);
    expect(out.tcpFlags).to.equal(TcpFlag.FIN | TcpFlag.ACK);
  });

  it('bad TCP data offsets', () => {
    expect(decodeFrame(ipv4(tcp({ dataOffset: 4 })), LinkType.RAW).drop).to.equal('bad_transport_header');
    expect(decodeFrame(ipv4(tcp({ dataOffset: 15, payload: Buffer.alloc(60) }), { totalLength: 60 }), LinkType.RAW).drop).to.equal(
      'bad_transport_header',
    );
    expect(decodeFrame(ipv4(tcp({ dataOffset: 15 })), LinkType.RAW).drop).to.equal('bad_transport_header');
    // The IP packet is 100 bytes but only 50 were captured: the 60-byte TCP header is cut by the capture.
    expect(decodeFrame(ipv4(tcp({ dataOffset: 15, payload: Buffer.alloc(60) })).subarray(0, 50), LinkType.RAW).drop).to.equal('truncated');
  });

  it('UDP fields and length clipping', () => {
    let r = decodeFrame(ethernet(ipv4(udp(53, 40000, Buffer.from('answer')), { proto: 17 })), ETH);
    expect(r.drop).to.equal(null);
    expect(r.out.srcPort).to.equal(53);
    expect(r.out.dstPort).to.equal(40000);
    expect(payloadOf(r.out).toString()).to.equal('answer');
    // UDP length shorter than the IP payload: clip.
    r = decodeFrame(ipv4(udp(1, 2, Buffer.from('abcdef'), 8 + 3), { proto: 17 }), LinkType.RAW);
    expect(payloadOf(r.out).toString()).to.equal('abc');
    // UDP length 0 (GSO / jumbogram): the IP payload.
    r = decodeFrame(ipv6(udp(1, 2, Buffer.from('abcdef'), 0), { nextHeader: 17 }), LinkType.RAW);
    expect(r.drop).to.equal(null);
    expect(payloadOf(r.out).toString()).to.equal('abcdef');
    // UDP length longer than captured: what was captured.
    r = decodeFrame(ipv4(udp(1, 2, Buffer.from('ab'), 100), { proto: 17 }), LinkType.RAW);
    expect(payloadOf(r.out).toString()).to.equal('ab');
    expect(decodeFrame(ipv4(udp(1, 2, Buffer.from('ab'), 7), { proto: 17 }), LinkType.RAW).drop).to.equal('bad_transport_header');
  });

  it('ICMP and ICMPv6: payload at the type byte, ports 0', () => {
    let r = decodeFrame(ethernet(ipv4(icmp(8, 0, Buffer.from([0, 1, 0, 2, 0x61])), { proto: 1 })), ETH);
    expect(r.drop).to.equal(null);
    expect(r.out.protocol).to.equal(1);
    expect(r.out.srcPort).to.equal(0);
    expect(r.out.dstPort).to.equal(0);
    expect(r.out.payloadLength).to.equal(9);
    expect(r.out.data[r.out.payloadOffset]).to.equal(8);
    r = decodeFrame(ethernet(ipv6(icmp(128, 0), { nextHeader: 58 }), 0x86dd), ETH);
    expect(r.drop).to.equal(null);
    expect(r.out.protocol).to.equal(58);
    expect(r.out.data[r.out.payloadOffset]).to.equal(128);
    expect(decodeFrame(ipv4(Buffer.from([8, 0]), { proto: 1 }), LinkType.RAW).drop).to.equal('bad_transport_header');
    expect(decodeFrame(ipv4(icmp(8, 0), { proto: 1 }).subarray(0, 22), LinkType.RAW).drop).to.equal('truncated');
  });
});
