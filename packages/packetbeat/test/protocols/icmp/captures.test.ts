import { expect } from 'chai';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { flattenFields } from '@packetbeat-ts/libbeat';
import { icmpPlugin } from '../../../src/protocols/icmp/plugin.js';
import { replayCapture } from '../../../src/testing/replay.js';

/** /work/main → ../shared/pcaps (this file is in packages/packetbeat/{dist/,}test/protocols/icmp). */
const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = here.includes(`${path.sep}dist${path.sep}`) ? path.resolve(here, '../../../../../..') : path.resolve(here, '../../../../..');
const PCAPS = path.resolve(repoRoot, '../shared/pcaps/icmp');

async function replay(name: string): Promise<Record<string, unknown>[]> {
  const docs = await replayCapture(icmpPlugin, path.join(PCAPS, name));
  return docs.map((d) => flattenFields(d));
}

/** Expected values from Elastic's system test test_0060_icmp.py. */
function commonFields(objs: readonly Record<string, unknown>[]): void {
  for (const o of objs) {
    expect(o['type']).to.equal('icmp');
    expect(o['event.dataset']).to.equal('icmp');
    expect(o['source.bytes']).to.equal(4);
    expect(o['destination.bytes']).to.equal(4);
    expect(o).to.not.have.property('server.port');
    expect(o).to.not.have.property('transport');
  }
}

function icmp4Fields(o: Record<string, unknown>): void {
  expect(o).to.include({
    'network.transport': 'icmp',
    'server.ip': '10.0.0.2',
    'client.ip': '10.0.0.1',
    path: '10.0.0.2',
    status: 'OK',
    'icmp.request.message': 'EchoRequest(0)',
    'icmp.request.type': 8,
    'icmp.request.code': 0,
    'icmp.response.message': 'EchoReply(0)',
    'icmp.response.type': 0,
    'icmp.response.code': 0,
  });
}

function icmp6Fields(o: Record<string, unknown>): void {
  expect(o).to.include({
    'network.transport': 'ipv6-icmp',
    'server.ip': '::2',
    'client.ip': '::1',
    path: '::2',
    status: 'OK',
    'icmp.request.message': 'EchoRequest(0)',
    'icmp.request.type': 128,
    'icmp.request.code': 0,
    'icmp.response.message': 'EchoReply(0)',
    'icmp.response.type': 129,
    'icmp.response.code': 0,
  });
}

describe('icmp plugin: Elastic’s captures (test_0060_icmp)', function () {
  before(function () {
    if (!existsSync(PCAPS)) {
      if (process.env['REQUIRE_LIVE'] === '1') throw new Error(`${PCAPS} is absent (REQUIRE_LIVE=1)`);
      console.log(`    (skipped: ${PCAPS} is absent)`);
      this.skip();
    }
  });

  it('icmp_2_pings.pcap: two pings', async () => {
    const objs = await replay('icmp_2_pings.pcap');
    expect(objs).to.have.length(2);
    expect(objs.every((o) => o['icmp.version'] === 4)).to.equal(true);
    expect(objs[0]!['@timestamp']).to.equal('2015-10-19T21:47:49.900Z');
    expect(objs[0]!['event.duration']).to.equal(12152000);
    expect(objs[1]!['@timestamp']).to.equal('2015-10-19T21:47:49.924Z');
    expect(objs[1]!['event.duration']).to.equal(11935000);
    commonFields(objs);
    icmp4Fields(objs[0]!);
    icmp4Fields(objs[1]!);
  });

  it('icmp4_ping.pcap', async () => {
    const objs = await replay('icmp4_ping.pcap');
    expect(objs).to.have.length(1);
    expect(objs[0]!['icmp.version']).to.equal(4);
    expect(objs[0]!['@timestamp']).to.equal('2015-10-19T20:49:23.817Z');
    expect(objs[0]!['event.duration']).to.equal(20130000);
    commonFields(objs);
    icmp4Fields(objs[0]!);
    expect(objs[0]!['network.community_id']).to.be.a('string');
    expect(objs[0]!['network.bytes']).to.equal(8);
    expect(objs[0]!['related.ip']).to.deep.equal(['10.0.0.1', '10.0.0.2']);
  });

  it('icmp4_ping_over_vlan.pcap', async () => {
    const objs = await replay('icmp4_ping_over_vlan.pcap');
    expect(objs).to.have.length(1);
    expect(objs[0]!['icmp.version']).to.equal(4);
    expect(objs[0]!['@timestamp']).to.equal('2015-10-19T20:49:23.849Z');
    expect(objs[0]!['event.duration']).to.equal(12192000);
    commonFields(objs);
    icmp4Fields(objs[0]!);
    expect(objs[0]!['network.vlan.id']).to.equal(10);
  });

  it('icmp6_ping.pcap', async () => {
    const objs = await replay('icmp6_ping.pcap');
    expect(objs).to.have.length(1);
    expect(objs[0]!['icmp.version']).to.equal(6);
    expect(objs[0]!['@timestamp']).to.equal('2015-10-19T20:49:23.872Z');
    expect(objs[0]!['event.duration']).to.equal(16439000);
    commonFields(objs);
    icmp6Fields(objs[0]!);
    expect(objs[0]!['network.type']).to.equal('ipv6');
  });

  it('icmp6_ping_over_vlan.pcap', async () => {
    const objs = await replay('icmp6_ping_over_vlan.pcap');
    expect(objs).to.have.length(1);
    expect(objs[0]!['icmp.version']).to.equal(6);
    expect(objs[0]!['@timestamp']).to.equal('2015-10-19T20:49:23.901Z');
    expect(objs[0]!['event.duration']).to.equal(12333000);
    commonFields(objs);
    icmp6Fields(objs[0]!);
  });
});
