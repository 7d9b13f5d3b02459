import { expect } from 'chai';
import { flattenFields } from '@packetbeat-ts/libbeat';
import type { Transaction } from '@packetbeat-ts/protocol-sdk';
import { transactionEvent } from '../../../src/publish/transaction-event.js';
import { messageText } from '../../../src/protocols/icmp/messages.js';
import { DUPLICATE_REQUEST, ORPHANED_REQUEST, ORPHANED_RESPONSE } from '../../../src/protocols/icmp/tracker.js';
import { harness, icmp4ErrorQuotingEcho, icmp6ErrorQuotingEcho, icmpMessage, idMessage, neighbor } from './harness.js';

function only(txs: readonly Transaction[]): Transaction {
  expect(txs).to.have.length(1);
  return txs[0]!;
}

function doc(tx: Transaction): Record<string, unknown> {
  const event = transactionEvent(tx, 'icmp', []);
  return { '@timestamp': event.timestamp.toISOString(), ...flattenFields(event.fields) };
}

describe('icmp plugin: messages', () => {
  it('words messages as Packetbeat does', () => {
    expect(messageText(4, 8, 0)).to.equal('EchoRequest(0)');
    expect(messageText(4, 0, 0)).to.equal('EchoReply(0)');
    expect(messageText(4, 3, 3)).to.equal('DestinationUnreachable(Port)');
    expect(messageText(4, 3, 99)).to.equal('DestinationUnreachable(99)');
    expect(messageText(4, 11, 0)).to.equal('TimeExceeded(TTLExceeded)');
    expect(messageText(4, 5, 1)).to.equal('Redirect(Host)');
    expect(messageText(4, 42, 7)).to.equal('42(7)');
    expect(messageText(6, 128, 0)).to.equal('EchoRequest(0)');
    expect(messageText(6, 1, 4)).to.equal('DestinationUnreachable(Port)');
    expect(messageText(6, 3, 0)).to.equal('TimeExceeded(HopLimitExceeded)');
    expect(messageText(6, 135, 0)).to.equal('NeighborSolicitation(0)');
    expect(messageText(6, 143, 0)).to.equal('143(0)');
  });
});

