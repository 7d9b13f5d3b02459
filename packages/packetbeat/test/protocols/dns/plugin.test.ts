import { expect } from 'chai';
import { NOTES } from '../../../src/protocols/dns/plugin.js';
import { conn, fields, harness, msg, name, tcpFrame, type Rr } from './harness.js';

const answerA: Rr = { name: 'www.example.com', type: 1, rdata: [192, 0, 2, 1] };

describe('dns plugin: transactions', function () {
  it('pairs a UDP query and response by id and addresses', function () {
    const h = harness();
    const q = msg({ id: 1 });
    const r = msg({ id: 1, response: true, flags: 0x0180, answers: [answerA] });
    h.udp(0, q);
    h.now += 1500;
    h.udp(1, r);
    expect(h.reported).to.have.length(1);
    const tx = h.reported[0]!;
    expect(tx).to.include({ status: 'OK', method: 'QUERY', query: 'class IN, type A, www.example.com', resource: 'www.example.com', requestBytes: q.length, responseBytes: r.length });
    expect(tx.end! - tx.start).to.equal(1500);
    expect(fields(tx)).to.include({ type: 'answer', id: 1, response_code: 'NOERROR', answers_count: 1 });
    expect(tx.fields['related']).to.deep.equal({ ip: ['192.0.2.1'] });
    expect(tx.notes).to.equal(undefined);
  });

  it('a response from another client port or with another id does not match', function () {
    const h = harness();
    h.udp(0, msg({ id: 1 }));
    h.udp(1, msg({ id: 2, response: true }));
    h.udp(1, msg({ id: 1, response: true }), conn('udp', 40001));
    expect(h.reported).to.have.length(2);
    expect(h.reported.every((t) => t.notes?.[0] === NOTES.orphanedResponse && t.status === 'Error')).to.equal(true);
    expect(h.counters['unmatched_responses']).to.equal(2);
  });

  it('NXDOMAIN is status Error with response_code', function () {
    const h = harness();
    h.udp(0, msg({ id: 3 }));
    h.udp(1, msg({ id: 3, response: true, rcode: 3 }));
    expect(h.reported[0]!.status).to.equal('Error');
    expect(fields(h.reported[0])['response_code']).to.equal('NXDOMAIN');
  });

  it('reports unanswered queries only after transaction_timeout, with a note', function () {
    const h = harness({ transaction_timeout: 2000 });
    h.udp(0, msg({ id: 9 }));
    const t0 = h.now;
    h.expire(t0 + 1_999_000);
    expect(h.reported).to.have.length(0);
    h.expire(t0 + 2_000_000);
    expect(h.reported).to.have.length(1);
    const tx = h.reported[0]!;
    expect(tx).to.include({ status: 'Error', method: 'QUERY', start: t0 });
    expect(tx.end).to.equal(undefined);
    expect(tx.notes).to.deep.equal([NOTES.noResponse]);
    expect(fields(tx)['type']).to.equal('query');
    expect(h.counters['unmatched_requests']).to.equal(1);
  });

  it('a second query with the same id closes the first (duplicate note), the answer goes to the second', function () {
    const h = harness();
    h.udp(0, msg({ id: 5, questions: [{ name: 'first.example.com', type: 1 }] }));
    h.udp(0, msg({ id: 5, questions: [{ name: 'second.example.com', type: 1 }] }));
    expect(h.reported).to.have.length(1);
    expect(h.reported[0]!.notes).to.deep.equal([NOTES.duplicateQuery]);
    expect(h.reported[0]!.resource).to.equal('first.example.com');
    h.udp(1, msg({ id: 5, response: true, questions: [{ name: 'second.example.com', type: 1 }] }));
    expect(h.reported[1]).to.include({ status: 'OK', resource: 'second.example.com' });
  });

  it('EDNS mismatch and oversized non-EDNS UDP responses are noted', function () {
    const h = harness();
    const opt: Rr = { name: '.', type: 41, class: 4096, rdata: [] };
    h.udp(0, msg({ id: 1, additionals: [opt] }));
    h.udp(1, msg({ id: 1, response: true }));
    expect(h.reported[0]!.notes).to.deep.equal([NOTES.respEdnsNoSupport]);
    const big: Rr[] = Array.from({ length: 40 }, () => answerA);
    h.udp(0, msg({ id: 2 }));
    h.udp(1, msg({ id: 2, response: true, answers: big }));
    expect(h.reported[1]!.notes).to.deep.equal([`Response: ${NOTES.udpTooLarge}`]);
  });

  it('include_authorities / include_additionals and send_request / send_response', function () {
    const soa: Rr = { name: 'example.com', type: 2, rdata: name('ns.example.com') };
    const extra: Rr = { name: 'ns.example.com', type: 1, rdata: [10, 0, 0, 1] };
    const run = (cfg: Parameters<typeof harness>[0]) => {
      const h = harness(cfg);
      h.udp(0, msg({ id: 1 }));
      h.udp(1, msg({ id: 1, response: true, authorities: [soa], additionals: [extra] }));
      return h.reported[0]!;
    };
    const plain = run({});
    expect(fields(plain)).to.include({ authorities_count: 1, additionals_count: 1 });
    expect(fields(plain)).to.not.have.keys('authorities', 'additionals');
    expect(plain.request).to.equal(undefined);
    const all = run({ include_authorities: true, include_additionals: true, send_request: true, send_response: true });
    expect(fields(all)['authorities']).to.deep.equal([{ name: 'example.com', type: 'NS', class: 'IN', ttl: '300', data: 'ns.example.com' }]);
    expect(fields(all)['additionals']).to.deep.equal([{ name: 'ns.example.com', type: 'A', class: 'IN', ttl: '300', data: '10.0.0.1' }]);
    expect(all.request).to.equal('ID 1; QR query; OPCODE QUERY; FLAGS rd; RCODE NOERROR; QUESTION class IN, type A, www.example.com');
    expect(all.response).to.match(/^ID 1; QR response; .*AUTHORITY ns\.example\.com; ADDITIONAL 10\.0\.0\.1$/);
  });

  it('ignores non-DNS datagrams and counts them', function () {
    const h = harness();
    h.udp(0, Buffer.from('hello there, not dns at all'));
    expect(h.reported).to.have.length(0);
    expect(h.counters['non_dns_messages']).to.equal(1);
  });
});

