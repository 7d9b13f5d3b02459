import { expect } from 'chai';
import { communityId, compileNetwork, flattenFields, parseIP, type BeatEvent } from '@packetbeat-ts/libbeat';
import { DecodedPacket } from '../../src/decode/decoded-packet.js';
import { microsToIso } from '../../src/publish/timestamps.js';
import { makeTable, packet, SEC } from './helpers.js';

const T0 = 1_700_000_000 * SEC; // a multiple of 10 s

function doc(e: BeatEvent): Record<string, unknown> {
  return flattenFields(e.fields);
}

function ip(text: string): Uint8Array {
  const b = parseIP(text);
  if (b === null) throw new Error(text);
  return b;
}

describe('flows: FlowTable', () => {
  describe('flow identity', () => {
    it('counts both directions on one flow, the first packet giving the source', () => {
      const { table, events } = makeTable();
      table.packet(packet({ src: '10.0.0.1', dst: '10.0.0.2', sport: 40000, dport: 80, len: 60 }), T0);
      table.packet(packet({ src: '10.0.0.2', dst: '10.0.0.1', sport: 80, dport: 40000, len: 1500 }), T0 + 1000);
      table.packet(packet({ src: '10.0.0.1', dst: '10.0.0.2', sport: 40000, dport: 80, len: 52 }), T0 + 2000);
      expect(table.counters.active).to.equal(1);
      table.finish(T0 + SEC);
      expect(events).to.have.length(1);
      expect(doc(events[0]!)).to.include({
        'source.ip': '10.0.0.1',
        'source.port': 40000,
        'source.packets': 2,
        'source.bytes': 112,
        'destination.ip': '10.0.0.2',
        'destination.port': 80,
        'destination.packets': 1,
        'destination.bytes': 1500,
        'network.packets': 3,
        'network.bytes': 1612,
      });
    });

    it('keeps separate flows per port, VLAN and protocol', () => {
      const { table, events } = makeTable();
      const base = { src: '10.0.0.1', dst: '10.0.0.2', sport: 40000, dport: 53 };
      const pkt = new DecodedPacket();
      table.packet(packet(base, pkt), T0);
      table.packet(packet({ ...base, sport: 40001 }, pkt), T0);
      table.packet(packet({ ...base, dport: 54 }, pkt), T0);
      table.packet(packet({ ...base, proto: 17 }, pkt), T0);
      table.packet(packet({ ...base, vlan0: 100 }, pkt), T0);
      table.packet(packet({ ...base, vlan0: 100, vlan1: 200 }, pkt), T0);
      table.packet(packet({ ...base, vlan0: 101 }, pkt), T0);
      table.packet(packet({ ...base, dst: '10.0.0.3' }, pkt), T0);
      // A repeat of each: no new flows.
      table.packet(packet({ ...base, proto: 17 }, pkt), T0 + 1);
      table.packet(packet({ src: '10.0.0.2', dst: '10.0.0.1', sport: 53, dport: 40000, vlan0: 100, vlan1: 200 }, pkt), T0 + 1);
      expect(table.counters.active).to.equal(8);
      expect(table.counters.created).to.equal(8);
      table.finish(T0 + SEC);
      expect(events).to.have.length(8);
      const ids = new Set(events.map((e) => doc(e)['flow.id']));
      expect(ids.size).to.equal(8);
      const qinq = events.map(doc).find((d) => Array.isArray(d['flow.vlan']));
      expect(qinq?.['flow.vlan']).to.deep.equal([100, 200]);
      expect(qinq?.['destination.packets']).to.equal(1);
      expect(events.map(doc).filter((d) => d['flow.vlan'] === 100)).to.have.length(1);
      expect(events.map(doc).filter((d) => d['network.transport'] === 'udp')[0]?.['source.packets']).to.equal(2);
    });

    it('tracks IPv6 flows and other IP protocols (no ports)', () => {
      const { table, events } = makeTable();
      table.packet(packet({ src: '2001:db8:0:0:0:0:0:1', dst: '2001:db8:0:0:0:0:0:2', proto: 17, sport: 5353, dport: 53, len: 90 }), T0);
      table.packet(packet({ src: '2001:db8:0:0:0:0:0:2', dst: '2001:db8:0:0:0:0:0:1', proto: 17, sport: 53, dport: 5353, len: 200 }), T0 + 10);
      table.packet(packet({ src: '192.0.2.1', dst: '192.0.2.2', proto: 47, len: 80 }), T0 + 20);
      table.finish(T0 + SEC);
      expect(events).to.have.length(2);
      const v6 = events.map(doc).find((x) => x['network.type'] === 'ipv6');
      const gre = events.map(doc).find((x) => x['network.type'] === 'ipv4');
      expect(v6).to.include({ 'network.type': 'ipv6', 'network.transport': 'udp', 'source.packets': 1, 'destination.packets': 1, 'destination.bytes': 200 });
      expect(gre).to.include({ 'network.type': 'ipv4', 'source.ip': '192.0.2.1', 'source.packets': 1 });
      expect(gre).to.not.have.property('network.transport');
      expect(gre).to.not.have.property('source.port');
      expect(gre?.['network.community_id']).to.equal(communityId({ sourceIP: ip('192.0.2.1'), destinationIP: ip('192.0.2.2'), protocol: 47 }));
    });

    it('puts an ICMP echo request and its reply on one flow per identifier', () => {
      const { table, events } = makeTable();
      table.packet(packet({ src: '10.0.0.1', dst: '10.0.0.2', proto: 1, icmp: [8, 0, 7] }), T0);
      table.packet(packet({ src: '10.0.0.2', dst: '10.0.0.1', proto: 1, icmp: [0, 0, 7] }), T0 + 500);
      table.packet(packet({ src: '10.0.0.1', dst: '10.0.0.2', proto: 1, icmp: [8, 0, 8] }), T0 + 1000);
      table.finish(T0 + SEC);
      expect(events).to.have.length(2);
      const d = events.map(doc).find((x) => x['network.packets'] === 2)!;
      expect(d).to.include({ 'network.transport': 'icmp', 'source.packets': 1, 'destination.packets': 1 });
      expect(d).to.not.have.property('source.port');
      expect(d['network.community_id']).to.equal(
        communityId({ sourceIP: ip('10.0.0.1'), destinationIP: ip('10.0.0.2'), protocol: 1, icmpType: 8, icmpCode: 0 }),
      );
      const v6 = makeTable();
      v6.table.packet(packet({ src: '2001:db8:0:0:0:0:0:1', dst: '2001:db8:0:0:0:0:0:2', proto: 58, icmp: [128, 0, 1] }), T0);
      v6.table.packet(packet({ src: '2001:db8:0:0:0:0:0:2', dst: '2001:db8:0:0:0:0:0:1', proto: 58, icmp: [129, 0, 1] }), T0);
      v6.table.finish(T0);
      expect(v6.events).to.have.length(1);
      expect(doc(v6.events[0]!)).to.include({ 'network.transport': 'ipv6-icmp', 'network.packets': 2 });
    });

    it('ignores packets that are not IP', () => {
      const { table } = makeTable();
      const p = packet({ src: '10.0.0.1', dst: '10.0.0.2' });
      p.ipVersion = 0;
      table.packet(p, T0);
      expect(table.counters.created).to.equal(0);
    });
  });

  describe('reports', () => {
    it('reports active flows every period with cumulative counters, not again while idle, then final after the timeout', () => {
      const { table, events } = makeTable({ periodUs: 10 * SEC, timeoutUs: 30 * SEC });
      const a = { src: '10.0.0.1', dst: '10.0.0.2', sport: 1000, dport: 80 };
      table.packet(packet(a), T0 + 1 * SEC);
      table.tick(T0 + 1 * SEC);
      table.packet(packet(a), T0 + 5 * SEC);
      table.tick(T0 + 9 * SEC);
      expect(events).to.have.length(0);

      table.tick(T0 + 10 * SEC);
      expect(events).to.have.length(1);
      expect(doc(events[0]!)).to.include({ 'flow.final': false, 'source.packets': 2, 'network.packets': 2 });
      expect(doc(events[0]!)['event.type']).to.deep.equal(['connection']);
      expect(events[0]!.timestamp.getTime()).to.equal((T0 + 10 * SEC) / 1000);

      table.packet(packet(a), T0 + 12 * SEC);
      table.tick(T0 + 20 * SEC);
      expect(events).to.have.length(2);
      expect(doc(events[1]!)).to.include({ 'flow.final': false, 'source.packets': 3 });
      expect(doc(events[1]!)['flow.id']).to.equal(doc(events[0]!)['flow.id']);

      // Idle: no report at 30 s or 40 s.
      for (let t = 21; t <= 42; t++) table.tick(T0 + t * SEC);
      expect(events).to.have.length(2);
      expect(table.counters.active).to.equal(1);

      // Idle for more than 30 s after the last packet (12 s): final.
      table.tick(T0 + 43 * SEC);
      expect(events).to.have.length(3);
      const last = doc(events[2]!);
      expect(last).to.include({ 'flow.final': true, 'source.packets': 3 });
      expect(last['event.type']).to.deep.equal(['connection', 'end']);
      expect(table.counters).to.include({ active: 0, expired: 1, created: 1, events: 3 });

      // A new packet of the same 5-tuple starts a new flow.
      table.packet(packet(a), T0 + 44 * SEC);
      expect(table.counters).to.include({ active: 1, created: 2 });
    });

    it('with period <= 0 reports only final flows', () => {
      const { table, events } = makeTable({ periodUs: -1, timeoutUs: 5 * SEC });
      table.packet(packet({ src: '10.0.0.1', dst: '10.0.0.2', sport: 1, dport: 2 }), T0);
      for (let t = 1; t <= 5; t++) {
        table.packet(packet({ src: '10.0.0.3', dst: '10.0.0.4', sport: 1, dport: 2 }), T0 + t * SEC);
        table.tick(T0 + t * SEC);
      }
      expect(events).to.have.length(0);
      table.tick(T0 + 6 * SEC);
      expect(events).to.have.length(1);
      expect(doc(events[0]!)).to.include({ 'flow.final': true, 'source.ip': '10.0.0.1' });
      table.finish(T0 + 7 * SEC);
      expect(events).to.have.length(2);
      expect(doc(events[1]!)).to.include({ 'flow.final': true, 'source.ip': '10.0.0.3', 'source.packets': 5 });
    });

    it('finish reports every flow as final, including ones already reported', () => {
      const { table, events } = makeTable();
      table.packet(packet({ src: '10.0.0.1', dst: '10.0.0.2', sport: 1, dport: 2 }), T0 + SEC);
      table.packet(packet({ src: '10.0.0.1', dst: '10.0.0.2', sport: 3, dport: 4 }), T0 + SEC);
      table.tick(T0 + 10 * SEC);
      expect(events).to.have.length(2);
      table.finish(T0 + 11 * SEC);
      expect(events).to.have.length(4);
      expect(events.slice(2).map((e) => doc(e)['flow.final'])).to.deep.equal([true, true]);
      expect(table.counters.active).to.equal(0);
      table.finish(T0 + 12 * SEC);
      expect(events).to.have.length(4);
    });

    it('a flow expired and a period report at the same tick give one final report', () => {
      const { table, events } = makeTable({ periodUs: 10 * SEC, timeoutUs: 5 * SEC });
      table.packet(packet({ src: '10.0.0.1', dst: '10.0.0.2', sport: 1, dport: 2 }), T0 + 2 * SEC);
      table.tick(T0 + 10 * SEC);
      expect(events).to.have.length(1);
      expect(doc(events[0]!)['flow.final']).to.equal(true);
    });
  });

  describe('document', () => {
    it('has the fields of Packetbeat flow events', () => {
      const internal = [compileNetwork('private', 'internal_networks')];
      const { table, events } = makeTable({ internalNetworks: internal.map((n) => (b: Uint8Array) => n(b)) });
      const macs: [number[], number[]] = [[1, 2, 3, 4, 5, 6], [6, 5, 4, 3, 2, 0xab]];
      table.packet(packet({ src: '10.1.2.3', dst: '93.184.216.34', sport: 38901, dport: 80, len: 74, vlan0: 171, macs }), T0 + 123_456);
      table.packet(packet({ src: '93.184.216.34', dst: '10.1.2.3', sport: 80, dport: 38901, len: 400, vlan0: 171, macs: [macs[1], macs[0]] }), T0 + 3 * SEC + 654_321);
      table.finish(T0 + 5 * SEC);
      const e = events[0]!;
      const d = doc(e);
      expect(e.timestamp.getTime()).to.equal((T0 + 5 * SEC) / 1000);
      expect(d).to.include({
        type: 'flow',
        'event.kind': 'event',
        'event.action': 'network_flow',
        'event.dataset': 'flow',
        'event.start': microsToIso(T0 + 123_456),
        'event.end': microsToIso(T0 + 3 * SEC + 654_321),
        'event.duration': 3_530_865_000,
        'flow.final': true,
        'flow.vlan': 171,
        'source.ip': '10.1.2.3',
        'source.port': 38901,
        'source.mac': '01-02-03-04-05-06',
        'source.bytes': 74,
        'source.packets': 1,
        'destination.ip': '93.184.216.34',
        'destination.port': 80,
        'destination.mac': '06-05-04-03-02-AB',
        'destination.bytes': 400,
        'destination.packets': 1,
        'network.type': 'ipv4',
        'network.transport': 'tcp',
        'network.bytes': 474,
        'network.packets': 2,
        'network.direction': 'outbound',
        'network.community_id': communityId({ sourceIP: ip('10.1.2.3'), destinationIP: ip('93.184.216.34'), protocol: 6, sourcePort: 38901, destinationPort: 80 }),
      });
      expect(d['event.start']).to.match(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
      expect(d['event.category']).to.deep.equal(['network']);
      expect(d['event.type']).to.deep.equal(['connection', 'end']);
      expect(d['related.ip']).to.deep.equal(['10.1.2.3', '93.184.216.34']);
      expect(d['flow.id']).to.be.a('string').and.match(/^[A-Za-z0-9_-]+$/);
    });

    it('gives a flow the same id in every report and different flows different ids', () => {
      const ids: string[] = [];
      for (let run = 0; run < 2; run++) {
        const { table, events } = makeTable();
        table.packet(packet({ src: '10.0.0.1', dst: '10.0.0.2', sport: 1, dport: 2 }), T0);
        table.packet(packet({ src: '10.0.0.2', dst: '10.0.0.1', sport: 2, dport: 1 }), T0);
        table.tick(T0 + 10 * SEC);
        table.finish(T0 + 11 * SEC);
        ids.push(...events.map((e) => String(doc(e)['flow.id'])));
      }
      expect(new Set(ids).size).to.equal(1);
      const { table, events } = makeTable();
      table.packet(packet({ src: '10.0.0.2', dst: '10.0.0.1', sport: 2, dport: 1 }), T0);
      table.finish(T0);
      expect(doc(events[0]!)['flow.id']).to.not.equal(ids[0]);
    });

    it('leaves out MACs when the frame is not Ethernet and direction without internal networks', () => {
      const { table, events } = makeTable();
      table.packet(packet({ src: '10.0.0.1', dst: '10.0.0.2', sport: 1, dport: 2 }), T0);
      table.finish(T0);
      const d = doc(events[0]!);
      expect(d).to.not.have.property('source.mac');
      expect(d).to.not.have.property('network.direction');
      expect(d).to.not.have.property('flow.vlan');
      expect(d['event.duration']).to.equal(0);
    });
  });

  describe('limits and hashing', () => {
    it('drops new flows beyond maxFlows, still counting known ones', () => {
      const { table, events } = makeTable({ maxFlows: 3, initialCapacity: 1 });
      const pkt = new DecodedPacket();
      for (let p = 1; p <= 5; p++) table.packet(packet({ src: '10.0.0.1', dst: '10.0.0.2', sport: p, dport: 80 }, pkt), T0);
      table.packet(packet({ src: '10.0.0.2', dst: '10.0.0.1', sport: 80, dport: 2 }, pkt), T0);
      expect(table.counters).to.include({ active: 3, created: 3, dropped: 2 });
      expect(table.allocatedSlots).to.equal(16);
      table.finish(T0);
      expect(events.map((e) => Number(doc(e)['network.packets'])).sort()).to.deep.equal([1, 1, 2]);
    });

    it('keeps flows with equal hashes apart by their keys (every flow hashes to 0)', () => {
      const { table, events } = makeTable({ hashMask: 0, maxFlows: 100, initialCapacity: 2, timeoutUs: 5 * SEC, periodUs: -1 });
      const pkt = new DecodedPacket();
      for (let round = 0; round < 3; round++) {
        for (let p = 1; p <= 50; p++) {
          table.packet(packet({ src: '10.0.0.1', dst: '10.0.0.2', sport: p, dport: 80, len: p }, pkt), T0);
          table.packet(packet({ src: '10.0.0.2', dst: '10.0.0.1', sport: 80, dport: p, len: 1 }, pkt), T0);
        }
      }
      expect(table.counters).to.include({ active: 50, created: 50 });
      // Expire the even ports (removals from the middle of one probe run), keep the odd ones alive.
      for (let p = 1; p <= 50; p += 2) table.packet(packet({ src: '10.0.0.1', dst: '10.0.0.2', sport: p, dport: 80, len: p }, pkt), T0 + 4 * SEC);
      table.tick(T0 + 6 * SEC);
      expect(table.counters).to.include({ active: 25, expired: 25 });
      // Freed records and the shifted run still resolve to the right flows.
      for (let p = 51; p <= 60; p++) table.packet(packet({ src: '10.0.0.1', dst: '10.0.0.2', sport: p, dport: 80, len: p }, pkt), T0 + 6 * SEC);
      for (let p = 1; p <= 50; p += 2) table.packet(packet({ src: '10.0.0.2', dst: '10.0.0.1', sport: 80, dport: p, len: 1 }, pkt), T0 + 6 * SEC);
      table.finish(T0 + 7 * SEC);
      const byPort = new Map(events.map((e) => [doc(e)['source.port'], doc(e)] as const));
      expect(byPort.size).to.equal(60);
      for (let p = 1; p <= 60; p++) {
        const d = byPort.get(p)!;
        if (p > 50) expect(d).to.include({ 'source.packets': 1, 'destination.packets': 0 });
        else if (p % 2 === 1) expect(d).to.include({ 'source.packets': 4, 'source.bytes': 4 * p, 'destination.packets': 4 });
        else expect(d).to.include({ 'source.packets': 3, 'source.bytes': 3 * p, 'destination.packets': 3 });
      }
    });

    it('grows from a small capacity without losing flows', () => {
      const { table, events } = makeTable({ maxFlows: 10_000, initialCapacity: 4 });
      const pkt = new DecodedPacket();
      for (let i = 0; i < 5000; i++) {
        table.packet(packet({ src: `10.0.${i >> 8}.${i & 0xff}`, dst: '10.1.0.1', sport: 1000 + i, dport: 443 }, pkt), T0);
      }
      for (let i = 0; i < 5000; i++) {
        table.packet(packet({ dst: `10.0.${i >> 8}.${i & 0xff}`, src: '10.1.0.1', dport: 1000 + i, sport: 443 }, pkt), T0);
      }
      expect(table.counters).to.include({ active: 5000, created: 5000 });
      table.finish(T0);
      expect(events.every((e) => doc(e)['network.packets'] === 2)).to.equal(true);
    });
  });
});