describe('icmp plugin: request/response pairs', () => {
  it('pairs an IPv4 echo request and reply by addresses, id and sequence', () => {
    const h = harness();
    h.at(1_000_000).send('10.0.0.1', '10.0.0.2', idMessage(8, 5, 1));
    h.at(1_000_100).send('10.0.0.1', '10.0.0.2', idMessage(8, 5, 2));
    h.at(1_020_000).send('10.0.0.2', '10.0.0.1', idMessage(0, 5, 2));
    h.at(1_030_000).send('10.0.0.2', '10.0.0.1', idMessage(0, 5, 1));
    expect(h.reported).to.have.length(2);
    const [second, first] = h.reported as [Transaction, Transaction];
    expect(first).to.deep.include({ status: 'OK', start: 1_000_000, end: 1_030_000, path: '10.0.0.2', requestBytes: 4, responseBytes: 4 });
    expect(second).to.deep.include({ start: 1_000_100, end: 1_020_000 });
    expect(first.icmp).to.deep.equal({ type: 8, code: 0 });
    const d = doc(first);
    expect(d).to.include({
      type: 'icmp',
      status: 'OK',
      path: '10.0.0.2',
      'icmp.version': 4,
      'icmp.request.message': 'EchoRequest(0)',
      'icmp.request.type': 8,
      'icmp.request.code': 0,
      'icmp.response.message': 'EchoReply(0)',
      'icmp.response.type': 0,
      'icmp.response.code': 0,
      'client.ip': '10.0.0.1',
      'server.ip': '10.0.0.2',
      'source.bytes': 4,
      'destination.bytes': 4,
      'network.transport': 'icmp',
      'event.duration': 30_000_000,
    });
    expect(d).to.not.have.property('client.port');
    expect(d['network.community_id']).to.match(/^1:/);
    expect(typeof h.analyzer.expire).to.equal('function');
  });

  it('does not pair replies from another host, or with another id', () => {
    const h = harness();
    h.send('10.0.0.1', '10.0.0.2', idMessage(8, 5, 1));
    h.send('10.0.0.3', '10.0.0.1', idMessage(0, 5, 1));
    h.send('10.0.0.2', '10.0.0.1', idMessage(0, 6, 1));
    expect(h.reported).to.have.length(2);
    for (const tx of h.reported) {
      expect(tx.status).to.equal('Error');
      expect(tx.notes).to.deep.equal([ORPHANED_RESPONSE]);
      expect(tx.fields['icmp']).to.not.have.property('request');
      expect(tx.requestBytes).to.equal(undefined);
    }
    // The reply's receiver is the client; community_id uses the reply's type.
    expect(h.reported[0]!.conn.client.ip).to.equal('10.0.0.1');
    expect(h.reported[0]!.conn.server.ip).to.equal('10.0.0.3');
    expect(h.reported[0]!.path).to.equal('10.0.0.3');
    expect(h.reported[0]!.icmp).to.deep.equal({ type: 0, code: 0 });
    expect(h.counters['unmatched_responses']).to.equal(2);
    h.end();
    expect(h.reported).to.have.length(3);
    expect(h.reported[2]!.notes).to.deep.equal([ORPHANED_REQUEST]);
  });

  it('pairs IPv6 echo (128/129)', () => {
    const h = harness();
    h.at(5_000_000).send('::1', '::2', idMessage(128, 7, 9, 56));
    h.at(5_000_040).send('::2', '::1', idMessage(129, 7, 9, 56));
    const tx = only(h.reported);
    expect(tx).to.deep.include({ status: 'OK', requestBytes: 56, responseBytes: 56, path: '::2' });
    const d = doc(tx);
    expect(d).to.include({ 'icmp.version': 6, 'icmp.request.message': 'EchoRequest(0)', 'icmp.response.message': 'EchoReply(0)', 'network.transport': 'ipv6-icmp', 'event.duration': 40_000 });
  });

  for (const [req, rep, name] of [
    [13, 14, 'Timestamp'],
    [15, 16, 'Info'],
    [17, 18, 'AddressMask'],
  ] as const) {
    it(`pairs ICMPv4 ${name} request/reply (${req}/${rep})`, () => {
      const h = harness();
      h.send('192.168.1.10', '192.168.1.1', idMessage(req, 77, 3, 12));
      h.send('192.168.1.1', '192.168.1.10', idMessage(rep, 77, 3, 12));
      const tx = only(h.reported);
      expect(tx.status).to.equal('OK');
      expect(tx.fields['icmp']).to.deep.equal({
        version: 4,
        request: { message: `${name}Request(0)`, type: req, code: 0 },
        response: { message: `${name}Reply(0)`, type: rep, code: 0 },
      });
    });
  }

  it('pairs an IPv6 router solicitation with the advertisement to all nodes, and to the solicitor', () => {
    const h = harness();
    h.at(1_000_000).send('fe80::a', 'ff02::2', icmpMessage(133, 0));
    h.at(1_000_000).send('fe80::b', 'ff02::2', icmpMessage(133, 0));
    h.at(1_200_000).send('fe80::1', 'ff02::1', icmpMessage(134, 0, new Array<number>(12).fill(0)));
    expect(h.reported).to.have.length(2);
    expect(h.reported.map((t) => [t.conn.client.ip, t.conn.server.ip, t.status, t.path])).to.deep.equal([
      ['fe80::a', 'fe80::1', 'OK', 'ff02::2'],
      ['fe80::b', 'fe80::1', 'OK', 'ff02::2'],
    ]);
    expect(h.reported[0]!.fields['icmp']).to.deep.include({ response: { message: 'RouterAdvertisement(0)', type: 134, code: 0 } });
    h.send('fe80::c', 'ff02::2', icmpMessage(133, 0));
    h.send('fe80::1', 'fe80::c', icmpMessage(134, 0, new Array<number>(12).fill(0)));
    expect(h.reported).to.have.length(3);
    expect(h.reported[2]!.conn.client.ip).to.equal('fe80::c');
    // An unsolicited advertisement is published on its own, as Packetbeat does.
    h.send('fe80::1', 'ff02::1', icmpMessage(134, 0, new Array<number>(12).fill(0)));
    expect(h.reported).to.have.length(4);
    expect(h.reported[3]).to.deep.include({ status: 'OK', path: 'ff02::1' });
    expect(h.reported[3]!.fields['icmp']).to.deep.equal({ version: 6, request: { message: 'RouterAdvertisement(0)', type: 134, code: 0 } });
  });

  it('pairs ICMPv4 router solicitation (10) and advertisement (9)', () => {
    const h = harness();
    h.send('10.1.1.5', '224.0.0.2', icmpMessage(10, 0));
    h.send('10.1.1.1', '224.0.0.1', icmpMessage(9, 0, [1, 2, 0, 30, 10, 1, 1, 1, 0, 0, 0, 0]));
    const tx = only(h.reported);
    expect(tx).to.deep.include({ status: 'OK' });
    expect(tx.conn.server.ip).to.equal('10.1.1.1');
    expect(tx.fields['icmp']).to.deep.include({ request: { message: 'RouterSolicitation(0)', type: 10, code: 0 } });
  });

  it('pairs a neighbour solicitation with the advertisement for its target', () => {
    const h = harness();
    h.at(1_000).send('fe80::a', 'ff02::1:ff00:b', neighbor(135, 'fe80::b'));
    h.at(1_500).send('fe80::b', 'fe80::a', neighbor(136, 'fe80::c')); // another target: alone
    h.at(2_000).send('fe80::b', 'fe80::a', neighbor(136, 'fe80::b'));
    expect(h.reported).to.have.length(2);
    expect(h.reported[0]!.fields['icmp']).to.deep.equal({ version: 6, request: { message: 'NeighborAdvertisement(0)', type: 136, code: 0 } });
    const tx = h.reported[1]!;
    expect(tx).to.deep.include({ status: 'OK', start: 1_000, end: 2_000, requestBytes: 16, responseBytes: 16 });
    expect([tx.conn.client.ip, tx.conn.server.ip]).to.deep.equal(['fe80::a', 'fe80::b']);
  });

  it('publishes duplicate address detection (from ::) at once: it expects no answer', () => {
    const h = harness();
    h.send('::', 'ff02::1:ff00:b', neighbor(135, 'fe80::b'));
    const tx = only(h.reported);
    expect(tx.status).to.equal('OK');
    expect(tx.end).to.equal(undefined);
  });
});