describe('dns plugin: TCP', function () {
  it('length-prefixed messages delivered byte by byte; bytes include the 2-byte prefix', function () {
    const h = harness();
    const q = tcpFrame(msg({ id: 77 }));
    const r = tcpFrame(msg({ id: 77, response: true, answers: [answerA] }));
    for (const b of q) h.tcp(0, Uint8Array.of(b));
    const start = h.now;
    for (const b of r) {
      h.now += 10;
      h.tcp(1, Uint8Array.of(b));
    }
    expect(h.reported).to.have.length(1);
    expect(h.reported[0]).to.include({ status: 'OK', requestBytes: q.length, responseBytes: r.length, start });
    expect(h.reported[0]!.conn.transport).to.equal('tcp');
  });

  it('several messages in one segment, and an AXFR answer spanning many segments', function () {
    const h = harness();
    const q1 = tcpFrame(msg({ id: 1 }));
    const q2 = tcpFrame(msg({ id: 2, questions: [{ name: 'example.com', type: 252 }] }));
    h.tcp(0, Uint8Array.from([...q1, ...q2]));
    const records: Rr[] = Array.from({ length: 2000 }, (_, i) => ({ name: `h${i}.example.com`, type: 1, rdata: [10, 0, (i >> 8) & 255, i & 255] }));
    const axfr = tcpFrame(msg({ id: 2, response: true, questions: [{ name: 'example.com', type: 252 }], answers: records }));
    expect(axfr.length).to.be.greaterThan(30000);
    h.tcp(1, tcpFrame(msg({ id: 1, response: true })));
    for (let i = 0; i < axfr.length; i += 1460) h.tcp(1, axfr.subarray(i, i + 1460));
    expect(h.reported).to.have.length(2);
    const tx = h.reported[1]!;
    expect(tx).to.include({ query: 'class IN, type AXFR, example.com', responseBytes: axfr.length, status: 'OK' });
    expect(fields(tx)['answers_count']).to.equal(2000);
  });

  it('a zero-length or undecodable response closes the pending query with a note; buffers stay capped', function () {
    const h = harness();
    h.tcp(0, tcpFrame(msg({ id: 4 })));
    h.tcp(1, Uint8Array.of(0, 0, 1, 2, 3));
    expect(h.reported[0]!.notes).to.deep.equal([`Response: ${NOTES.zeroLength}`]);
    h.tcp(0, tcpFrame(msg({ id: 5 })));
    h.tcp(1, tcpFrame(Uint8Array.from(Buffer.from('this is not a dns message, no no no'))));
    expect(h.reported[1]!.notes).to.deep.equal([`Response: ${NOTES.nonDns}`]);
    h.tcp(1, new Uint8Array(200_000).fill(0xff));
    const s = h.tcpState();
    expect(s.buffers[1].available).to.be.at.most(65537);
  });
});
