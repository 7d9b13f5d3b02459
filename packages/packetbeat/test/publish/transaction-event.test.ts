import { expect } from 'chai';
import { compileNetwork, flattenFields } from '@packetbeat-ts/libbeat';
import type { Transaction } from '@packetbeat-ts/protocol-sdk';
import { transactionEvent } from '../../src/publish/transaction-event.js';
import { microsToIso } from '../../src/publish/timestamps.js';

const conn = {
  id: 1,
  transport: 'tcp' as const,
  client: { ip: '172.31.98.49', port: 55874 },
  server: { ip: '93.184.216.34', port: 80 },
  vlans: [],
};

describe('transaction document', () => {
  it('carries the framework fields as Packetbeat writes them (golden http_basicauth)', () => {
    const start = 1424218386_000_000 + 123_456;
    const tx: Transaction = {
      conn,
      status: 'OK',
      start,
      end: start + 18341,
      method: 'GET',
      query: 'GET /',
      path: '/',
      requestBytes: 130,
      responseBytes: 1591,
      user: 'simplesimon',
      hosts: ['www.example.com'],
      fields: { http: { version: '1.1' }, server: { domain: 'www.example.com' }, destination: { domain: 'www.example.com' } },
    };
    const doc = flattenFields(transactionEvent(tx, 'http', []).fields);
    expect(doc).to.include({
      type: 'http',
      status: 'OK',
      method: 'GET',
      query: 'GET /',
      'client.ip': '172.31.98.49',
      'client.port': 55874,
      'client.bytes': 130,
      'server.ip': '93.184.216.34',
      'server.port': 80,
      'server.bytes': 1591,
      'server.domain': 'www.example.com',
      'source.ip': '172.31.98.49',
      'source.bytes': 130,
      'destination.ip': '93.184.216.34',
      'destination.bytes': 1591,
      'destination.domain': 'www.example.com',
      'event.dataset': 'http',
      'event.duration': 18341000,
      'event.kind': 'event',
      'network.bytes': 1721,
      'network.community_id': '1:TMPM5eEnGOXfxAjx6NKlyjx+X10=',
      'network.protocol': 'http',
      'network.transport': 'tcp',
      'network.type': 'ipv4',
      'user.name': 'simplesimon',
      'http.version': '1.1',
    });
    expect(doc['event.category']).to.deep.equal(['network']);
    expect(doc['event.type']).to.deep.equal(['connection', 'protocol']);
    expect(doc['related.ip']).to.deep.equal(['172.31.98.49', '93.184.216.34']);
    expect(doc['related.hosts']).to.deep.equal(['www.example.com']);
    expect(doc['related.user']).to.deep.equal(['simplesimon']);
    expect(doc['event.start']).to.equal('2015-02-18T00:13:06.123456Z');
    expect(doc['network.direction']).to.equal(undefined);
  });

  it('adds network.direction from the internal networks, and notes as error.message', () => {
    const internal = [compileNetwork('private', 'internal_networks')];
    const base: Transaction = { conn, status: 'Error', start: 1, fields: {}, notes: ['Unmatched request'] };
    const out = transactionEvent(base, 'http', internal).fields;
    expect((out['network'] as Record<string, unknown>)['direction']).to.equal('outbound');
    expect(out['error']).to.deep.equal({ message: 'Unmatched request' });
    expect((out['event'] as Record<string, unknown>)['duration']).to.equal(undefined);
    const inbound = transactionEvent({ ...base, conn: { ...conn, client: conn.server, server: conn.client } }, 'http', internal).fields;
    expect((inbound['network'] as Record<string, unknown>)['direction']).to.equal('inbound');
  });

  it('merges a protocol\'s extra related IPs without duplicates (DNS answers)', () => {
    const udp = { ...conn, transport: 'udp' as const, server: { ip: '8.8.8.8', port: 53 }, client: { ip: '172.31.98.49', port: 51958 } };
    const out = flattenFields(
      transactionEvent({ conn: udp, status: 'OK', start: 1, end: 2, requestBytes: 33, responseBytes: 61, fields: { related: { ip: ['8.8.8.8', '2606:2800:220:1:248:1893:25c8:1946'] } } }, 'dns', []).fields,
    );
    expect(out['related.ip']).to.deep.equal(['172.31.98.49', '8.8.8.8', '2606:2800:220:1:248:1893:25c8:1946']);
    expect(out['network.community_id']).to.equal('1:/Zwm1tJot2cAhFAO0OxKQHuXs3Y=');
    expect(out['network.bytes']).to.equal(94);
  });

  it('formats microsecond timestamps', () => {
    expect(microsToIso(0)).to.equal('1970-01-01T00:00:00.000000Z');
    expect(microsToIso(1_000_001.9)).to.equal('1970-01-01T00:00:01.000001Z');
  });
});