describe('icmp plugin: errors, duplicates, timeouts', () => {
  it('reports an error message on its own with status Error', () => {
    const h = harness();
    // Port unreachable for a UDP datagram.
    const udp = [0x45, 0, 0, 28, 0, 1, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2, 0x30, 0x39, 0, 53, 0, 8, 0, 0];
    h.send('10.0.0.2', '10.0.0.1', icmpMessage(3, 3, [0, 0, 0, 0, ...udp]));
    const tx = only(h.reported);
    expect(tx).to.deep.include({ status: 'Error', path: '10.0.0.1', requestBytes: 28 });
    expect(tx.fields['icmp']).to.deep.equal({ version: 4, request: { message: 'DestinationUnreachable(Port)', type: 3, code: 3 } });
    expect([tx.conn.client.ip, tx.conn.server.ip]).to.deep.equal(['10.0.0.2', '10.0.0.1']);
    const h6 = harness();
    h6.send('2001:db8::1', '2001:db8::2', icmpMessage(3, 0, new Array<number>(44).fill(0)));
    expect(only(h6.reported)).to.deep.include({ status: 'Error' });
    expect(h6.reported[0]!.fields['icmp']).to.deep.include({ request: { message: 'TimeExceeded(HopLimitExceeded)', type: 3, code: 0 } });
  });

  it('answers a waiting echo request with the error that quotes it (v4 and v6)', () => {
    const h = harness();
    h.at(1_000).send('10.0.0.1', '192.0.2.9', idMessage(8, 300, 4));
    h.at(9_000).send('10.0.0.254', '10.0.0.1', icmp4ErrorQuotingEcho(11, 0, '10.0.0.1', '192.0.2.9', 300, 4));
    let tx = only(h.reported);
    expect(tx).to.deep.include({ status: 'Error', start: 1_000, end: 9_000, path: '192.0.2.9' });
    expect([tx.conn.client.ip, tx.conn.server.ip]).to.deep.equal(['10.0.0.1', '10.0.0.254']);
    expect(tx.fields['icmp']).to.deep.include({ response: { message: 'TimeExceeded(TTLExceeded)', type: 11, code: 0 } });
    h.end();
    expect(h.reported).to.have.length(1);

    const h6 = harness();
    h6.send('2001:db8::1', '2001:db8:1::9', idMessage(128, 1, 1));
    h6.send('2001:db8::ff', '2001:db8::1', icmp6ErrorQuotingEcho(1, 3, '2001:db8::1', '2001:db8:1::9', 1, 1));
    tx = only(h6.reported);
    expect(tx.status).to.equal('Error');
    expect(tx.fields['icmp']).to.deep.include({ response: { message: 'DestinationUnreachable(Address)', type: 1, code: 3 } });
  });

  it('closes a request repeated with the same id and sequence as a duplicate', () => {
    const h = harness();
    h.at(1).send('10.0.0.1', '10.0.0.2', idMessage(8, 1, 1));
    h.at(2).send('10.0.0.1', '10.0.0.2', idMessage(8, 1, 1));
    const tx = only(h.reported);
    expect(tx).to.deep.include({ status: 'Error', start: 1, notes: [DUPLICATE_REQUEST] });
    expect(h.counters['duplicate_requests']).to.equal(1);
    h.at(3).send('10.0.0.2', '10.0.0.1', idMessage(0, 1, 1));
    expect(h.reported[1]).to.deep.include({ status: 'OK', start: 2, end: 3 });
  });

  it('reports unanswered requests after transaction_timeout, and the rest at the end of the capture', () => {
    const h = harness({ transaction_timeout: 2_000 });
    h.at(1_000_000).send('10.0.0.1', '10.0.0.2', idMessage(8, 1, 1));
    h.at(2_500_000).send('10.0.0.1', '10.0.0.2', idMessage(8, 1, 2));
    h.at(2_900_000).expire();
    expect(h.reported).to.have.length(0);
    h.at(3_000_001).expire();
    const tx = only(h.reported);
    expect(tx).to.deep.include({ status: 'Error', start: 1_000_000, notes: [ORPHANED_REQUEST], requestBytes: 4 });
    expect(tx.end).to.equal(undefined);
    expect(tx.responseBytes).to.equal(undefined);
    expect(h.counters['unmatched_requests']).to.equal(1);
    const d = doc(tx);
    expect(d).to.include({ 'error.message': ORPHANED_REQUEST, 'server.ip': '10.0.0.2' });
    expect(d).to.not.have.property('icmp.response.type');
    h.end();
    expect(h.reported).to.have.length(2);
    // An answer after the timeout is an orphan.
    h.send('10.0.0.2', '10.0.0.1', idMessage(0, 1, 1));
    expect(h.reported[2]!.notes).to.deep.equal([ORPHANED_RESPONSE]);
  });

  it('an unanswered router or neighbour solicitation expires as unanswered', () => {
    const h = harness({ transaction_timeout: 1_000 });
    h.at(0).send('fe80::a', 'ff02::2', icmpMessage(133, 0));
    h.at(0).send('fe80::a', 'ff02::1:ff00:9', neighbor(135, 'fe80::9'));
    h.at(5_000_000).expire();
    expect(h.reported.map((t) => [t.status, t.notes])).to.deep.equal([
      ['Error', [ORPHANED_REQUEST]],
      ['Error', [ORPHANED_REQUEST]],
    ]);
  });

  it('keeps at most max_pending_requests waiting, publishing the oldest as unanswered', () => {
    const h = harness({ max_pending_requests: 3 });
    for (let i = 0; i < 10; i++) h.at(i).send('10.0.0.1', '10.0.0.2', idMessage(8, 1, i));
    expect(h.reported.map((t) => t.start)).to.deep.equal([0, 1, 2, 3, 4, 5, 6]);
    expect(h.counters['evicted']).to.equal(7);
    h.send('10.0.0.2', '10.0.0.1', idMessage(0, 1, 9));
    expect(h.reported[7]).to.deep.include({ status: 'OK', start: 9 });
  });

  it('drops messages too short to be ICMP and counts them', () => {
    const h = harness();
    h.send('10.0.0.1', '10.0.0.2', Uint8Array.from([8, 0, 0, 0]));
    h.send('::1', '::2', Uint8Array.from([128, 0]));
    expect(h.reported).to.have.length(0);
    expect(h.counters['malformed']).to.equal(2);
  });

  it('keeps the VLAN of the request', () => {
    const h = harness();
    h.send('10.0.0.1', '10.0.0.2', idMessage(8, 1, 1), [10]);
    h.send('10.0.0.2', '10.0.0.1', idMessage(0, 1, 1), [10]);
    expect(only(h.reported).conn.vlans).to.deep.equal([10]);
    expect(doc(h.reported[0]!)).to.include({ 'network.vlan.id': 10 });
  });
});
