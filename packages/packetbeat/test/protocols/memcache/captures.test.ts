import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { flattenFields } from '@packetbeat-ts/libbeat';
import { replayCapture } from '../../../src/testing/replay.js';
import { memcachePlugin } from '../../../src/protocols/memcache/plugin.js';

type Doc = Record<string, unknown>;

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../../..');
const pcapDir = path.resolve(repoRoot, '../shared/pcaps/memcache');

async function run(name: string, config: Record<string, unknown> = {}): Promise<Doc[]> {
  const docs = await replayCapture(memcachePlugin, path.join(pcapDir, name), { config: { ports: [11211], ...config } });
  return docs.map((d) => flattenFields(d));
}

function common(objs: Doc[], transport: 'tcp' | 'udp', protocol: 'text' | 'binary'): void {
  for (const o of objs) {
    expect(o['client.ip']).to.equal('192.168.188.37');
    expect(o['server.ip']).to.equal('192.168.188.38');
    expect(o['server.port']).to.equal(11211);
    expect(o['type']).to.equal('memcache');
    expect(o['network.transport']).to.equal(transport);
    expect(o['network.protocol']).to.equal('memcache');
    expect(o['memcache.protocol_type']).to.equal(protocol);
    expect(o['event.dataset']).to.equal('memcache');
    expect(o['network.community_id']).to.be.a('string');
  }
}

const byKey = (objs: Doc[]): Record<string, Doc> => Object.fromEntries(objs.map((o): [string, Doc] => [String((o['memcache.request.keys'] as string[])[0]), o]));
const byCommand = (objs: Doc[]): Doc[] => [...objs].sort((a, b) => String(a['memcache.request.command']).localeCompare(String(b['memcache.request.command'])));
const at = (objs: Doc[], i: number): Doc => objs[i] as Doc;

