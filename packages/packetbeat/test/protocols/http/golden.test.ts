import { expect } from 'chai';
import { existsSync, readFileSync } from 'node:fs';
import type { Direction } from '@packetbeat-ts/protocol-sdk';
import { doc, harness, only } from './harness.js';

const PCAP = '/work/shared/pcaps/http_basicauth.pcap';
const GOLDEN = '/work/shared/golden/http_basic_auth-expected.json';

interface Segment {
  us: number;
  dir: Direction;
  payload: Buffer;
  fin: boolean;
}

/** A tiny classic-pcap (µs, little-endian) + Ethernet/VLAN + IPv4 + TCP walk: the port-80 segments. */
function tcpSegments(file: string, serverPort: number): { segments: Segment[]; client: { ip: string; port: number }; server: { ip: string; port: number } } {
  const b = readFileSync(file);
  if (b.readUInt32LE(0) !== 0xa1b2c3d4) throw new Error('expected a little-endian µs pcap');
  const segments: Segment[] = [];
  let client = { ip: '', port: 0 };
  let server = { ip: '', port: 0 };
  for (let o = 24; o + 16 <= b.length; ) {
    const us = b.readUInt32LE(o) * 1e6 + b.readUInt32LE(o + 4);
    const caplen = b.readUInt32LE(o + 8);
    const p = b.subarray(o + 16, o + 16 + caplen);
    o += 16 + caplen;
    let e = 14;
    let type = p.readUInt16BE(12);
    while (type === 0x8100) {
      type = p.readUInt16BE(e + 2);
      e += 4;
    }
    if (type !== 0x0800 || p[e + 9] !== 6) continue;
    const ihl = (p[e]! & 0x0f) * 4;
    const total = p.readUInt16BE(e + 2);
    const src = [...p.subarray(e + 12, e + 16)].join('.');
    const dst = [...p.subarray(e + 16, e + 20)].join('.');
    const t = e + ihl;
    const sport = p.readUInt16BE(t);
    const dport = p.readUInt16BE(t + 2);
    if (sport !== serverPort && dport !== serverPort) continue;
    const dir: Direction = dport === serverPort ? 0 : 1;
    if (dir === 0) {
      client = { ip: src, port: sport };
      server = { ip: dst, port: dport };
    }
    const dataOffset = (p[t + 12]! >> 4) * 4;
    segments.push({ us, dir, payload: Buffer.from(p.subarray(t + dataOffset, e + total)), fin: (p[t + 13]! & 0x01) !== 0 });
  }
  return { segments, client, server };
}

const PROTOCOL_KEY = /^(http|url|user)\.|^(method|query|status|type)$/;

describe('http plugin: golden file http_basic_auth', function () {
  before(function () {
    if (!existsSync(PCAP) || !existsSync(GOLDEN)) {
      console.log(`    (skipped: ${PCAP} or ${GOLDEN} is absent)`);
      this.skip();
    }
  });

  it('publishes the golden document’s protocol fields from http_basicauth.pcap', () => {
    const golden = (JSON.parse(readFileSync(GOLDEN, 'utf8')) as Record<string, unknown>[]).find((d) => d['type'] === 'http');
    if (golden === undefined) throw new Error('no http document in the golden file');
    const { segments, client, server } = tcpSegments(PCAP, 80);
    // The golden document has every header: it was made with send_all_headers.
    const h = harness({ send_all_headers: true }, { id: 7, transport: 'tcp', client, server, vlans: [] });
    for (const s of segments) {
      h.at(s.us);
      if (s.payload.length > 0) h.send(s.dir, s.payload);
      if (s.fin) h.fin(s.dir);
    }
    h.close();
    const tx = only(h.reported);
    const ours = doc(tx);

    const expected = Object.fromEntries(Object.entries(golden).filter(([k]) => PROTOCOL_KEY.test(k)));
    const got = Object.fromEntries(Object.entries(ours).filter(([k]) => PROTOCOL_KEY.test(k)));
    expect(got).to.deep.equal(expected);

    // Fields the framework derives from the transaction.
    expect(tx.requestBytes).to.equal(golden['client.bytes']);
    expect(tx.responseBytes).to.equal(golden['destination.bytes']);
    expect(((tx.end ?? 0) - tx.start) * 1000).to.equal(golden['event.duration']);
    expect(tx.hosts).to.deep.equal(golden['related.hosts']);
    expect([tx.user]).to.deep.equal(golden['related.user']);
    expect(ours['destination.domain']).to.equal(golden['destination.domain']);
    expect(ours['user_agent.original']).to.equal(golden['user_agent.original']);
    expect(tx.notes).to.equal(undefined);
  });
});
