import { existsSync, readFileSync } from 'node:fs';
import { expect } from 'chai';
import { DecodedPacket, type DecodeDrop } from '../../src/decode/decoded-packet.js';
import { PacketDecoder } from '../../src/decode/decoder.js';
import { destinationIp, sourceIp } from '../../src/decode/ip-text.js';

const PCAPS = '/work/shared/pcaps';
// Record counts as tcpdump -r reports them.
const VLAN_PACKETS = 2;
const THRIFT_PACKETS = 41;
const BASICAUTH_PACKETS = 23;

interface Summary {
  linkType: number;
  packets: number;
  results: Map<DecodeDrop | 'ok', number>;
  vlans: Set<number>;
  addresses: Set<string>;
  ports: Set<number>;
  payloadBytes: number;
}

/** Reads a classic pcap file (either byte order, µs or ns) and decodes each record. */
function decodePcap(path: string): Summary {
  const buf = readFileSync(path);
  const magic = buf.readUInt32LE(0);
  const le = magic === 0xa1b2c3d4 || magic === 0xa1b23c4d;
  if (!le && buf.readUInt32BE(0) !== 0xa1b2c3d4 && buf.readUInt32BE(0) !== 0xa1b23c4d) throw new Error(`${path}: not a pcap file`);
  const nanos = (le ? magic : buf.readUInt32BE(0)) === 0xa1b23c4d;
  const rd = (o: number): number => (le ? buf.readUInt32LE(o) : buf.readUInt32BE(o));
  const linkType = rd(20) & 0x0fffffff;
  const dec = new PacketDecoder();
  const out = new DecodedPacket();
  const s: Summary = { linkType, packets: 0, results: new Map(), vlans: new Set(), addresses: new Set(), ports: new Set(), payloadBytes: 0 };
  let off = 24;
  while (off + 16 <= buf.length) {
    const sec = rd(off);
    const frac = rd(off + 4);
    const incl = rd(off + 8);
    const orig = rd(off + 12);
    off += 16;
    if (off + incl > buf.length) break;
    const r = dec.decode(buf, off, incl, orig, sec, nanos ? frac : frac * 1000, linkType, out);
    s.packets++;
    s.results.set(r ?? 'ok', (s.results.get(r ?? 'ok') ?? 0) + 1);
    if (r === null) {
      if (out.vlan0 >= 0) s.vlans.add(out.vlan0);
      s.addresses.add(sourceIp(out)).add(destinationIp(out));
      s.ports.add(out.srcPort).add(out.dstPort);
      s.payloadBytes += out.payloadLength;
      expect(out.payloadOffset + out.payloadLength).to.be.at.most(off + incl);
    }
    off += incl;
  }
  return s;
}

describe('decode: sample pcap files', function () {
  before(function () {
    if (!existsSync(PCAPS)) {
      console.log(`    (skipped: ${PCAPS} is absent)`);
      this.skip();
    }
  });

  it('http_over_vlan.pcap: 802.1Q id 1 on every packet, all decode', () => {
    const s = decodePcap(`${PCAPS}/http_over_vlan.pcap`);
    expect(s.linkType).to.equal(1);
    expect(s.packets).to.equal(VLAN_PACKETS);
    expect([...s.results.keys()]).to.deep.equal(['ok']);
    expect([...s.vlans]).to.deep.equal([1]);
    expect(s.addresses).to.deep.equal(new Set(['10.0.0.9', '10.0.0.6']));
    expect(s.ports).to.deep.equal(new Set([60335, 8080]));
  });

  it('ipv6_thrift.pcap: all IPv6, all decode', () => {
    const s = decodePcap(`${PCAPS}/ipv6_thrift.pcap`);
    expect(s.packets).to.equal(THRIFT_PACKETS);
    expect([...s.results.keys()]).to.deep.equal(['ok']);
    expect([...s.addresses]).to.deep.equal(['::1']);
    expect(s.ports.has(9090)).to.equal(true);
    expect(s.payloadBytes).to.be.greaterThan(0);
  });

  it('http_basicauth.pcap: all decode, port 80', () => {
    const s = decodePcap(`${PCAPS}/http_basicauth.pcap`);
    expect(s.packets).to.equal(BASICAUTH_PACKETS);
    expect([...s.results.keys()]).to.deep.equal(['ok']);
    expect(s.addresses.has('93.184.216.34')).to.equal(true);
    expect(s.ports.has(53)).to.equal(true);
    expect(s.ports.has(80)).to.equal(true);
    expect(s.payloadBytes).to.be.greaterThan(0);
  });
});