describe('memcache captures (Elastic system tests test_0030/0031/0032/0033)', function () {
  before(function () {
    if (!fs.existsSync(pcapDir)) {
      if (process.env['REQUIRE_LIVE'] === '1') throw new Error(`captures missing: ${pcapDir} (REQUIRE_LIVE=1)`);
      console.log(`      skipped: captures missing at ${pcapDir}`);
      this.skip();
    }
  });

  describe('text over TCP', () => {
    it('single store and load', async () => {
      const objs = await run('memcache_text_tcp_single_load_store.pcap');
      common(objs, 'tcp', 'text');
      expect(objs).to.have.length(3);
      expect(objs.every((o) => o['status'] === 'OK')).to.equal(true);
      const set = at(objs, 0);
      expect(set).to.include({
        'memcache.request.command': 'set', 'memcache.request.type': 'Store', 'memcache.request.exptime': 0,
        'memcache.request.bytes': 2046, 'memcache.request.count_values': 1, 'memcache.request.noreply': false,
        'memcache.response.type': 'Success', 'memcache.response.command': 'STORED', 'event.action': 'memcache.store', 'event.outcome': 'success',
      });
      expect(set['memcache.request.keys']).to.deep.equal(['test_key']);
      expect(set['client.bytes']).to.equal(2071);
      expect(set['server.bytes']).to.equal(8);
      const get = at(objs, 1);
      expect(get).to.include({ 'memcache.request.command': 'get', 'memcache.request.type': 'Load', 'memcache.response.type': 'Load', 'memcache.response.count_values': 1 });
      expect(get['memcache.request.keys']).to.deep.equal(['test_key']);
      expect(get['memcache.response.keys']).to.deep.equal(['test_key']);
      expect(get['memcache.response.bytes']).to.equal(2046);
      expect(get['memcache.response.values']).to.equal(undefined); // maxvalues 0
      expect(at(objs, 2)['memcache.request.command']).to.equal('quit');
      expect(get['event.duration']).to.be.a('number').and.to.be.greaterThan(0);
    });

    it('multi store and multi-key load', async () => {
      const objs = await run('memcache_text_tcp_multi_store_load.pcap');
      common(objs, 'tcp', 'text');
      expect(objs.every((o) => o['status'] === 'OK')).to.equal(true);
      const sets = byKey(objs.slice(0, 3));
      expect(Object.keys(sets).sort()).to.deep.equal(['k1', 'k2', 'k3']);
      expect([sets['k1']?.['memcache.request.bytes'], sets['k2']?.['memcache.request.bytes'], sets['k3']?.['memcache.request.bytes']]).to.deep.equal([100, 20, 10]);
      expect(Object.values(sets).every((o) => o['memcache.response.type'] === 'Success')).to.equal(true);
      const get = at(objs, 3);
      expect(get['memcache.request.keys']).to.deep.equal(['x', 'k1', 'k2', 'k3', 'y']);
      expect(get['memcache.response.keys']).to.deep.equal(['k1', 'k2', 'k3']);
      expect(get['memcache.response.bytes']).to.equal(130);
      expect(get['memcache.response.count_values']).to.equal(3);
    });

    it('multi-key load publishes values with maxvalues / maxbytespervalue', async () => {
      const objs = await run('memcache_text_tcp_multi_store_load.pcap', { maxvalues: -1, maxbytespervalue: 4 });
      const get = at(objs, 3);
      const values = get['memcache.response.values'] as string[];
      expect(values).to.have.length(3);
      for (const v of values) expect(Buffer.from(v, 'base64').length).to.equal(4);
      const two = at(await run('memcache_text_tcp_multi_store_load.pcap', { maxvalues: 2 }), 3);
      expect(two['memcache.response.values']).to.have.length(2);
      expect(two['memcache.response.count_values']).to.equal(3);
      expect(at(objs, 0)['memcache.request.values']).to.have.length(1);
    });

    it('counter ops', async () => {
      const objs = await run('memcache_text_tcp_counter_ops.pcap');
      common(objs, 'tcp', 'text');
      expect(objs).to.have.length(5);
      expect(objs.every((o) => o['status'] === 'OK')).to.equal(true);
      const [set, inc, dec, get] = objs as [Doc, Doc, Doc, Doc, Doc];
      expect(set).to.include({ 'memcache.request.command': 'set', 'memcache.request.type': 'Store' });
      expect(set['memcache.request.keys']).to.deep.equal(['cnt']);
      expect(inc).to.include({ 'memcache.request.command': 'incr', 'memcache.request.delta': 2, 'memcache.response.value': 2, 'memcache.response.command': '<counter_op_res>' });
      expect(inc['memcache.request.keys']).to.deep.equal(['cnt']);
      expect(dec).to.include({ 'memcache.request.command': 'decr', 'memcache.request.delta': 5, 'memcache.response.value': 0 });
      expect(get).to.include({ 'memcache.request.command': 'get', 'memcache.request.type': 'Load' });
      expect(get['memcache.request.keys']).to.deep.equal(['cnt']);
    });

    it('delete', async () => {
      const objs = await run('memcache_text_tcp_delete.pcap');
      common(objs, 'tcp', 'text');
      expect(objs).to.have.length(4);
      expect(objs.every((o) => o['status'] === 'OK')).to.equal(true);
      const [set, del, get] = objs as [Doc, Doc, Doc, Doc];
      expect(set['memcache.request.keys']).to.deep.equal(['key']);
      expect(del).to.include({ 'memcache.request.command': 'delete', 'memcache.request.type': 'Delete', 'memcache.response.type': 'Success', 'event.action': 'memcache.delete' });
      expect(del['memcache.request.keys']).to.deep.equal(['key']);
      expect(get).to.include({ 'memcache.request.command': 'get', 'memcache.request.type': 'Load', 'memcache.response.command': 'END' });
    });

    it('stats', async () => {
      const objs = await run('memcache_text_tcp_stats.pcap');
      common(objs, 'tcp', 'text');
      expect(objs).to.have.length(4);
      expect(objs.every((o) => o['status'] === 'OK')).to.equal(true);
      const trans = at(objs, 2);
      expect(trans).to.include({ 'memcache.request.command': 'stats', 'memcache.request.raw_args': '', 'memcache.request.type': 'Stats', 'memcache.response.command': 'STAT', 'memcache.response.type': 'Stats' });
      const entries = trans['memcache.response.stats'] as Array<{ name: string; value: string }>;
      expect(entries.length).to.be.greaterThan(10);
      expect(entries.every((e) => e.name !== '' && e.value !== '')).to.equal(true);
      expect(entries.map((e) => e.name)).to.include('pid');
    });
  });

  describe('binary over TCP', () => {
    it('single store and load', async () => {
      const objs = await run('memcache_bin_tcp_single_load_store.pcap');
      common(objs, 'tcp', 'binary');
      expect(objs.every((o) => o['status'] === 'OK')).to.equal(true);
      const set = at(objs, 0);
      expect(set).to.include({
        'memcache.request.opcode': 'Set', 'memcache.request.command': 'set', 'memcache.request.type': 'Store', 'memcache.request.exptime': 0,
        'memcache.request.bytes': 2046, 'memcache.request.count_values': 1, 'memcache.response.opcode': 'Set', 'memcache.response.status': 'Success',
      });
      expect(set['memcache.request.keys']).to.deep.equal(['test_key']);
      expect(set).to.have.property('memcache.response.cas_unique');
      expect(set['memcache.request.opaque']).to.equal(set['memcache.response.opaque']);
      const get = at(objs, 1);
      expect(get).to.include({ 'memcache.request.opcode': 'GetK', 'memcache.request.command': 'get', 'memcache.request.type': 'Load', 'memcache.response.type': 'Load', 'memcache.response.count_values': 1, 'memcache.response.bytes': 2046 });
      expect(get['memcache.response.keys']).to.deep.equal(['test_key']);
      expect(get).to.have.property('memcache.response.cas_unique');
      expect(get['memcache.request.opaque']).to.equal(get['memcache.response.opaque']);
    });

    it('multi store and quiet loads (GetKQ pipelined up to a No-op)', async () => {
      const objs = await run('memcache_bin_tcp_multi_store_load.pcap');
      common(objs, 'tcp', 'binary');
      expect(objs.every((o) => o['status'] === 'OK')).to.equal(true);
      const sets = byKey(objs.slice(0, 3));
      expect(Object.keys(sets).sort()).to.deep.equal(['k1', 'k2', 'k3']);
      expect([sets['k1']?.['memcache.request.bytes'], sets['k2']?.['memcache.request.bytes'], sets['k3']?.['memcache.request.bytes']]).to.deep.equal([100, 20, 10]);
      for (const o of Object.values(sets)) {
        expect(o).to.include({ 'memcache.request.opcode': 'Set', 'memcache.response.status': 'Success' });
        expect(o).to.have.property('memcache.response.cas_unique');
        expect(o['memcache.request.opaque']).to.equal(o['memcache.response.opaque']);
      }
      const gets = byKey(objs.slice(3, 8));
      expect(Object.keys(gets).sort()).to.deep.equal(['k1', 'k2', 'k3', 'x', 'y']);
      for (const o of Object.values(gets)) expect(o).to.include({ 'memcache.request.opcode': 'GetKQ', 'memcache.request.command': 'get', 'memcache.request.quiet': true });
      expect(gets['x']).to.not.have.property('memcache.response.opcode');
      expect(gets['y']).to.not.have.property('memcache.response.opcode');
      for (const k of ['k1', 'k2', 'k3']) {
        const o = gets[k] as Doc;
        expect(o).to.have.property('memcache.response.cas_unique');
        expect(o['memcache.response.status']).to.equal('Success');
        expect(o['memcache.request.opaque']).to.equal(o['memcache.response.opaque']);
      }
      const noop = at(objs, 8);
      expect(noop['memcache.request.command']).to.equal('noop');
      expect(noop['memcache.request.opaque']).to.equal(noop['memcache.response.opaque']);
    });

    it('counter ops', async () => {
      const objs = await run('memcache_bin_tcp_counter_ops.pcap');
      common(objs, 'tcp', 'binary');
      expect(objs).to.have.length(5);
      expect(objs.every((o) => o['status'] === 'OK')).to.equal(true);
      const [set, inc, dec, get] = objs as [Doc, Doc, Doc, Doc, Doc];
      expect(set).to.include({ 'memcache.request.opcode': 'Set', 'memcache.request.bytes': 1, 'memcache.request.count_values': 1, 'memcache.response.status': 'Success' });
      expect(inc).to.include({ 'memcache.request.opcode': 'Increment', 'memcache.request.command': 'incr', 'memcache.request.delta': 2, 'memcache.request.initial': 0, 'memcache.response.value': 2 });
      expect(inc['memcache.request.opaque']).to.equal(inc['memcache.response.opaque']);
      expect(dec).to.include({ 'memcache.request.opcode': 'Decrement', 'memcache.request.command': 'decr', 'memcache.request.delta': 5, 'memcache.request.initial': 0, 'memcache.response.value': 0 });
      expect(get).to.include({ 'memcache.request.opcode': 'GetK', 'memcache.response.count_values': 1, 'memcache.response.bytes': 1 });
      expect(get['memcache.response.keys']).to.deep.equal(['cnt']);
    });

    it('delete, then a get of the deleted key is an Error', async () => {
      const objs = await run('memcache_bin_tcp_delete.pcap');
      common(objs, 'tcp', 'binary');
      expect(objs).to.have.length(4);
      const [set, del, get] = objs as [Doc, Doc, Doc, Doc];
      expect(set).to.include({ status: 'OK', 'memcache.request.opcode': 'Set' });
      expect(del).to.include({ status: 'OK', 'memcache.request.opcode': 'Delete', 'memcache.request.type': 'Delete', 'memcache.response.status': 'Success' });
      expect(get).to.include({ status: 'Error', 'memcache.request.command': 'get', 'memcache.request.type': 'Load', 'memcache.response.status': 'Key not found', 'memcache.response.status_code': 1 });
      expect(get).to.not.have.property('event.outcome');
    });

    it('stats', async () => {
      const objs = await run('memcache_bin_tcp_stats.pcap');
      common(objs, 'tcp', 'binary');
      expect(objs.every((o) => o['status'] === 'OK')).to.equal(true);
      const trans = at(objs, 2);
      expect(trans).to.include({ 'memcache.request.opcode': 'Stat', 'memcache.request.command': 'stats', 'memcache.request.type': 'Stats', 'memcache.response.type': 'Stats' });
      expect(trans['memcache.request.opaque']).to.equal(trans['memcache.response.opaque']);
      const entries = trans['memcache.response.stats'] as Array<{ name: string; value: string }>;
      expect(entries.length).to.be.greaterThan(10);
      expect(entries.every((e) => e.name !== '' && e.value !== '')).to.equal(true);
    });
  });

  describe('over UDP', () => {
    const udp = { udptransactiontimeout: '200ms' };

    it('text single store (noreply)', async () => {
      const objs = await run('memcache_text_udp_single_store.pcap', udp);
      common(objs, 'udp', 'text');
      expect(objs).to.have.length(1);
      expect(at(objs, 0)).to.include({ status: 'OK', 'memcache.request.command': 'set', 'memcache.request.type': 'Store', 'memcache.request.exptime': 0, 'memcache.request.bytes': 1024, 'memcache.request.count_values': 1, 'memcache.request.noreply': true });
      expect(at(objs, 0)['memcache.request.keys']).to.deep.equal(['test_key']);
    });

    it('text multi store, delete, counter ops', async () => {
      const multi = await run('memcache_text_udp_multi_store.pcap', udp);
      common(multi, 'udp', 'text');
      expect(multi).to.have.length(3);
      const sets = byKey(multi);
      expect([sets['k1']?.['memcache.request.bytes'], sets['k2']?.['memcache.request.bytes'], sets['k3']?.['memcache.request.bytes']]).to.deep.equal([100, 20, 10]);
      expect(multi.every((o) => o['memcache.request.noreply'] === true && o['status'] === 'OK')).to.equal(true);

      const del = await run('memcache_text_udp_delete.pcap', udp);
      common(del, 'udp', 'text');
      expect(del).to.have.length(2);
      const [d, s] = byCommand(del) as [Doc, Doc];
      expect(d).to.include({ 'memcache.request.command': 'delete', 'memcache.request.type': 'Delete', 'memcache.request.noreply': true });
      expect(s).to.include({ 'memcache.request.command': 'set', 'memcache.request.type': 'Store', 'memcache.request.noreply': true });

      const ctr = await run('memcache_text_udp_counter_ops.pcap', udp);
      common(ctr, 'udp', 'text');
      expect(ctr).to.have.length(3);
      const [dec, inc, set] = byCommand(ctr) as [Doc, Doc, Doc];
      expect(set['memcache.request.keys']).to.deep.equal(['cnt']);
      expect(inc).to.include({ 'memcache.request.command': 'incr', 'memcache.request.delta': 2, 'memcache.request.noreply': true });
      expect(dec).to.include({ 'memcache.request.command': 'decr', 'memcache.request.delta': 5, 'memcache.request.noreply': true });
    });

    it('binary quiet store, multi store, delete, counter ops', async () => {
      const one = await run('memcache_bin_udp_single_store.pcap', udp);
      common(one, 'udp', 'binary');
      expect(one).to.have.length(1);
      expect(at(one, 0)).to.include({ status: 'OK', 'memcache.request.opcode': 'SetQ', 'memcache.request.command': 'set', 'memcache.request.bytes': 1024, 'memcache.request.count_values': 1, 'memcache.request.quiet': true });

      const multi = await run('memcache_bin_udp_multi_store.pcap', udp);
      expect(multi).to.have.length(3);
      const sets = byKey(multi);
      expect([sets['k1']?.['memcache.request.bytes'], sets['k2']?.['memcache.request.bytes'], sets['k3']?.['memcache.request.bytes']]).to.deep.equal([100, 20, 10]);
      expect(multi.every((o) => o['memcache.request.opcode'] === 'SetQ' && o['memcache.request.quiet'] === true)).to.equal(true);

      const del = await run('memcache_bin_udp_delete.pcap', udp);
      expect(del).to.have.length(2);
      const [d, s] = byCommand(del) as [Doc, Doc];
      expect(d).to.include({ 'memcache.request.opcode': 'DeleteQ', 'memcache.request.command': 'delete', 'memcache.request.quiet': true });
      expect(s).to.include({ 'memcache.request.opcode': 'SetQ', 'memcache.request.quiet': true });

      const ctr = await run('memcache_bin_udp_counter_ops.pcap', udp);
      common(ctr, 'udp', 'binary');
      expect(ctr).to.have.length(3);
      expect(ctr.every((o) => o['status'] === 'OK')).to.equal(true);
      const [dec, inc, set] = byCommand(ctr) as [Doc, Doc, Doc];
      expect(set).to.include({ 'memcache.request.opcode': 'SetQ' });
      expect(inc).to.include({ 'memcache.request.opcode': 'IncrementQ', 'memcache.request.delta': 2, 'memcache.request.quiet': true });
      expect(dec).to.include({ 'memcache.request.opcode': 'DecrementQ', 'memcache.request.delta': 5, 'memcache.request.quiet': true });
    });

    it('default udptransactiontimeout (10s) still reports everything at the end of the capture', async () => {
      const objs = await run('memcache_bin_udp_counter_ops.pcap');
      expect(objs).to.have.length(3);
    });
  });
});
